/**
 * The one review comment of a pull request, through the GitHub REST API (version 2022-11-28): list
 * the issue's comments, find ours by its hidden marker, then PATCH it or POST a new one.
 *
 * Endpoints (docs.github.com/rest/issues/comments): `GET /repos/{owner}/{repo}/issues/{number}/comments`
 * (`per_page` at most 100, `page` from 1; pull requests are issues here), `POST` the same path with
 * `{ body }`, `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}` with `{ body }`. The
 * workflow's GITHUB_TOKEN needs `pull-requests: write` for these on a pull request.
 */

export interface CommentClientOptions {
  /** A token with pull-requests: write (the workflow's GITHUB_TOKEN). */
  readonly token: string;
  /** `owner/repo` (GITHUB_REPOSITORY). */
  readonly repository: string;
  /** API root. @default process.env.GITHUB_API_URL ?? 'https://api.github.com' */
  readonly apiUrl?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export interface IssueComment {
  readonly id: number;
  readonly body?: string;
  readonly html_url?: string;
  readonly user?: { readonly login?: string; readonly type?: string };
}

export interface UpsertResult {
  readonly action: 'created' | 'updated';
  readonly id: number;
  readonly url?: string;
}

/** A GitHub API request that failed: method, path, status and GitHub's message. */
export class GitHubApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    detail: string,
  ) {
    super(`GitHub API ${method} ${path} failed: HTTP ${status}: ${detail}`);
    this.name = 'GitHubApiError';
  }
}

const PAGE_SIZE = 100;
/** Comments read at most (100 pages): a pull request with more is not one this workflow should scan further. */
const MAX_PAGES = 100;

export class ReviewCommentClient {
  private readonly api: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly opts: CommentClientOptions) {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(opts.repository)) throw new Error(`repository must be owner/repo, got ${JSON.stringify(opts.repository)}`);
    if (!opts.token) throw new Error('a GitHub token is needed (GITHUB_TOKEN)');
    this.api = (opts.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
    this.doFetch = opts.fetch ?? globalThis.fetch;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.doFetch(`${this.api}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${this.opts.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'aiai-hetzner-review',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      let detail = text.slice(0, 500);
      try {
        detail = (JSON.parse(text) as { message?: string }).message ?? detail;
      } catch {
        /* not JSON: keep the text */
      }
      throw new GitHubApiError(method, path.split('?')[0], res.status, detail);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Every comment of issue or pull request `issue`, oldest first. */
  async listComments(issue: number): Promise<IssueComment[]> {
    const out: IssueComment[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const batch = await this.request<IssueComment[]>('GET', `/repos/${this.opts.repository}/issues/${issue}/comments?per_page=${PAGE_SIZE}&page=${page}`);
      out.push(...batch);
      if (batch.length < PAGE_SIZE) break;
    }
    return out;
  }

  /**
   * Updates the comment that carries `marker` (the first one, when an earlier run left several) or
   * creates it. A body without the marker is refused: the next run could not find it again.
   */
  async upsert(issue: number, body: string, marker: string): Promise<UpsertResult> {
    if (!Number.isInteger(issue) || issue <= 0) throw new Error(`pull request number must be a positive integer, got ${issue}`);
    if (!body.includes(marker)) throw new Error(`the comment body does not contain the marker ${marker}`);
    const mine = (await this.listComments(issue)).find((c) => (c.body ?? '').includes(marker));
    if (mine) {
      const c = await this.request<IssueComment>('PATCH', `/repos/${this.opts.repository}/issues/comments/${mine.id}`, { body });
      return { action: 'updated', id: c.id, url: c.html_url };
    }
    const c = await this.request<IssueComment>('POST', `/repos/${this.opts.repository}/issues/${issue}/comments`, { body });
    return { action: 'created', id: c.id, url: c.html_url };
  }
}
