/**
 * The example project (examples/runner-pool-in-existing-network) against the library's sources: it
 * synthesizes a stack that joins the existing network and creates none; its pinned dependencies are
 * the versions the library is built and tested with; the root neither compiles nor ships it. The
 * pack test installs it from the tarball and runs terraform validate and plan on it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp';

const ROOT = join(__dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/runner-pool-in-existing-network');
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

// The example imports the package by name: here it is the library's sources.
jest.mock('aiai-hetzner', () => jest.requireActual('../../lib'), { virtual: true });

test('main.ts synthesizes the runner pool and the object store in the existing network, creating no network', () => {
  const out = tempDir('example-');
  process.env.CDKTF_OUTDIR = out;
  try {
    jest.isolateModules(() => require(join(EXAMPLE, 'main.ts')));
  } finally {
    delete process.env.CDKTF_OUTDIR;
  }
  const json = readJson(join(out, 'stacks/runners/cdk.tf.json'));
  expect(json.resource.hcloud_network).toBeUndefined();
  expect(Object.values(json.resource.hcloud_network_subnet)).toEqual([expect.objectContaining({ network_id: '${var.network_id}', type: 'cloud', network_zone: 'eu-central', ip_range: '10.0.64.0/24' })]);
  expect(Object.keys(json.resource.aws_s3_bucket)).toHaveLength(4);
  expect(Object.keys(json.resource).filter((t) => t.startsWith('hcloud_')).sort()).toEqual(['hcloud_firewall', 'hcloud_network_subnet']);
  const vars = Object.values<{ variable_name: string; value: string }>(json.resource.github_actions_variable);
  expect(vars.find((v) => v.variable_name === 'AIAI_RUNNER_NETWORK_ID')?.value).toBe('${var.network_id}');
});

test('the example pins the versions the library is built with, installs it from the tarball, and imports only the root', () => {
  const root = readJson(join(ROOT, 'package.json'));
  const example = readJson(join(EXAMPLE, 'package.json'));
  const deps: Record<string, string> = { ...example.dependencies, ...example.devDependencies };
  expect(deps['aiai-hetzner']).toBe('file:../../aiai-hetzner.tgz');
  for (const [name, version] of Object.entries(deps)) {
    if (name === 'aiai-hetzner') continue;
    expect({ name, version }).toEqual({ name, version: root.devDependencies[name] });
  }
  const imports = [...readFileSync(join(EXAMPLE, 'main.ts'), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
  expect(imports.filter((i) => i.startsWith('aiai-hetzner'))).toEqual(['aiai-hetzner']);
});

test('the root project neither compiles, tests nor ships examples/', () => {
  const tsconfig = readJson(join(ROOT, 'tsconfig.json'));
  expect(tsconfig.exclude).toContain('examples');
  expect(tsconfig.include.some((p: string) => p.startsWith('examples'))).toBe(false);
  const files: string[] = readJson(join(ROOT, 'package.json')).files;
  expect(files.some((f) => f.startsWith('examples'))).toBe(false);
  const jestConfig = require(join(ROOT, 'jest.config.js'));
  expect(jestConfig.roots).toEqual(['<rootDir>/__tests__']);
  expect(jestConfig.modulePathIgnorePatterns).toContain('<rootDir>/examples/');
});
