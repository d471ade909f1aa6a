#!/usr/bin/env node
// Where the test suite's time goes, per file. Run the suite with a CPU log, then print the table:
//   AIAI_TEST_CPU_LOG=/tmp/cpu.log npx jest; node scripts/test-profile.mjs /tmp/cpu.log [--top N] [--write]
// Each line of the log (written by __tests__/support/setup.ts) has a file's wall ms and the CPU
// seconds of the jest process and of the children it waited for (terraform, validators, scripts).
// --write stores the CPU seconds as __tests__/support/test-durations.json (the test order on a
// machine without jest's cache, see __tests__/support/sequencer.js).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const log = args.find((a) => !a.startsWith('--'));
if (!log) {
  console.error('usage: node scripts/test-profile.mjs CPU_LOG [--top N] [--write]');
  process.exit(2);
}
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : Infinity;
const rows = readFileSync(log, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l))
  .map((r) => ({ file: relative(root, r.file), wall: r.wallMs / 1000, self: r.cpuSelf, children: r.cpuChildren, cpu: r.cpuSelf + r.cpuChildren }))
  .sort((a, b) => b.cpu - a.cpu);
const sum = (k) => rows.reduce((s, r) => s + r[k], 0);
console.log(`${rows.length} files: CPU ${sum('cpu').toFixed(1)} s (jest ${sum('self').toFixed(1)} s, children ${sum('children').toFixed(1)} s), wall summed over files ${sum('wall').toFixed(1)} s`);
console.log('   cpu s   jest s  child s   wall s  file');
for (const r of rows.slice(0, top)) {
  console.log(`${r.cpu.toFixed(2).padStart(8)} ${r.self.toFixed(2).padStart(8)} ${r.children.toFixed(2).padStart(8)} ${r.wall.toFixed(1).padStart(8)}  ${r.file}`);
}
if (args.includes('--write')) {
  const files = Object.fromEntries(rows.map((r) => [r.file, Math.round(r.cpu * 10) / 10]));
  const out = join(root, '__tests__', 'support', 'test-durations.json');
  writeFileSync(out, `${JSON.stringify({ note: 'CPU seconds per test file (scripts/test-profile.mjs --write); only the order matters', files }, null, 2)}\n`);
  console.log(`wrote ${relative(root, out)}`);
}
