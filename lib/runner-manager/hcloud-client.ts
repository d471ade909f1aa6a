/**
 * The few Hetzner Cloud API endpoints the runner manager uses, with their documented shapes
 * (https://docs.hetzner.cloud): servers list/create/delete and the power-on and attach-to-network
 * actions. The operator CLI (`aiai-ops`, lib/operator) also reads load balancers, volumes and
 * firewalls through it.
 *
 * Errors: `{"error": {"code", "message", "details"}}`. Rate limit: 3,600 requests per hour and
 * project, refilled one per second, reported in `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` (unix seconds when the quota is full again); 429 `rate_limit_exceeded`.
 */
import { HetznerLimits } from '../hetzner/catalog';
import { Clock, HttpClient, RequestBudget, RetryPolicy, ServiceDialect } from './http';

export type HcloudServerStatus = 'initializing' | 'starting' | 'running' | 'stopping' | 'off' | 'deleting' | 'migrating' | 'rebuilding' | 'unknown';

export interface HcloudServer {
  readonly id: number;
  readonly name: string;
  readonly status: HcloudServerStatus;
  /** ISO 8601 */
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly server_type: { readonly name: string; readonly architecture?: 'x86' | 'arm' };
  readonly datacenter?: { readonly name: string; readonly location: { readonly name: string } };
  readonly public_net?: {
    readonly ipv4: { readonly ip: string } | null;
    readonly ipv6: { readonly ip: string } | null;
    /** Firewalls applied to the public interface (`status`: `applied` or `pending`). */
    readonly firewalls?: readonly { readonly id: number; readonly status: string }[];
  };
  /** One entry per attached private network. */
  readonly private_net?: readonly HcloudPrivateNet[];
  /**
   * Newer API responses carry the location here: hcloud-go deprecated the server's `datacenter`
   * (PR #793) and then removed it (PR #890, hcloud/schema/server.go).
   */
  readonly location?: { readonly name: string };
  readonly protection?: { readonly delete: boolean; readonly rebuild: boolean };
}

export interface HcloudPrivateNet {
  readonly network: number;
  readonly ip: string;
  readonly alias_ips?: readonly string[];
  readonly mac_address?: string;
}

/** `HcloudServer`'s location, from `location` or the deprecated `datacenter.location`. */
export function serverLocation(s: HcloudServer): string | undefined {
  return s.location?.name ?? s.datacenter?.location.name;
}

/*
 * Load balancers, volumes and firewalls as `GET /load_balancers`, `/volumes`, `/firewalls` return
 * them (only the fields we read). Source of the shapes: the Hetzner Cloud API reference and
 * hcloud-go's hcloud/schema/load_balancer.go, volume.go, firewall.go (as of 2026-08).
 */

/** Per service port: `healthy`, `unhealthy` or `unknown` (hcloud-go hcloud/load_balancer.go). */
export interface HcloudTargetHealth {
  readonly listen_port: number;
  readonly status: 'healthy' | 'unhealthy' | 'unknown' | string;
}

export interface HcloudLoadBalancerTarget {
  readonly type: 'server' | 'label_selector' | 'ip' | string;
  readonly server?: { readonly id: number } | null;
  readonly label_selector?: { readonly selector: string } | null;
  readonly ip?: { readonly ip: string } | null;
  /** Present for `server` and `ip` targets (and the resolved targets of a label selector). */
  readonly health_status?: readonly HcloudTargetHealth[];
  readonly use_private_ip?: boolean;
  /** The servers a `label_selector` target resolved to. */
  readonly targets?: readonly HcloudLoadBalancerTarget[];
}

export interface HcloudLoadBalancerService {
  readonly protocol: string;
  readonly listen_port: number;
  readonly destination_port: number;
  readonly health_check?: {
    readonly protocol: string;
    readonly port: number;
    readonly interval: number;
    readonly timeout: number;
    readonly retries: number;
    readonly http?: { readonly path?: string } | null;
  } | null;
}

export interface HcloudLoadBalancer {
  readonly id: number;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly load_balancer_type: { readonly name: string };
  readonly location: { readonly name: string };
  readonly public_net: {
    readonly enabled: boolean;
    readonly ipv4: { readonly ip: string | null };
    readonly ipv6: { readonly ip: string | null };
  };
  readonly private_net: readonly { readonly network: number; readonly ip: string }[];
  readonly protection: { readonly delete: boolean };
  readonly services: readonly HcloudLoadBalancerService[];
  readonly targets: readonly HcloudLoadBalancerTarget[];
}

export interface HcloudVolume {
  readonly id: number;
  readonly name: string;
  /** GB */
  readonly size: number;
  /** ID of the server it is attached to; null when detached. */
  readonly server: number | null;
  /** `creating` or `available`. */
  readonly status: string;
  readonly location: { readonly name: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly protection: { readonly delete: boolean };
  readonly linux_device?: string;
  readonly format?: string | null;
}

/** A resource a firewall is applied to; a `label_selector` lists the servers it matched. */
export interface HcloudFirewallResource {
  readonly type: 'server' | 'label_selector' | string;
  readonly server?: { readonly id: number };
  readonly label_selector?: { readonly selector: string };
  readonly applied_to_resources?: readonly HcloudFirewallResource[];
}

export interface HcloudFirewall {
  readonly id: number;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: readonly { readonly direction: string; readonly protocol: string; readonly port?: string | null; readonly source_ips?: readonly string[] }[];
  readonly applied_to: readonly HcloudFirewallResource[];
}

export interface HcloudAction {
  readonly id: number;
  readonly command: string;
  readonly status: 'running' | 'success' | 'error';
  readonly progress: number;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface CreateServerRequest {
  readonly name: string;
  readonly server_type: string;
  readonly location: string;
  /** Image name or ID. */
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly user_data: string;
  readonly start_after_create: boolean;
  readonly ssh_keys?: readonly string[];
  readonly firewalls?: readonly { readonly firewall: number }[];
  readonly networks?: readonly number[];
  readonly public_net?: { readonly enable_ipv4: boolean; readonly enable_ipv6: boolean };
}

/**
 * Body of `POST /servers/{id}/actions/attach_to_network`. `ip_range` is the range of one of the
 * network's subnets: Hetzner assigns the server an address from that subnet ("This allows for
 * auto assigning an IP address for a specific subnet", Hetzner Cloud API docs, "Attach a Server to
 * a Network"; `ServerActionAttachToNetworkRequest` in hcloud/schema/server.go of hcloud-go).
 * Server creation only takes network IDs (`networks`), with no way to pick the subnet.
 */
export interface AttachToNetworkRequest {
  readonly network: number;
  readonly ip_range?: string;
}

/**
 * Error codes of `attach_to_network` that mean the subnet cannot take the server (API docs,
 * "Attach a Server to a Network"; hcloud/error.go of hcloud-go): no subnet of that range, or no
 * free address in it (`no_subnet_available`), the server is attached already, its networks overlap.
 */
export const ATTACH_ERROR_CODES: readonly string[] = ['no_subnet_available', 'ip_not_available', 'server_already_attached', 'networks_overlap'];

export interface CreateServerResponse {
  readonly server: HcloudServer;
  readonly action: HcloudAction;
  readonly next_actions: readonly HcloudAction[];
  /** Set when no SSH key was given. Never logged. */
  readonly root_password: string | null;
}

interface Pagination {
  readonly meta?: { readonly pagination?: { readonly next_page: number | null } };
}

/**
 * Error codes meaning "this server type cannot be placed in this location right now": `up`
 * tries the next fallback instead of failing. `resource_unavailable` is what Hetzner answers when
 * a type is out of stock in a location ("error during placement"); `placement_error` and
 * `invalid_server_type` (type not orderable there) are listed in the API's server error codes;
 * `server_type_unavailable` and `unavailable` are older/generic spellings.
 */
export const CAPACITY_ERROR_CODES: readonly string[] = [
  'resource_unavailable',
  'placement_error',
  'server_type_unavailable',
  'invalid_server_type',
  'unavailable',
];

/** Codes worth retrying the same request for (transient). */
const TRANSIENT_CODES = ['rate_limit_exceeded', 'conflict', 'timeout', 'bad_gateway', 'service_error', 'server_error', 'robot_unavailable'];

function errorObject(body: unknown): { code?: unknown; message?: unknown } | undefined {
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as { error: unknown }).error;
    if (e && typeof e === 'object') return e as { code?: unknown; message?: unknown };
  }
  return undefined;
}

export const hetznerDialect: ServiceDialect = {
  name: 'Hetzner Cloud API',
  errorCode: (body) => {
    const c = errorObject(body)?.code;
    return typeof c === 'string' ? c : undefined;
  },
  errorMessage: (body) => {
    const m = errorObject(body)?.message;
    return typeof m === 'string' ? m : undefined;
  },
  isRetryable: (status, code) => {
    if (code && CAPACITY_ERROR_CODES.includes(code)) return false;
    if (status === 429) return true;
    if (code && TRANSIENT_CODES.includes(code)) return true;
    return status >= 500 && code !== 'maintenance';
  },
  rateLimitWaitSeconds: (status, headers) => {
    if (status !== 429) return undefined;
    // The quota refills continuously (limit per hour): one refill interval frees one request.
    const limit = Number(headers.get('ratelimit-limit')) || HetznerLimits.apiRequestsPerHour;
    return 3600 / limit;
  },
};

export interface HcloudClientOptions {
  readonly token: string;
  /** @default https://api.hetzner.cloud/v1 */
  readonly endpoint?: string;
  readonly clock: Clock;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Client-side budget. @default this process sends at most 600 requests per hour and slows down
   * when the project's remaining quota falls below 300
   */
  readonly budget?: RequestBudget;
  readonly fetch?: typeof fetch;
  readonly onRetry?: (info: { method: string; path: string; attempt: number; waitSeconds: number; reason: string }) => void;
  /** `User-Agent` of the requests. @default 'aiai-runner' */
  readonly userAgent?: string;
}

/** Filters of the list endpoints (`label_selector`, exact `name`). */
export interface HcloudListFilter {
  readonly labelSelector?: string;
  readonly name?: string;
}

export class HcloudClient {
  public readonly budget: RequestBudget;
  private readonly http: HttpClient;

  constructor(options: HcloudClientOptions) {
    this.budget =
      options.budget ??
      new RequestBudget(options.clock, { limitPerHour: HetznerLimits.apiRequestsPerHour, reserve: 300, maxPerHourLocal: 600 });
    this.http = new HttpClient({
      baseUrl: options.endpoint ?? 'https://api.hetzner.cloud/v1',
      token: options.token,
      dialect: hetznerDialect,
      clock: options.clock,
      retry: options.retry,
      budget: this.budget,
      fetch: options.fetch,
      onRetry: options.onRetry,
      ...(options.userAgent ? { headers: { 'User-Agent': options.userAgent } } : {}),
    });
  }

  /** `GET <path>` with the filter, every page (50 per page), sorted by ID ascending. */
  private async listAll<T extends { readonly id: number }>(path: string, key: string, filter: HcloudListFilter, signal?: AbortSignal): Promise<T[]> {
    const out: T[] = [];
    for (let page: number | null = 1; page !== null; ) {
      const res: { body: Pagination & Record<string, unknown> } = await this.http.request<Pagination & Record<string, unknown>>('GET', path, {
        query: { label_selector: filter.labelSelector, name: filter.name, sort: 'id:asc', per_page: 50, page },
        signal,
      });
      const items = res.body[key];
      if (!Array.isArray(items)) throw new Error(`GET ${path}: the response has no ${key} list`);
      out.push(...(items as T[]));
      const next: number | null | undefined = res.body.meta?.pagination?.next_page;
      page = next && items.length > 0 ? next : null;
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** `GET /servers` with a label selector (and optional exact name), every page, sorted by ID ascending. */
  public async listServers(filter: HcloudListFilter, signal?: AbortSignal): Promise<HcloudServer[]> {
    return this.listAll<HcloudServer>('/servers', 'servers', filter, signal);
  }

  /** `GET /load_balancers`, every page, sorted by ID ascending. */
  public async listLoadBalancers(filter: HcloudListFilter, signal?: AbortSignal): Promise<HcloudLoadBalancer[]> {
    return this.listAll<HcloudLoadBalancer>('/load_balancers', 'load_balancers', filter, signal);
  }

  /** `GET /volumes`, every page, sorted by ID ascending. */
  public async listVolumes(filter: HcloudListFilter, signal?: AbortSignal): Promise<HcloudVolume[]> {
    return this.listAll<HcloudVolume>('/volumes', 'volumes', filter, signal);
  }

  /** `GET /firewalls`, every page, sorted by ID ascending. */
  public async listFirewalls(filter: HcloudListFilter, signal?: AbortSignal): Promise<HcloudFirewall[]> {
    return this.listAll<HcloudFirewall>('/firewalls', 'firewalls', filter, signal);
  }

  /** `POST /servers` (201). Throws ApiError (e.g. `resource_unavailable`, `uniqueness_error`). */
  public async createServer(req: CreateServerRequest, signal?: AbortSignal): Promise<CreateServerResponse> {
    const res = await this.http.request<CreateServerResponse>('POST', '/servers', { body: req, signal });
    return res.body;
  }

  /** `DELETE /servers/{id}`: true when deleted, false when it did not exist (404 `not_found`). */
  public async deleteServer(id: number, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.http.request('DELETE', `/servers/${id}`, { signal });
      return true;
    } catch (e) {
      if ((e as { status?: number }).status === 404) return false;
      throw e;
    }
  }

  /**
   * `POST /servers/{id}/actions/attach_to_network` (201): works on a powered-off server (the hcloud
   * provider attaches a server created without public net before powering it on,
   * `resourceServerCreate` in internal/server/resource.go of terraform-provider-hcloud v1.68.0).
   * 423 `locked` while the create action still runs.
   */
  public async attachToNetwork(id: number, req: AttachToNetworkRequest, signal?: AbortSignal): Promise<HcloudAction> {
    const res = await this.http.request<{ action: HcloudAction }>('POST', `/servers/${id}/actions/attach_to_network`, { body: req, signal });
    return res.body.action;
  }

  /** `POST /servers/{id}/actions/poweron` (201). 423 `locked` while the create action still runs. */
  public async powerOn(id: number, signal?: AbortSignal): Promise<HcloudAction> {
    const res = await this.http.request<{ action: HcloudAction }>('POST', `/servers/${id}/actions/poweron`, { signal });
    return res.body.action;
  }
}
