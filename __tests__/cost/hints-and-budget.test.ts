/**
 * Cost hints as the constructs record them (runner pool, snapshot rotation, always-on runner's
 * label), terraform ignoring them (`terraform validate` with the stand-in providers), and the
 * per-stack budget failing synth with the breakdown.
 */
import { TerraformStack } from 'cdktf';
import { ValidationError } from '../../lib/core/validation-error';
import { CostBudget } from '../../lib/cost/budget';
import { estimateStackCost } from '../../lib/cost/estimate';
import { recordCostHint } from '../../lib/cost/record-cost-hint';
import { EphemeralRunnerPool } from '../../lib/runner-pool/ephemeral-runner-pool';
import { describeWithTerraform, StandIn, startStandIn } from '../support/terraform';
import { monitoringFixture } from '../monitoring/support';
import { githubStack, poolSecrets } from '../runner-pool/helpers';
import { Json, synth, testStack } from '../support/stack';

/**
 * Synthesizes (cdktf's validations on) and returns the stack's JSON as written to cdk.tf.json:
 * Testing.synth drops every "//" comment, the hints with them.
 */
function synthWithComments(stack: TerraformStack): Json {
  synth(stack);
  return JSON.parse(JSON.stringify(stack.toTerraform()));
}

function poolStack(): { stack: TerraformStack; json: Json } {
  const stack = githubStack();
  new EphemeralRunnerPool(stack, 'Pool', {
    environment: 'test',
    pool: 'ci',
    repository: 'aiai',
    secrets: poolSecrets(stack),
    maxRunners: 3,
    jobs: { build: { name: 'Build', steps: [{ run: 'make test' }] } },
  });
  return { stack, json: synthWithComments(stack) };
}

test('EphemeralRunnerPool records its server type, max runners and IPv4 as a stack-level JSON comment', () => {
  const { json } = poolStack();
  expect(json['//'].aiai_cost).toEqual({ 'test/Pool': { kind: 'runner-pool', pool: 'ci', serverType: 'cpx32', maxRunners: 3, ipv4: true } });
  // cdktf's own metadata stays beside it.
  expect(json['//'].metadata.stackName).toBe('test');
  const items = estimateStackCost(json, { runnerHours: 30 }).items;
  expect(items.map((i) => [i.kind, i.quantity])).toEqual([
    ['runner-hours', 30],
    ['primary-ipv4', 30],
  ]);
});

test('MonitoringNode with snapshot rotation records keep and the selector; the estimate counts the servers it selects', () => {
  const json = synthWithComments(monitoringFixture({ dr: 'snapshots' }).stack);
  expect(json['//'].aiai_cost).toEqual({
    'test/Monitoring': { kind: 'snapshots', keepPerServer: 7, labels: { project: 'aiai', environment: 'production' }, roles: ['orchestrator', 'monitoring'] },
  });
  // Only the monitoring server itself is in this stack: 7 × 1 × 3 GB.
  expect(estimateStackCost(json).items.find((i) => i.kind === 'snapshots')).toMatchObject({ quantity: 21, estimated: true });
  // Without disaster recovery: no hint.
  expect(synthWithComments(monitoringFixture().stack)['//'].aiai_cost).toBeUndefined();
});

test('recordCostHint rejects a name with a dot', () => {
  const stack = testStack();
  expect(() => recordCostHint(stack, 'a.b', { kind: 'snapshots', gb: 1 })).toThrow(/name: got "a.b"; allowed: a non-empty hint name without "."/);
});

describe('CostBudget', () => {
  test('synth passes within the budget and adds nothing to the JSON', () => {
    const { stack } = poolStack();
    const before = JSON.stringify(synth(stack));
    const budget = new CostBudget(stack, 'Budget', { monthlyEur: 5, runnerHours: 100 });
    expect(budget.estimate().totalEur).toBe(2.27); // 100 h × (0.0219 + 0.0008)
    expect(JSON.stringify(synth(stack))).toBe(before);
  });

  test('synth fails over the budget with a ValidationError listing every item', () => {
    const { stack } = poolStack();
    new CostBudget(stack, 'Budget', { monthlyEur: 2, runnerHours: 100 });
    let err: unknown;
    try {
      synth(stack);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const message = (err as Error).message;
    expect(message).toMatch(/^Invalid props for test\/Budget:\n {2}- monthlyEur: got 2; allowed: a budget of at least the stack's estimate, 2\.27 EUR\/month \(100 runner hours per pool\)/);
    expect(message).toMatch(/2\.19 {2}~ {2}runner-hours .*per-job runners of pool ci \(cpx32, up to 3 at a time\): 100 started hours/);
    expect(message).toMatch(/0\.08 {2}~ {2}primary-ipv4/);
    expect(message).toMatch(/2\.27 {2}= {2}total per month/);
  });

  test('the research doc catalog and the runner hours change the figure', () => {
    const { stack } = poolStack();
    const budget = new CostBudget(stack, 'Budget', { monthlyEur: 100, catalog: '2026-02', runnerHours: 10.5 });
    expect(budget.estimate().items[0]).toMatchObject({ quantity: 11, unitPriceEur: 0.0168 });
  });

  test.each([
    [{ monthlyEur: -1 }, /monthlyEur: got -1; allowed: a number of EUR from 0 up/],
    [{ monthlyEur: 10, catalog: 'x' }, /catalog: got "x"; allowed: one of 2026-02, 2026-04/],
    [{ monthlyEur: 10, runnerHours: -2 }, /runnerHours: got -2; allowed: a number of hours from 0 up/],
  ])('fails if the props are bad: %j', (props, message) => {
    expect(() => new CostBudget(testStack(), 'Budget', props)).toThrow(message);
  });
});

describeWithTerraform('terraform ignores the cost hints', () => {
  let tf: StandIn;
  beforeAll(async () => {
    tf = await startStandIn();
  });
  afterAll(async () => {
    await tf?.close();
  });

  test('a stack with a runner pool hint validates', async () => {
    const { json } = poolStack();
    expect(json['//'].aiai_cost).toBeDefined();
    expect((await tf.workspace(json).validate()).messages).toEqual([]);
  });
});
