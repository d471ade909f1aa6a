import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { invalid } from '../core/validation-error';
import { COST_HINT_KEY, CostHint } from './cost-hints';

/**
 * Records what the cost estimator needs to know about `scope` and cannot read from Terraform
 * attributes, as the stack-level JSON comment `"//": { "aiai_cost": { "<name>": hint } }` (ignored
 * by terraform). `name` must be unique in the stack (a construct passes its path) and contain no
 * `.`; a second hint under the same name replaces the first.
 */
export function recordCostHint(scope: IConstruct, name: string, hint: CostHint): void {
  if (name === '' || name.includes('.')) invalid(scope.node.path || 'recordCostHint', 'name', name, 'a non-empty hint name without "." (e.g. the construct path)');
  TerraformStack.of(scope).addOverride(`//.${COST_HINT_KEY}.${name}`, hint);
}

/** The hint name of a construct: its path (unique in the app). */
export function costHintName(scope: IConstruct): string {
  return scope.node.path.replace(/\./g, '_');
}
