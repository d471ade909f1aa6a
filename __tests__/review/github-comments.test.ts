/** The review comment client against a local fake of GitHub's issue-comments API. */
import { REVIEW_MARKER } from '../../lib/review';
import { GitHubApiError, ReviewCommentClient } from '../../scripts/review/github-comments';
import { FakeComments } from './support/fake-comments';

const TOKEN = 'ghs_test-token';
const REPO = 'your-org/aiai-hetzner';

describe('ReviewCommentClient', () => {
  let gh: FakeComments;
  let client: ReviewCommentClient;
  beforeEach(async () => {
    gh = await new FakeComments(TOKEN, REPO).start();
    client = new ReviewCommentClient({ token: TOKEN, repository: REPO, apiUrl: gh.url });
  });
  afterEach(() => gh.close());

  test('first run creates the comment, the next run updates it: one comment, not two', async () => {
    gh.seed(7, 'LGTM');
    const first = await client.upsert(7, `${REVIEW_MARKER}\nfirst`, REVIEW_MARKER);
    expect(first.action).toBe('created');
    const second = await client.upsert(7, `${REVIEW_MARKER}\nsecond`, REVIEW_MARKER);
    expect(second).toEqual({ action: 'updated', id: first.id, url: expect.stringContaining(`#issuecomment-${first.id}`) });
    expect(gh.comments.get(7)!.map((c) => c.body)).toEqual(['LGTM', `${REVIEW_MARKER}\nsecond`]);
    const patch = gh.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.path).toBe(`/repos/${REPO}/issues/comments/${first.id}`);
    expect(patch.headers['x-github-api-version']).toBe('2022-11-28');
    expect(patch.headers.accept).toBe('application/vnd.github+json');
  });

  test('finds the marker beyond the first page of comments', async () => {
    for (let i = 0; i < 150; i++) gh.seed(3, `comment ${i}`);
    const ours = gh.seed(3, `${REVIEW_MARKER}\nold`);
    const r = await client.upsert(3, `${REVIEW_MARKER}\nnew`, REVIEW_MARKER);
    expect(r).toMatchObject({ action: 'updated', id: ours.id });
    expect(gh.requests.filter((q) => q.method === 'GET').map((q) => q.query.get('page'))).toEqual(['1', '2']);
  });

  test('errors name the request and GitHub message; the token never appears in them', async () => {
    const bad = new ReviewCommentClient({ token: 'wrong', repository: REPO, apiUrl: gh.url });
    const e = await bad.upsert(1, REVIEW_MARKER, REVIEW_MARKER).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitHubApiError);
    expect((e as Error).message).toBe(`GitHub API GET /repos/${REPO}/issues/1/comments failed: HTTP 401: Bad credentials`);
    gh.inject({ match: (r) => r.method === 'POST', response: { status: 422, body: { message: 'Validation Failed: body is too long (maximum is 65536 characters)' } } });
    await expect(client.upsert(1, `${REVIEW_MARKER} x`, REVIEW_MARKER)).rejects.toThrow('POST /repos/your-org/aiai-hetzner/issues/1/comments failed: HTTP 422: Validation Failed: body is too long');
    expect(JSON.stringify(gh.requests.map((r) => r.raw))).not.toContain(TOKEN);
  });

  test('refuses a body without the marker, a bad PR number and a bad repository', async () => {
    await expect(client.upsert(1, 'no marker', REVIEW_MARKER)).rejects.toThrow('does not contain the marker');
    await expect(client.upsert(0, REVIEW_MARKER, REVIEW_MARKER)).rejects.toThrow('positive integer');
    expect(() => new ReviewCommentClient({ token: TOKEN, repository: 'nope' })).toThrow('owner/repo');
    expect(gh.requests).toEqual([]);
  });
});
