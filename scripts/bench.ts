/**
 * `npm run bench [-- --runs N] [--only CASE[,CASE]] [--json FILE] [--with-tests]`: the figures behind
 * the README's performance section, from one run on one machine. Every case is a cold process, run N
 * times (default 5) round-robin with the others (so load on a shared machine spreads over all of
 * them); the table shows medians of wall time, CPU time (user+sys) and peak RSS, and each case's
 * ratio to its floor. Also written as JSON (default bench/results.json).
 *
 * Cases: the floors (node + cdktf + an empty stack; the same through `npm run`; `cdktf synth` of that
 * app), the reference app (tsc-compiled JS, tsx, fast synth direct and through `npm run synth`, the
 * cdktf CLI), the naive baseline (bench/naive), scaling (10/100/1,000 persistent runner hosts),
 * optionally `npm test`; then a byte-for-byte check of `npm run synth` against `cdktf synth`, and the
 * deploy critical path of every stack (scripts/bench/critical-path.ts).
 *
 * Peak RSS: GNU time's %M when /usr/bin/time exists, else polling VmHWM in /proc/<pid>/status of the
 * process tree (the largest process, as GNU time reports it); CPU time is then not shown.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { criticalPath } from './bench/critical-path';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const CACHE = join(ROOT, 'node_modules', '.cache', 'aiai-bench');
const GNU_TIME = '/usr/bin/time';

interface Options {
  runs: number;
  only?: string[];
  json: string;
  withTests: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 5, json: join(ROOT, 'bench', 'results.json'), withTests: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--with-tests') o.withTests = true;
    else throw new Error(`bench: unknown argument ${a} (allowed: --runs N, --only CASE[,CASE], --json FILE, --with-tests)`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error(`bench: --runs must be a positive integer, got ${o.runs}`);
  return o;
}

interface Case {
  readonly id: string;
  readonly what: string;
  /** Case id this one is divided by in the ratio column. */
  readonly vs?: string;
  readonly runs?: number;
  /** Returns the command for one run; `out` is a fresh output folder. */
  readonly command: (out: string) => { cmd: string; args: string[]; cwd?: string; env?: Record<string, string> };
}

interface Sample {
  wallMs: number;
  cpuMs?: number;
  rssKiB?: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Peak VmHWM (KiB) over a process and its descendants, polled until it exits. */
async function runPolled(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Sample> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peak = 0;
  const hwm = (pid: number): void => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
      for (const t of readdirSync(`/proc/${pid}/task`)) {
        for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) hwm(Number(c));
      }
    } catch {
      // the process ended between listing and reading
    }
  };
  const timer = setInterval(() => child.pid && hwm(child.pid), 20);
  const code: number = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { wallMs: performance.now() - t0, rssKiB: peak || undefined };
}

async function runOnce(c: Case, out: string): Promise<Sample> {
  const { cmd, args, cwd = ROOT, env = {} } = c.command(out);
  const fullEnv = { ...process.env, CHECKPOINT_DISABLE: '1', ...env };
  if (!existsSync(GNU_TIME)) return runPolled(cmd, args, { cwd, env: fullEnv });
  const stats = join(out, '..', `${c.id}.time`);
  const t0 = performance.now();
  const r = spawnSync(GNU_TIME, ['-o', stats, '-f', '%M %U %S', cmd, ...args], { cwd, env: fullEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.id}: ${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(-2000)}`);
  const [rss, user, sys] = readFileSync(stats, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallMs, cpuMs: (user + sys) * 1000, rssKiB: rss };
}

// ---------------------------------------------------------------------------------------------
// Fixtures: the empty app (floor), the tsc build of the reference app, the naive app's data.

/** Hash of every file under the given paths (for cache keys). */
function hashOf(paths: string[]): string {
  const h = createHash('sha1');
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
    else h.update(relative(ROOT, p)).update(readFileSync(p));
  };
  for (const p of paths) walk(join(ROOT, p));
  return h.digest('hex').slice(0, 16);
}

/** main.ts + lib + bindings compiled by tsc into a cached folder laid out like the package. */
function compiledApp(): string {
  const dir = join(CACHE, `compiled-${hashOf(['main.ts', 'lib', '.gen', 'tsconfig.json', 'tsconfig.build.json'])}`);
  const main = join(dir, 'dist', 'main.js');
  if (existsSync(main)) return main;
  // Built beside and renamed into place when complete: an interrupted build leaves no half folder.
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const tsconfig = join(building, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.build.json'),
      compilerOptions: { outDir: join(building, 'dist'), rootDir: ROOT, declaration: false, incremental: false },
      include: [join(ROOT, 'main.ts'), join(ROOT, 'lib/**/*.ts'), join(ROOT, '.gen/**/*.ts')],
    }),
  );
  console.error('bench: compiling the reference app with tsc (cached) ...');
  const r = spawnSync(join(BIN, 'tsc'), ['-p', tsconfig], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
  // lib/core/assets.ts packageRoot(): dist/lib/core -> three up; assets live beside the sources.
  for (const p of ['cloud-init', 'package.json', 'lib', 'node_modules']) symlinkSync(join(ROOT, p), join(building, p));
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return main;
}

const FLOOR_APP = join(ROOT, 'bench', 'floor', 'empty-app.js');

/** A cdktf project around the empty app, for `cdktf synth`'s own floor. */
function floorCliProject(): string {
  const dir = join(CACHE, 'floor-cli');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${FLOOR_APP}`, projectId: 'aiai-bench-floor', sendCrashReports: 'false', terraformProviders: [], terraformModules: [], context: {} }));
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function fastSynth(out: string): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'synth', 'fast-synth.cjs'), '--output', out], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fast synth failed: ${r.stderr}`);
}

/** Every file under `dir`: relative path -> content hash. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

// ---------------------------------------------------------------------------------------------

function cases(): Case[] {
  const node = process.execPath;
  const synthEnv = (out: string): Record<string, string> => ({ CDKTF_OUTDIR: out });
  return [
    { id: 'floor-node', what: 'floor: node + cdktf, empty stack synthesized', command: (out) => ({ cmd: node, args: [FLOOR_APP], env: synthEnv(out) }) },
    { id: 'floor-npm', what: 'floor of the npm path: npm run bench:floor', command: (out) => ({ cmd: 'npm', args: ['run', '--silent', 'bench:floor'], env: synthEnv(out) }) },
    { id: 'floor-cli', what: "floor of the CLI: cdktf synth of the empty app", command: (out) => ({ cmd: join(BIN, 'cdktf'), args: ['synth', '--output', out], cwd: floorCliProject() }) },
    { id: 'app-compiled', what: 'reference app, tsc-compiled JS', vs: 'floor-node', command: (out) => ({ cmd: node, args: [compiledApp()], env: synthEnv(out) }) },
    { id: 'app-tsx', what: 'reference app, node --import tsx main.ts', vs: 'floor-node', command: (out) => ({ cmd: node, args: ['--import', 'tsx', 'main.ts'], env: synthEnv(out) }) },
    { id: 'app-fast', what: 'reference app, fast synth (bundle + code cache)', vs: 'floor-node', command: (out) => ({ cmd: node, args: ['scripts/synth/fast-synth.cjs', '--output', out] }) },
    { id: 'npm-synth', what: 'npm run synth (fast synth)', vs: 'floor-npm', command: (out) => ({ cmd: 'npm', args: ['run', '--silent', 'synth', '--', '--output', out] }) },
    { id: 'cdktf-synth', what: 'reference app through cdktf synth (npm run synth:cdktf)', vs: 'floor-cli', command: (out) => ({ cmd: join(BIN, 'cdktf'), args: ['synth', '--output', out] }) },
    {
      id: 'naive',
      what: 'naive baseline: barrels + ts-node + cdktf synth (bench/naive)',
      vs: 'npm-synth',
      runs: 3,
      command: (out) => ({ cmd: join(BIN, 'cdktf'), args: ['synth', '--output', out], cwd: join(ROOT, 'bench', 'naive') }),
    },
    ...[10, 100, 1000].map(
      (n): Case => ({
        id: `scale-${n}`,
        what: `scaling: ${n} persistent runner hosts, fast synth`,
        vs: n === 10 ? undefined : 'scale-10',
        runs: n === 1000 ? 3 : undefined,
        command: (out) => ({ cmd: node, args: ['scripts/synth/fast-synth.cjs', '--entry', 'bench/scale/app.ts', '--output', out], env: { AIAI_BENCH_HOSTS: String(n) } }),
      }),
    ),
  ];
}

interface Row {
  id: string;
  what: string;
  runs: number;
  wallMs: number;
  cpuMs?: number;
  rssMiB?: number;
  vs?: string;
  ratio?: number;
  cpuRatio?: number;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const all = cases();
  const selected = opts.only ? all.filter((c) => opts.only!.includes(c.id)) : all;
  if (opts.only) for (const id of opts.only) if (!all.some((c) => c.id === id) && id !== 'tests') throw new Error(`bench: no case ${id} (cases: ${all.map((c) => c.id).join(', ')}, tests)`);
  const work = mkdtempSync(join(tmpdir(), 'aiai-bench-'));
  const started = new Date().toISOString();
  const load = loadavg();

  // The naive app's data and the reference output (also warms the fast synth's cache).
  const reference = join(work, 'reference');
  fastSynth(reference);
  const stacks = readdirSync(join(reference, 'stacks')).sort();
  const generated = join(ROOT, 'bench', 'naive', '.generated');
  rmSync(generated, { recursive: true, force: true });
  mkdirSync(generated, { recursive: true });
  for (const s of stacks) cpSync(join(reference, 'stacks', s, 'cdk.tf.json'), join(generated, `${s}.json`));
  if (selected.some((c) => c.id === 'app-compiled')) compiledApp();
  // One untimed run of each case: caches (fast synth bundles, tsx, ts-node) are warm as in daily use.
  for (const c of selected) await runOnce(c, mkdtempSync(join(work, `${c.id}-warm-`)));

  const samples = new Map<string, Sample[]>(selected.map((c) => [c.id, []]));
  const lastOut = new Map<string, string>();
  for (let r = 0; r < opts.runs; r++) {
    for (const c of selected) {
      if (r >= (c.runs ?? opts.runs)) continue;
      const out = mkdtempSync(join(work, `${c.id}-`));
      samples.get(c.id)!.push(await runOnce(c, out));
      const prev = lastOut.get(c.id);
      if (prev) rmSync(prev, { recursive: true, force: true });
      lastOut.set(c.id, out);
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');

  const rows: Row[] = selected.map((c) => {
    const s = samples.get(c.id)!;
    const cpu = s.every((x) => x.cpuMs !== undefined) ? median(s.map((x) => x.cpuMs!)) : undefined;
    const rss = s.every((x) => x.rssKiB !== undefined) ? median(s.map((x) => x.rssKiB!)) / 1024 : undefined;
    return { id: c.id, what: c.what, runs: s.length, wallMs: median(s.map((x) => x.wallMs)), cpuMs: cpu, rssMiB: rss, vs: c.vs };
  });
  for (const row of rows) {
    const base = rows.find((r) => r.id === row.vs);
    if (base) {
      row.ratio = row.wallMs / base.wallMs;
      if (row.cpuMs !== undefined && base.cpuMs !== undefined) row.cpuRatio = row.cpuMs / base.cpuMs;
    }
  }
  // The naive app is compared the other way round: how many times slower than ours.
  const naive = rows.find((r) => r.id === 'naive');
  if (naive?.ratio !== undefined) naive.vs = 'npm-synth (naive / ours)';

  // Tests: npm test's wall time and its slowest files.
  let tests: { wallMs: number; slowest: { file: string; seconds: number }[] } | undefined;
  if (opts.withTests || opts.only?.includes('tests')) {
    const json = join(work, 'jest.json');
    const t0 = performance.now();
    const r = spawnSync('npm', ['test', '--silent', '--', '--json', `--outputFile=${json}`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    const wallMs = performance.now() - t0;
    if (!existsSync(json)) throw new Error(`npm test wrote no results (exit ${r.status}): ${r.stderr.slice(-2000)}`);
    const results = JSON.parse(readFileSync(json, 'utf8')) as { success: boolean; testResults: { name: string; startTime: number; endTime: number }[] };
    const slowest = results.testResults
      .map((t) => ({ file: relative(ROOT, t.name), seconds: (t.endTime - t.startTime) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 10);
    tests = { wallMs, slowest };
    if (!results.success) console.error('bench: npm test failed; its time is still shown');
  }

  // npm run synth writes what cdktf synth writes (byte for byte).
  let parity: { same: boolean; differing: string[] } | undefined;
  const cliOut = lastOut.get('cdktf-synth');
  const fastOut = lastOut.get('npm-synth') ?? reference;
  if (cliOut) {
    const a = tree(cliOut);
    const b = tree(fastOut);
    const differing = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => a[f] !== b[f]).sort();
    parity = { same: differing.length === 0, differing };
  }

  // Deploy critical path per stack.
  const paths = stacks.map((s) => {
    const p = criticalPath(JSON.parse(readFileSync(join(reference, 'stacks', s, 'cdk.tf.json'), 'utf8')));
    return { stack: s, depth: p.depth, resources: p.resources, chain: p.chain };
  });

  // Report.
  const fmtS = (ms?: number): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
  const header = ['case', 'what', 'runs', 'wall', 'cpu', 'peak RSS', 'ratio (wall / cpu)'];
  const table = rows.map((r) => [
    r.id,
    r.what,
    String(r.runs),
    fmtS(r.wallMs),
    fmtS(r.cpuMs),
    r.rssMiB === undefined ? '-' : `${r.rssMiB.toFixed(0)} MiB`,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x / ${r.cpuRatio?.toFixed(2) ?? '-'}x vs ${r.vs}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`aiai-hetzner bench: node ${process.version}, ${cpus().length} cores, load ${load.map((l) => l.toFixed(2)).join(' ')} at start, ${started}; medians`);
  console.log(line(header));
  for (const t of table) console.log(line(t));
  if (tests) {
    console.log(`\nnpm test: ${fmtS(tests.wallMs)} wall; slowest files:`);
    for (const t of tests.slowest) console.log(`  ${t.seconds.toFixed(1).padStart(6)} s  ${t.file}`);
  }
  if (parity) console.log(`\nnpm run synth vs cdktf synth: ${parity.same ? 'byte-identical' : `DIFFERENT: ${parity.differing.join(', ')}`}`);
  console.log('\ndeploy critical path (resources created one after another):');
  for (const p of paths) console.log(`  ${p.stack}: ${p.depth} deep (${p.resources} resources): ${p.chain.join(' -> ')}`);

  mkdirSync(dirname(opts.json), { recursive: true });
  writeFileSync(
    opts.json,
    `${JSON.stringify({ node: process.version, cores: cpus().length, loadAtStart: load, started, runs: opts.runs, cases: rows, tests, synthParity: parity, criticalPath: paths }, null, 2)}\n`,
  );
  console.log(`\nwritten: ${relative(process.cwd(), opts.json)}`);
  if (parity && !parity.same) process.exitCode = 1;
  rmSync(work, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
