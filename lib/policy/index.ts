// The Hetzner rule pack (lib/policy): the HetznerChecks aspect, the pure checkStack, the report.
export {
  checkStack,
  DEFAULT_PRODUCTION_ENVIRONMENTS,
  evaluate,
  HETZNER_RULE_IDS,
  HetznerChecks,
  POLICY_REPORT_FILE,
  policyReportPath,
  PolicyViolationError,
  RULE_PACK,
} from './hetzner-checks';
export type { HetznerChecksProps, PolicyFinding, PolicyReport, PolicySuppressionRecord } from './hetzner-checks';
export { HETZNER_RULES, PRIVATE_SERVICE_PORTS } from './rules';
export type { PolicyLevel, PolicyRule, RuleContext, RuleViolation } from './rules';
export { StackModel, WORLD_CIDRS } from './model';
export type { PolicyResource, TerraformJson } from './model';
