/**
 * `aiai-cost` (`npm run cost`): arguments, bad arguments (exit 2 with the usage), the table and
 * `--json`, `--stack`, synthesizing first when cdktf.out has no stacks, and the exit codes of the
 * real process. Needs no terraform and no credentials.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COST_USAGE, main, parseCostArgs } from '../../lib/cost/cli';
import { graph, ROOT } from '../support/import-graph';
import { tempDir } from '../support/tmp';
import { BOOTSTRAPPING, STANDARD_PRODUCTION, stackJson, withPool } from './fixtures';

/** A cdktf.out folder with the given stacks' cdk.tf.json. */
function outDir(stacks: Record<string, object>): string {
  const out = join(tempDir('cost-'), 'cdktf.out');
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(out, 'stacks', name), { recursive: true });
    writeFileSync(join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
  }
  return out;
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => ((stdout += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream,
  };
  const code = await main(argv, {}, io, { signal: new AbortController().signal });
  return { code, stdout, stderr };
}

const TWO = () => outDir({ bootstrapping: stackJson(BOOTSTRAPPING), standard: stackJson(withPool(STANDARD_PRODUCTION, 5)) });

describe('arguments', () => {
  test('defaults: table, 200 runner hours, the current catalog, every stack, cdktf.out', () => {
    expect(parseCostArgs([])).toEqual({ json: false, hours: 200, catalog: '2026-04', stacks: [], out: 'cdktf.out', help: false });
    expect(parseCostArgs(['--json', '--hours', '12.5', '--catalog=2026-02', '--stack', 'a', '--stack=b', '--out', 'x'])).toEqual({
      json: true,
      hours: 12.5,
      catalog: '2026-02',
      stacks: ['a', 'b'],
      out: 'x',
      help: false,
    });
  });

  test.each([
    [['--hours'], /--hours needs a value/],
    [['--hours', '--json'], /--hours needs a value/],
    [['--hours', 'many'], /--hours: got "many"; allowed: a number of hours from 0 up/],
    [['--hours', '-3'], /--hours: got "-3"; allowed: a number of hours from 0 up/],
    [['--catalog', '2024'], /--catalog: got "2024"; allowed: one of 2026-02, 2026-04/],
    [['--yaml'], /unknown argument "--yaml"/],
  ])('%j exits 2 with the problem and the usage', async (argv, message) => {
    const r = await run([...argv, '--out', TWO()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(COST_USAGE);
    expect(r.stdout).toBe('');
  });

  test('--help prints the usage and exits 0', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: `${COST_USAGE}\n`, stderr: '' });
  });

  test('an unknown --stack exits 2 naming the stacks there are', async () => {
    const r = await run(['--out', TWO(), '--stack', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('aiai-cost: --stack: got "nope"; allowed: bootstrapping, standard\n');
  });
});

describe('output', () => {
  test('the table lists every item of every stack, the totals, and the once-per-project note', async () => {
    const r = await run(['--out', TWO(), '--catalog', '2026-02', '--hours', '100']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('bootstrapping: catalog 2026-02 (prices as of 2026-02-26)');
    expect(lines[1]).toMatch(/^EUR\/month {5}kind {12}quantity × unit price {2}item/);
    expect(lines[2]).toMatch(/^ {5}3\.49 {5}server {10}1 month × 3\.49 +server bootstrapping-orchestrator \(cx23\) +hcloud_server\.orchestrator$/);
    expect(r.stdout).toMatch(/^ {5}9\.98 {2}= {2}total per month$/m);
    expect(r.stdout).toMatch(/^ {5}1\.68 {2}~ {2}runner-hours {4}100 h × 0\.0168/m);
    expect(r.stdout).toMatch(/^All 2 stacks: \d+\.\d\d EUR\/month \(runner pools at 100 h each\)$/m);
    expect(r.stdout).toContain('Note: bootstrapping, standard-production each list the Object Storage base price; stacks in one Hetzner project pay it once.');
  });

  test('--json prints { stacks } with the contract\'s fields; --stack picks one', async () => {
    const r = await run(['--out', TWO(), '--json', '--stack', 'bootstrapping', '--catalog', '2026-02']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.stacks).toHaveLength(1);
    expect(parsed.stacks[0]).toMatchObject({
      stack: 'bootstrapping',
      catalog: { id: '2026-02', asOf: '2026-02-26', source: expect.any(String) },
      totalEur: 9.98,
    });
    expect(Object.keys(parsed.stacks[0].items[0]).sort()).toEqual(['address', 'description', 'estimated', 'kind', 'monthlyEur', 'quantity', 'unit', 'unitPriceEur']);
  });

  test('a stack that cannot be priced exits 1 naming the stack and the attribute', async () => {
    const out = outDir({ bad: { resource: { hcloud_server: { a: { server_type: '${var.t}' } } } } });
    const r = await run(['--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^aiai-cost: stack bad: Invalid props for estimateStackCost:\n {2}- hcloud_server\.a\.server_type: got "\$\{var\.t\}"/);
  });
});

describe('the process', () => {
  const bin = join(ROOT, 'bin', 'aiai-cost.ts');
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const cli = (args: string[], cwd: string) => spawnSync(process.execPath, ['--import', tsx, bin, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH } });

  test('synthesizes with cdktf.json\'s app when cdktf.out has no stacks, then estimates', () => {
    const dir = tempDir('cost-app-');
    const stack = JSON.stringify(stackJson(BOOTSTRAPPING));
    // A stand-in app: writes one stack where cdktf would (CDKTF_OUTDIR).
    writeFileSync(join(dir, 'app.js'), `const fs=require('fs'),p=require('path');const d=p.join(process.env.CDKTF_OUTDIR,'stacks','boot');fs.mkdirSync(d,{recursive:true});fs.writeFileSync(p.join(d,'cdk.tf.json'),${JSON.stringify(stack)});`);
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: 'node app.js' }));
    const r = cli(['--catalog', '2026-02'], dir);
    expect(r.stderr).toBe('aiai-cost: no stacks in cdktf.out/stacks; synthesizing with `node app.js`\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {5}9\.98 {2}= {2}total per month$/m);
  });

  test('exits 1 when the synth fails, and 2 on a bad argument', () => {
    const dir = tempDir('cost-app-');
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: 'node -e "process.exit(3)"' }));
    const failed = cli([], dir);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/aiai-cost: synth failed \(exit 3\)/);
    expect(cli(['--hours', 'x'], dir).status).toBe(2);
  });

  test('loads no cdktf, constructs or provider package (it runs where only the JSON is)', () => {
    const { files, external } = graph([bin]);
    expect([...files].some((f) => f.endsWith(join('lib', 'cost', 'estimate.ts')))).toBe(true);
    expect([...external].filter((p) => /cdktf|constructs|provider/.test(p))).toEqual([]);
  });
});
