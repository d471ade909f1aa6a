/**
 * The cost of base and head for the review:
 *
 *   node --import tsx scripts/review/cost.ts --head . --base base --out review/cost.json
 *
 * Runs `npm run --silent cost -- --json` in each checkout (contract 2: prints
 * `{ stacks: StackCostEstimate[] }`). A checkout whose package.json has no `cost` script (a base
 * branch from before the cost estimator) or whose run fails is recorded as missing with the reason,
 * and the comment then says "no cost data for base" instead of a delta.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CostReportJson } from '../../lib/review';
import { args } from './plans';

/** What cost.json holds. */
export interface CostInputs {
  readonly head?: CostReportJson;
  readonly headMissing?: string;
  readonly base?: CostReportJson;
  readonly baseMissing?: string;
}

export type CommandRunner = (cwd: string) => { status: number | null; stdout: string; stderr: string };

const runCost: CommandRunner = (cwd) => {
  const r = spawnSync('npm', ['run', '--silent', 'cost', '--', '--json'], { cwd, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
};

/** The `{ stacks }` document in a command's output (the JSON may follow log lines of a synth). */
export function parseCostOutput(stdout: string): CostReportJson {
  const start = stdout.search(/^\{/m);
  if (start < 0) throw new Error('no JSON object in the output of npm run cost -- --json');
  const doc = JSON.parse(stdout.slice(start)) as Partial<CostReportJson>;
  if (!Array.isArray(doc.stacks)) throw new Error('npm run cost -- --json printed no { stacks: [...] }');
  return doc as CostReportJson;
}

/** The cost report of one checkout, or why there is none. */
export function costOf(dir: string, run: CommandRunner = runCost): { report?: CostReportJson; missing?: string } {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile)) return { missing: `no package.json in ${dir}` };
  const scripts = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (!scripts.cost) return { missing: 'no cost script (npm run cost) on this branch' };
  const r = run(dir);
  if (r.status !== 0) return { missing: `npm run cost failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}` };
  try {
    return { report: parseCostOutput(r.stdout) };
  } catch (e) {
    return { missing: (e as Error).message };
  }
}

export function collectCost(head: string, base: string | undefined, run: CommandRunner = runCost): CostInputs {
  const h = costOf(head, run);
  const b = base ? costOf(base, run) : { missing: 'no base checkout' };
  return { head: h.report, headMissing: h.missing, base: b.report, baseMissing: b.missing && `no cost data for base: ${b.missing}` };
}

if (require.main === module) {
  const a = args(process.argv.slice(2));
  const out = a.out ?? 'review/cost.json';
  const inputs = collectCost(a.head ?? '.', a.base);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(inputs, null, 2)}\n`);
  console.error(`review: cost of head ${inputs.head ? 'read' : `missing (${inputs.headMissing})`}, base ${inputs.base ? 'read' : `missing (${inputs.baseMissing})`}`);
}
