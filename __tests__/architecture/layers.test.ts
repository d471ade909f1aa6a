/**
 * The folders of lib/ depend one way (README, "Architecture"):
 *
 *   core <- hetzner <- network <- runtime <- render <- host, secrets, volume, runner-manager
 *        <- object-store <- state <- roles (monitoring, orchestrator, runner-pool) <- platform <- operator, app
 *        <- lib/index.ts <- bin/, main.ts
 *
 * A file may import a file of its own folder or of a lower layer, never one of the same layer in
 * another folder (host, secrets, volume and runner-manager do not know each other) nor of a higher
 * one. Type-only imports count: they are dependencies of the design too. Within lib/render the
 * domain renderers (backup, monitoring, workflow) share only the base modules (cloud-config,
 * systemd, host-manifest, host-contribution), never each other. The runtime folders (runtime,
 * runner-manager, operator) load no cdktf, constructs or provider package, directly or through
 * what they import (the run-time checks are in __tests__/runner-manager/imports.test.ts).
 */
import { join } from 'node:path';
import { Edge, edgesOf, graph, ROOT, sourcesUnder } from '../support/import-graph';

const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['hetzner'],
  ['network'],
  ['runtime'],
  ['render'],
  ['host', 'secrets', 'volume', 'runner-manager'],
  ['object-store'],
  ['state'],
  ['monitoring', 'orchestrator', 'runner-pool'],
  ['platform'],
  ['operator', 'app'],
  ['index.ts'],
  ['bin', 'main.ts'],
];
const RENDER_DOMAINS = ['backup', 'monitoring', 'workflow'];
const RUNTIME_FOLDERS = ['runtime', 'runner-manager', 'operator'];

/** `lib/<folder>/...` -> folder; `lib/index.ts` -> index.ts; generated bindings -> providers (below everything). */
function folderOf(path: string): string {
  if (path.startsWith('.gen/')) return 'providers';
  if (path === 'main.ts') return 'main.ts';
  if (path.startsWith('bin/')) return 'bin';
  const parts = path.split('/');
  return parts[1];
}

function layerOf(folder: string): number {
  if (folder === 'providers') return -1;
  const i = LAYERS.findIndex((l) => l.includes(folder));
  if (i < 0) throw new Error(`lib/${folder} is in no layer: add it to LAYERS (and to the README's architecture)`);
  return i;
}

/** `lib/render/<domain>/...` -> domain; the base modules directly in lib/render -> undefined. */
function renderDomainOf(path: string): string | undefined {
  const m = /^lib\/render\/([^/]+)\//.exec(path);
  return m ? m[1] : undefined;
}

/** Every edge that breaks a rule, as `from -> to (why)`. */
export function violations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b) {
      const da = renderDomainOf(from);
      const db = renderDomainOf(to);
      // lib/render/index.ts is the `aiai-hetzner/render` subpath: it only re-exports every renderer.
      const aggregate = from === 'lib/render/index.ts';
      if (a === 'render' && !aggregate && db !== undefined && RENDER_DOMAINS.includes(db) && da !== db) out.push(`${from} -> ${to} (one domain renderer imports another: share through lib/render's base modules)`);
      continue;
    }
    const la = layerOf(a);
    const lb = layerOf(b);
    if (lb > la) out.push(`${from} -> ${to} (upward: ${a} is below ${b})`);
    else if (lb === la) out.push(`${from} -> ${to} (sideways: ${a} and ${b} are one layer and must not know each other)`);
  }
  return out;
}

const files = [...sourcesUnder('lib'), ...sourcesUnder('bin'), 'main.ts'];
const edges = edgesOf(files);

test('every folder of lib/ is in a layer', () => {
  const folders = [...new Set(files.map(folderOf))];
  for (const f of folders) expect(() => layerOf(f)).not.toThrow();
  expect(folders).toEqual(expect.arrayContaining(['core', 'runtime', 'render', 'host', 'runner-manager', 'runner-pool', 'index.ts']));
});

test('no import goes up or sideways', () => {
  expect(edges.length).toBeGreaterThan(300);
  expect(violations(edges)).toEqual([]);
});

test('the rules catch the edges this layering removed', () => {
  const removed: Edge[] = [
    { from: 'lib/render/workflow/pool-workflow.ts', to: 'lib/runner-manager/manager.ts' },
    { from: 'lib/render/backup/offsite-backup.ts', to: 'lib/object-store/bucket-name.ts' },
    { from: 'lib/secrets/secret-files.ts', to: 'lib/host/hardened-server.ts' },
    { from: 'lib/volume/data-volume.ts', to: 'lib/host/hardened-server.ts' },
    { from: 'lib/runtime/pool-settings.ts', to: 'lib/runner-manager/errors.ts' },
  ];
  expect(violations(removed)).toEqual([
    'lib/render/workflow/pool-workflow.ts -> lib/runner-manager/manager.ts (upward: render is below runner-manager)',
    'lib/render/backup/offsite-backup.ts -> lib/object-store/bucket-name.ts (upward: render is below object-store)',
    'lib/secrets/secret-files.ts -> lib/host/hardened-server.ts (sideways: secrets and host are one layer and must not know each other)',
    'lib/volume/data-volume.ts -> lib/host/hardened-server.ts (sideways: volume and host are one layer and must not know each other)',
    'lib/runtime/pool-settings.ts -> lib/runner-manager/errors.ts (upward: runtime is below runner-manager)',
  ]);
  expect(violations([{ from: 'lib/render/workflow/pool-workflow.ts', to: 'lib/render/monitoring/paths.ts' }])).toHaveLength(1);
  expect(violations([{ from: 'lib/render/workflow/pool-workflow.ts', to: 'lib/render/systemd.ts' }])).toEqual([]);
});

test('HostContribution, the host interfaces of secrets and volumes, and the pool settings live in neutral modules', () => {
  const importsOf = (file: string) => edges.filter((e) => e.from === file).map((e) => e.to);
  expect(importsOf('lib/host/log-shipping.ts')).toContain('lib/render/host-contribution.ts');
  expect(importsOf('lib/host/log-shipping.ts')).not.toContain('lib/render/monitoring/stack.ts');
  expect(importsOf('lib/secrets/secret-files.ts')).toContain('lib/core/host-target.ts');
  expect(importsOf('lib/volume/data-volume.ts')).toContain('lib/core/host-target.ts');
  expect(edges.filter((e) => e.from.startsWith('lib/render/') && e.to.startsWith('lib/runtime/')).length).toBeGreaterThan(0);
});

test('the runtime folders load no cdktf, constructs or provider package', () => {
  for (const folder of RUNTIME_FOLDERS) {
    const { external } = graph(sourcesUnder(join('lib', folder)).map((f) => join(ROOT, f)));
    expect({ folder, external: [...external].filter((p) => p !== 'yaml') }).toEqual({ folder, external: [] });
  }
});
