/**
 * The construct tests' own stacks (the fixtures of __tests__/foundation, monitoring and runner-pool)
 * through real `terraform validate` and `terraform plan` with the offline stand-in providers: each
 * validates and plans exactly the resources of its JSON. Cheap (no apply); the reference app's test
 * covers apply.
 */
import { TerraformStack } from 'cdktf';
import { EphemeralRunnerPool } from '../../lib/runner-pool/ephemeral-runner-pool';
import { PersistentRunner } from '../../lib/runner-pool/persistent-runner';
import { AiaiOrchestrator } from '../../lib/orchestrator/aiai-orchestrator';
import { access, network, secretToken, synth, testStack } from '../support/stack';
import { monitoringFixture } from '../monitoring/support';
import { githubStack, poolSecrets } from '../runner-pool/helpers';
import { declaredInstances, describeWithTerraform, PlanSummary, StandIn, startStandIn, TerraformJson, ValidateResult } from '../support/terraform';

/** Each fixture, synthesized the way its construct tests do (cdktf validations on). */
function fixtures(): Record<string, TerraformJson> {
  const orchestrator = (): TerraformJson => {
    const stack = testStack();
    new AiaiOrchestrator(stack, 'Orchestrator', {
      environment: 'test',
      network: network(stack, { name: 'aiai-test-net' }),
      access: access(stack),
      repositoryUrl: 'https://github.com/example/aiai.git',
      secretEnvironment: { OPENROUTER_API_KEY: secretToken(stack, 'openrouter_api_key') },
    });
    return synth(stack);
  };
  const runners = (): TerraformJson => {
    const stack: TerraformStack = githubStack();
    const net = network(stack);
    const ops = access(stack);
    new EphemeralRunnerPool(stack, 'Pool', {
      environment: 'test',
      pool: 'ci',
      repository: 'aiai',
      network: net,
      access: ops,
      secrets: poolSecrets(stack),
      jobs: { build: { name: 'Build', steps: [{ run: 'make test' }] } },
    });
    new PersistentRunner(stack, 'Runner', { environment: 'test', repository: 'acme/aiai', network: net, access: ops, githubToken: secretToken(stack, 'runner_registration_token') });
    return synth(stack);
  };
  return {
    'foundation: AiaiOrchestrator': orchestrator(),
    'monitoring: MonitoringNode with off-site backups (hcloud + aws)': monitoringFixture({ dr: 'offsite' }).json,
    'runner-pool: EphemeralRunnerPool and PersistentRunner (hcloud + github)': runners(),
  };
}

describeWithTerraform('construct test stacks through terraform (stand-in providers)', () => {
  // Synthesis blocks the event loop the stand-in answers on: synthesize before terraform runs.
  const stacks = fixtures();
  let tf: StandIn;
  const results = new Map<string, { validate: Promise<ValidateResult>; plan: Promise<PlanSummary> }>();

  beforeAll(async () => {
    tf = await startStandIn();
    for (const [name, json] of Object.entries(stacks)) {
      const ws = tf.workspace(json);
      // validate and plan only read the configuration: they run at once.
      const validate = ws.validate();
      const plan = ws.plan();
      validate.catch(() => undefined); // reported by the test that awaits it
      plan.catch(() => undefined);
      results.set(name, { validate, plan });
    }
  });
  afterAll(async () => {
    await Promise.allSettled([...results.values()].flatMap((r) => [r.validate, r.plan]));
    await tf?.close();
  });

  test.each(Object.keys(stacks))('%s validates and plans one create per resource of its JSON', async (name) => {
    const { validate, plan } = results.get(name)!;
    expect((await validate).messages).toEqual([]);
    const p = await plan;
    const declared = declaredInstances(stacks[name]);
    expect(Object.keys(declared).length).toBeGreaterThan(0);
    expect(p.countsByType).toEqual(Object.fromEntries(Object.entries(declared).map(([t, n]) => [t, { create: n }])));
    expect(p.changed.length).toBe(Object.values(declared).reduce((a, b) => a + b, 0));
  });
});
