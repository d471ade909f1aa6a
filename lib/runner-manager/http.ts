/**
 * The HTTP layer shared by the Hetzner and GitHub clients: JSON requests with a bearer token,
 * retries with exponential backoff and jitter on 429/5xx/network errors that honour `Retry-After`
 * and the services' rate-limit headers, and a client-side request budget.
 *
 * Time is injected ({@link Clock}): every duration in a policy is in seconds and is multiplied by
 * `clock.secondMs`, so tests run the real logic with a second of 1 ms.
 */

/** Wall clock, sleeping, and the length of a second (1000 in production). */
export interface Clock {
  /** Epoch milliseconds (real wall time: expiry labels and rate-limit reset times use it). */
  now(): number;
  /** Milliseconds per policy second: 1000 in production, small in tests. */
  readonly secondMs: number;
  /** Resolves after `ms`; rejects with an AbortError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1): jitter. */
  random(): number;
}

export function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('operation aborted');
  e.name = 'AbortError';
  return e;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function realClock(secondMs = 1000): Clock {
  return { now: () => Date.now(), secondMs, sleep, random: Math.random };
}

/** An HTTP error from one of the APIs, with the service's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    public readonly service: string,
    public readonly method: string,
    public readonly path: string,
    /** HTTP status; 0 for a network error. */
    public readonly status: number,
    /** Machine-readable code (Hetzner `error.code`), when present. */
    public readonly code: string | undefined,
    public readonly detail: string,
  ) {
    super(`${service}: ${method} ${path} failed: ${status === 0 ? 'network error' : `HTTP ${status}`}${code ? ` (${code})` : ''}: ${detail}`);
    this.name = 'ApiError';
  }
}

export interface RetryPolicy {
  /** Attempts per request, including the first. */
  readonly maxAttempts: number;
  /** First backoff, seconds (doubles per attempt, with jitter). */
  readonly baseDelaySeconds: number;
  readonly maxDelaySeconds: number;
  /**
   * Longest wait for a rate-limit reset before giving up with an error. Keeps a job from hanging
   * for an hour on an exhausted GitHub quota.
   */
  readonly maxRateLimitWaitSeconds: number;
  /** Per-request timeout in real seconds (not scaled by `Clock.secondMs`: it bounds real I/O). */
  readonly requestTimeoutSeconds: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelaySeconds: 1,
  maxDelaySeconds: 60,
  maxRateLimitWaitSeconds: 300,
  requestTimeoutSeconds: 30,
};

/**
 * A client-side budget for an API with a project-wide hourly quota that refills continuously
 * (Hetzner: 3,600 requests per hour and project, +1 per second).
 *
 * Two rules, both cheap and stateless across processes:
 * 1. Local cap: this process sends at most `maxPerHourLocal` requests per sliding hour (a guard
 *    against a runaway loop; one `up` needs about ten).
 * 2. Shared quota: the last `RateLimit-Remaining` the API reported is the project's balance. Below
 *    `reserve`, every request first waits `(reserve - remaining) / 10` refill intervals. All
 *    processes see the same balance and slow down together, so the project settles where the
 *    total rate equals the refill rate instead of running into 429s.
 */
export class RequestBudget {
  private readonly sent: number[] = [];
  private remaining: number | undefined;
  private limit: number;

  constructor(
    private readonly clock: Clock,
    private readonly options: { readonly limitPerHour: number; readonly reserve: number; readonly maxPerHourLocal: number },
  ) {
    this.limit = options.limitPerHour;
  }

  /** Seconds between two refills of the shared quota. */
  private get refillSeconds(): number {
    return 3600 / this.limit;
  }

  /** Waits until a request may be sent, then counts it. */
  public async acquire(signal?: AbortSignal): Promise<void> {
    const hourMs = 3600 * this.clock.secondMs;
    for (;;) {
      const now = this.clock.now();
      while (this.sent.length > 0 && now - this.sent[0] >= hourMs) this.sent.shift();
      if (this.sent.length < this.options.maxPerHourLocal) break;
      await this.clock.sleep(this.sent[0] + hourMs - now, signal);
    }
    if (this.remaining !== undefined && this.remaining < this.options.reserve) {
      const waitSeconds = ((this.options.reserve - this.remaining) / 10) * this.refillSeconds;
      await this.clock.sleep(waitSeconds * this.clock.secondMs, signal);
    }
    if (this.remaining !== undefined) this.remaining = Math.max(0, this.remaining - 1);
    this.sent.push(this.clock.now());
  }

  /** Reads `RateLimit-Limit`/`RateLimit-Remaining` from a response. */
  public observe(headers: Headers): void {
    const limit = Number(headers.get('ratelimit-limit'));
    if (Number.isFinite(limit) && limit > 0) this.limit = limit;
    const remaining = headers.get('ratelimit-remaining');
    if (remaining !== null && Number.isFinite(Number(remaining))) this.remaining = Number(remaining);
  }

  /** The last balance the API reported (minus requests sent since), if any. */
  public get lastRemaining(): number | undefined {
    return this.remaining;
  }

  public get sentInLastHour(): number {
    return this.sent.length;
  }
}

/** How a service reports errors and rate limits. */
export interface ServiceDialect {
  readonly name: string;
  /** Machine-readable error code from an error body. */
  errorCode(body: unknown): string | undefined;
  /** Human-readable message from an error body. */
  errorMessage(body: unknown): string | undefined;
  /** Whether a failed response may be retried. */
  isRetryable(status: number, code: string | undefined, headers: Headers): boolean;
  /**
   * Seconds to wait before retrying a rate-limited response, from the service's headers, or
   * undefined to use the backoff. `now` is epoch seconds.
   */
  rateLimitWaitSeconds(status: number, headers: Headers, nowSeconds: number): number | undefined;
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date), if present. */
export function retryAfterSeconds(headers: Headers, nowSeconds: number): number | undefined {
  const v = headers.get('retry-after');
  if (v === null) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date / 1000 - nowSeconds);
}

export interface HttpClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly dialect: ServiceDialect;
  readonly clock: Clock;
  readonly retry?: Partial<RetryPolicy>;
  readonly budget?: RequestBudget;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Called before each retry wait, for a log line. */
  readonly onRetry?: (info: { method: string; path: string; attempt: number; waitSeconds: number; reason: string }) => void;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /**
   * Retry this request on network errors and 5xx too. Creating requests set this to false only
   * when a blind retry could not be recognised afterwards; ours can (names are unique), so the
   * default is true.
   * @default true
   */
  readonly retryUnsafe?: boolean;
}

export interface HttpResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
  /** Attempts it took (1 = no retry). */
  readonly attempts: number;
}

/** A JSON API client with retries, backoff and an optional budget. Never logs tokens or bodies. */
export class HttpClient {
  public readonly retry: RetryPolicy;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpClientOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    if (!/^https?:\/\//.test(options.baseUrl)) throw new Error(`${options.dialect.name}: base URL must be http(s), got ${JSON.stringify(options.baseUrl)}`);
  }

  private url(path: string, query?: RequestOptions['query']): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const u = new URL(base + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private backoffSeconds(attempt: number): number {
    const { baseDelaySeconds, maxDelaySeconds } = this.retry;
    const cap = Math.min(maxDelaySeconds, baseDelaySeconds * 2 ** (attempt - 1));
    return cap * (0.5 + this.options.clock.random() / 2);
  }

  /**
   * Sends a request and returns the parsed JSON body of a 2xx response (undefined for 204).
   * Throws {@link ApiError} for other responses once retries are exhausted or not allowed.
   */
  public async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    const { clock, dialect, budget } = this.options;
    const url = this.url(path, opts.query);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.token}`,
      Accept: 'application/json',
      'User-Agent': 'aiai-runner',
      ...this.options.headers,
    };
    let payload: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(opts.body);
    }
    for (let attempt = 1; ; attempt++) {
      if (budget) await budget.acquire(opts.signal);
      const timeout = AbortSignal.timeout(Math.max(1, this.retry.requestTimeoutSeconds * 1000));
      const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await this.fetchImpl(url, { method, headers, body: payload, signal });
      } catch (e) {
        if (opts.signal?.aborted) throw abortError(opts.signal);
        const detail = (e as Error).name === 'TimeoutError' ? 'request timed out' : ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
        if (opts.retryUnsafe === false || attempt >= this.retry.maxAttempts) {
          throw new ApiError(dialect.name, method, path, 0, undefined, detail);
        }
        await this.waitBeforeRetry(method, path, attempt, this.backoffSeconds(attempt), detail, opts.signal);
        continue;
      }
      budget?.observe(res.headers);
      const text = await res.text();
      let body: unknown = undefined;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      if (res.ok) return { status: res.status, body: body as T, headers: res.headers, attempts: attempt };

      const code = dialect.errorCode(body);
      const message = dialect.errorMessage(body) ?? res.statusText ?? 'no message';
      const retryable = dialect.isRetryable(res.status, code, res.headers) && !(opts.retryUnsafe === false && res.status >= 500);
      if (!retryable || attempt >= this.retry.maxAttempts) {
        throw new ApiError(dialect.name, method, path, res.status, code, message + (retryable ? ` (gave up after ${attempt} attempts)` : ''));
      }
      const nowSeconds = clock.now() / 1000;
      const limited = dialect.rateLimitWaitSeconds(res.status, res.headers, nowSeconds);
      const after = retryAfterSeconds(res.headers, nowSeconds);
      let wait = this.backoffSeconds(attempt);
      if (after !== undefined) wait = Math.max(wait, after);
      if (limited !== undefined) wait = Math.max(wait, limited);
      if (wait > this.retry.maxRateLimitWaitSeconds) {
        throw new ApiError(
          dialect.name,
          method,
          path,
          res.status,
          code,
          `${message}; the rate limit resets in ${Math.ceil(wait)} s, longer than the ${this.retry.maxRateLimitWaitSeconds} s this command waits`,
        );
      }
      await this.waitBeforeRetry(method, path, attempt, wait, `HTTP ${res.status}${code ? ` ${code}` : ''}`, opts.signal);
    }
  }

  private async waitBeforeRetry(method: string, path: string, attempt: number, waitSeconds: number, reason: string, signal?: AbortSignal): Promise<void> {
    this.options.onRetry?.({ method, path, attempt, waitSeconds, reason });
    await this.options.clock.sleep(waitSeconds * this.options.clock.secondMs, signal);
  }
}
