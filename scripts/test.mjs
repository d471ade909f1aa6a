#!/usr/bin/env node
// `npm test`: the type check (tsc --noEmit) and jest at the same time, instead of one after the
// other; fails if either fails. tsc's output is printed after jest's (in one piece); arguments go to
// jest (`npm test -- --json --outputFile=x`, `npm test -- __tests__/foo`). tsc is incremental, with
// its build info under node_modules/.cache (one file per checkout folder: worktrees may share
// node_modules), so an unchanged tree skips the check phase (9 s instead of 25 s of CPU measured).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const cache = join(root, 'node_modules', '.cache', 'aiai-hetzner');
mkdirSync(cache, { recursive: true });

const started = Date.now();
let tscOutput = '';
const tsc = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '--incremental', '--tsBuildInfoFile', join(cache, `tsc-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.tsbuildinfo`)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
});
tsc.stdout.on('data', (d) => (tscOutput += d));
tsc.stderr.on('data', (d) => (tscOutput += d));
const tscDone = new Promise((resolve) => tsc.on('close', (code) => resolve({ code, seconds: (Date.now() - started) / 1000 })));

const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
const jestDone = new Promise((resolve) => jest.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    tsc.kill(sig);
    jest.kill(sig);
  });
}

const [t, j] = await Promise.all([tscDone, jestDone]);
if (tscOutput) process.stdout.write(tscOutput);
console.log(`test: tsc --noEmit ${t.code === 0 ? 'passed' : `FAILED (exit ${t.code})`} in ${t.seconds.toFixed(1)} s; jest ${j === 0 ? 'passed' : `FAILED (exit ${j})`}; ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
process.exit(t.code !== 0 ? t.code || 1 : j);
