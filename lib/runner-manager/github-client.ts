/**
 * The GitHub REST endpoints the runner manager uses (API version 2022-11-28), repository scope:
 *
 * - `POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig` (201 `{runner, encoded_jit_config}`;
 *   404 unknown repo/group, 409 a runner with that name exists, 422 validation failed)
 * - `GET /repos/{owner}/{repo}/actions/runners` (`{total_count, runners}`, paginated, max 100 per page)
 * - `GET /repos/{owner}/{repo}/actions/runners/{runner_id}` (200 runner, 404)
 * - `DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}` (204; 404; 422 while it runs a job)
 *
 * Rate limits: primary (`x-ratelimit-remaining: 0`, `x-ratelimit-reset` unix seconds) and
 * secondary (`retry-after` seconds), answered with 403 or 429.
 */
import { Clock, HttpClient, RetryPolicy, ServiceDialect } from './http';

export interface GitHubRunnerLabel {
  readonly id?: number;
  readonly name: string;
  readonly type?: 'read-only' | 'custom';
}

export interface GitHubRunner {
  readonly id: number;
  readonly name: string;
  readonly os: string;
  readonly status: 'online' | 'offline' | string;
  readonly busy: boolean;
  readonly labels: readonly GitHubRunnerLabel[];
  readonly runner_group_id?: number;
  readonly ephemeral?: boolean;
}

export interface JitConfigRequest {
  readonly name: string;
  readonly runner_group_id: number;
  /** 1 to 100 labels. */
  readonly labels: readonly string[];
  /** @default '_work' */
  readonly work_folder?: string;
}

export interface JitConfig {
  readonly runner: GitHubRunner;
  /** Base64; the runner's single-use credentials. Never logged. */
  readonly encoded_jit_config: string;
}

function message(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'message' in body) {
    const m = (body as { message: unknown }).message;
    if (typeof m === 'string') {
      const errors = (body as { errors?: unknown }).errors;
      return Array.isArray(errors) && errors.length > 0 ? `${m}: ${JSON.stringify(errors)}` : m;
    }
  }
  return typeof body === 'string' && body.length < 300 ? body : undefined;
}

function rateLimited(status: number, headers: Headers): boolean {
  if (status !== 403 && status !== 429) return false;
  return status === 429 || headers.get('x-ratelimit-remaining') === '0' || headers.get('retry-after') !== null;
}

export const githubDialect: ServiceDialect = {
  name: 'GitHub API',
  errorCode: () => undefined,
  errorMessage: message,
  isRetryable: (status, _code, headers) => rateLimited(status, headers) || status >= 500,
  rateLimitWaitSeconds: (status, headers, nowSeconds) => {
    if (!rateLimited(status, headers)) return undefined;
    if (headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(headers.get('x-ratelimit-reset'));
      if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset - nowSeconds) + 1;
    }
    // Secondary rate limit without retry-after: GitHub asks to wait at least a minute.
    return headers.get('retry-after') === null ? 60 : undefined;
  },
};

export interface GitHubClientOptions {
  readonly token: string;
  /** `owner/repo` */
  readonly repository: string;
  /** @default https://api.github.com */
  readonly apiUrl?: string;
  readonly clock: Clock;
  readonly retry?: Partial<RetryPolicy>;
  readonly fetch?: typeof fetch;
  readonly onRetry?: (info: { method: string; path: string; attempt: number; waitSeconds: number; reason: string }) => void;
}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export class GitHubClient {
  private readonly http: HttpClient;
  private readonly base: string;

  constructor(options: GitHubClientOptions) {
    if (!REPOSITORY.test(options.repository)) {
      throw new Error(`repository must be owner/repo, got ${JSON.stringify(options.repository)}`);
    }
    const [owner, repo] = options.repository.split('/');
    this.base = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/actions/runners`;
    this.http = new HttpClient({
      baseUrl: options.apiUrl ?? 'https://api.github.com',
      token: options.token,
      headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
      dialect: githubDialect,
      clock: options.clock,
      retry: options.retry,
      fetch: options.fetch,
      onRetry: options.onRetry,
    });
  }

  public async generateJitConfig(req: JitConfigRequest, signal?: AbortSignal): Promise<JitConfig> {
    const res = await this.http.request<JitConfig>('POST', `${this.base}/generate-jitconfig`, {
      body: { work_folder: '_work', ...req },
      signal,
    });
    return res.body;
  }

  /** Every self-hosted runner of the repository (all pages). */
  public async listRunners(signal?: AbortSignal): Promise<GitHubRunner[]> {
    const out: GitHubRunner[] = [];
    for (let page = 1; ; page++) {
      const res = await this.http.request<{ total_count: number; runners: GitHubRunner[] }>('GET', this.base, {
        query: { per_page: 100, page },
        signal,
      });
      out.push(...res.body.runners);
      if (res.body.runners.length < 100 || out.length >= res.body.total_count) return out;
    }
  }

  /** The runner, or undefined when it no longer exists (404). */
  public async getRunner(id: number, signal?: AbortSignal): Promise<GitHubRunner | undefined> {
    try {
      return (await this.http.request<GitHubRunner>('GET', `${this.base}/${id}`, { signal })).body;
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
  }

  /** Deregisters a runner: true when deleted, false when already gone (404). 422 (busy) throws. */
  public async deleteRunner(id: number, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.http.request('DELETE', `${this.base}/${id}`, { signal });
      return true;
    } catch (e) {
      if ((e as { status?: number }).status === 404) return false;
      throw e;
    }
  }
}
