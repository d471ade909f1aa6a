/**
 * A plan per stack for the pull-request review:
 *
 *   node --import tsx scripts/review/plans.ts --head cdktf.out --base base/cdktf.out --out review
 *
 * For each stack in `<head>/stacks/*\/cdk.tf.json` (see {@link planMode}):
 * - real `terraform plan` (in the stack's synthesized folder, with its own backend) when the
 *   credentials are configured: every input variable without a default has its `TF_VAR_<name>`, and
 *   for an S3 backend `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` are set. Terraform runs with the
 *   Hetzner Object Storage checksum settings (S3_CHECKSUM_ENVIRONMENT:
 *   AWS_REQUEST_CHECKSUM_CALCULATION=when_required, AWS_RESPONSE_CHECKSUM_VALIDATION=when_required):
 *   since terraform 1.11 the S3 backend's AWS SDK sends CRC32 checksums on uploads and
 *   `x-amz-checksum-mode` on downloads by default, which `skip_s3_checksum` does not turn off
 *   (hashicorp/terraform#36704; Hetzner named among the affected stores in hashicorp/terraform#37130;
 *   the variables are the AWS SDKs' documented switches: AWS SDKs and Tools Reference Guide, "Data
 *   integrity protections for Amazon S3"). `-lock=false`: a review plan writes no state and must not
 *   block a deploy.
 * - otherwise the offline stand-in plan (__tests__/support/terraform: terraform core with stand-in
 *   providers, no real API): the base branch's configuration of the stack is applied offline first
 *   (when the base has the stack), so the plan shows what the pull request changes.
 *
 * Writes `<out>/<stack>.plan.json` (`terraform show -json`), `<out>/<stack>.plan.txt`
 * (`terraform show`) and `<out>/plans.json` (`PlanRecord[]`). Never prints a variable's value.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { S3_CHECKSUM_ENVIRONMENT } from '../../lib/object-store/locations';
import type { PlanSource } from '../../lib/review';
import { startStandIn, TERRAFORM } from '../../__tests__/support/terraform';

/** One stack's plan as the comment script reads it. */
export interface PlanRecord {
  readonly stack: string;
  readonly source: PlanSource;
  /** File names in the output folder. */
  readonly json: string;
  readonly text: string;
  readonly note?: string;
}

type Json = Record<string, any>;

/** Stacks of a synthesized output folder (`<dir>/stacks/<name>/cdk.tf.json`), by name. */
export function readStacks(outDir: string): Map<string, Json> {
  const stacks = new Map<string, Json>();
  const dir = join(outDir, 'stacks');
  if (!existsSync(dir)) return stacks;
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'cdk.tf.json');
    if (existsSync(file)) stacks.set(name, JSON.parse(readFileSync(file, 'utf8')));
  }
  return stacks;
}

/** Whether a real plan can run for `stack`, or what is missing (names only, never values). */
export function realPlanReadiness(stack: Json, env: NodeJS.ProcessEnv): { ready: true } | { ready: false; missing: string[] } {
  const missing: string[] = [];
  for (const [name, decl] of Object.entries<Json>(stack.variable ?? {})) {
    if (decl.default === undefined && !env[`TF_VAR_${name}`]) missing.push(`TF_VAR_${name}`);
  }
  if (stack.terraform?.backend?.s3) {
    for (const v of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) if (!env[v]) missing.push(v);
  }
  return missing.length ? { ready: false, missing } : { ready: true };
}

/**
 * `AIAI_REVIEW_PLAN`: `offline` (the default: every stack gets the stand-in plan), `auto` (a real
 * plan where the credentials are configured, offline elsewhere: the workflow's setting) or `real`
 * (a real plan for every stack; missing credentials fail).
 */
export type PlanMode = 'offline' | 'auto' | 'real';

export function planMode(env: NodeJS.ProcessEnv): PlanMode {
  const m = env.AIAI_REVIEW_PLAN ?? 'offline';
  if (m !== 'offline' && m !== 'auto' && m !== 'real') throw new Error(`AIAI_REVIEW_PLAN must be offline, auto or real, got ${JSON.stringify(m)}`);
  return m;
}

/** Why this stack gets an offline plan (for the comment), or undefined for a real plan. */
export function offlineReason(stack: Json, env: NodeJS.ProcessEnv): string | undefined {
  const mode = planMode(env);
  if (mode === 'offline') return 'AIAI_REVIEW_PLAN is offline';
  const r = realPlanReadiness(stack, env);
  if (r.ready) return undefined;
  const shown = r.missing.slice(0, 6).join(', ');
  const why = `no credentials for a real plan (not set: ${shown}${r.missing.length > 6 ? `, and ${r.missing.length - 6} more` : ''})`;
  if (mode === 'real') throw new Error(`AIAI_REVIEW_PLAN=real: ${why}`);
  return why;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(TERRAFORM, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

async function must(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await terraform(args, cwd, env);
  if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} in ${cwd} exited ${r.status}:\n${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A real plan in the stack's synthesized folder. */
async function realPlan(stackDir: string, env: NodeJS.ProcessEnv): Promise<{ json: Json; text: string }> {
  const tfEnv = { ...env, ...S3_CHECKSUM_ENVIRONMENT, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  await must(['init', '-input=false', '-no-color'], stackDir, tfEnv);
  await must(['plan', '-input=false', '-no-color', '-lock=false', '-out=review.tfplan'], stackDir, tfEnv);
  const json = JSON.parse(await must(['show', '-json', '-no-color', 'review.tfplan'], stackDir, tfEnv));
  const text = await must(['show', '-no-color', 'review.tfplan'], stackDir, tfEnv);
  return { json, text };
}

export interface PlanAllOptions {
  readonly head: string;
  /** @default undefined (offline plans start from empty state) */
  readonly base?: string;
  readonly out: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default console.error */
  readonly log?: (line: string) => void;
}

/** Plans every head stack; returns the records written to `<out>/plans.json`. */
export async function planAll(opts: PlanAllOptions): Promise<PlanRecord[]> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((l: string) => console.error(l));
  const head = readStacks(opts.head);
  if (head.size === 0) throw new Error(`no synthesized stacks in ${opts.head}/stacks: run npm run synth first`);
  const base = opts.base ? readStacks(opts.base) : new Map<string, Json>();
  mkdirSync(opts.out, { recursive: true });
  const records: PlanRecord[] = [];
  const offline = [...head].filter(([, json]) => offlineReason(json, env) !== undefined);
  for (const [stack, json] of head) {
    if (offlineReason(json, env) !== undefined) continue;
    log(`review: real terraform plan of ${stack}`);
    const { json: plan, text } = await realPlan(resolve(opts.head, 'stacks', stack), env);
    records.push(write(opts.out, stack, 'terraform', plan, text));
  }
  if (offline.length) {
    const tf = await startStandIn();
    try {
      for (const [stack, json] of offline) {
        const notes = [offlineReason(json, env)!];
        const before = base.get(stack);
        let ws = tf.workspace(before ?? json);
        if (before) {
          try {
            await ws.apply({ stripLocalExec: true });
            ws.setConfig(json);
          } catch (e) {
            notes.push(`the base configuration did not apply offline, so this plan starts from empty state (${String(e).split('\n')[0]})`);
            ws = tf.workspace(json);
          }
        } else {
          notes.push(opts.base ? 'the stack is new on this branch: planned from empty state' : 'no base given: planned from empty state');
        }
        log(`review: offline plan of ${stack}`);
        const plan = await ws.plan();
        const text = await ws.run(['show', '-no-color', 'tfplan']);
        records.push(write(opts.out, stack, 'offline', plan.json, text.stdout, notes.join('; ')));
      }
    } finally {
      await tf.close();
    }
  }
  records.sort((a, b) => (a.stack < b.stack ? -1 : 1));
  writeFileSync(join(opts.out, 'plans.json'), `${JSON.stringify(records, null, 2)}\n`);
  return records;
}

function write(out: string, stack: string, source: PlanSource, plan: Json, text: string, note?: string): PlanRecord {
  const rec: PlanRecord = { stack, source, json: `${stack}.plan.json`, text: `${stack}.plan.txt`, note };
  writeFileSync(join(out, rec.json), JSON.stringify(plan));
  writeFileSync(join(out, rec.text), text);
  return rec;
}

/** `--name value` arguments. */
export function args(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${m[1]} needs a value`);
    out[m[1]] = v;
    i++;
  }
  return out;
}

if (require.main === module) {
  const a = args(process.argv.slice(2));
  planAll({ head: a.head ?? 'cdktf.out', base: a.base, out: a.out ?? 'review' }).then(
    (r) => console.error(`review: ${r.length} plans written to ${a.out ?? 'review'}`),
    (e: unknown) => {
      console.error(String(e instanceof Error ? e.message : e));
      process.exit(1);
    },
  );
}
