import type { IConstruct } from 'constructs';
import { PropValidator } from './validation-error';

/**
 * Suppressions of policy rules (lib/policy's Hetzner rule pack), recorded on the construct tree so
 * that constructs of any layer can justify a finding they cause on purpose: the rule pack sits
 * above the roles, the roles cannot import it, but they can record here what it reads.
 *
 * A suppression is construct metadata of type {@link POLICY_SUPPRESSION_METADATA}; it applies to
 * the construct and everything under it. Metadata is not part of the synthesized JSON.
 */
export const POLICY_SUPPRESSION_METADATA = 'aiai:policy-suppression';

/** One recorded suppression. */
export interface PolicySuppression {
  /** The rule's stable ID, e.g. `HZ-NET-001`. */
  readonly ruleId: string;
  /** Why the finding is accepted here (shown in the policy report). */
  readonly reason: string;
}

/** Rule IDs as the rule pack writes them: `HZ-<AREA>-<nnn>`. */
export const POLICY_RULE_ID_PATTERN = /^HZ-[A-Z]{2,4}-\d{3}$/;

/**
 * Records that `ruleId` is accepted for `scope` and its children, for `reason`. Throws a
 * ValidationError naming the construct for an empty reason or a malformed rule ID.
 */
export function suppressPolicyRule(scope: IConstruct, ruleId: string, reason: string): void {
  const v = new PropValidator(scope);
  v.check('ruleId', ruleId, typeof ruleId === 'string' && POLICY_RULE_ID_PATTERN.test(ruleId), 'a rule ID like HZ-NET-001');
  v.check('reason', reason, typeof reason === 'string' && reason.trim().length > 0, 'a non-empty reason why the finding is accepted (it is recorded in the policy report)');
  v.throwIfInvalid();
  const entry: PolicySuppression = { ruleId, reason: reason.trim() };
  scope.node.addMetadata(POLICY_SUPPRESSION_METADATA, entry);
}

/** The suppressions recorded on `scope` itself (not its parents). */
export function policySuppressionsOn(scope: IConstruct): PolicySuppression[] {
  return scope.node.metadata.filter((m) => m.type === POLICY_SUPPRESSION_METADATA).map((m) => m.data as PolicySuppression);
}
