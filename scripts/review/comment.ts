/**
 * Renders the review comment from what the other review scripts wrote, and posts or updates it:
 *
 *   node --import tsx scripts/review/comment.ts --plans review --cost review/cost.json \
 *     --stacks cdktf.out --out review/comment.md [--post true]
 *
 * Reads `<plans>/plans.json` (scripts/review/plans.ts), `<cost>` (scripts/review/cost.ts) and the
 * rule pack's reports `<stacks>/stacks/<stack>/aiai-policy-report.json` (contract 3). With
 * `--post true` it updates the pull request's one review comment (found by REVIEW_MARKER) through
 * GITHUB_TOKEN, GITHUB_REPOSITORY and the pull request number of GITHUB_EVENT_PATH (or `--pr N`).
 * `AIAI_REVIEW_ARTIFACT` names the artifact with the full plans, GITHUB_SERVER_URL/GITHUB_RUN_ID
 * link the run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  costDelta,
  parsePolicyReport,
  PlanArtifact,
  PolicyReportJson,
  renderReviewComment,
  REVIEW_MARKER,
  ReviewInput,
  summarizePolicy,
  summarizeStackPlan,
} from '../../lib/review';
import type { CostInputs } from './cost';
import { ReviewCommentClient } from './github-comments';
import { args, PlanRecord } from './plans';

/** The rule pack's report file in each synthesized stack folder (contract 3). */
export const POLICY_REPORT_FILE = 'aiai-policy-report.json';

/** Default name of the artifact with the full plans (the workflow uploads it under this name). */
export const PLAN_ARTIFACT = 'aiai-review';

export function readPolicyReports(outDir: string): PolicyReportJson[] {
  const dir = join(outDir, 'stacks');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((s) => join(dir, s, POLICY_REPORT_FILE))
    .filter(existsSync)
    .map((f) => parsePolicyReport(JSON.parse(readFileSync(f, 'utf8')), f));
}

export interface BuildOptions {
  readonly plansDir: string;
  /** @default undefined (no cost section data) */
  readonly costFile?: string;
  readonly stacksDir: string;
  /** @default undefined */
  readonly artifact?: PlanArtifact;
  /** @default undefined */
  readonly headSha?: string;
  /** @default undefined */
  readonly base?: string;
}

/** The renderer's input from the files of one run. */
export function buildReviewInput(o: BuildOptions): ReviewInput {
  const records = JSON.parse(readFileSync(join(o.plansDir, 'plans.json'), 'utf8')) as PlanRecord[];
  const plans = records.map((r) => summarizeStackPlan(JSON.parse(readFileSync(join(o.plansDir, r.json), 'utf8')), { stack: r.stack, source: r.source, note: r.note }));
  let cost: ReviewInput['cost'];
  let costNote: string | undefined;
  if (o.costFile && existsSync(o.costFile)) {
    const c = JSON.parse(readFileSync(o.costFile, 'utf8')) as CostInputs;
    if (c.head) cost = costDelta(c.base, c.head, c.baseMissing);
    else costNote = c.headMissing;
  } else {
    costNote = 'the cost step did not run';
  }
  const reports = readPolicyReports(o.stacksDir);
  return {
    plans,
    cost,
    costNote,
    policy: reports.length ? summarizePolicy(reports) : undefined,
    policyNote: reports.length ? undefined : `no ${POLICY_REPORT_FILE} in ${o.stacksDir}/stacks/*`,
    artifact: o.artifact,
    headSha: o.headSha,
    base: o.base,
  };
}

/** The pull request number of a `pull_request` event payload. */
export function pullRequestNumber(eventPath: string | undefined): number | undefined {
  if (!eventPath || !existsSync(eventPath)) return undefined;
  const ev = JSON.parse(readFileSync(eventPath, 'utf8')) as { pull_request?: { number?: number }; number?: number };
  return ev.pull_request?.number ?? ev.number;
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const env = process.env;
  const runUrl = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const input = buildReviewInput({
    plansDir: a.plans ?? 'review',
    costFile: a.cost ?? 'review/cost.json',
    stacksDir: a.stacks ?? 'cdktf.out',
    artifact: { name: env.AIAI_REVIEW_ARTIFACT ?? PLAN_ARTIFACT, url: runUrl },
    headSha: a.head?.slice(0, 12),
    base: a.base?.slice(0, 12),
  });
  const body = renderReviewComment(input);
  const out = a.out ?? 'review/comment.md';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, body);
  console.error(`review: comment of ${body.length} characters written to ${out}`);
  if (a.post !== 'true') return;
  const pr = a.pr ? Number(a.pr) : pullRequestNumber(env.GITHUB_EVENT_PATH);
  if (!pr) throw new Error('no pull request number: give --pr N or run on a pull_request event');
  const client = new ReviewCommentClient({ token: env.GITHUB_TOKEN ?? '', repository: env.GITHUB_REPOSITORY ?? '' });
  const r = await client.upsert(pr, body, REVIEW_MARKER);
  console.error(`review: comment ${r.action}: ${r.url ?? r.id}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(String(e instanceof Error ? e.message : e));
    process.exit(1);
  });
}
