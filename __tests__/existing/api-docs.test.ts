/**
 * The API docs (`npm run docs`, typedoc) cover exactly the package's public entry points: the root
 * and every subpath export of package.json, each by its source index. .ci/run builds them after the
 * tests, with warnings as errors; the output is git-ignored and not shipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const readJson = (p: string) => JSON.parse(readFileSync(join(ROOT, p), 'utf8'));

/** Source index of each export of package.json (`./dist/lib/x/index.js` -> `lib/x/index.ts`). */
function exportedSources(): string[] {
  const exports: Record<string, { default?: string } | string> = readJson('package.json').exports;
  return Object.entries(exports)
    .filter(([k]) => k !== './package.json')
    .map(([, v]) => (typeof v === 'string' ? v : v.default!).replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));
}

test('typedoc documents every public entry point and only those, from a tsconfig that compiles just them', () => {
  const typedoc = readJson('typedoc.json');
  expect([...typedoc.entryPoints].sort()).toEqual(exportedSources().sort());
  const tsconfig = readJson(typedoc.tsconfig);
  expect([...tsconfig.files].sort()).toEqual(exportedSources().sort());
  expect(tsconfig.include).toEqual([]);
});

test('warnings fail the docs build, and every warning exemption names generated or private code', () => {
  const typedoc = readJson('typedoc.json');
  expect(typedoc.treatWarningsAsErrors).toBe(true);
  expect(typedoc.validation).toEqual(expect.objectContaining({ notExported: true, invalidLink: true }));
  for (const entry of typedoc.intentionallyNotExported) {
    expect(entry).toMatch(/^(\.gen\/providers\/hcloud\/[a-z-]+\/index\.ts:[A-Za-z]+|lib\/hetzner\/catalog\.ts:LOCATION_TABLE)$/);
  }
});

test('npm run docs is typedoc, pinned exactly; CI runs it after the tests; its output is ignored and not shipped', () => {
  const pkg = readJson('package.json');
  expect(pkg.scripts.docs).toBe('typedoc');
  expect(pkg.devDependencies.typedoc).toMatch(/^\d+\.\d+\.\d+$/);
  const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
  expect(ci.indexOf('npm run --silent docs')).toBeGreaterThan(ci.indexOf('npm test'));
  expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('docs/api/');
  expect(pkg.files.filter((f: string) => f.startsWith('docs'))).toEqual(['docs/*.md']);
});
