/**
 * A stand-in for the GitHub REST API (self-hosted runners of one repository, API version
 * 2022-11-28) on 127.0.0.1: generate-jitconfig (201; 404 unknown group; 409 name taken; 422
 * invalid), list (paginated), get (404), delete (204; 404; 422 while busy); errors as
 * `{message, documentation_url}`; `x-ratelimit-*` headers on every response.
 */
import { randomBytes } from 'node:crypto';
import { HttpStub, StubRequest, StubResponse } from './http-stub';

export interface FakeRunner {
  id: number;
  name: string;
  status: 'online' | 'offline';
  busy: boolean;
  labels: string[];
  runnerGroupId: number;
  jit: string;
}

const DOCS = 'https://docs.github.com/rest/actions/self-hosted-runners';

function err(status: number, message: string): StubResponse {
  return { status, body: { message, documentation_url: DOCS, status: String(status) } };
}

export interface FakeGitHubOptions {
  readonly token: string;
  /** `owner/repo` */
  readonly repository: string;
}

export class FakeGitHub extends HttpStub {
  public readonly runners = new Map<number, FakeRunner>();
  public readonly groups = new Set([1]);
  public remaining = 5000;
  private nextId = 17;

  constructor(private readonly options: FakeGitHubOptions) {
    super();
  }

  public seed(r: Partial<FakeRunner> & { name: string; labels: string[] }): FakeRunner {
    const runner: FakeRunner = { id: this.nextId++, status: 'offline', busy: false, runnerGroupId: 1, jit: '', ...r };
    this.runners.set(runner.id, runner);
    return runner;
  }

  public byName(name: string): FakeRunner | undefined {
    return [...this.runners.values()].find((r) => r.name === name);
  }

  /** A runner process started with this JIT config: it comes online (if still registered). */
  public connect(jit: string): FakeRunner | undefined {
    const r = [...this.runners.values()].find((x) => x.jit === jit);
    if (r) r.status = 'online';
    return r;
  }

  /** Its machine went away. */
  public disconnect(name: string): void {
    const r = this.byName(name);
    if (r) {
      r.status = 'offline';
      r.busy = false;
    }
  }

  public startJob(name: string): void {
    const r = this.byName(name);
    if (!r || r.status !== 'online') throw new Error(`runner ${name} is not online`);
    r.busy = true;
  }

  /** An ephemeral runner deregisters itself after its job. */
  public finishJob(name: string): void {
    const r = this.byName(name);
    if (r) this.runners.delete(r.id);
  }

  protected jsonError(): StubResponse {
    return err(400, 'Problems parsing JSON');
  }

  protected commonHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(this.remaining),
      'x-ratelimit-used': String(5000 - this.remaining),
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
    };
  }

  private view(r: FakeRunner): Record<string, unknown> {
    return {
      id: r.id,
      name: r.name,
      os: 'Linux',
      status: r.status,
      busy: r.busy,
      ephemeral: true,
      runner_group_id: r.runnerGroupId,
      labels: r.labels.map((name, i) => ({ id: 100 + i, name, type: 'custom' })),
    };
  }

  protected handle(req: StubRequest): StubResponse {
    if (req.headers.authorization !== `Bearer ${this.options.token}`) return err(401, 'Bad credentials');
    if (this.remaining > 0) this.remaining--;
    const base = `/repos/${this.options.repository}/actions/runners`;
    if (!req.path.startsWith('/repos/')) return err(404, 'Not Found');
    if (!req.path.startsWith(base)) return err(404, 'Not Found');
    const rest = req.path.slice(base.length);
    if (rest === '/generate-jitconfig' && req.method === 'POST') return this.jit(req);
    if (rest === '' && req.method === 'GET') {
      const perPage = Math.min(100, Number(req.query.get('per_page') ?? 30));
      const page = Number(req.query.get('page') ?? 1);
      const all = [...this.runners.values()].sort((a, b) => a.id - b.id);
      return { status: 200, body: { total_count: all.length, runners: all.slice((page - 1) * perPage, page * perPage).map((r) => this.view(r)) } };
    }
    const m = rest.match(/^\/(\d+)$/);
    if (m) {
      const r = this.runners.get(Number(m[1]));
      if (req.method === 'GET') return r ? { status: 200, body: this.view(r) } : err(404, 'Not Found');
      if (req.method === 'DELETE') {
        if (!r) return err(404, 'Not Found');
        if (r.busy) return err(422, `Bad request - Runner "${r.name}" is still running a job"`);
        this.runners.delete(r.id);
        return { status: 204 };
      }
    }
    return err(404, 'Not Found');
  }

  private jit(req: StubRequest): StubResponse {
    const b = req.body as { name?: unknown; runner_group_id?: unknown; labels?: unknown; work_folder?: unknown } | undefined;
    if (!b || typeof b.name !== 'string' || b.name.length === 0) return err(422, 'Invalid request.\n\n"name" wasn\'t supplied.');
    if (typeof b.runner_group_id !== 'number') return err(422, 'Invalid request.\n\n"runner_group_id" wasn\'t supplied.');
    if (!Array.isArray(b.labels) || b.labels.length < 1 || b.labels.length > 100 || b.labels.some((l) => typeof l !== 'string' || l === '')) {
      return err(422, 'Invalid request.\n\nlabels must have 1 to 100 non-empty items.');
    }
    if (!this.groups.has(b.runner_group_id)) return err(404, 'Not Found');
    if (this.byName(b.name)) return err(409, `Already exists - A runner with the name ${b.name} already exists.`);
    const jit = Buffer.from(JSON.stringify({ '.runner': randomBytes(24).toString('base64'), '.credentials': randomBytes(48).toString('base64') })).toString('base64');
    const runner = this.seed({ name: b.name, labels: b.labels as string[], runnerGroupId: b.runner_group_id, jit });
    return { status: 201, body: { runner: this.view(runner), encoded_jit_config: jit } };
  }
}
