/**
 * `npm run bench`: the figures behind the README's performance claims. Not a test: it measures and
 * prints a table. Runs on the current machine; compare runs on the same machine only.
 *   - cold start: a fresh `node --import tsx main.ts` (module loading + synth + write), median of N
 *   - warm synth: building and synthesizing the reference app in this process, median of N
 *   - user_data size of every server against Hetzner's 32 KiB limit, and the size of the host
 *     manifest its HostConfiguration delivers after boot (no limit: uploaded over SSH)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'cdktf';
import { buildReferenceApp } from '../main';
import { HetznerLimits } from '../lib/hetzner/catalog';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fmt(ms: number): string {
  return `${ms.toFixed(0)} ms`;
}

const rows: [string, string][] = [];
const root = join(__dirname, '..');

// Cold start: a new process each time, as `cdktf synth` runs the app.
const cold: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const out = mkdtempSync(join(tmpdir(), 'aiai-bench-'));
  const t0 = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: root, env: { ...process.env, CDKTF_OUTDIR: out, CHECKPOINT_DISABLE: '1' }, stdio: 'ignore' });
  cold.push(performance.now() - t0);
  rmSync(out, { recursive: true, force: true });
}
rows.push([`cold synth, new process (median of ${RUNS})`, fmt(median(cold))]);

// Warm: build + synth in this process.
const warm: number[] = [];
let lastOut = '';
for (let i = 0; i < RUNS; i++) {
  const out = mkdtempSync(join(tmpdir(), 'aiai-bench-'));
  const t0 = performance.now();
  const app = new App({ outdir: out });
  buildReferenceApp(app);
  app.synth();
  warm.push(performance.now() - t0);
  if (lastOut) rmSync(lastOut, { recursive: true, force: true });
  lastOut = out;
}
rows.push([`warm build+synth in process (median of ${RUNS})`, fmt(median(warm))]);

for (const stack of readdirSync(join(lastOut, 'stacks'))) {
  const json = JSON.parse(readFileSync(join(lastOut, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  const servers: Record<string, { name: string; user_data?: string }> = json.resource?.hcloud_server ?? {};
  for (const s of Object.values(servers)) {
    const bytes = Buffer.byteLength(s.user_data ?? '');
    rows.push([`user_data ${stack}/${s.name}`, `${bytes} B (${((bytes / HetznerLimits.userDataBytes) * 100).toFixed(0)} % of 32 KiB)`]);
  }
  const data: Record<string, { provisioner?: Record<string, { destination?: string; content?: string }>[] }> = json.resource?.terraform_data ?? {};
  for (const [name, r] of Object.entries(data)) {
    const upload = (r.provisioner ?? []).map((p) => p.file).find((f) => f?.destination?.endsWith('/host-manifest.json'));
    if (upload?.content) rows.push([`delivered manifest ${stack}/${name.replace(/_Configuration_Converge_[0-9A-F]+$/, '')}`, `${Buffer.byteLength(upload.content)} B`]);
  }
  const count = Object.values(json.resource ?? {}).reduce((n: number, r) => n + Object.keys(r as object).length, 0);
  rows.push([`resources in ${stack}`, String(count)]);
}
rmSync(lastOut, { recursive: true, force: true });

const width = Math.max(...rows.map(([k]) => k.length));
console.log(`aiai-hetzner bench (node ${process.version}, ${new Date().toISOString()})`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
