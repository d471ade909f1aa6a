/**
 * CostBudget and HetznerChecks read one `toTerraform()` of their stack per validation pass
 * (lib/core/validation-terraform.ts), and a stack changed after a synth is resolved afresh.
 */
import { Testing, TerraformStack } from 'cdktf';
import { shareTerraformDuringValidation, validationTerraform } from '../../lib/core/validation-terraform';
import { ValidationError } from '../../lib/core/validation-error';
import { CostBudget } from '../../lib/cost/budget';
import { estimateStackCost } from '../../lib/cost/estimate';
import { formatCostEstimate } from '../../lib/cost/format';
import { checkStack, HetznerChecks, PolicyViolationError } from '../../lib/policy';
import { goodServer, newStack, res } from '../policy/support';

/** A stack with one compliant server, a budget and the policy checks (no report file). */
function guarded(monthlyEur: number): { stack: TerraformStack; budget: CostBudget; calls: () => number } {
  const stack = newStack('shared');
  goodServer(stack, 'Web');
  const budget = new CostBudget(stack, 'Budget', { monthlyEur });
  HetznerChecks.applyTo(stack, { writeReport: false });
  const spy = jest.spyOn(stack, 'toTerraform');
  return { stack, budget, calls: () => spy.mock.calls.length };
}

const synthValidated = (stack: TerraformStack): string => Testing.synth(stack, true);

describe('one Terraform JSON per stack per validation pass', () => {
  test('budget and policy checks share one resolve; synth output is resolved on its own', () => {
    const { stack, calls } = guarded(100);
    synthValidated(stack);
    // One for both validations, one for Testing.synth's output (it was three).
    expect(calls()).toBe(2);
    synthValidated(stack);
    expect(calls()).toBe(4);
  });

  test('outside a pass every call resolves afresh', () => {
    const stack = newStack('plain');
    shareTerraformDuringValidation(stack);
    const spy = jest.spyOn(stack, 'toTerraform');
    const a = validationTerraform(stack);
    const b = validationTerraform(stack);
    expect(a).not.toBe(b);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('a stack changed after one synth is evaluated as changed on the next: budget', () => {
    const { stack, budget } = guarded(10);
    synthValidated(stack);
    const before = budget.estimate().totalEur;
    for (const id of ['Two', 'Three', 'Four', 'Five']) goodServer(stack, id);
    // Called outside a pass: sees the new servers at once.
    const after = budget.estimate();
    expect(after.totalEur).toBeGreaterThan(10);
    expect(after.totalEur).toBeGreaterThan(before);
    let err: unknown;
    try {
      synthValidated(stack);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    // The same figure and listing as a fresh estimate of the stack's JSON.
    const fresh = estimateStackCost(stack.toTerraform(), { runnerHours: budget.runnerHours });
    expect(fresh.totalEur).toBe(after.totalEur);
    expect((err as Error).message).toContain(`${fresh.totalEur.toFixed(2)} EUR/month`);
    expect((err as Error).message).toContain(formatCostEstimate(fresh));
  });

  test('a stack changed after one synth is evaluated as changed on the next: policy checks', () => {
    const { stack } = guarded(1000);
    synthValidated(stack);
    // A server without any firewall breaks HZ-NET-003 (an error).
    res(stack, 'hcloud_server', 'Bare', { name: 'bare', server_type: 'cx23', image: 'ubuntu-24.04', location: 'fsn1', labels: { project: 'aiai', environment: 'staging', role: 'orchestrator' } });
    let err: unknown;
    try {
      synthValidated(stack);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyViolationError);
    const shared = (err as PolicyViolationError).report;
    expect(shared.findings.map((f) => f.ruleId)).toContain('HZ-NET-003');
    // The same report as the checks computed from their own synth.
    expect(shared).toEqual(checkStack(stack, { writeReport: false }));
  });

  test('a validation that throws ends the pass: the next one resolves again', () => {
    const { stack, calls } = guarded(0);
    expect(() => synthValidated(stack)).toThrow(ValidationError);
    const afterFailure = calls();
    expect(() => synthValidated(stack)).toThrow(ValidationError);
    expect(calls()).toBe(afterFailure + 1);
  });
});
