import { TerraformStack } from 'cdktf';

/**
 * One `toTerraform()` per stack per validation pass, shared by the validations that read the
 * stack's Terraform JSON (CostBudget, HetznerChecks). Resolving a stack is the bulk of synth time
 * (every token of every element), and each of those validations used to resolve it again.
 *
 * How it stays correct: a result is only kept while that stack's `runAllValidations()` runs (cdktf
 * runs it once per synth, from StackSynthesizer.synthesize, and Testing.synth with validations), and
 * is dropped when the pass ends, also when a validation throws. Validations do not change the
 * construct tree (cdktf runs aspects, which may, before them), so within one pass every reader sees
 * what `toTerraform()` would return; outside a pass (`CostBudget.estimate()` called directly, a
 * later synth after the tree changed) the stack is resolved afresh. To see the passes,
 * `shareTerraformDuringValidation` wraps the stack's `runAllValidations` once; it must be called
 * before synth (constructors, aspects).
 */
interface Shared {
  /** Validation passes of the stack running now (nested calls are possible, if unusual). */
  depth: number;
  json?: Record<string, unknown>;
}

const shared = new WeakMap<TerraformStack, Shared>();

/** Makes `validationTerraform(stack)` resolve the stack at most once per validation pass. */
export function shareTerraformDuringValidation(stack: TerraformStack): void {
  if (shared.has(stack)) return;
  const state: Shared = { depth: 0 };
  shared.set(stack, state);
  const run = stack.runAllValidations;
  // An own property shadowing the prototype's method, on this stack only.
  stack.runAllValidations = function runAllValidationsSharingTerraform(this: TerraformStack): void {
    state.depth++;
    try {
      run.call(this);
    } finally {
      if (--state.depth === 0) state.json = undefined;
    }
  };
}

/**
 * The stack's Terraform JSON (`stack.toTerraform()`): during a validation pass of a stack given to
 * `shareTerraformDuringValidation`, the same object for every caller (treat it as read-only);
 * otherwise resolved afresh.
 */
export function validationTerraform(stack: TerraformStack): Record<string, unknown> {
  const state = shared.get(stack);
  if (state === undefined || state.depth === 0) return stack.toTerraform() as Record<string, unknown>;
  state.json ??= stack.toTerraform() as Record<string, unknown>;
  return state.json;
}
