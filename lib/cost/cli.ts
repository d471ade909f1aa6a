/**
 * `aiai-cost` (`npm run cost`): the monthly cost of every synthesized stack, item by item.
 * Reads `cdktf.out/stacks/<stack>/cdk.tf.json`; when there is none it synthesizes first with the
 * app command of `cdktf.json` (the reference app: `node --import tsx main.ts`). Needs no terraform
 * and no credentials. Runtime-safe: no cdktf or constructs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliMain } from '../core/run-cli';
import { ValidationError } from '../core/validation-error';
import { DEFAULT_RUNNER_HOURS, estimateStackCost, StackCostEstimate } from './estimate';
import { formatCostEstimate } from './format';
import { CURRENT_PRICE_CATALOG, PRICE_CATALOGS } from './price-catalog';

export const COST_USAGE = `usage: aiai-cost [--json] [--hours N] [--catalog ID] [--stack NAME]... [--out DIR]

Prints every billable item of each synthesized stack and its monthly total in EUR (excl. VAT).
  --json          print { "stacks": [StackCostEstimate, ...] }
  --hours N       billed hours per month of each per-job runner pool (every started hour counts;
                  default ${DEFAULT_RUNNER_HOURS})
  --catalog ID    price catalog: ${Object.keys(PRICE_CATALOGS).join(', ')} (default ${CURRENT_PRICE_CATALOG})
  --stack NAME    only this stack (repeatable; default every stack)
  --out DIR       the synth output folder (default cdktf.out); synthesized first when it has no stacks
Exit codes: 0 estimated, 1 nothing to estimate or a resource that cannot be priced, 2 bad arguments.`;

/** The app command used when the folder has no cdktf.json `app`. */
export const DEFAULT_SYNTH_COMMAND = 'node --import tsx main.ts';

export interface CostArgs {
  readonly json: boolean;
  readonly hours: number;
  readonly catalog: string;
  readonly stacks: readonly string[];
  readonly out: string;
  readonly help: boolean;
}

/** Thrown for bad command-line arguments (exit code 2). */
export class UsageError extends Error {}

export function parseCostArgs(argv: readonly string[]): CostArgs {
  let json = false;
  let help = false;
  let hours = DEFAULT_RUNNER_HOURS;
  let catalog = CURRENT_PRICE_CATALOG;
  let out = 'cdktf.out';
  const stacks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--json':
        json = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      case '--hours': {
        const v = value();
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--hours: got ${JSON.stringify(v)}; allowed: a number of hours from 0 up`);
        hours = n;
        break;
      }
      case '--catalog': {
        const v = value();
        if (!PRICE_CATALOGS[v]) throw new UsageError(`--catalog: got ${JSON.stringify(v)}; allowed: one of ${Object.keys(PRICE_CATALOGS).join(', ')}`);
        catalog = v;
        break;
      }
      case '--stack':
        stacks.push(value());
        break;
      case '--out':
        out = value();
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  return { json, hours, catalog, stacks, out, help };
}

/** Stack names under `<out>/stacks` that have a cdk.tf.json. */
function synthesizedStacks(out: string): string[] {
  const dir = join(out, 'stacks');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((s) => existsSync(join(dir, s, 'cdk.tf.json')))
    .sort();
}

function synthCommand(cwd: string): string {
  const cfg = join(cwd, 'cdktf.json');
  if (existsSync(cfg)) {
    const app = (JSON.parse(readFileSync(cfg, 'utf8')) as { app?: unknown }).app;
    if (typeof app === 'string' && app.trim() !== '') return app;
  }
  return DEFAULT_SYNTH_COMMAND;
}

export const main: CliMain = async (argv, env, io) => {
  let args: CostArgs;
  try {
    args = parseCostArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`aiai-cost: ${e.message}\n${COST_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${COST_USAGE}\n`);
    return 0;
  }
  const cwd = process.cwd();
  const out = resolve(cwd, args.out);
  let names = synthesizedStacks(out);
  if (names.length === 0) {
    const command = synthCommand(cwd);
    io.stderr.write(`aiai-cost: no stacks in ${args.out}/stacks; synthesizing with \`${command}\`\n`);
    const r = spawnSync(command, { cwd, env: { ...env, CDKTF_OUTDIR: out }, shell: true, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      io.stderr.write(`aiai-cost: synth failed (exit ${r.status ?? r.signal}):\n${r.stderr ?? ''}${r.error ? String(r.error) : ''}\n`);
      return 1;
    }
    names = synthesizedStacks(out);
    if (names.length === 0) {
      io.stderr.write(`aiai-cost: synth wrote no stack to ${args.out}/stacks\n`);
      return 1;
    }
  }
  const unknown = args.stacks.filter((s) => !names.includes(s));
  if (unknown.length > 0) {
    io.stderr.write(`aiai-cost: --stack: got ${unknown.map((s) => JSON.stringify(s)).join(', ')}; allowed: ${names.join(', ')}\n`);
    return 2;
  }
  const chosen = args.stacks.length > 0 ? names.filter((n) => args.stacks.includes(n)) : names;
  const estimates: StackCostEstimate[] = [];
  for (const name of chosen) {
    try {
      const json = JSON.parse(readFileSync(join(out, 'stacks', name, 'cdk.tf.json'), 'utf8')) as object;
      const e = estimateStackCost(json, { catalog: args.catalog, runnerHours: args.hours });
      estimates.push({ ...e, stack: e.stack ?? name });
    } catch (e) {
      if (!(e instanceof ValidationError) && !(e instanceof SyntaxError)) throw e;
      io.stderr.write(`aiai-cost: stack ${name}: ${e.message}\n`);
      return 1;
    }
  }
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ stacks: estimates }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${estimates.map(formatCostEstimate).join('\n\n')}\n`);
  if (estimates.length > 1) {
    const total = Math.round(estimates.reduce((s, e) => s + e.totalEur, 0) * 100) / 100;
    io.stdout.write(`\nAll ${estimates.length} stacks: ${total.toFixed(2)} EUR/month (runner pools at ${args.hours} h each)\n`);
    const withStorage = estimates.filter((e) => e.items.some((i) => i.kind === 'object-storage'));
    if (withStorage.length > 1) {
      io.stdout.write(
        `Note: ${withStorage.map((e) => e.stack).join(', ')} each list the Object Storage base price; stacks in one Hetzner project pay it once.\n`,
      );
    }
  }
  return 0;
};
