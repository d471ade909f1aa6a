/**
 * The committed hcloud bindings are exactly what scripts/gen-hcloud.mjs generates from the committed
 * provider schema (hcloud 1.68.0), so nobody edited them by hand and the script still works.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run } from '../support/tools';
import { tempDir } from '../support/tmp';

const root = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('regenerating from schemas/hcloud-provider-schema.json reproduces .gen/providers/hcloud byte for byte', () => {
  const out = tempDir('gen-hcloud-');
  const r = run(process.execPath, [join(root, 'scripts', 'gen-hcloud.mjs')], { cwd: root, env: { ...process.env, AIAI_GEN_OUT: out } });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/generated hcloud 1\.68\.0 bindings \(29 resources\)/);
  const committed = join(root, '.gen', 'providers', 'hcloud');
  const generated = join(out, 'providers', 'hcloud');
  const names = (d: string) => files(d).map((f) => relative(d, f)).sort();
  expect(names(generated)).toEqual(names(committed));
  for (const name of names(committed)) {
    expect({ name, same: readFileSync(join(generated, name), 'utf8') === readFileSync(join(committed, name), 'utf8') }).toEqual({ name, same: true });
  }
}, 60_000);

test('cdktf.json pins the provider version the bindings were generated for', () => {
  const cdktf = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8'));
  expect(cdktf.terraformProviders).toEqual(['hetznercloud/hcloud@1.68.0']);
  expect(readFileSync(join(root, '.gen', 'providers', 'hcloud', 'provider', 'index.ts'), 'utf8')).toContain("providerVersion: '1.68.0'");
});
