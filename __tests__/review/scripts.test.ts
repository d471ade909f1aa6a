/**
 * The workflow's review scripts: cost of base and head (a base without a cost script), which plan
 * a stack gets, the offline plan from the base's state through terraform, and the comment built
 * from the files of one run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OFFLINE_PLAN_NOTE, renderReviewComment } from '../../lib/review';
import { collectCost, costOf, parseCostOutput } from '../../scripts/review/cost';
import { buildReviewInput, POLICY_REPORT_FILE, pullRequestNumber } from '../../scripts/review/comment';
import { offlineReason, planAll, PlanRecord, realPlanReadiness } from '../../scripts/review/plans';
import { describeWithTerraform } from '../support/terraform';
import { tempDir } from '../support/tmp';
import { costReport, item, policyReport } from './fixtures';

function checkout(scripts: Record<string, string>): string {
  const dir = tempDir('review-co-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', scripts }));
  return dir;
}

const report = costReport({ 'aiai-production': [item('hcloud_server.primary', 8.09)] });

describe('cost of base and head', () => {
  test('a base branch without a cost script: "no cost data for base", head still read', () => {
    const head = checkout({ cost: 'node cost.js' });
    const base = checkout({ synth: 'cdktf synth' });
    const ran: string[] = [];
    const c = collectCost(head, base, (cwd) => {
      ran.push(cwd);
      return { status: 0, stdout: `synthesizing...\n${JSON.stringify(report)}\n`, stderr: '' };
    });
    expect(ran).toEqual([head]);
    expect(c.head).toEqual(report);
    expect(c.base).toBeUndefined();
    expect(c.baseMissing).toBe('no cost data for base: no cost script (npm run cost) on this branch');
  });

  test('a failing run or output without { stacks } is recorded with the reason', () => {
    const dir = checkout({ cost: 'x' });
    expect(costOf(dir, () => ({ status: 2, stdout: '', stderr: 'line 1\nError: no catalog hetzner-1999' })).missing).toBe('npm run cost failed (exit 2): line 1 / Error: no catalog hetzner-1999');
    expect(costOf(dir, () => ({ status: 0, stdout: '{"total": 3}', stderr: '' })).missing).toBe('npm run cost -- --json printed no { stacks: [...] }');
    expect(() => parseCostOutput('nothing')).toThrow('no JSON object');
  });
});

describe('which plan a stack gets', () => {
  const stack = { variable: { hcloud_token: { type: 'string', sensitive: true }, location: { type: 'string', default: 'fsn1' } }, terraform: { backend: { s3: { bucket: 'b' } } } };

  test('real only with every variable without default and the S3 backend keys; names only in the reason', () => {
    expect(realPlanReadiness(stack, {})).toEqual({ ready: false, missing: ['TF_VAR_hcloud_token', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] });
    const env = { AIAI_REVIEW_PLAN: 'auto', TF_VAR_hcloud_token: 'secret-value', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 'also-secret' };
    expect(realPlanReadiness(stack, env)).toEqual({ ready: true });
    expect(offlineReason(stack, env)).toBeUndefined();
    expect(offlineReason(stack, { ...env, AIAI_REVIEW_PLAN: undefined })).toBe('AIAI_REVIEW_PLAN is offline');
    const reason = offlineReason(stack, { AIAI_REVIEW_PLAN: 'auto', TF_VAR_hcloud_token: 'secret-value' })!;
    expect(reason).toBe('no credentials for a real plan (not set: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
    expect(reason).not.toContain('secret-value');
    expect(() => offlineReason(stack, { AIAI_REVIEW_PLAN: 'real' })).toThrow('AIAI_REVIEW_PLAN=real: no credentials for a real plan (not set: TF_VAR_hcloud_token,');
    expect(() => offlineReason(stack, { AIAI_REVIEW_PLAN: 'yes' })).toThrow('AIAI_REVIEW_PLAN must be offline, auto or real, got "yes"');
  });
});

describe('the comment from the files of one run', () => {
  test('plans, cost and policy reports are read; the PR number comes from the event', () => {
    const dir = tempDir('review-run-');
    const plans = join(dir, 'review');
    mkdirSync(plans);
    const records: PlanRecord[] = [{ stack: 'aiai-production', source: 'offline', json: 'p.json', text: 'p.txt', note: 'n' }];
    writeFileSync(join(plans, 'plans.json'), JSON.stringify(records));
    writeFileSync(join(plans, 'p.json'), JSON.stringify({ resource_changes: [{ address: 'hcloud_server.a', type: 'hcloud_server', mode: 'managed', change: { actions: ['delete', 'create'] } }] }));
    writeFileSync(join(plans, 'cost.json'), JSON.stringify({ head: report, baseMissing: 'no cost data for base: no cost script (npm run cost) on this branch' }));
    mkdirSync(join(dir, 'out', 'stacks', 'aiai-production'), { recursive: true });
    writeFileSync(join(dir, 'out', 'stacks', 'aiai-production', POLICY_REPORT_FILE), JSON.stringify(policyReport('aiai-production', [{ ruleId: 'AIAI-E01', level: 'error', path: 'p', message: 'm', fix: 'f' }])));
    const input = buildReviewInput({ plansDir: plans, costFile: join(plans, 'cost.json'), stacksDir: join(dir, 'out') });
    expect(input.plans[0].dangerous.map((c) => c.address)).toEqual(['hcloud_server.a']);
    expect(input.cost!.baseMissing).toContain('no cost data for base');
    expect(input.policy!.errors).toBe(1);
    const md = renderReviewComment(input);
    expect(md).toContain(OFFLINE_PLAN_NOTE);
    expect(md).toContain('❌ 1 error');

    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ action: 'synchronize', number: 42, pull_request: { number: 42 } }));
    expect(pullRequestNumber(event)).toBe(42);
    expect(pullRequestNumber(undefined)).toBeUndefined();
  });
});

function stack(servers: Record<string, string>): Record<string, unknown> {
  return {
    terraform: { required_providers: { hcloud: { source: 'hetznercloud/hcloud', version: '1.68.0' } } },
    provider: { hcloud: [{ token: 'stand-in' }] },
    resource: {
      hcloud_server: Object.fromEntries(Object.entries(servers).map(([n, userData]) => [n, { name: n, server_type: 'cx23', image: 'ubuntu-24.04', location: 'fsn1', user_data: userData }])),
    },
  };
}

function synthOut(stacks: Record<string, Record<string, unknown>>): string {
  const dir = tempDir('review-out-');
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
  }
  return dir;
}

describeWithTerraform('offline plans through terraform (stand-in providers)', () => {
  test('the plan starts from the base state: a changed user_data replaces only that server; a new stack plans from empty', async () => {
    const base = synthOut({ app: stack({ web: 'v1', db: 'v1' }) });
    const head = synthOut({ app: stack({ web: 'v2', db: 'v1' }), extra: stack({ one: 'x' }) });
    const out = tempDir('review-plans-');
    const records = await planAll({ head, base, out, env: {}, log: () => undefined });
    expect(records.map((r) => [r.stack, r.source])).toEqual([
      ['app', 'offline'],
      ['extra', 'offline'],
    ]);
    expect(records[1].note).toContain('the stack is new on this branch: planned from empty state');
    const input = buildReviewInput({ plansDir: out, stacksDir: head });
    const app = input.plans.find((p) => p.stack === 'app')!;
    expect(app.changes.map((c) => `${c.action} ${c.address} ${c.replacePaths.join(',')}`)).toEqual(['replace hcloud_server.web user_data']);
    expect(app.counts['no-op']).toBe(1);
    expect(input.plans.find((p) => p.stack === 'extra')!.counts.create).toBe(1);
    expect(readFileSync(join(out, 'app.plan.txt'), 'utf8')).toContain('must be replaced');
    expect(JSON.parse(readFileSync(join(out, 'plans.json'), 'utf8'))).toEqual(records);
  });
});
