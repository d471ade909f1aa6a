/**
 * A stand-in for GitHub's issue-comments REST API on 127.0.0.1: list (paginated by `per_page` and
 * `page`), create (201), update (200; 404 unknown id); 401 without the token; errors as
 * `{ message, documentation_url }`.
 */
import { HttpStub, StubRequest, StubResponse } from '../../runner-manager/support/http-stub';

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

export class FakeComments extends HttpStub {
  readonly comments = new Map<number, FakeComment[]>();
  private nextId = 1000;

  constructor(
    private readonly token: string,
    private readonly repository: string,
  ) {
    super();
  }

  seed(issue: number, body: string, login = 'someone'): FakeComment {
    const c = { id: this.nextId++, body, user: { login, type: 'User' } };
    this.comments.set(issue, [...(this.comments.get(issue) ?? []), c]);
    return c;
  }

  protected jsonError(): StubResponse {
    return { status: 400, body: { message: 'Problems parsing JSON' } };
  }

  protected commonHeaders(): Record<string, string> {
    return { 'x-ratelimit-remaining': '4999' };
  }

  private html(c: FakeComment): object {
    return { ...c, html_url: `https://github.com/${this.repository}/pull/1#issuecomment-${c.id}` };
  }

  protected handle(req: StubRequest): StubResponse {
    if (req.headers.authorization !== `Bearer ${this.token}`) return { status: 401, body: { message: 'Bad credentials' } };
    const prefix = `/repos/${this.repository}/issues/`;
    if (!req.path.startsWith(prefix)) return { status: 404, body: { message: 'Not Found' } };
    const rest = req.path.slice(prefix.length);
    let m = /^(\d+)\/comments$/.exec(rest);
    if (m) {
      const issue = Number(m[1]);
      if (req.method === 'GET') {
        const per = Number(req.query.get('per_page') ?? 30);
        const page = Number(req.query.get('page') ?? 1);
        return { status: 200, body: (this.comments.get(issue) ?? []).slice((page - 1) * per, page * per).map((c) => this.html(c)) };
      }
      if (req.method === 'POST') {
        const body = (req.body as { body?: unknown })?.body;
        if (typeof body !== 'string') return { status: 422, body: { message: 'Validation Failed' } };
        if (body.length > 65_536) return { status: 422, body: { message: 'Validation Failed: body is too long (maximum is 65536 characters)' } };
        return { status: 201, body: this.html(this.seed(issue, body, 'github-actions[bot]')) };
      }
    }
    m = /^comments\/(\d+)$/.exec(rest);
    if (m && req.method === 'PATCH') {
      const id = Number(m[1]);
      const c = [...this.comments.values()].flat().find((x) => x.id === id);
      if (!c) return { status: 404, body: { message: 'Not Found' } };
      c.body = String((req.body as { body?: unknown })?.body);
      return { status: 200, body: this.html(c) };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }
}
