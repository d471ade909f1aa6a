/**
 * A stand-in for the Hetzner Cloud API (https://docs.hetzner.cloud) on 127.0.0.1, implementing
 * what the runner manager uses with the documented shapes: `GET/POST /v1/servers` (label
 * selectors, name filter, sort, pagination), `DELETE /v1/servers/{id}`,
 * `POST /v1/servers/{id}/actions/poweron`; errors as `{"error": {code, message, details}}`;
 * `RateLimit-*` headers on every response and 429 `rate_limit_exceeded` when the quota is spent.
 */
import { isValidLabelKey, isValidLabelValue } from '../../../lib/core/labels';
import { HetznerLimits, LOCATIONS, SERVER_TYPES } from '../../../lib/hetzner/catalog';
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
  sshKeys: string[];
  /** Epoch ms until which actions on it answer 423 `locked` (the create action runs). */
  lockedUntil: number;
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
      sshKeys: [],
      lockedUntil: 0,
      ...s,
    };
    this.servers.set(server.id, server);
    return server;
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
      private_net: s.networks.map((network) => ({ network, ip: `10.0.9.${s.id % 250}` })),
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

  private remove(id: number): StubResponse {
    const s = this.servers.get(id);
    if (!s) return err(404, 'not_found', `server with ID '${id}' not found`);
    this.servers.delete(id);
    this.deletes++;
    this.onDelete?.(s);
    return { status: 200, body: { action: this.action('delete_server', id) } };
  }
}
