/**
 * The public API: what `import { ... } from 'aiai-hetzner'` offers. The root exports by name only
 * (no `export *`), and the names are pinned here, so adding or removing one is a visible decision
 * in review. Renderers and runtime code are reached through the package's subpath exports
 * (package.json `exports`), never through the root. The pack test (scripts/pack-test.sh) proves both
 * resolve from the packed tarball.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '../..');
const LIB = join(ROOT, 'lib');

/** Root value exports (sorted). Change this list only on purpose: it is the library's contract. */
const ROOT_VALUES = [
  'AdminAccess', 'AgentRelease', 'AiaiOrchestrator', 'AiaiStack', 'BucketLifecycle', 'BucketRemovalPolicy', 'CostBudget',
  'CURRENT_PRICE_CATALOG', 'DataVolume', 'DEFAULT_RUNNER_HOURS', 'estimateStackCost', 'formatCostEstimate',
  'PRICE_CATALOGS', 'priceCatalog', 'recordCostHint', 'RESEARCH_DOC_PRICE_CATALOG',
  'checkStack', 'HETZNER_RULE_IDS', 'HetznerChecks', 'PolicyViolationError',
  'AiaiPlatform',
  'DEFAULT_PROJECT', 'DEPRECATED_SERVER_TYPES', 'EphemeralRunnerPool', 'EU_ONLY_FAMILIES', 'HardenedServer',
  'HcloudProvider', 'HetznerBucket', 'HetznerLimits', 'HetznerObjectStorage', 'HetznerObjectStorageProvider',
  'HetznerS3Backend', 'HostConfig', 'HostConfiguration', 'HostPaths', 'LabelKeys', 'LOAD_BALANCER_TYPES',
  'localStatePath', 'LOCATIONS', 'LOCATIONS_AS_OF', 'MonitoringNode', 'OBJECT_STORAGE_LOCATIONS',
  'OBJECT_STORE_BUCKETS', 'ObjectStore', 'PersistentRunner', 'PlatformPreset', 'Ports', 'PortSources', 'PrivateNetwork',
  'ExistingObjectStore', 'ExistingPrivateNetwork', 'ExistingRoleFirewall', 'IpPlan', 'NetworkPlan',
  'PropValidator', 'resourceName', 'RoleFirewall', 'roleLabels', 'Roles', 'RunnerModes', 'SecretFiles',
  'secretVariable', 'SERVER_TYPES', 'SERVER_TYPES_AS_OF', 'SERVICE_USER', 'StateBootstrapStack',
  'StatefulResourceProtection', 'SUPPORTED_IMAGES', 'TerraformData', 'ValidationError', 'WorkflowDelivery',
];

/** Root type-only exports (sorted): props, interfaces, and the types public signatures name. */
const ROOT_TYPES = [
  'ActionsRunnerRelease', 'AdminAccessProps', 'AgentReleaseProps', 'AiaiOrchestratorProps', 'AlertRulesOptions',
  'AptSource', 'Architecture', 'BootCommand', 'BucketLifecycleProps', 'BucketLifecycleRule', 'CostBudgetProps',
  'CostHint', 'CostItem', 'CostItemKind', 'EstimateOptions', 'PerGbPrice', 'Price', 'PriceCatalog',
  'RunnerPoolCostHint', 'SnapshotsCostHint', 'StackCostEstimate', 'DataVolumeProps',
  'HetznerChecksProps', 'PolicyFinding', 'PolicyLevel', 'PolicyReport', 'PolicySuppressionRecord',
  'AiaiPlatformProps',
  'DeprecatedServerType', 'EphemeralRunnerPoolProps', 'EphemeralRunnerPoolSecrets', 'FirewallContext',
  'GrafanaPackageVersions', 'HardenedServerProps', 'HcloudProviderConfig', 'HetznerBucketProps',
  'HetznerObjectStorageProviderProps', 'HetznerS3BackendProps', 'HostConfigurationProps', 'HostFile',
  'HostManifest', 'HostManifestSpec', 'HostUser', 'IConfiguredHost', 'IDeliveryTarget', 'ILogSink', 'IObjectStore',
  'IPrivateNetwork', 'LoadBalancerType', 'LocationInfo', 'MonitoringDisasterRecoveryProps', 'MonitoringNodeProps', 'MonitoringSizing', 'OrchestratorSizing',
  'MonitoringSecretsProps', 'NetworkZone', 'ObjectStorageCredentials', 'ObjectStorageLocation', 'ObjectStoreBucket',
  'ObjectStoreBucketNames', 'ObjectStoreProps', 'PersistentRunnerProps', 'PlatformAccessProps', 'PlatformIdentity', 'PlatformMonitoringProps', 'PlatformNetworkProps',
  'PlatformOrchestratorProps', 'PlatformPresetName', 'PlatformRunnerPoolProps', 'PlatformWiredProp', 'PlatformSizing', 'PlatformSizingOverrides', 'PoolGithubNames',
  'ExistingLoadBalancer', 'ExistingObjectStoreProps', 'ExistingPrivateNetworkProps', 'ExistingRoleFirewallProps', 'IRoleFirewall', 'ObjectStorageLocationName',
  'PoolJob', 'PoolSecret', 'PoolSettings', 'PoolWorkflowOptions', 'PoolWorkflows', 'PortName', 'PortRule',
  'PortSource', 'PrivateNetworkProps', 'RepositoryFileDeliveryOptions', 'RoleFirewallProps', 'RunnerArchitecture', 'RunnerPoolSizing',
  'SecretFile', 'SecretFilesProps', 'SecretVariableOptions', 'ServerTypeInfo', 'ServicePort', 'SshConnectionOptions',
  'StateBootstrapStackProps', 'StatefulResourceProtectionProps', 'SystemdUnit', 'TerraformDataProps',
  'ValidationProblem', 'WorkflowDeliveryKind',
];

/** Renderer-internal generic names that once leaked through `export *`; they must stay off the root. */
const RENDERER_INTERNALS = ['location', 'serverType', 'contains', 'overlaps', 'ref', 'attr', 'block', 'withDefaults'];

const sorted = (names: Iterable<string>) => [...names].sort((a, b) => a.localeCompare(b, 'en'));

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

interface RootExports {
  values: string[];
  types: string[];
  /** `export *` and `export * as ns` statements (forbidden at the root). */
  starExports: string[];
  /** Exports that are not re-exports (the root declares nothing itself). */
  ownDeclarations: string[];
}

/** The root's export names, read from lib/index.ts with the TypeScript parser (no type checking). */
function rootExports(): RootExports {
  const sf = parse(join(LIB, 'index.ts'));
  const out: RootExports = { values: [], types: [], starExports: [], ownDeclarations: [] };
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st)) {
      if (!st.exportClause || ts.isNamespaceExport(st.exportClause)) {
        out.starExports.push(st.getText(sf));
        continue;
      }
      for (const el of st.exportClause.elements) (st.isTypeOnly || el.isTypeOnly ? out.types : out.values).push(el.name.text);
    } else if (ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      out.ownDeclarations.push(st.getText(sf).split('\n')[0]);
    }
  }
  return out;
}

function libFiles(dir: string = LIB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'assets' ? [] : libFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Modules whose classes are constructs (constructs itself, cdktf, prebuilt and generated providers). */
const CONSTRUCT_MODULES = /^(constructs|cdktf|@cdktf\/.+)$|\/\.gen\//;

/**
 * Every construct class declared under lib/, found from the source tree: a class whose `extends`
 * names a class imported from a construct module, or another construct class of lib/.
 */
function constructClasses(): { name: string; file: string }[] {
  const classes: { name: string; file: string; base: string; baseIsConstruct: boolean }[] = [];
  for (const file of libFiles()) {
    const sf = parse(file);
    const fromConstructModule = new Set<string>();
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || !CONSTRUCT_MODULES.test(st.moduleSpecifier.text)) continue;
      const bindings = st.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) fromConstructModule.add(el.name.text);
    }
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) && node.name) {
        const ext = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
        if (ext) {
          const base = ext.getText(sf);
          classes.push({ name: node.name.text, file: relative(ROOT, file), base, baseIsConstruct: fromConstructModule.has(base) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  const constructs = new Set(classes.filter((c) => c.baseIsConstruct).map((c) => c.name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of classes) if (!constructs.has(c.name) && constructs.has(c.base)) (constructs.add(c.name), (grew = true));
  }
  return classes.filter((c) => constructs.has(c.name)).map(({ name, file }) => ({ name, file }));
}

interface PackageJson {
  main: string;
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
/** Subpath exports (`./render`, ...) other than the root and package.json. */
const subpaths = Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json');

describe('the root export list', () => {
  const root = rootExports();

  test('is explicit: no export *, no declarations of its own', () => {
    expect(root.starExports).toEqual([]);
    expect(root.ownDeclarations).toEqual([]);
  });

  test('value names are the pinned list', () => {
    expect(sorted(root.values)).toEqual(sorted(ROOT_VALUES));
  });

  test('type names are the pinned list, each exported with export type', () => {
    expect(sorted(root.types)).toEqual(sorted(ROOT_TYPES));
  });

  test('no name is exported twice', () => {
    const all = [...root.values, ...root.types];
    expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([]);
  });

  test('at runtime the root module has exactly the pinned values (types are erased, nothing else leaks)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('../../lib') as Record<string, unknown>;
    expect(sorted(Object.keys(lib))).toEqual(sorted(ROOT_VALUES));
    for (const name of ROOT_VALUES) expect({ name, defined: lib[name] !== undefined }).toEqual({ name, defined: true });
  });

  test('no renderer-internal name is a root export', () => {
    const all = new Set([...root.values, ...root.types]);
    expect(RENDERER_INTERNALS.filter((n) => all.has(n))).toEqual([]);
    // Renderer and validator functions stay behind `aiai-hetzner/render`.
    expect(root.values.filter((n) => /^(render|validate)[A-Z]/.test(n))).toEqual([]);
  });
});

describe('every construct class under lib/ is exported at the root', () => {
  const found = constructClasses();

  test('the scan finds the constructs (direct, via cdktf bases, and stacks) and no plain classes', () => {
    const names = found.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['PrivateNetwork', 'HardenedServer', 'TerraformData', 'HetznerS3Backend', 'HetznerObjectStorageProvider', 'StateBootstrapStack']));
    expect(names).not.toContain('ValidationError');
    expect(names).not.toContain('HostConfig');
    expect(found.length).toBeGreaterThanOrEqual(16);
  });

  test('each is a root value export', () => {
    const values = new Set(rootExports().values);
    expect(found.filter((c) => !values.has(c.name))).toEqual([]);
  });
});

describe('main.ts imports only the public entry', () => {
  const sf = parse(join(ROOT, 'main.ts'));
  const specifiers = sf.statements.filter(ts.isImportDeclaration).map((st) => (st.moduleSpecifier as ts.StringLiteral).text);
  const allowedLocal = new Set(['./lib', ...subpaths.map((s) => `./lib/${s.slice(2)}`)]);

  test('local imports are ./lib or one of its subpath exports', () => {
    expect(specifiers).toContain('./lib');
    expect(specifiers.filter((s) => s.startsWith('.') && !allowedLocal.has(s))).toEqual([]);
  });

  test('package imports are other packages (deep paths only where the package is a provider)', () => {
    const packages = specifiers.filter((s) => !s.startsWith('.'));
    expect(packages.filter((s) => s.startsWith('aiai-hetzner'))).toEqual([]);
    expect(packages.length).toBeGreaterThan(0);
  });
});

describe('package.json exports', () => {
  const entry = (key: string) => pkg.exports[key] as { types: string; default: string };

  test('the root export matches main and types (older resolvers keep working)', () => {
    expect(entry('.')).toEqual({ types: `./${pkg.types}`, default: `./${pkg.main}` });
    expect(pkg.exports['./package.json']).toBe('./package.json');
  });

  test('each subpath maps onto lib/<subpath>/index.ts, with types first and a typesVersions entry', () => {
    expect(subpaths.length).toBeGreaterThan(0);
    for (const sub of subpaths) {
      const name = sub.slice(2);
      expect({ sub, conditions: Object.keys(entry(sub)) }).toEqual({ sub, conditions: ['types', 'default'] });
      expect(entry(sub)).toEqual({ types: `./dist/lib/${name}/index.d.ts`, default: `./dist/lib/${name}/index.js` });
      expect({ sub, source: existsSync(join(LIB, name, 'index.ts')) }).toEqual({ sub, source: true });
      expect(pkg.typesVersions['*']?.[name]).toEqual([`dist/lib/${name}/index.d.ts`]);
    }
    expect(sorted(Object.keys(pkg.typesVersions['*'] ?? {}))).toEqual(sorted(subpaths.map((s) => s.slice(2))));
  });

  test('the renderer internals are reachable through aiai-hetzner/render', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const render = require('../../lib/render') as Record<string, unknown>;
    for (const name of ['ref', 'attr', 'block', 'renderCloudConfig', 'renderSystemdUnit', 'renderPoolWorkflows']) {
      expect({ name, type: typeof render[name] }).toEqual({ name, type: 'function' });
    }
  });

  test('README documents every subpath in "Using the library in your own stack"', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Using the library in your own stack'));
    const body = section.slice(0, section.indexOf('\n## ', 3));
    for (const sub of subpaths) expect({ sub, documented: body.includes(`aiai-hetzner/${sub.slice(2)}`) }).toEqual({ sub, documented: true });
  });
});
