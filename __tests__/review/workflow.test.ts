/**
 * .github/workflows/pr-review.yml: actionlint-clean, minimal permissions, actions pinned by
 * version, secrets only where the plans are made, and every script it runs exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PLAN_ARTIFACT } from '../../scripts/review/comment';
import { configEnvLines } from '../../scripts/review/config-env';
import { lintWorkflow } from '../support/actionlint';
import { referenceApp } from '../support/synth';

const ROOT = join(__dirname, '..', '..');
const PATH = '.github/workflows/pr-review.yml';
const text = readFileSync(join(ROOT, PATH), 'utf8');
const wf = parse(text) as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, { steps: Record<string, any>[]; env?: Record<string, string> }> };
const steps = wf.jobs.review.steps;

describe('pr-review workflow', () => {
  test('passes actionlint', async () => {
    expect(await lintWorkflow(text, PATH, [])).toEqual([]);
  });

  test('runs on pull requests with only contents: read and pull-requests: write', () => {
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(text).not.toMatch(/pull_request_target/);
  });

  test('every action is pinned to an exact version', () => {
    const uses = steps.filter((s) => s.uses).map((s) => s.uses as string);
    expect(uses.length).toBeGreaterThanOrEqual(5);
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w-]+@v\d+\.\d+\.\d+$/);
    for (const s of steps.filter((x) => String(x.uses).startsWith('actions/checkout'))) expect(s.with['persist-credentials']).toBe(false);
  });

  test('checks out head and base, synthesizes both, plans, prices, comments, uploads the artifact', () => {
    const runs = steps.map((s) => String(s.run ?? s.uses));
    const order = ['actions/checkout', 'ref: base', 'npm ci', 'npm run synth', 'scripts/review/plans.ts', 'scripts/review/cost.ts', 'scripts/review/comment.ts', 'actions/upload-artifact'];
    expect(steps[1].with).toMatchObject({ ref: '${{ github.event.pull_request.base.sha }}', path: '.review-base' });
    const at = (needle: string) => (needle === 'ref: base' ? 1 : runs.findIndex((r) => r.includes(needle)));
    const idx = order.map(at);
    expect(idx.every((i) => i >= 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    expect(runs.find((r) => r.includes('plans.ts'))).toContain('--base .review-base/cdktf.out');
    expect(runs.find((r) => r.includes('comment.ts'))).toContain('--post true');
    const upload = steps.find((s) => String(s.uses).startsWith('actions/upload-artifact'))!;
    expect(upload.with.name).toBe(PLAN_ARTIFACT);
    expect(wf.jobs.review.env!.AIAI_REVIEW_ARTIFACT).toBe(PLAN_ARTIFACT);
    for (const r of runs) for (const m of r.matchAll(/scripts\/review\/([\w-]+\.ts)/g)) expect(existsSync(join(ROOT, 'scripts/review', m[1]))).toBe(true);
  });

  test('secrets reach only the plan step (not install, synth or the comment); the comment gets only github.token', () => {
    for (const s of steps) {
      const env = JSON.stringify(s.env ?? {});
      if (String(s.run).includes('scripts/review/plans.ts')) {
        expect(env).toContain('secrets.HCLOUD_TOKEN');
        expect(s.env.AIAI_REVIEW_PLAN).toBe('auto');
      } else {
        expect({ step: s.name, env }).not.toEqual({ step: s.name, env: expect.stringContaining('secrets.') });
      }
    }
    expect(JSON.stringify(wf.jobs.review.env)).not.toContain('secrets.');
    expect(steps.find((s) => String(s.run).includes('comment.ts'))!.env.GITHUB_TOKEN).toBe('${{ github.token }}');
  });

  test('the plan step sets a value for every variable without default of the reference stacks', () => {
    const plan = steps.find((x) => String(x.run).includes('plans.ts'))!;
    const names = new Set(Object.values(referenceApp().stacks).flatMap((st) => Object.entries(st.variable ?? {}).filter(([, d]) => d.default === undefined).map(([n]) => n)));
    expect(names.size).toBeGreaterThanOrEqual(12);
    for (const n of names) expect({ n, set: Object.keys(plan.env).includes(`TF_VAR_${n}`) }).toEqual({ n, set: true });
  });

  test('repository variables configure the synth: only set, single-line AIAI_* values', () => {
    expect(configEnvLines(JSON.stringify({ AIAI_ADMIN_CIDRS: '198.51.100.7/32', AIAI_ENVIRONMENT: '', OTHER: 'x', AIAI_BAD: 'a\nb', AIAI_REVIEW_PLAN: 'real' }))).toEqual(['AIAI_ADMIN_CIDRS=198.51.100.7/32']);
    expect(configEnvLines(undefined)).toEqual([]);
  });
});
