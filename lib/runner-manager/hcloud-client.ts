/**
 * The few Hetzner Cloud API endpoints the runner manager uses, with their documented shapes
 * (https://docs.hetzner.cloud): servers list/create/delete and the power-on and attach-to-network
 * actions.
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
  };
  /** The server's private network attachments. */
  readonly private_net?: readonly { readonly network: number; readonly ip: string }[];
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

interface ServersPage {
  readonly servers: HcloudServer[];
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
    });
  }

  /** `GET /servers` with a label selector (and optional exact name), every page, sorted by ID ascending. */
  public async listServers(filter: { labelSelector?: string; name?: string }, signal?: AbortSignal): Promise<HcloudServer[]> {
    const out: HcloudServer[] = [];
    for (let page: number | null = 1; page !== null; ) {
      const res: { body: ServersPage } = await this.http.request<ServersPage>('GET', '/servers', {
        query: { label_selector: filter.labelSelector, name: filter.name, sort: 'id:asc', per_page: 50, page },
        signal,
      });
      out.push(...res.body.servers);
      const next: number | null | undefined = res.body.meta?.pagination?.next_page;
      page = next && res.body.servers.length > 0 ? next : null;
    }
    return out.sort((a, b) => a.id - b.id);
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
