/**
 * A stand-in for the Hetzner Cloud API (https://docs.hetzner.cloud) on 127.0.0.1, implementing
 * what the runner manager uses with the documented shapes: `GET/POST /v1/servers` (label
 * selectors, name filter, sort, pagination), `DELETE /v1/servers/{id}`,
 * `POST /v1/servers/{id}/actions/poweron`, `POST /v1/servers/{id}/actions/attach_to_network`
 * (addresses from the requested subnet of a registered network); errors as `{"error": {code, message, details}}`;
 * `RateLimit-*` headers on every response and 429 `rate_limit_exceeded` when the quota is spent.
 */
import { isValidLabelKey, isValidLabelValue } from '../../../lib/core/labels';
import { HetznerLimits, LOCATIONS, SERVER_TYPES } from '../../../lib/hetzner/catalog';
import { formatIpv4, parseCidr, parseIpv4 } from '../../../lib/network/cidr';
import { HttpStub, StubRequest, StubResponse } from './http-stub';

export interface FakeServer {
  id: number;
  name: string;
  status: 'initializing' | 'off' | 'running';
  created: string;
  labels: Record<string, string>;
  serverType: string;
  location: string;
  image: string;
  userData: string;
  firewalls: number[];
  networks: number[];
  /** Addresses in registered networks (see {@link FakeHetzner.addNetwork}). */
  privateNet: { network: number; ip: string }[];
  sshKeys: string[];
  /** Epoch ms until which actions on it answer 423 `locked` (the create action runs). */
  lockedUntil: number;
  /** The next this many actions on it answer 423 `locked`, however long they take to arrive. */
  lockedActions?: number;
}

/** A network with its cloud subnets (IP ranges), for `networks` at creation and `attach_to_network`. */
export interface FakeNetwork {
  readonly id: number;
  readonly ipRange: string;
  readonly subnets: readonly string[];
}

function err(status: number, code: string, message: string, details: unknown = {}): StubResponse {
  return { status, body: { error: { code, message, details } } };
}

const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

type Predicate = (labels: Record<string, string>) => boolean;

/** The documented label selector language, minus set-based `in`/`notin` (unused by the manager). */
export function parseSelector(selector: string): Predicate {
  const terms: Predicate[] = selector.split(',').map((raw) => {
    const t = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^([^=!\s]+)\s*!=\s*(\S*)$/))) {
      const [, k, v] = m;
      return (l) => l[k] !== v;
    }
    if ((m = t.match(/^([^=!\s]+)\s*==?\s*(\S*)$/))) {
      const [, k, v] = m;
      return (l) => l[k] === v;
    }
    if ((m = t.match(/^!([^=!\s]+)$/))) {
      const k = m[1];
      return (l) => !(k in l);
    }
    if ((m = t.match(/^([^=!\s]+)$/))) {
      const k = m[1];
      return (l) => k in l;
    }
    throw new Error(`invalid label selector term ${JSON.stringify(t)}`);
  });
  return (l) => terms.every((p) => p(l));
}

/*
 * Load balancers, volumes and firewalls (read by the operator CLI, aiai-ops): `GET /v1/load_balancers`,
 * `/v1/volumes`, `/v1/firewalls` with label selectors, sort and pagination, in the documented shapes
 * (Hetzner Cloud API reference; hcloud-go hcloud/schema/load_balancer.go, volume.go, firewall.go).
 */

/** Per service (listen port): what Hetzner's health checks report. */
export type FakeTargetHealth = 'healthy' | 'unhealthy' | 'unknown';

export interface FakeLoadBalancerTarget {
  /** A server target (type `server`) ... */
  serverId?: number;
  /** ... or a label selector target (type `label_selector`), resolved against the servers. */
  labelSelector?: string;
  usePrivateIp: boolean;
  /** Health per listen port; unset ports follow the server (running: healthy, otherwise unhealthy). */
  health?: Record<number, FakeTargetHealth>;
}

export interface FakeLoadBalancerService {
  protocol: 'http' | 'https' | 'tcp';
  listenPort: number;
  destinationPort: number;
  healthCheck?: { protocol: 'http' | 'tcp'; port: number; interval: number; timeout: number; retries: number; path?: string };
}

export interface FakeLoadBalancer {
  id: number;
  name: string;
  labels: Record<string, string>;
  type: string;
  location: string;
  publicIpv4: string;
  /** Private network attachment. */
  network?: { id: number; ip: string };
  deleteProtection: boolean;
  services: FakeLoadBalancerService[];
  targets: FakeLoadBalancerTarget[];
}

export interface FakeVolume {
  id: number;
  name: string;
  labels: Record<string, string>;
  sizeGb: number;
  location: string;
  /** Attached server; null when detached. */
  serverId: number | null;
  status: 'creating' | 'available';
  deleteProtection: boolean;
}

export interface FakeFirewall {
  id: number;
  name: string;
  labels: Record<string, string>;
  rules: { direction: 'in' | 'out'; protocol: 'tcp' | 'udp' | 'icmp'; port?: string; sourceIps: string[]; description?: string }[];
  /** Servers it is applied to directly (servers created with this firewall ID count too). */
  servers: number[];
  /** Label selectors it is applied through. */
  labelSelectors: string[];
}

export interface FakeHetznerOptions {
  readonly token: string;
  /** Milliseconds the create action keeps a new server locked. @default 5 */
  readonly lockMs?: number;
  /** Project quota (requests per hour). @default 3600 */
  readonly rateLimit?: number;
}

export class FakeHetzner extends HttpStub {
  public readonly servers = new Map<number, FakeServer>();
  /** `type@location` (or `type@*`) pairs answered with `resource_unavailable`. */
  public readonly unavailable = new Set<string>();
  public readonly loadBalancers = new Map<number, FakeLoadBalancer>();
  public readonly volumes = new Map<number, FakeVolume>();
  public readonly firewalls = new Map<number, FakeFirewall>();
  private nextResourceId = 700_000;
  /** Most servers powered on at the same time. */
  public peakRunning = 0;
  public creates = 0;
  public deletes = 0;
  public remaining: number;
  public readonly limit: number;
  public onCreate?: (s: FakeServer) => void;
  public onPowerOn?: (s: FakeServer) => void;
  public onDelete?: (s: FakeServer) => void;
  /** Networks the fake knows; servers may also name unregistered ones at creation (no address then). */
  public readonly networks = new Map<number, FakeNetwork>();
  public attaches = 0;
  public onAttach?: (s: FakeServer, network: number, ip: string) => void;
  private nextId = 4_200_000;
  private nextAction = 9_000_000;
  private lastRefill = Date.now();

  constructor(private readonly options: FakeHetznerOptions) {
    super();
    this.limit = options.rateLimit ?? HetznerLimits.apiRequestsPerHour;
    this.remaining = this.limit;
  }

  /** Adds a server directly (an orphan from an earlier run, another pool's server, ...). */
  public seed(s: Partial<FakeServer> & { name: string; labels: Record<string, string> }): FakeServer {
    const server: FakeServer = {
      id: this.nextId++,
      status: 'running',
      created: new Date().toISOString(),
      serverType: 'cpx32',
      location: 'fsn1',
      image: 'ubuntu-24.04',
      userData: '',
      firewalls: [],
      networks: [],
      privateNet: [],
      sshKeys: [],
      lockedUntil: 0,
      ...s,
    };
    this.servers.set(server.id, server);
    return server;
  }

  /** Registers a network and its subnets (every range as the API would have accepted it). */
  public addNetwork(n: FakeNetwork): FakeNetwork {
    for (const r of [n.ipRange, ...n.subnets]) if (!parseCidr(r)) throw new Error(`fake network ${n.id}: ${r} is not a CIDR`);
    this.networks.set(n.id, n);
    return n;
  }

  /** The private IP of a server in a network, if it has one. */
  public privateIp(s: FakeServer, network: number): string | undefined {
    return s.privateNet.find((p) => p.network === network)?.ip;
  }

  public running(): number {
    return [...this.servers.values()].filter((s) => s.status === 'running').length;
  }

  /** Adds a load balancer (its `health` per target decides what `health_status` reports). */
  public seedLoadBalancer(lb: Partial<FakeLoadBalancer> & { name: string; labels: Record<string, string> }): FakeLoadBalancer {
    const out: FakeLoadBalancer = {
      id: this.nextResourceId++,
      type: 'lb11',
      location: 'fsn1',
      publicIpv4: '203.0.113.10',
      deleteProtection: true,
      services: [],
      targets: [],
      ...lb,
    };
    this.loadBalancers.set(out.id, out);
    return out;
  }

  public seedVolume(v: Partial<FakeVolume> & { name: string; labels: Record<string, string> }): FakeVolume {
    const out: FakeVolume = { id: this.nextResourceId++, sizeGb: 50, location: 'fsn1', serverId: null, status: 'available', deleteProtection: true, ...v };
    this.volumes.set(out.id, out);
    return out;
  }

  /** Adds a firewall; the servers it is applied to list it in their `public_net.firewalls`. */
  public seedFirewall(f: Partial<FakeFirewall> & { name: string; labels: Record<string, string> }): FakeFirewall {
    const out: FakeFirewall = { id: this.nextResourceId++, rules: [], servers: [], labelSelectors: [], ...f };
    this.firewalls.set(out.id, out);
    for (const id of out.servers) {
      const s = this.servers.get(id);
      if (s && !s.firewalls.includes(out.id)) s.firewalls.push(out.id);
    }
    return out;
  }

  private targetView(t: FakeLoadBalancerTarget, lb: FakeLoadBalancer): Record<string, unknown> {
    if (t.labelSelector !== undefined) {
      const pred = parseSelector(t.labelSelector);
      const matched = [...this.servers.values()].filter((s) => pred(s.labels)).sort((a, b) => a.id - b.id);
      return {
        type: 'label_selector',
        label_selector: { selector: t.labelSelector },
        use_private_ip: t.usePrivateIp,
        targets: matched.map((s) => this.targetView({ serverId: s.id, usePrivateIp: t.usePrivateIp, health: t.health }, lb)),
      };
    }
    const server = t.serverId === undefined ? undefined : this.servers.get(t.serverId);
    const derived: FakeTargetHealth = !server ? 'unknown' : server.status === 'running' ? 'healthy' : 'unhealthy';
    return {
      type: 'server',
      server: { id: t.serverId },
      use_private_ip: t.usePrivateIp,
      health_status: lb.services.map((svc) => ({ listen_port: svc.listenPort, status: t.health?.[svc.listenPort] ?? derived })),
    };
  }

  private loadBalancerView(lb: FakeLoadBalancer): Record<string, unknown> {
    return {
      id: lb.id,
      name: lb.name,
      labels: { ...lb.labels },
      created: new Date(0).toISOString(),
      load_balancer_type: { name: lb.type },
      location: { name: lb.location, network_zone: 'eu-central' },
      algorithm: { type: 'round_robin' },
      public_net: { enabled: true, ipv4: { ip: lb.publicIpv4, dns_ptr: null }, ipv6: { ip: '2001:db8::1', dns_ptr: null } },
      private_net: lb.network ? [{ network: lb.network.id, ip: lb.network.ip }] : [],
      protection: { delete: lb.deleteProtection },
      services: lb.services.map((svc) => ({
        protocol: svc.protocol,
        listen_port: svc.listenPort,
        destination_port: svc.destinationPort,
        proxyprotocol: false,
        http: svc.protocol === 'tcp' ? null : { cookie_name: 'HCLBSTICKY', cookie_lifetime: 300, certificates: [], redirect_http: false, sticky_sessions: false },
        health_check: svc.healthCheck
          ? {
              protocol: svc.healthCheck.protocol,
              port: svc.healthCheck.port,
              interval: svc.healthCheck.interval,
              timeout: svc.healthCheck.timeout,
              retries: svc.healthCheck.retries,
              http: svc.healthCheck.protocol === 'http' ? { domain: null, path: svc.healthCheck.path ?? '/', response: null, status_codes: ['2??'], tls: false } : null,
            }
          : null,
      })),
      targets: lb.targets.map((t) => this.targetView(t, lb)),
      included_traffic: 21_990_232_555_520,
      ingoing_traffic: 0,
      outgoing_traffic: 0,
    };
  }

  private volumeView(v: FakeVolume): Record<string, unknown> {
    return {
      id: v.id,
      name: v.name,
      labels: { ...v.labels },
      created: new Date(0).toISOString(),
      size: v.sizeGb,
      server: v.serverId,
      status: v.status,
      location: { name: v.location },
      format: 'ext4',
      protection: { delete: v.deleteProtection },
      linux_device: `/dev/disk/by-id/scsi-0HC_Volume_${v.id}`,
    };
  }

  private firewallView(f: FakeFirewall): Record<string, unknown> {
    const direct = new Set([...f.servers, ...[...this.servers.values()].filter((s) => s.firewalls.includes(f.id)).map((s) => s.id)]);
    return {
      id: f.id,
      name: f.name,
      labels: { ...f.labels },
      created: new Date(0).toISOString(),
      rules: f.rules.map((r) => ({
        direction: r.direction,
        protocol: r.protocol,
        port: r.port ?? null,
        source_ips: r.sourceIps,
        destination_ips: [],
        description: r.description ?? null,
      })),
      applied_to: [
        ...[...direct].sort((a, b) => a - b).map((id) => ({ type: 'server', server: { id } })),
        ...f.labelSelectors.map((selector) => {
          const pred = parseSelector(selector);
          const matched = [...this.servers.values()].filter((s) => pred(s.labels)).sort((a, b) => a.id - b.id);
          return { type: 'label_selector', label_selector: { selector }, applied_to_resources: matched.map((s) => ({ type: 'server', server: { id: s.id } })) };
        }),
      ],
    };
  }

  /** `GET /v1/load_balancers`, `/v1/volumes`, `/v1/firewalls`; undefined for every other route. */
  private resourceRoute(req: StubRequest): StubResponse | undefined {
    const routes: Record<string, () => { items: { id: number; labels: Record<string, string> }[]; view: (x: never) => Record<string, unknown> }> = {
      '/v1/load_balancers': () => ({ items: [...this.loadBalancers.values()], view: (x: FakeLoadBalancer) => this.loadBalancerView(x) }),
      '/v1/volumes': () => ({ items: [...this.volumes.values()], view: (x: FakeVolume) => this.volumeView(x) }),
      '/v1/firewalls': () => ({ items: [...this.firewalls.values()], view: (x: FakeFirewall) => this.firewallView(x) }),
    };
    const route = routes[req.path];
    if (!route) return undefined;
    if (req.method !== 'GET') return err(405, 'method_not_allowed', 'method not allowed');
    const key = req.path.slice('/v1/'.length);
    let { items } = route();
    const { view } = route();
    const selector = req.query.get('label_selector');
    if (selector) {
      let pred: Predicate;
      try {
        pred = parseSelector(selector);
      } catch (e) {
        return err(400, 'invalid_input', (e as Error).message, { fields: [{ name: 'label_selector', messages: ['invalid'] }] });
      }
      items = items.filter((x) => pred(x.labels));
    }
    const name = req.query.get('name');
    if (name) items = items.filter((x) => (x as { name?: string }).name === name);
    const sort = req.query.get('sort') ?? 'id:asc';
    items.sort((a, b) => (sort === 'id:desc' ? b.id - a.id : a.id - b.id));
    const perPage = Math.min(50, Number(req.query.get('per_page') ?? 25));
    const page = Number(req.query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    return {
      status: 200,
      body: {
        [key]: items.slice((page - 1) * perPage, page * perPage).map((x) => view(x as never)),
        meta: {
          pagination: {
            page,
            per_page: perPage,
            previous_page: page > 1 ? page - 1 : null,
            next_page: page < last ? page + 1 : null,
            last_page: last,
            total_entries: items.length,
          },
        },
      },
    };
  }

  public byName(name: string): FakeServer | undefined {
    return [...this.servers.values()].find((s) => s.name === name);
  }

  protected jsonError(): StubResponse {
    return err(400, 'json_error', 'invalid JSON input in your request');
  }

  protected commonHeaders(): Record<string, string> {
    return {
      'ratelimit-limit': String(this.limit),
      'ratelimit-remaining': String(Math.floor(this.remaining)),
      'ratelimit-reset': String(Math.ceil(Date.now() / 1000 + (this.limit - this.remaining) * (3600 / this.limit))),
    };
  }

  private view(s: FakeServer): Record<string, unknown> {
    const type = SERVER_TYPES[s.serverType];
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      created: s.created,
      labels: { ...s.labels },
      server_type: { name: s.serverType, architecture: type?.architecture ?? 'x86', cores: type?.vcpus ?? 2 },
      datacenter: { name: `${s.location}-dc14`, location: { name: s.location } },
      image: { name: s.image },
      public_net: {
        ipv4: { ip: `192.0.2.${s.id % 250}` },
        ipv6: { ip: `2001:db8::${s.id.toString(16)}/64` },
        firewalls: s.firewalls.map((id) => ({ id, status: 'applied' })),
      },
      private_net: s.networks.map((network) => ({ network, ip: this.privateIp(s, network) ?? `10.0.9.${s.id % 250}` })),
      protection: { delete: false, rebuild: false },
    };
  }

  private action(command: string, serverId: number, status: 'running' | 'success' = 'running'): Record<string, unknown> {
    return {
      id: this.nextAction++,
      command,
      status,
      progress: status === 'success' ? 100 : 0,
      started: new Date().toISOString(),
      finished: status === 'success' ? new Date().toISOString() : null,
      resources: [{ id: serverId, type: 'server' }],
      error: null,
    };
  }

  protected handle(req: StubRequest): StubResponse {
    if (req.headers.authorization !== `Bearer ${this.options.token}`) {
      return err(401, 'unauthorized', 'unable to authenticate');
    }
    // Quota: refills continuously (limit per hour).
    const now = Date.now();
    this.remaining = Math.min(this.limit, this.remaining + ((now - this.lastRefill) / 3_600_000) * this.limit);
    this.lastRefill = now;
    if (this.remaining < 1) return { ...err(429, 'rate_limit_exceeded', 'limit of requests per hour reached'), headers: { 'ratelimit-remaining': '0' } };
    this.remaining -= 1;
    const resource = this.resourceRoute(req);
    if (resource) return resource;

    const attach = req.path.match(/^\/v1\/servers\/(\d+)\/actions\/attach_to_network$/);
    if (attach) return req.method === 'POST' ? this.attachToNetwork(Number(attach[1]), req) : err(405, 'method_not_allowed', 'method not allowed');
    const m = req.path.match(/^\/v1\/servers(?:\/(\d+))?(\/actions\/poweron)?$/);
    if (!m) return err(404, 'not_found', `no route ${req.method} ${req.path}`);
    const id = m[1] ? Number(m[1]) : undefined;
    if (id === undefined && req.method === 'GET') return this.list(req);
    if (id === undefined && req.method === 'POST') return this.create(req);
    if (id !== undefined && !m[2] && req.method === 'GET') {
      const s = this.servers.get(id);
      return s ? { status: 200, body: { server: this.view(s) } } : err(404, 'not_found', `server with ID '${id}' not found`);
    }
    if (id !== undefined && !m[2] && req.method === 'DELETE') return this.remove(id);
    if (id !== undefined && m[2] && req.method === 'POST') return this.powerOn(id);
    return err(405, 'method_not_allowed', 'method not allowed');
  }

  private list(req: StubRequest): StubResponse {
    let servers = [...this.servers.values()];
    const selector = req.query.get('label_selector');
    if (selector) {
      let pred: Predicate;
      try {
        pred = parseSelector(selector);
      } catch (e) {
        return err(400, 'invalid_input', (e as Error).message, { fields: [{ name: 'label_selector', messages: ['invalid'] }] });
      }
      servers = servers.filter((s) => pred(s.labels));
    }
    const name = req.query.get('name');
    if (name) servers = servers.filter((s) => s.name === name);
    const sort = req.query.get('sort') ?? 'id:asc';
    servers.sort((a, b) => (sort === 'id:desc' ? b.id - a.id : a.id - b.id));
    const perPage = Math.min(50, Number(req.query.get('per_page') ?? 25));
    const page = Number(req.query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(servers.length / perPage));
    const slice = servers.slice((page - 1) * perPage, page * perPage);
    return {
      status: 200,
      body: {
        servers: slice.map((s) => this.view(s)),
        meta: {
          pagination: {
            page,
            per_page: perPage,
            previous_page: page > 1 ? page - 1 : null,
            next_page: page < last ? page + 1 : null,
            last_page: last,
            total_entries: servers.length,
          },
        },
      },
    };
  }

  private create(req: StubRequest): StubResponse {
    const b = req.body as Record<string, unknown> | undefined;
    const invalid = (field: string, message: string) =>
      err(400, 'invalid_input', `invalid input in field '${field}': ${message}`, { fields: [{ name: field, messages: [message] }] });
    if (!b || typeof b !== 'object') return invalid('body', 'missing');
    if (typeof b.name !== 'string' || !HOSTNAME.test(b.name)) return invalid('name', 'is not a valid hostname');
    if (typeof b.server_type !== 'string' || !SERVER_TYPES[b.server_type]) return invalid('server_type', 'server type not found');
    if (typeof b.location !== 'string' || !LOCATIONS[b.location]) return invalid('location', 'location not found');
    if (typeof b.image !== 'string' || b.image.length === 0) return invalid('image', 'is required');
    const labels = (b.labels ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(labels)) {
      if (!isValidLabelKey(k) || typeof v !== 'string' || !isValidLabelValue(v)) return invalid('labels', `invalid label ${k}=${String(v)}`);
    }
    if (b.user_data !== undefined && (typeof b.user_data !== 'string' || Buffer.byteLength(b.user_data) > HetznerLimits.userDataBytes)) {
      return invalid('user_data', 'is too long');
    }
    if (b.start_after_create !== undefined && typeof b.start_after_create !== 'boolean') return invalid('start_after_create', 'must be a boolean');
    const firewalls = (b.firewalls ?? []) as { firewall?: unknown }[];
    if (!Array.isArray(firewalls) || firewalls.some((f) => typeof f?.firewall !== 'number')) return invalid('firewalls', 'must be [{firewall: <id>}]');
    const networks = (b.networks ?? []) as unknown[];
    if (!Array.isArray(networks) || networks.some((n) => typeof n !== 'number')) return invalid('networks', 'must be network IDs');
    if ([...this.servers.values()].some((s) => s.name === b.name)) {
      return err(409, 'uniqueness_error', 'server name is already used', { fields: [{ name: 'name' }] });
    }
    if (this.unavailable.has(`${b.server_type}@${b.location}`) || this.unavailable.has(`${b.server_type}@*`)) {
      return err(412, 'resource_unavailable', 'error during placement');
    }
    // Registered networks get an address at creation, as if attached without `ip_range`.
    const privateNet: { network: number; ip: string }[] = [];
    for (const n of networks as number[]) {
      const net = this.networks.get(n);
      if (!net) continue;
      const ip = this.autoAssign(net);
      if (!ip) return err(422, 'no_subnet_available', 'no subnet or IP is available for the server within the network');
      privateNet.push({ network: n, ip });
    }
    const start = b.start_after_create !== false;
    const server = this.seed({
      name: b.name,
      labels: labels as Record<string, string>,
      status: 'initializing',
      serverType: b.server_type,
      location: b.location,
      image: b.image,
      userData: (b.user_data as string | undefined) ?? '',
      firewalls: firewalls.map((f) => f.firewall as number),
      networks: networks as number[],
      privateNet,
      sshKeys: (b.ssh_keys as string[] | undefined) ?? [],
      lockedUntil: Date.now() + (this.options.lockMs ?? 5),
    });
    this.creates++;
    const create = this.action('create_server', server.id);
    setTimeout(() => {
      const s = this.servers.get(server.id);
      if (s && s.status === 'initializing') {
        s.status = start ? 'running' : 'off';
        if (start) this.poweredOn(s);
      }
    }, this.options.lockMs ?? 5);
    this.onCreate?.(server);
    return {
      status: 201,
      body: {
        server: this.view(server),
        action: create,
        next_actions: start ? [this.action('start_server', server.id)] : [],
        root_password: server.sshKeys.length > 0 ? null : 'fake-root-password',
      },
    };
  }

  private poweredOn(s: FakeServer): void {
    this.peakRunning = Math.max(this.peakRunning, this.running());
    this.onPowerOn?.(s);
  }

  /** Whether an action on `s` meets the lock (and uses up one of its counted lock answers). */
  private locked(s: FakeServer): boolean {
    if ((s.lockedActions ?? 0) > 0) {
      s.lockedActions!--;
      return true;
    }
    return Date.now() < s.lockedUntil;
  }

  private powerOn(id: number): StubResponse {
    const s = this.servers.get(id);
    if (!s) return err(404, 'not_found', `server with ID '${id}' not found`);
    if (this.locked(s)) return err(423, 'locked', 'server is locked: an action is running');
    const action = this.action('start_server', id, 'success');
    if (s.status !== 'running') {
      s.status = 'running';
      this.poweredOn(s);
    }
    return { status: 201, body: { action } };
  }

  /** Addresses of `net` held by any server. */
  private taken(net: FakeNetwork): Set<string> {
    return new Set([...this.servers.values()].flatMap((s) => s.privateNet.filter((p) => p.network === net.id).map((p) => p.ip)));
  }

  /** The lowest free address of `subnet` (never its network, gateway or broadcast address). */
  private freeAddress(net: FakeNetwork, subnet: string): string | undefined {
    const c = parseCidr(subnet)!;
    const taken = this.taken(net);
    for (let n = c.first + 2; n < c.last; n++) if (!taken.has(formatIpv4(n))) return formatIpv4(n);
    return undefined;
  }

  /**
   * Without `ip_range`, Hetzner picks the subnet: the last one ordered by IP range (hcloud_server
   * docs of terraform-provider-hcloud v1.68.0, `network_id` used alone), here with a free address.
   */
  private autoAssign(net: FakeNetwork): string | undefined {
    const ordered = [...net.subnets].sort((a, b) => parseCidr(a)!.first - parseCidr(b)!.first).reverse();
    for (const subnet of ordered) {
      const ip = this.freeAddress(net, subnet);
      if (ip) return ip;
    }
    return undefined;
  }

  /**
   * `POST /servers/{id}/actions/attach_to_network` with `network`, optional `ip_range` (the subnet
   * to take an address from) and `ip`. Errors as documented for the action: 422
   * `server_already_attached`, `ip_not_available`, `no_subnet_available` (also for an `ip_range`
   * that is no subnet of the network); 423 `locked` while another action runs; 404 for an unknown
   * server or network.
   */
  private attachToNetwork(id: number, req: StubRequest): StubResponse {
    const s = this.servers.get(id);
    if (!s) return err(404, 'not_found', `server with ID '${id}' not found`);
    const b = req.body as Record<string, unknown> | undefined;
    const invalid = (field: string, message: string) =>
      err(400, 'invalid_input', `invalid input in field '${field}': ${message}`, { fields: [{ name: field, messages: [message] }] });
    if (!b || typeof b !== 'object' || typeof b.network !== 'number') return invalid('network', 'is required');
    if (b.ip_range !== undefined && (typeof b.ip_range !== 'string' || !parseCidr(b.ip_range))) return invalid('ip_range', 'is not a valid CIDR');
    if (b.ip !== undefined && (typeof b.ip !== 'string' || parseIpv4(b.ip) === undefined)) return invalid('ip', 'is not a valid IP');
    if (this.locked(s)) return err(423, 'locked', 'server is locked: an action is running');
    const net = this.networks.get(b.network);
    if (!net) return err(404, 'not_found', `network with ID '${b.network}' not found`);
    if (s.networks.includes(net.id)) return err(422, 'server_already_attached', 'server is already attached to the network');
    const range = b.ip_range as string | undefined;
    if (range !== undefined && !net.subnets.includes(range)) {
      return err(422, 'no_subnet_available', `no subnet or IP is available for the server within the network (no subnet ${range})`);
    }
    let ip: string | undefined;
    if (b.ip !== undefined) {
      const n = parseIpv4(b.ip as string)!;
      const c = range !== undefined ? parseCidr(range)! : undefined;
      if (c && (n < c.first || n > c.last)) return invalid('ip', `is not part of ip_range ${range}`);
      if (!net.subnets.some((r) => n > parseCidr(r)!.first + 1 && n < parseCidr(r)!.last)) {
        return err(422, 'ip_not_available', 'the provided network IP is not available');
      }
      if (this.taken(net).has(b.ip as string)) return err(422, 'ip_not_available', 'the provided network IP is not available');
      ip = b.ip as string;
    } else {
      ip = range !== undefined ? this.freeAddress(net, range) : this.autoAssign(net);
      if (!ip) return err(422, 'no_subnet_available', 'no subnet or IP is available for the server within the network');
    }
    s.networks.push(net.id);
    s.privateNet.push({ network: net.id, ip });
    // The attach action runs for a moment; the server is locked meanwhile.
    s.lockedUntil = Date.now() + (this.options.lockMs ?? 5);
    this.attaches++;
    this.onAttach?.(s, net.id, ip);
    return { status: 201, body: { action: this.action('attach_to_network', id) } };
  }

  private remove(id: number): StubResponse {
    const s = this.servers.get(id);
    if (!s) return err(404, 'not_found', `server with ID '${id}' not found`);
    this.servers.delete(id);
    this.deletes++;
    this.onDelete?.(s);
    return { status: 200, body: { action: this.action('delete_server', id) } };
  }
}
