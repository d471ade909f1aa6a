import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, App, Aspects, IAspect, Manifest, TerraformElement, TerraformResource, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { IConstruct } from 'constructs';
import { POLICY_RULE_ID_PATTERN, policySuppressionsOn, suppressPolicyRule } from '../core/policy-suppressions';
import { ValidationError, ValidationProblem } from '../core/validation-error';
import { AiaiStack } from '../core/aiai-stack';
import { shareTerraformDuringValidation, validationTerraform } from '../core/validation-terraform';
import { StackModel, TerraformJson } from './model';
import { HETZNER_RULES, PolicyLevel, PolicyRule, RuleContext } from './rules';

/** Name of the rule pack, as the report names it. */
export const RULE_PACK = 'aiai-hetzner';

/** File name of the report, written next to `cdk.tf.json` in `cdktf.out/stacks/<stack>/`. */
export const POLICY_REPORT_FILE = 'aiai-policy-report.json';

/** The `environment` label value that counts as production unless told otherwise. */
export const DEFAULT_PRODUCTION_ENVIRONMENTS: readonly string[] = ['production'];

export interface PolicyFinding {
  readonly ruleId: string;
  readonly level: PolicyLevel;
  /** Construct path of what the finding is about. */
  readonly path: string;
  /** Terraform address (`hcloud_firewall.X`, `var.x`), when the finding is about one element. */
  readonly resource?: string;
  /** What is wrong and where. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

export interface PolicySuppressionRecord {
  readonly ruleId: string;
  /** Construct path of the suppressed finding. */
  readonly path: string;
  readonly reason: string;
}

/** The JSON report of one stack (coordination contract 3). */
export interface PolicyReport {
  readonly stack: string;
  readonly rulePack: typeof RULE_PACK;
  readonly findings: PolicyFinding[];
  readonly suppressed: PolicySuppressionRecord[];
}

export interface HetznerChecksProps {
  /**
   * `environment` label values that count as production (HZ-PRD-* rules).
   * @default ['production']
   */
  readonly productionEnvironments?: readonly string[];
  /**
   * Write `aiai-policy-report.json` into the stack's folder of the app's output directory when the
   * stack is synthesized (`app.synth()`, `cdktf synth`).
   * @default true
   */
  readonly writeReport?: boolean;
  /**
   * Fail the synth (a {@link PolicyViolationError}) when a rule of level error has an unsuppressed finding.
   * @default true
   */
  readonly failOnError?: boolean;
}

/** Thrown at synth when error-level rules have findings; lists every finding with its fix. */
export class PolicyViolationError extends ValidationError {
  public declare readonly report: PolicyReport;

  constructor(stack: IConstruct, report: PolicyReport) {
    const errors = report.findings.filter((f) => f.level === 'error');
    const problems: ValidationProblem[] = errors.map((f) => ({ property: `${f.ruleId} ${f.path}`, value: f.message, allowed: f.fix }));
    super(stack, problems);
    this.name = 'PolicyViolationError';
    // Not enumerable: node prints an uncaught error's own properties, and the message lists them already.
    Object.defineProperty(this, 'report', { value: report, enumerable: false });
    const lines = errors.map((f) => `  - [${f.ruleId}] ${f.message}\n      fix: ${f.fix}`);
    this.message =
      `Policy check (${RULE_PACK} rule pack) failed for stack ${report.stack}: ${errors.length} error${errors.length === 1 ? '' : 's'}\n${lines.join('\n')}\n` +
      `Fix each finding, or suppress one on purpose with HetznerChecks.suppress(construct, ruleId, reason).`;
  }
}

/** Every rule ID of the pack. */
export const HETZNER_RULE_IDS: readonly string[] = HETZNER_RULES.map((r) => r.id);

function ruleById(id: string): PolicyRule | undefined {
  return HETZNER_RULES.find((r) => r.id === id);
}

/** Terraform address -> construct, for resources and variables of `stack`. */
function elementsByAddress(stack: TerraformStack): Map<string, IConstruct> {
  const out = new Map<string, IConstruct>();
  for (const c of stack.node.findAll()) {
    if (c instanceof TerraformResource) out.set(`${c.terraformResourceType}.${c.friendlyUniqueId}`, c);
    else if (c instanceof TerraformVariable) out.set(`var.${(c as TerraformElement).friendlyUniqueId}`, c);
  }
  return out;
}

/** The construct and its parents, from the root down. */
function lineage(c: IConstruct): IConstruct[] {
  return c.node.scopes;
}

/**
 * Runs the rule pack over a stack's Terraform JSON. `scope` limits the findings to constructs at or
 * under it (the stack itself: everything). Pure apart from reading the construct tree.
 */
export function evaluate(scope: IConstruct, json: TerraformJson, props: HetznerChecksProps = {}): PolicyReport {
  const stack = TerraformStack.of(scope);
  const elements = elementsByAddress(stack);
  const model = new StackModel(stack.node.id, json, (a) => elements.get(a)?.node.path);
  const ctx: RuleContext = { productionEnvironments: props.productionEnvironments ?? DEFAULT_PRODUCTION_ENVIRONMENTS };

  // A suppression naming a rule the pack does not have is a typo that would hide nothing.
  for (const c of scope.node.findAll()) {
    for (const s of policySuppressionsOn(c)) {
      if (!ruleById(s.ruleId)) throw new ValidationError(c, [{ property: 'policy suppression ruleId', value: s.ruleId, allowed: `a rule ID of the ${RULE_PACK} rule pack: ${HETZNER_RULE_IDS.join(', ')}` }]);
    }
  }

  const inScope = (path: string) => scope === stack || path === scope.node.path || path.startsWith(`${scope.node.path}/`);
  const findings: PolicyFinding[] = [];
  const suppressed: PolicySuppressionRecord[] = [];
  for (const rule of HETZNER_RULES) {
    for (const v of rule.check(model, ctx)) {
      const address = v.address ?? v.resource?.address;
      const construct = address ? elements.get(address) : undefined;
      const path = construct?.node.path ?? v.resource?.path ?? stack.node.path;
      if (!inScope(path)) continue;
      const where = address ? `${path} (${address})` : path;
      const finding: PolicyFinding = { ruleId: rule.id, level: rule.level, path, ...(address ? { resource: address } : {}), message: `${where}: ${v.message}`, fix: v.fix ?? rule.fix };
      const suppression = lineage(construct ?? stack)
        .flatMap((c) => policySuppressionsOn(c))
        .find((s) => s.ruleId === rule.id);
      if (suppression) suppressed.push({ ruleId: rule.id, path, reason: suppression.reason });
      else findings.push(finding);
    }
  }
  return { stack: stack.node.id, rulePack: RULE_PACK, findings, suppressed };
}

/**
 * The policy report of a stack (or of the constructs under `scope`), for tests and tools: applies
 * the stack's aspects, synthesizes its JSON in memory and runs the rules. Writes nothing, throws
 * nothing for findings. `props` default to those of a {@link HetznerChecks} aspect on the stack.
 */
export function checkStack(scope: IConstruct, props?: HetznerChecksProps): PolicyReport {
  const stack = TerraformStack.of(scope);
  const applied = Aspects.of(stack).all.find((a): a is HetznerChecks => a instanceof HetznerChecks);
  const json = JSON.parse(Testing.synth(stack)) as TerraformJson;
  return evaluate(scope, json, props ?? applied?.props ?? {});
}

/** Where the report of `stack` goes: `<app outdir>/stacks/<stack>/aiai-policy-report.json`. */
export function policyReportPath(stack: TerraformStack): string {
  return join(App.of(stack).outdir, Manifest.stacksFolder, stack.node.id, POLICY_REPORT_FILE);
}

/**
 * The Hetzner rule pack as an aspect (in the spirit of cdk-nag): `HetznerChecks.applyTo(stack)`
 * or `Aspects.of(stack).add(new HetznerChecks())`.
 *
 * When the stack is synthesized, after every aspect has run (the checks are a validation of the
 * stack, so they see the final JSON: overrides, lifecycle settings and resolved tokens), the rules
 * read the stack's Terraform JSON; the report is written next to `cdk.tf.json`; warnings become
 * cdktf warning annotations (printed by `cdktf synth`); unsuppressed errors fail the synth with a
 * {@link PolicyViolationError} listing each finding and its fix, before `cdk.tf.json` is written.
 * `Testing.synth(stack)` without validations runs no checks: tests call {@link checkStack}.
 */
export class HetznerChecks implements IAspect {
  /** Adds the checks to a stack (or to a scope: then only constructs under it are checked). */
  public static applyTo(scope: IConstruct, props: HetznerChecksProps = {}): HetznerChecks {
    const checks = new HetznerChecks(props);
    Aspects.of(scope).add(checks);
    return checks;
  }

  /**
   * Accepts the findings of `ruleId` on `scope` and everything under it. The reason is mandatory
   * and recorded in the report; an empty reason or an unknown rule ID is a ValidationError.
   */
  public static suppress(scope: IConstruct, ruleId: string, reason: string): void {
    if (POLICY_RULE_ID_PATTERN.test(ruleId) && !ruleById(ruleId)) {
      throw new ValidationError(scope, [{ property: 'ruleId', value: ruleId, allowed: `a rule ID of the ${RULE_PACK} rule pack: ${HETZNER_RULE_IDS.join(', ')}` }]);
    }
    suppressPolicyRule(scope, ruleId, reason);
  }

  private readonly registered = new WeakSet<TerraformStack>();

  constructor(public readonly props: HetznerChecksProps = {}) {
    // It adds a validation and reads the JSON; it changes no element (an AiaiStack keeps its resolution).
    AiaiStack.aspectLeavesElements(this);
  }

  public visit(node: IConstruct): void {
    // The first node visited in a stack is the scope the aspect was added to (aspects run top-down).
    // cdktf invokes aspects from each stack down, so an aspect on the App itself is never visited:
    // add the checks to each stack.
    const stack = node.node.scopes.find((c): c is TerraformStack => TerraformStack.isStack(c));
    if (!stack || this.registered.has(stack)) return;
    this.registered.add(stack);
    shareTerraformDuringValidation(stack);
    const scope = node;
    stack.node.addValidation({ validate: () => this.run(stack, scope) });
  }

  private run(stack: TerraformStack, scope: IConstruct): string[] {
    const report = evaluate(scope, validationTerraform(stack) as TerraformJson, this.props);
    if (this.props.writeReport ?? true) {
      const file = policyReportPath(stack);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    }
    const elements = elementsByAddress(stack);
    for (const f of report.findings.filter((x) => x.level === 'warning')) {
      const target = (f.resource ? elements.get(f.resource) : undefined) ?? stack;
      Annotations.of(target).addWarning(`[${f.ruleId}] ${f.message} (fix: ${f.fix})`);
    }
    if ((this.props.failOnError ?? true) && report.findings.some((f) => f.level === 'error')) throw new PolicyViolationError(stack, report);
    return [];
  }
}
