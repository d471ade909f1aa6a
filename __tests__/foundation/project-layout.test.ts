/** The top-level layout fixed by the user, as a fresh clone has it. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../support/tools';

const root = join(__dirname, '..', '..');

test.each(['main.ts', 'lib/index.ts', 'cloud-init', 'cdktf.json', '__tests__', 'package.json', 'package-lock.json', 'tsconfig.json', 'terraform.tfstate.d/.gitkeep'])(
  '%s exists (tracked: CI runs in a fresh clone)',
  (path) => {
    expect(existsSync(join(root, path))).toBe(true);
  },
);

test('state files, build output and dependencies are ignored by git; the state folder placeholder is not', () => {
  const ignored = (p: string) => run('git', ['check-ignore', '-q', '--no-index', p], { cwd: root }).status === 0;
  for (const p of ['terraform.tfstate.d/aiai-production.tfstate', 'terraform.tfstate.d/aiai-state.tfstate.backup', 'cdktf.out/stacks/x/cdk.tf.json', 'node_modules/x', 'dist/lib/index.js', 'terraform.tfstate']) {
    expect({ p, ignored: ignored(p) }).toEqual({ p, ignored: true });
  }
  expect(ignored('terraform.tfstate.d/.gitkeep')).toBe(false);
});

test('fails if the project reads anything from ../shared (a user\'s clone has only the repository)', () => {
  const r = run('grep', ['-rlE', "\\.\\./shared/|'\\.\\./shared'", 'lib', 'bin', 'scripts', '__tests__', 'main.ts', 'package.json', '.ci'], { cwd: root });
  const offenders = r.stdout.split('\n').filter((f) => f && f !== '__tests__/foundation/project-layout.test.ts');
  expect(offenders).toEqual([]);
});

test('the hcloud schema the bindings come from is committed with its provenance', () => {
  expect(existsSync(join(root, 'schemas', 'hcloud-provider-schema.json'))).toBe(true);
  expect(run('git', ['ls-files', '--error-unmatch', 'schemas/hcloud-provider-schema.json', 'schemas/README.md'], { cwd: root }).status).toBe(0);
});
