/**
 * The pull-request review comment: plans per stack (stateful replacements first), the monthly cost
 * delta against the base branch and the rule pack's findings, as one Markdown document. Pure: the
 * workflow's scripts (scripts/review) gather the inputs and post the result.
 */
import { CostDelta } from './cost-delta';
import { PolicySummary } from './findings';
import { code, escapeText, euro, euroDelta, FENCE, fencedLine } from './markdown';
import { ChangeAction, ResourceChange, StackPlan } from './plan';

/**
 * Hidden first line of the comment: the workflow finds its own comment by it and updates that one
 * instead of adding another on every push.
 */
export const REVIEW_MARKER = '<!-- aiai-review -->';

/**
 * GitHub's limit on an issue or pull-request comment body: 65,536 characters (the REST API answers
 * 422 "body is too long (maximum is 65536 characters)"; docs.github.com, REST "Create an issue
 * comment" lists `body` without a limit, the limit is the one the web UI and API enforce).
 */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** What the offline plans are, in the words the comment uses. */
export const OFFLINE_PLAN_NOTE = 'offline plan: provider stand-in, no real API';

/** Where the full plans are. */
export interface PlanArtifact {
  /** Name of the workflow artifact holding every plan (`terraform show` text and JSON). */
  readonly name: string;
  /** Link to the workflow run whose artifacts list it. @default undefined (no link) */
  readonly url?: string;
}

export interface ReviewInput {
  readonly plans: readonly StackPlan[];
  /** @default undefined (the cost section says that no cost data was computed, with `costNote`) */
  readonly cost?: CostDelta;
  /** Why there is no cost delta. @default undefined */
  readonly costNote?: string;
  /** @default undefined (the policy section says that no report was found, with `policyNote`) */
  readonly policy?: PolicySummary;
  /** Why there are no findings. @default undefined */
  readonly policyNote?: string;
  /** @default undefined (truncation notes name no artifact) */
  readonly artifact?: PlanArtifact;
  /** Short commit of the head the comment describes. @default undefined */
  readonly headSha?: string;
  /** Short commit or ref of the base. @default undefined */
  readonly base?: string;
  /** The comment's length limit. @default GITHUB_COMMENT_LIMIT */
  readonly maxChars?: number;
}

const SYMBOL: Record<ChangeAction, string> = { create: '+', update: '~', delete: '-', replace: '-/+', read: '<=', forget: '.', 'no-op': ' ' };
const SHOWN_ACTIONS: readonly ChangeAction[] = ['create', 'update', 'replace', 'delete'];

/** Room kept for the notes the budget adds (truncation notes, closing tags). */
const RESERVE = 1_500;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function countsLine(p: StackPlan): string {
  const parts = SHOWN_ACTIONS.filter((a) => p.counts[a] > 0).map((a) => `${p.counts[a]} to ${a}`);
  if (p.counts.read) parts.push(`${p.counts.read} to read`);
  if (p.counts.forget) parts.push(`${p.counts.forget} to forget`);
  return parts.length ? parts.join(', ') : 'no changes';
}

function changeLine(c: ResourceChange): string {
  const why = c.replacePaths.length ? `  # forced by ${c.replacePaths.join(', ')}` : '';
  return fencedLine(`${SYMBOL[c.action].padEnd(3)} ${c.address}${why}`);
}

function dangerLine(c: ResourceChange, stack: string): string {
  const why = c.replacePaths.length ? ` — forced by ${c.replacePaths.map(code).join(', ')}` : '';
  return `- **${c.action}** ${code(c.address)} in ${code(stack)}${why}`;
}

/** A list cut to a character budget: the lines that fit and how many did not. */
function fit(lines: readonly string[], budget: number): { shown: string[]; omitted: number } {
  const shown: string[] = [];
  let used = 0;
  for (const l of lines) {
    if (used + l.length + 1 > budget) break;
    shown.push(l);
    used += l.length + 1;
  }
  return { shown, omitted: lines.length - shown.length };
}

function where(artifact: PlanArtifact | undefined): string {
  if (!artifact) return "this workflow run's artifacts";
  return artifact.url ? `the artifact ${code(artifact.name)} of [this workflow run](${artifact.url})` : `the artifact ${code(artifact.name)}`;
}

function header(input: ReviewInput): string[] {
  const plans = input.plans;
  const out = [REVIEW_MARKER, '## aiai review: plan, cost and policy', ''];
  const meta = [input.headSha ? `head ${code(input.headSha)}` : '', input.base ? `base ${code(input.base)}` : ''].filter(Boolean).join(' · ');
  if (meta) out.push(`<sub>${meta}</sub>`, '');
  if (plans.length === 0) {
    out.push('No stack was planned.', '');
    return out;
  }
  out.push('| stack | plan | create | update | replace | delete |', '| --- | --- | ---: | ---: | ---: | ---: |');
  for (const p of plans) {
    const kind = p.source === 'offline' ? 'offline ⚠️' : 'terraform';
    out.push(`| ${code(p.stack)} | ${kind} | ${p.counts.create} | ${p.counts.update} | ${p.counts.replace} | ${p.counts.delete} |`);
  }
  out.push('');
  const offline = plans.filter((p) => p.source === 'offline');
  if (offline.length) {
    out.push(`> ⚠️ **${OFFLINE_PLAN_NOTE}** (${offline.map((p) => code(p.stack)).join(', ')}): terraform core planned with stand-in providers, from the state of the base branch's configuration (applied offline) where the base has the stack; it shows what the configuration changes, not what the real project holds.`);
    for (const p of offline.filter((x) => x.note)) out.push(`> ${code(p.stack)}: ${escapeText(p.note!)}`);
    out.push('');
  }
  return out;
}

function dangerSection(input: ReviewInput, budget: number): string[] {
  const all = input.plans.flatMap((p) => p.dangerous.map((c) => dangerLine(c, p.stack)));
  const out = [`### ${all.length ? '⚠️ ' : ''}Stateful resources replaced or deleted: ${all.length}`, ''];
  if (all.length === 0) {
    out.push('No server, volume, load balancer, IP, bucket or network is replaced or deleted.', '');
    return out;
  }
  const { shown, omitted } = fit(all, budget);
  out.push(...shown);
  if (omitted) out.push(`- … and ${omitted} more: see ${where(input.artifact)}`);
  out.push('');
  return out;
}

function costSection(input: ReviewInput, budget: number): string[] {
  const out = ['### Monthly cost', ''];
  const c = input.cost;
  if (!c) {
    out.push(`No cost data${input.costNote ? `: ${escapeText(input.costNote)}` : '.'}`, '');
    return out;
  }
  if (c.baseMissing) {
    out.push(`**${euro(c.headEur)}** per month for this branch; ${escapeText(c.baseMissing)}, so no delta.`, '');
  } else {
    out.push(`**${euro(c.headEur)}** per month (base ${euro(c.baseEur)}): **${euroDelta(c.deltaEur)}**.`, '');
  }
  out.push('| stack | base | head | delta |', '| --- | ---: | ---: | ---: |');
  for (const s of c.stacks) {
    const mark = s.status === 'added' ? ' (new)' : s.status === 'removed' ? ' (removed)' : '';
    const baseCell = c.baseMissing || s.status === 'added' ? '—' : euro(s.baseEur);
    const deltaCell = c.baseMissing ? '—' : euroDelta(s.deltaEur);
    out.push(`| ${code(s.stack)}${mark}${s.estimated ? ' *' : ''} | ${baseCell} | ${euro(s.headEur)} | ${deltaCell} |`);
  }
  out.push('');
  if (c.stacks.some((s) => s.estimated)) out.push('<sub>* includes usage-based estimates (e.g. runner hours, snapshots).</sub>', '');
  if (c.catalogs.length) out.push(`<sub>Prices: ${c.catalogs.map(escapeText).join('; ')}.</sub>`, '');
  if (!c.baseMissing) {
    const items = c.stacks.flatMap((s) =>
      s.items.map((i) => `| ${code(s.stack)} | ${code(i.address)} | ${escapeText(i.description)} | ${i.status} | ${euroDelta(i.deltaEur)} |`),
    );
    if (items.length) {
      const { shown, omitted } = fit(items, budget - 300);
      out.push(`<details><summary>${plural(items.length, 'item')} changed</summary>`, '', '| stack | resource | item | change | delta |', '| --- | --- | --- | --- | ---: |', ...shown);
      if (omitted) out.push(`| … | ${plural(omitted, 'more item')} | | | |`);
      out.push('', '</details>', '');
    }
  }
  return out;
}

function policySection(input: ReviewInput, budget: number): string[] {
  const out = ['### Policy: aiai-hetzner rule pack', ''];
  const p = input.policy;
  if (!p) {
    out.push(`No policy report${input.policyNote ? `: ${escapeText(input.policyNote)}` : '.'}`, '');
    return out;
  }
  const icon = p.errors ? '❌' : p.warnings ? '⚠️' : '✅';
  out.push(`${icon} ${plural(p.errors, 'error')}, ${plural(p.warnings, 'warning')}, ${p.suppressed} suppressed (${p.stacks.map(code).join(', ') || 'no stack'}).`, '');
  if (p.findings.length) {
    const rows = p.findings.map(
      (f) => `| ${f.level === 'error' ? '❌ error' : '⚠️ warning'} | ${code(f.ruleId)} | ${code(f.resource ?? f.path)} | ${escapeText(f.message)} | ${escapeText(f.fix)} |`,
    );
    const { shown, omitted } = fit(rows, budget - 200);
    out.push('| level | rule | where | finding | fix |', '| --- | --- | --- | --- | --- |', ...shown);
    if (omitted) out.push(`| … | | | ${plural(omitted, 'more finding')}: see the policy reports in ${where(input.artifact)} | |`);
    out.push('');
  }
  if (p.suppressions.length) {
    const rows = p.suppressions.map((s) => `- ${code(s.ruleId)} on ${code(s.path)}: ${escapeText(s.reason)}`);
    const { shown, omitted } = fit(rows, Math.max(0, budget / 4));
    out.push(`<details><summary>${plural(p.suppressions.length, 'suppression')}</summary>`, '', ...shown);
    if (omitted) out.push(`- … and ${omitted} more`);
    out.push('', '</details>', '');
  }
  return out;
}

function planSections(input: ReviewInput, budget: number, limit: number): string[] {
  const out = ['### Plans', ''];
  let left = budget;
  let omittedTotal = 0;
  for (const p of input.plans) {
    const open = `<details><summary>${code(p.stack)}: ${countsLine(p)}${p.source === 'offline' ? ` (${OFFLINE_PLAN_NOTE})` : ''}</summary>`;
    if (p.changes.length === 0) {
      out.push(`- ${code(p.stack)}: no changes${p.source === 'offline' ? ` (${OFFLINE_PLAN_NOTE})` : ''}`);
      left -= open.length;
      continue;
    }
    const { shown, omitted } = fit(p.changes.map(changeLine), left - open.length - 200);
    left -= open.length + 200 + shown.reduce((s, l) => s + l.length + 1, 0);
    omittedTotal += omitted;
    out.push(open, '', `${FENCE}diff`, ...shown);
    if (omitted) out.push(fencedLine(`... ${plural(omitted, 'more change')} not shown (comment size limit)`));
    out.push(FENCE, '', '</details>', '');
  }
  out.push('');
  if (omittedTotal) {
    out.push(`> ✂️ **Truncated:** ${plural(omittedTotal, 'change')} did not fit in this comment (limit: ${limit.toLocaleString('en-US')} characters). The full plans are in ${where(input.artifact)}.`, '');
  } else if (input.artifact) {
    out.push(`<sub>Full plans (\`terraform show\` text and JSON): ${where(input.artifact)}.</sub>`, '');
  }
  return out;
}

function join(lines: readonly string[]): string {
  return lines.join('\n');
}

/**
 * The review comment as Markdown, never longer than `maxChars` (GitHub's 65,536 by default). The
 * stateful replacements, the cost and the policy findings come before the plans; when the whole
 * does not fit, the plans' lists are cut first (with a note naming the artifact), then the other
 * lists, each with the count of what was left out.
 */
export function renderReviewComment(input: ReviewInput): string {
  const limit = input.maxChars ?? GITHUB_COMMENT_LIMIT;
  const head = join(header(input));
  let left = limit - head.length - RESERVE;
  // Each list section may use a share of what is left; what it does not use flows to the next.
  const danger = join(dangerSection(input, Math.max(0, left * 0.4)));
  left -= danger.length;
  const policy = join(policySection(input, Math.max(0, left * 0.35)));
  left -= policy.length;
  const cost = join(costSection(input, Math.max(0, left * 0.3)));
  left -= cost.length;
  const plans = join(planSections(input, Math.max(0, left), limit));
  const body = [head, danger, cost, policy, plans].join('\n');
  if (body.length <= limit) return body;
  // Only reachable with hundreds of stacks: cut hard, keeping the marker.
  const note = `\n\n> ✂️ **Truncated** at ${limit} characters: see ${where(input.artifact)}.\n`;
  return body.slice(0, limit - note.length) + note;
}
