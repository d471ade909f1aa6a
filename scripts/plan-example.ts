/**
 * `terraform validate` and `terraform plan` of the example project's synthesized stack, offline:
 * the providers are the test harness's stand-ins (__tests__/support/terraform), so nothing is
 * downloaded and no credentials are needed. Called by scripts/pack-test.sh after it installed the
 * example from the packed tarball and synthesized it:
 *
 *   node --import tsx scripts/plan-example.ts <cdk.tf.json>
 *
 * Checks that the plan creates exactly the resources of the JSON, that the existing network is
 * referenced and not created, and prints the plan's counts. Without terraform it skips loudly (exit
 * 0) outside CI and fails in CI (CI=true), like the test suite's terraform tests.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declaredInstances, hasTerraform, startStandIn, TERRAFORM, TERRAFORM_SOURCE } from '../__tests__/support/terraform';

/** The stand-in's placeholder for the example's `network_id` variable. */
const NETWORK_ID = '4711';

async function main(file: string): Promise<void> {
  if (!hasTerraform()) {
    const message = `${TERRAFORM} is not on PATH (${TERRAFORM_SOURCE})`;
    if (process.env.CI === 'true') throw new Error(`plan-example: ${message}; CI must run terraform validate and plan on the example`);
    console.warn(`plan-example: SKIPPED terraform validate and plan of the example: ${message}`);
    return;
  }
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const tmp = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'aiai-ex-'));
  process.env.AIAI_TEST_TMP = tmp;
  const tf = await startStandIn();
  try {
    const ws = tf.workspace(json, { vars: { network_id: NETWORK_ID } });
    const validate = await ws.validate();
    if (!validate.valid || validate.messages.length > 0) throw new Error(`terraform validate:\n${validate.messages.join('\n')}`);
    const plan = await ws.plan();
    const declared = declaredInstances(json);
    const creates = Object.fromEntries(Object.entries(plan.countsByType).filter(([, c]) => c.create !== undefined).map(([t, c]) => [t, c.create]));
    if (JSON.stringify(Object.entries(creates).sort()) !== JSON.stringify(Object.entries(declared).sort())) {
      throw new Error(`the plan does not create exactly the JSON's resources:\nplanned ${JSON.stringify(creates)}\ndeclared ${JSON.stringify(declared)}`);
    }
    if (declared.hcloud_network !== undefined) throw new Error('the example creates a network; it must join the existing one');
    const subnets = Object.values(plan.resources).filter((r) => r.type === 'hcloud_network_subnet');
    const ids = subnets.map((s) => String((s.after as { network_id: number }).network_id));
    if (subnets.length !== 1 || ids[0] !== NETWORK_ID) throw new Error(`expected the runner subnet in network ${NETWORK_ID}, got ${JSON.stringify(ids)}`);
    console.log(`plan-example: terraform validate OK; plan: ${plan.counts.create} to create, ${plan.counts.update} to update, ${plan.counts.delete} to destroy (${Object.entries(creates).map(([t, n]) => `${n} ${t}`).join(', ')})`);
  } finally {
    await tf.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main(process.argv[2] ?? '').catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
