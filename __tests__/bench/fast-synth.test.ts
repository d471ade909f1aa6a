/**
 * `npm run synth` (scripts/synth/fast-synth.cjs) writes exactly what running the app writes
 * (`cdktf synth` runs `node --import tsx main.ts` with CDKTF_OUTDIR set; `npm run bench` compares
 * with the CLI itself), reuses its bundle only while the inputs are unchanged, and removes stack
 * folders the app no longer synthesizes, as the CLI does.
 */
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tempDir } from '../support/tmp';
import { runAsync } from '../support/tools';

const ROOT = join(__dirname, '..', '..');
const FAST = join(ROOT, 'scripts', 'synth', 'fast-synth.cjs');

/** Every file under `dir`, relative path -> bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'latin1');
    }
  };
  walk(dir);
  return out;
}

/** Runs a command in the project folder; rejects naming it when it fails. Tests run side by side (test.concurrent). */
async function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const r = await runAsync(cmd, args, { ...process.env, CHECKPOINT_DISABLE: '1', ...env }, 60_000, ROOT);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** A small app of its own (project folder, entry, output and synth cache) for one test. */
function smallApp() {
  const cache = tempDir('synth-cache-');
  const project = tempDir('synth-project-');
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
  const entry = join(project, 'app.ts');
  const write = (stacks: string[], value: string): void =>
    writeFileSync(
      entry,
      [
        "import { App, TerraformOutput, TerraformStack } from 'cdktf';",
        'const app = new App();',
        `for (const name of ${JSON.stringify(stacks)}) new TerraformOutput(new TerraformStack(app, name), 'v', { value: ${JSON.stringify(value)} });`,
        'if (require.main === module) app.synth();',
      ].join('\n'),
    );
  const out = join(project, 'out');
  const synth = (): Promise<void> => run(process.execPath, [FAST, '--entry', entry, '--output', out], { AIAI_SYNTH_CACHE: cache });
  const output = (stack: string): unknown => JSON.parse(readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')).output.v.value;
  return { write, synth, output, out };
}

describe('fast synth', () => {
  test.concurrent(
    'writes the same files, byte for byte, as running main.ts the way cdktf synth does; from cache too',
    async () => {
      const viaApp = tempDir('synth-app-');
      const first = tempDir('synth-fast-');
      // Independent processes: the app as cdktf synth runs it, and the fast synth.
      // The app keeps cdktf's own token creation stacks there (AIAI_TOKEN_STACKS=cdktf): the
      // reference for the fast synth, which bundles lib/app/token-stacks.ts in their place.
      await Promise.all([run(process.execPath, ['--import', 'tsx', 'main.ts'], { CDKTF_OUTDIR: viaApp, AIAI_TOKEN_STACKS: 'cdktf' }), run(process.execPath, [FAST, '--output', first])]);
      const second = tempDir('synth-fast-');
      await run(process.execPath, [FAST, '--output', second]);
      const expected = tree(viaApp);
      expect(Object.keys(expected)).toEqual(expect.arrayContaining(['manifest.json', expect.stringMatching(/^stacks\/[^/]+\/cdk\.tf\.json$/)]));
      expect(tree(first)).toEqual(expected);
      expect(tree(second)).toEqual(expected);
    },
    60_000,
  );

  // Each test has its own project and cache, so they run side by side.
  describe('with a small app of its own', () => {
    test.concurrent(
      'rebuilds when a source changes, and runs the entry as the main module',
      async () => {
        const { write, synth, output } = smallApp();
        write(['one'], 'first');
        await synth();
        expect(output('one')).toBe('first');
        // Same size, new content: the mtime alone tells the bundle is stale.
        write(['one'], 'later');
        await synth();
        expect(output('one')).toBe('later');
      },
      30_000,
    );

    test.concurrent(
      'removes the folder of a stack the app no longer has, keeps the others',
      async () => {
        const { write, synth, out } = smallApp();
        write(['one', 'two'], 'x');
        await synth();
        expect(existsSync(join(out, 'stacks', 'two'))).toBe(true);
        write(['one'], 'x');
        await synth();
        expect(existsSync(join(out, 'stacks', 'two'))).toBe(false);
        expect(existsSync(join(out, 'stacks', 'one', 'cdk.tf.json'))).toBe(true);
      },
      30_000,
    );
  });

  test.concurrent('an unknown argument fails with the allowed ones named', async () => {
    await expect(run(process.execPath, [FAST, '--nope'])).rejects.toThrow(/unknown argument --nope \(allowed: --output DIR, --entry FILE, --rebuild\)/);
  });
});
