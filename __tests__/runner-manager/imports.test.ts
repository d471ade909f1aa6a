/**
 * The CLI runs on a bare GitHub-hosted runner through npx: its import graph (and that of the
 * workflow renderer the construct uses) may only reach node built-ins, `yaml` and our own pure
 * modules, never cdktf/constructs/providers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createLogger } from '../../lib/runner-manager/cli';
import { realClock } from '../../lib/runner-manager/http';

const ROOT = join(__dirname, '..', '..');

function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)/gm)]
    .filter((m) => !/^\s*import\s+type\s/.test(m[0]))
    .map((m) => m[1] ?? m[2] ?? m[3]);
}

function graph(entries: string[]): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  /** `package (imported by file)` */
  const external = new Set<string>();
  const todo = [...entries];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec);
        const next = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
        if (!next) throw new Error(`${file}: cannot resolve ${spec}`);
        todo.push(next);
      } else if (!spec.startsWith('node:')) {
        external.add(spec === 'yaml' ? spec : `${spec} (imported by ${file.slice(ROOT.length + 1)})`);
      }
    }
  }
  return { files, external };
}

test('the runner CLI and the workflow renderer import only node built-ins and yaml', () => {
  const { files, external } = graph([join(ROOT, 'bin/aiai-runner.ts'), join(ROOT, 'lib/runner-manager/index.ts'), join(ROOT, 'lib/render/workflow/index.ts')]);
  expect([...external].sort()).toEqual(['yaml']);
  expect([...files].map((f) => f.slice(ROOT.length + 1))).toEqual(expect.arrayContaining(['lib/hetzner/catalog.ts', 'lib/core/labels.ts', 'lib/render/systemd.ts', 'lib/runner-manager/manager.ts']));
});

test('progress: rewritten in place on a terminal, printed now and then in CI logs', () => {
  let tty = '';
  const clock = realClock(1000);
  const onTty = createLogger({ stdout: { write: () => true }, stderr: { write: (s: string) => (tty += s), isTTY: true } }, {}, clock, 30);
  onTty.progress('waiting 1 s');
  onTty.progress('waiting 2 s');
  onTty.info('online');
  expect(tty).toBe('\r\x1b[Kwaiting 1 s\r\x1b[Kwaiting 2 s\nonline\n');

  let log = '';
  const inCi = createLogger({ stdout: { write: () => true }, stderr: { write: (s: string) => (log += s) } }, { GITHUB_ACTIONS: 'true' }, clock, 30);
  inCi.progress('waiting 1 s');
  inCi.progress('waiting 2 s'); // within 30 s of the last line: not printed
  inCi.warn('slow\nstart');
  expect(log).toBe('waiting 1 s\n::warning title=aiai-runner::slow%0Astart\n');
});
