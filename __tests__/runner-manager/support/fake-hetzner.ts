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

  private powerOn(id: number): StubResponse {
    const s = this.servers.get(id);
    if (!s) return err(404, 'not_found', `server with ID '${id}' not found`);
    if (Date.now() < s.lockedUntil) return err(423, 'locked', 'server is locked: an action is running');
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
    if (Date.now() < s.lockedUntil) return err(423, 'locked', 'server is locked: an action is running');
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
