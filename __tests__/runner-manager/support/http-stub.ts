import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export interface StubRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  /** Raw request body (to assert that no secret travels where it should not). */
  readonly raw: string;
  readonly at: number;
}

export interface StubResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A response to inject instead of the real one, for requests matching `match`. */
export interface Injection {
  readonly match: (req: StubRequest) => boolean;
  readonly response: StubResponse | ((req: StubRequest) => StubResponse);
  /** How many matching requests get it. @default 1 */
  times?: number;
}

/** A JSON HTTP server on 127.0.0.1 with a request log and response injection. */
export abstract class HttpStub {
  public readonly requests: StubRequest[] = [];
  public readonly injections: Injection[] = [];
  private server?: Server;
  public url = '';

  protected abstract handle(req: StubRequest): StubResponse;
  /** Headers added to every response (rate-limit headers). */
  protected abstract commonHeaders(req: StubRequest, res: StubResponse): Record<string, string>;

  public inject(injection: Injection): void {
    this.injections.push({ times: 1, ...injection });
  }

  public async start(): Promise<this> {
    this.server = createServer((req, res) => this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  public async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://stub');
      let body: unknown = undefined;
      let parsed: StubResponse | undefined;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          parsed = this.jsonError();
        }
      }
      const sreq: StubRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, raw, at: Date.now() };
      this.requests.push(sreq);
      let out: StubResponse;
      const inj = this.injections.find((i) => (i.times ?? 1) > 0 && i.match(sreq));
      if (inj) {
        inj.times = (inj.times ?? 1) - 1;
        out = typeof inj.response === 'function' ? inj.response(sreq) : inj.response;
      } else {
        try {
          out = parsed ?? this.handle(sreq);
        } catch (e) {
          out = { status: 500, body: { message: String(e) } };
        }
      }
      const headers: Record<string, string> = { ...this.commonHeaders(sreq, out), ...out.headers };
      if (out.body !== undefined) headers['content-type'] = 'application/json';
      res.writeHead(out.status, headers);
      res.end(out.body === undefined ? undefined : JSON.stringify(out.body));
    });
  }

  protected abstract jsonError(): StubResponse;
}
