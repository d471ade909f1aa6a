/**
 * Policy findings for the review, from the rule pack's reports (contract 3 of the policy slice):
 * `cdktf.out/stacks/<stack>/aiai-policy-report.json`. Pure: the shape is declared structurally.
 */

export interface PolicyFindingJson {
  readonly ruleId: string;
  readonly level: 'error' | 'warning';
  /** Construct path. */
  readonly path: string;
  /** Terraform address, when the finding is about one resource. */
  readonly resource?: string;
  readonly message: string;
  readonly fix: string;
}

export interface PolicySuppressionJson {
  readonly ruleId: string;
  readonly path: string;
  readonly reason: string;
}

export interface PolicyReportJson {
  readonly stack: string;
  readonly rulePack: string;
  readonly findings: readonly PolicyFindingJson[];
  readonly suppressed: readonly PolicySuppressionJson[];
}

export interface PolicySummary {
  readonly errors: number;
  readonly warnings: number;
  readonly suppressed: number;
  /** Every finding with its stack: errors first, then by stack, rule and path. */
  readonly findings: readonly (PolicyFindingJson & { readonly stack: string })[];
  readonly suppressions: readonly (PolicySuppressionJson & { readonly stack: string })[];
  /** Stacks that have a report. */
  readonly stacks: readonly string[];
}

/** Throws naming what is wrong when `doc` is not a policy report (contract 3). */
export function parsePolicyReport(doc: unknown, where: string): PolicyReportJson {
  const d = doc as Partial<PolicyReportJson> | null;
  if (!d || typeof d !== 'object' || typeof d.stack !== 'string' || !Array.isArray(d.findings) || !Array.isArray(d.suppressed)) {
    throw new Error(`${where}: not a policy report (expected { stack, rulePack, findings: [], suppressed: [] })`);
  }
  for (const f of d.findings) {
    if (f.level !== 'error' && f.level !== 'warning') throw new Error(`${where}: finding ${String(f.ruleId)} has level ${JSON.stringify(f.level)} (allowed: error, warning)`);
  }
  return d as PolicyReportJson;
}

/** All reports' findings together. */
export function summarizePolicy(reports: readonly PolicyReportJson[]): PolicySummary {
  const findings = reports.flatMap((r) => r.findings.map((f) => ({ ...f, stack: r.stack })));
  const level = (l: string) => (l === 'error' ? 0 : 1);
  findings.sort((a, b) => level(a.level) - level(b.level) || cmp(a.stack, b.stack) || cmp(a.ruleId, b.ruleId) || cmp(a.path, b.path));
  const suppressions = reports.flatMap((r) => r.suppressed.map((s) => ({ ...s, stack: r.stack })));
  return {
    errors: findings.filter((f) => f.level === 'error').length,
    warnings: findings.filter((f) => f.level === 'warning').length,
    suppressed: suppressions.length,
    findings,
    suppressions,
    stacks: reports.map((r) => r.stack).sort(),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
