/**
 * Every stack of the reference app (main.ts buildReferenceApp, documentation config) through real
 * `terraform validate` and `terraform plan` with the offline stand-in providers and local state:
 * the plan creates exactly the resources of the synthesized JSON (counted per type from the JSON)
 * and nothing else; an apply followed by a plan of the same JSON changes nothing. With the S3
 * backend the stacks validate (`init -backend=false`); planning against S3 needs a fake S3 server.
 */
// Not main.ts: this file reads the shared synthesis and loads neither cdktf nor the library (0.5 s of CPU).
import { ReferenceStackNames as StackNames } from '../../lib/app/scenarios';
import { EXAMPLE_CONFIG } from '../../lib/app/reference-config';
import { declaredInstances, describeWithTerraform, instancesInState, PlanSummary, StandIn, startStandIn, ValidateResult } from '../support/terraform';
import { referenceApp } from '../support/synth';

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((s, n) => s + n, 0);
}

/** What one stack went through: each step's promise (steps run in order; stacks run at the same time). */
interface StackRun {
  readonly validate: Promise<ValidateResult>;
  readonly plan: Promise<PlanSummary>;
  /** After applying the JSON: the instances the state holds, and whether a plan of the same JSON has changes. */
  readonly replan: Promise<{ inState: Record<string, number>; changes: boolean }>;
}

function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined); // reported by the test that awaits it
  return p;
}

describeWithTerraform('the reference app through terraform (stand-in providers)', () => {
  // Synthesis blocks the event loop the stand-in answers on: synthesize everything before terraform runs.
  const app = referenceApp();
  const s3App = referenceApp({ ...EXAMPLE_CONFIG, stateBackend: 's3' });
  const names = Object.keys(app.stacks).sort();
  let tf: StandIn;
  const runs = new Map<string, StackRun>();
  const s3Validations = new Map<string, Promise<ValidateResult>>();

  beforeAll(async () => {
    tf = await startStandIn();
    for (const name of names) {
      const ws = tf.workspace(app.stacks[name]);
      // validate and plan read the configuration and write nothing it depends on: they run at once.
      const validate = quiet(ws.validate());
      const plan = quiet(ws.plan());
      // The bucket lifecycle programs (local-exec) would call the real endpoint: their apply is
      // proven against the Ceph-like fake in __tests__/object-store/lifecycle-terraform.test.ts.
      // apply rewrites the configuration file while it runs, so it waits for both.
      const replan = quiet(
        Promise.allSettled([validate, plan])
          .then(() => plan)
          .then(() => ws.apply({ stripLocalExec: true }))
          .then(async () => ({ inState: instancesInState(ws.localState()), changes: await ws.planHasChanges() })),
      );
      runs.set(name, { validate, plan, replan });
      s3Validations.set(name, quiet(tf.workspace(s3App.stacks[name], { backend: 'as-synthesized' }).validate()));
    }
  });
  afterAll(async () => {
    await Promise.allSettled([...runs.values()].flatMap((r) => [r.validate, r.plan, r.replan]).concat([...s3Validations.values()]));
    await tf?.close();
  });

  test('the app has the stacks this test covers', () => {
    expect(names).toEqual([StackNames.state, StackNames.bootstrap, StackNames.minimal, StackNames.production, StackNames.productionHa].sort());
    expect(Object.keys(s3App.stacks).sort()).toEqual(names);
  });

  describe.each(names)('%s', (name) => {
    const json = app.stacks[name];
    const run = () => runs.get(name)!;

    test('terraform validate accepts it', async () => {
      const r = await run().validate;
      expect(r.messages).toEqual([]);
      expect(r.valid).toBe(true);
    });

    test('terraform plan creates every resource of the JSON, per type, and nothing else', async () => {
      const plan = await run().plan;
      const declared = declaredInstances(json);
      expect(plan.countsByType).toEqual(Object.fromEntries(Object.entries(declared).map(([t, n]) => [t, { create: n }])));
      expect(plan.counts).toEqual({ create: total(declared), update: 0, delete: 0, replace: 0, read: 0, 'no-op': 0, forget: 0 });
      expect(total(declared)).toBeGreaterThan(0);
    });

    test('every hcloud_server’s user_data is known at plan time (a later change cannot hide behind an unknown)', async () => {
      const plan = await run().plan;
      const servers = Object.values(plan.resources).filter((r) => r.type === 'hcloud_server');
      expect(servers.length).toBe(declaredInstances(json).hcloud_server ?? 0);
      for (const s of servers) {
        expect({ server: s.address, unknown: (s.afterUnknown as any).user_data ?? false }).toEqual({ server: s.address, unknown: false });
        expect(typeof (s.after as any).user_data).toBe('string');
      }
    });

    test('after an apply, a plan of the same JSON changes nothing', async () => {
      const again = await run().replan;
      // The state holds every instance of the JSON, and the plan is empty (-detailed-exitcode 0:
      // no resource instance and no output changes), so every one of them is a no-op.
      expect(again.inState).toEqual(declaredInstances(json));
      expect(again.changes).toBe(false);
    });

    test('with the S3 state backend it validates (init -backend=false)', async () => {
      const s3Json = s3App.stacks[name];
      if (name !== StackNames.state) expect(Object.keys(s3Json.terraform?.backend ?? {})).toEqual(['s3']);
      const r = await s3Validations.get(name)!;
      expect(r.messages).toEqual([]);
      expect(r.valid).toBe(true);
    });
  });

  test('the counts read from the JSON: 3 servers, 1 volume, 13 terraform_data (3 configurations, 3 secret deliveries, 2 releases, 1 unmount step, 4 bucket lifecycles), the runner pool’s GitHub objects; the state stack’s bucket', () => {
    // Stated explicitly for the documentation config (EXAMPLE_CONFIG), as a cross-check of the counts read from the JSON.
    const c = declaredInstances(app.stacks[StackNames.production]);
    expect({ servers: c.hcloud_server, volumes: c.hcloud_volume, deliveries: c.terraform_data, secrets: c.github_actions_secret, files: c.github_repository_file }).toEqual({
      servers: 3,
      volumes: 1,
      deliveries: 13,
      secrets: 2,
      files: 2,
    });
    expect(declaredInstances(app.stacks[StackNames.state])).toEqual({ aws_s3_bucket: 1, aws_s3_bucket_versioning: 1, terraform_data: 1 });
  });

  test('the other scenarios: servers, volumes, load balancers and runner pools as their presets say', () => {
    const parts = (name: string) => {
      const c = declaredInstances(app.stacks[name]);
      return { servers: c.hcloud_server, volumes: c.hcloud_volume ?? 0, loadBalancers: c.hcloud_load_balancer ?? 0, buckets: c.aws_s3_bucket, poolSecrets: c.github_actions_secret ?? 0 };
    };
    expect(parts(StackNames.bootstrap)).toEqual({ servers: 1, volumes: 0, loadBalancers: 0, buckets: 4, poolSecrets: 0 });
    expect(parts(StackNames.minimal)).toEqual({ servers: 2, volumes: 1, loadBalancers: 0, buckets: 4, poolSecrets: 0 });
    expect(parts(StackNames.productionHa)).toEqual({ servers: 3, volumes: 1, loadBalancers: 1, buckets: 4, poolSecrets: 2 });
  });
});
