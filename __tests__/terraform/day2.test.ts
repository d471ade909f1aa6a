/**
 * Day-2 changes through real terraform (offline stand-in providers, see
 * __tests__/support/terraform/README.md): version A of the platform stack (main.ts, documentation
 * config) is applied once; every change is a version B planned against a copy of A's state. Each
 * case names every resource the plan touches (type and construct path) with its action, so a
 * regression (a server replaced, a delivery that no longer re-runs, an unrelated resource caught
 * up in a change) shows up as a diff of that list; servers, volumes, attachments, load balancers,
 * networks, subnets and firewalls are also checked by type never to be replaced or deleted.
 *
 * Some variants need props the reference app does not expose (the monitoring node's alert
 * thresholds and server type) or a library change (a dashboard shipped in a new release): the two
 * jest.mock calls below only wrap MonitoringNode's constructor (merging extra props) and the asset
 * reader (editing one asset's text), and do nothing unless a variant sets them, so every version is
 * still built by main.ts's own composition.
 */
jest.mock('../../lib/monitoring/monitoring-node', () => {
  const actual = jest.requireActual('../../lib/monitoring/monitoring-node');
  const variant: { props: Record<string, unknown> } = { props: {} };
  class MonitoringNode extends actual.MonitoringNode {
    constructor(scope: unknown, id: string, props: Record<string, unknown>) {
      super(scope, id, { ...props, ...variant.props });
    }
  }
  return { ...actual, MonitoringNode, variant };
});
jest.mock('../../lib/core/assets', () => {
  const actual = jest.requireActual('../../lib/core/assets');
  const variant: { edits: Record<string, (body: string) => string> } = { edits: {} };
  const asset = (path: string): string => {
    const body: string = actual.asset(path);
    const edit = variant.edits[path];
    return edit ? edit(body) : body;
  };
  return { ...actual, asset, variant };
});

import { copyFileSync } from 'node:fs';
import * as os from 'node:os';
import { TerraformVariable } from 'cdktf';
import { AdminAccess, EphemeralRunnerPool, MonitoringNodeProps, PersistentRunner, secretVariable, SERVICE_USER } from '../../lib';
import { GRAFANA_DASHBOARDS, monitoringPaths } from '../../lib/render';
import { EXAMPLE_CONFIG, ReferenceConfig } from '../../lib/app/reference-config';
import { buildReferenceStacks, PlatformStack, StackNames } from '../../main';
import { describeWithTerraform, PlanAction, PlanSummary, StandIn, startStandIn, TerraformError, TerraformJson, Workspace } from '../support/terraform';
import { allStrings, StackJson, synthApp, SynthOptions } from '../support/synth';
import { tempDir } from '../support/tmp';
import { SHARED_TEXT_CONTEXT } from '../../lib/core/shared-text';
import { withSharedTextsInlined } from '../support/fingerprint';

/** One version of the platform stack: the documentation config with changes. */
interface Variant {
  readonly config?: Partial<ReferenceConfig>;
  /** Extra props of the monitoring node (merged over main.ts's). */
  readonly monitoring?: Partial<MonitoringNodeProps>;
  /** Edits of static assets under cloud-init/, by relative path. */
  readonly assets?: Record<string, (body: string) => string>;
  /** Constructs added to the platform stack after main.ts built it. */
  readonly extend?: (platform: PlatformStack) => void;
  /** Construct context set on the app before main.ts builds it. */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly synth?: SynthOptions;
}

interface Synthesized {
  readonly json: StackJson;
  readonly raw: string;
}

function synthPlatform(v: Variant = {}): Synthesized {
  const monitoring = jest.requireMock('../../lib/monitoring/monitoring-node').variant;
  const assets = jest.requireMock('../../lib/core/assets').variant;
  monitoring.props = v.monitoring ?? {};
  assets.edits = v.assets ?? {};
  try {
    const app = synthApp((a) => {
      for (const [key, value] of Object.entries(v.context ?? {})) a.node.setContext(key, value);
      // Only the production stack (and the state stack): the other scenarios are not what this test changes.
      const platform = buildReferenceStacks(a, { ...EXAMPLE_CONFIG, ...v.config }, [StackNames.production]).stacks.get(StackNames.production)!;
      v.extend?.(platform);
    }, v.synth);
    return { json: app.stacks[StackNames.production], raw: app.rawStacks[StackNames.production] };
  } finally {
    monitoring.props = {};
    assets.edits = {};
  }
}

/** `<type> <construct path below the stack>` of every resource address of a stack. */
function constructPaths(json: StackJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, r] of Object.entries(byName)) {
      const path: string = r['//']?.metadata?.path ?? name;
      // Paths below the platform construct (`Default`, hidden from addresses), or the stack for what `extend` adds.
      out.set(`${type}.${name}`, `${type} ${path.replace(`${StackNames.production}/`, '').replace(/^Default\//, '')}`);
    }
  }
  return out;
}

/** Every changed resource of the plan as `<type> <construct path>` -> action (A's paths for deletions). */
function changes(plan: PlanSummary, a: StackJson, b: StackJson): Record<string, PlanAction> {
  const pa = constructPaths(a);
  const pb = constructPaths(b);
  return Object.fromEntries(plan.changed.map((address) => [pb.get(address) ?? pa.get(address) ?? address, plan.resources[address].action]));
}

/** Types whose replacement or deletion loses data, addresses or attachments. */
const STATEFUL_TYPES = ['hcloud_server', 'hcloud_volume', 'hcloud_volume_attachment', 'hcloud_load_balancer', 'hcloud_network', 'hcloud_network_subnet', 'hcloud_firewall', 'hcloud_primary_ip'];

/** Resources of {@link STATEFUL_TYPES} the plan replaces or deletes (expected: none). */
function statefulLosses(plan: PlanSummary): string[] {
  return Object.values(plan.resources)
    .filter((r) => STATEFUL_TYPES.includes(r.type) && (r.action === 'replace' || r.action === 'delete'))
    .map((r) => `${r.address}: ${r.action}`);
}

/** Dotted paths of the leaves that differ between two JSON values. */
function changedLeaves(before: unknown, after: unknown, prefix = ''): string[] {
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedLeaves(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

function resourceAt(plan: PlanSummary, json: StackJson, path: string) {
  const entry = [...constructPaths(json)].find(([, p]) => p === path);
  if (!entry) throw new Error(`no resource ${path}`);
  return plan.resources[entry[0]];
}

/** Which triggers_replace leaves of the resource at `path` the plan changes. */
function changedTriggers(plan: PlanSummary, json: StackJson, path: string): string[] {
  const r = resourceAt(plan, json, path);
  return changedLeaves((r.before as any)?.triggers_replace, (r.after as any)?.triggers_replace);
}

function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined); // reported by the test that awaits it
  return p;
}

/** A gate that runs at most `limit` of the functions given to it at a time (terraform plans are CPU-bound). */
function limited(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    while (running >= limit) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** A second operator's public key (made up: no private key exists for it). */
const SECOND_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvqW0nDnbIh9CHl2YHbDhVtD6ml7xwDaa0s4lKq3nUy second-operator@aiai';
const DASHBOARD = GRAFANA_DASHBOARDS[0];
/** Where grafanaDashboard() reads it (lib/render/monitoring/grafana.ts). */
const DASHBOARD_ASSET = `monitoring/grafana/dashboards/${DASHBOARD}`;
const MONITORING_CONVERGE = 'terraform_data Monitoring/Server/Configuration/Converge';
const HOST_CONVERGES = [MONITORING_CONVERGE, 'terraform_data Orchestrator/Primary/Configuration/Converge', 'terraform_data Orchestrator/Standby/Configuration/Converge'];

function access(platform: PlatformStack): AdminAccess {
  return platform.access;
}

function variable(platform: PlatformStack, name: string): string {
  return (platform.node.findChild(name) as TerraformVariable).stringValue;
}

/** Synthesizes on another "machine": other cwd, HOME, locale, time zone, user, CDKTF_OUTDIR, os.* answers. */
function synthElsewhere(): Synthesized {
  const cwd = process.cwd();
  const elsewhere = tempDir('elsewhere-');
  const spies = [
    jest.spyOn(os, 'platform').mockReturnValue('darwin'),
    jest.spyOn(os, 'hostname').mockReturnValue('another-machine.example'),
    jest.spyOn(os, 'homedir').mockReturnValue(elsewhere),
    jest.spyOn(os, 'userInfo').mockReturnValue({ username: 'someone-else', uid: 1234, gid: 1234, shell: '/bin/zsh', homedir: elsewhere }),
  ];
  process.chdir(elsewhere);
  try {
    return synthPlatform({
      synth: {
        env: { HOME: elsewhere, USER: 'someone-else', LOGNAME: 'someone-else', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', TZ: 'Pacific/Chatham', CDKTF_OUTDIR: `${elsewhere}/out`, SSH_AUTH_SOCK: `${elsewhere}/agent.sock` },
      },
    });
  } finally {
    process.chdir(cwd);
    spies.forEach((s) => s.mockRestore());
  }
}

describeWithTerraform('day-2 changes of the platform stack through terraform: what each one replaces', () => {
  // Synthesis blocks the event loop the stand-in answers on: synthesize every version first.
  const a = synthPlatform();
  const versions = {
    agentRef: synthPlatform({ config: { repositoryRef: 'v2.0.0' } }),
    operatorKey: synthPlatform({ config: { sshPublicKeys: { ...EXAMPLE_CONFIG.sshPublicKeys, second: SECOND_KEY } } }),
    alertThreshold: synthPlatform({ monitoring: { alerts: { diskFreeRatio: 0.2 } } }),
    dashboard: synthPlatform({ assets: { [DASHBOARD_ASSET]: (body) => JSON.stringify({ ...JSON.parse(body), title: 'aiai overview (new release)' }) } }),
    persistentRunner: synthPlatform({
      extend: (p) => {
        new PersistentRunner(p, 'PersistentRunner', {
          project: EXAMPLE_CONFIG.project,
          environment: EXAMPLE_CONFIG.environment,
          network: p.network,
          access: access(p),
          repository: `${EXAMPLE_CONFIG.githubOwner}/${EXAMPLE_CONFIG.githubRepository}`,
          githubToken: secretVariable(p, 'persistent_runner_github_token', { description: 'GitHub token that registers the persistent runner' }).stringValue,
          logShipping: p.monitoring,
        });
      },
    }),
    runnerPool: synthPlatform({
      extend: (p) => {
        new EphemeralRunnerPool(p, 'NightlyRunners', {
          project: EXAMPLE_CONFIG.project,
          environment: EXAMPLE_CONFIG.environment,
          pool: 'nightly',
          variablePrefix: 'AIAI_NIGHTLY',
          repository: EXAMPLE_CONFIG.githubRepository,
          network: p.network,
          logShipping: p.monitoring,
          access: access(p),
          location: EXAMPLE_CONFIG.location,
          secrets: { hcloudToken: variable(p, 'runner_hcloud_token'), githubToken: variable(p, 'runner_github_token') },
          jobs: { nightly: { name: 'Nightly', timeoutMinutes: 30, steps: [{ run: 'true' }] } },
        });
      },
    }),
    elsewhere: synthElsewhere(),
    // What the previous release wrote: every text inline, no shared-text locals (lib/core/shared-text.ts).
    inlineTexts: synthPlatform({ context: { [SHARED_TEXT_CONTEXT]: false } }),
    serverType: synthPlatform({ monitoring: { serverType: 'cax31' } }),
    otherArchitecture: synthPlatform({ monitoring: { serverType: 'cpx32' } }),
    location: synthPlatform({ monitoring: { location: 'nbg1' } }),
  };

  const monitoringServer = [...constructPaths(a.json)].find(([, p]) => p === 'hcloud_server Monitoring/Server/Server')![0];
  let tf: StandIn;
  let base: Workspace;
  let applied: Promise<void>;
  const plans = new Map<string, Promise<unknown>>();
  const slot = limited(4);

  /** `run` on a workspace holding `b` and a copy of A's applied state (after A's apply), once per name. */
  function againstA<T>(name: string, b: StackJson, run: (ws: Workspace) => Promise<T>): Promise<T> {
    let p = plans.get(name) as Promise<T> | undefined;
    if (!p) {
      p = quiet(
        applied.then(() =>
          slot(async () => {
            const ws = tf.workspace(b as TerraformJson);
            copyFileSync(base.stateFile, ws.stateFile);
            return run(ws);
          }),
        ),
      );
      plans.set(name, p);
    }
    return p;
  }

  // The stand-in's refresh returns the state unchanged (nothing drifts): skipping it plans the same, faster.
  /** A plan of `b` against A's state, summarized from `show -json`. */
  const planAgainstA = (name: string, b: StackJson, extraArgs: string[] = []): Promise<PlanSummary> => againstA(name, b, (ws) => ws.plan(['-refresh=false', ...extraArgs]));
  /** Whether a plan of `b` against A's state has any change (-detailed-exitcode; no saved plan, no `show -json`). */
  const changesAgainstA = (name: string, b: StackJson): Promise<boolean> => againstA(name, b, (ws) => ws.planHasChanges(['-refresh=false']));

  beforeAll(async () => {
    tf = await startStandIn();
    base = tf.workspace(a.json as TerraformJson);
    // The bucket lifecycle programs (local-exec) would call the real endpoint: strip them.
    applied = quiet(base.apply({ stripLocalExec: true }).then(() => undefined));
    for (const [name, v] of Object.entries(versions)) {
      if (name === 'elsewhere') changesAgainstA(name, v.json);
      else planAgainstA(name, v.json);
    }
    planAgainstA('rebuild', a.json, [`-replace=${monitoringServer}`]);
  });
  afterAll(async () => {
    await Promise.allSettled([applied, ...plans.values()]);
    await tf?.close();
  });

  test('1. a new agent ref replaces only the two release steps (standby and primary), with the new ref', async () => {
    const b = versions.agentRef.json;
    const plan = await planAgainstA('agentRef', b);
    expect(statefulLosses(plan)).toEqual([]);
    expect(changes(plan, a.json, b)).toEqual({
      'terraform_data Orchestrator/PrimaryRelease/Release': 'replace',
      'terraform_data Orchestrator/StandbyRelease/Release': 'replace',
    });
    for (const release of ['Orchestrator/StandbyRelease/Release', 'Orchestrator/PrimaryRelease/Release']) {
      const path = `terraform_data ${release}`;
      expect(changedTriggers(plan, b, path)).toEqual(['ref']);
      expect((resourceAt(plan, b, path).after as any).triggers_replace.ref).toBe('v2.0.0');
    }
  });

  test('2. an added operator key: a new hcloud_ssh_key, every host’s Converge re-runs (authorized_keys), the pool’s key-id variable is updated; no server is replaced', async () => {
    const b = versions.operatorKey.json;
    const plan = await planAgainstA('operatorKey', b);
    expect(statefulLosses(plan)).toEqual([]);
    expect(changes(plan, a.json, b)).toEqual({
      'hcloud_ssh_key Access/Key-second': 'create',
      'github_actions_variable Runners/Variable-sshKeys': 'update',
      ...Object.fromEntries(HOST_CONVERGES.map((c) => [c, 'replace'])),
    });
    // The new key's id is known after apply only: the runner manager reads the updated list.
    expect((resourceAt(plan, b, 'github_actions_variable Runners/Variable-sshKeys').afterUnknown as any).value).toBe(true);
    // The servers' ssh_keys do change in the JSON: lifecycle.ignore_changes is what keeps them.
    for (const [name, server] of Object.entries(b.resource!.hcloud_server)) {
      expect({ name, keys: server.ssh_keys.length, ignored: server.lifecycle?.ignore_changes }).toEqual({ name, keys: 2, ignored: ['ssh_keys'] });
      expect(a.json.resource!.hcloud_server[name].ssh_keys.length).toBe(1);
    }
    for (const converge of HOST_CONVERGES) {
      expect({ converge, triggers: changedTriggers(plan, b, converge) }).toEqual({ converge, triggers: [`files./home/${SERVICE_USER}/.ssh/authorized_keys`, 'manifest'] });
    }
  });

  test('3. a changed alert threshold on the monitoring node re-runs only its Converge, and only the rules file’s digest changes', async () => {
    const b = versions.alertThreshold.json;
    const plan = await planAgainstA('alertThreshold', b);
    expect(statefulLosses(plan)).toEqual([]);
    expect(changes(plan, a.json, b)).toEqual({ [MONITORING_CONVERGE]: 'replace' });
    expect(changedTriggers(plan, b, MONITORING_CONVERGE)).toEqual([`files.${monitoringPaths().prometheusRulesDir}/aiai-hosts.yml`, 'manifest']);
  });

  test('4. a changed Grafana dashboard (a new library release) re-runs only the monitoring Converge, for that file', async () => {
    const b = versions.dashboard.json;
    const plan = await planAgainstA('dashboard', b);
    expect(statefulLosses(plan)).toEqual([]);
    expect(changes(plan, a.json, b)).toEqual({ [MONITORING_CONVERGE]: 'replace' });
    expect(changedTriggers(plan, b, MONITORING_CONVERGE)).toEqual([`files.${monitoringPaths().grafanaDashboardsDir}/${DASHBOARD}`, 'manifest']);
  });

  test('5a. an added persistent runner only creates its own resources; the monitoring node is untouched (Prometheus discovers it)', async () => {
    const b = versions.persistentRunner.json;
    const plan = await planAgainstA('persistentRunner', b);
    expect(statefulLosses(plan)).toEqual([]);
    expect(changes(plan, a.json, b)).toEqual({
      'hcloud_firewall PersistentRunner/Firewall/Firewall': 'create',
      'hcloud_server PersistentRunner/Host/Server': 'create',
      'terraform_data PersistentRunner/Credential/Delivery': 'create',
      'terraform_data PersistentRunner/Host/Configuration/Converge': 'create',
    });
    expect(resourceAt(plan, b, MONITORING_CONVERGE).action).toBe('no-op');
  });

  test('5b. an added ephemeral runner pool only creates its own GitHub objects and firewall', async () => {
    const b = versions.runnerPool.json;
    const plan = await planAgainstA('runnerPool', b);
    expect(statefulLosses(plan)).toEqual([]);
    // Every resource of the new pool, read from B's JSON, and nothing else.
    const own = [...constructPaths(b).values()].filter((p) => p.split(' ')[1].startsWith('NightlyRunners/')).sort();
    expect(changes(plan, a.json, b)).toEqual(Object.fromEntries(own.map((p) => [p, 'create'])));
    expect(plan.countsByType).toMatchObject({
      github_actions_secret: { create: 2, 'no-op': 2 },
      github_actions_variable: { create: 19, 'no-op': 19 },
      github_repository_file: { create: 2, 'no-op': 2 },
      hcloud_firewall: { create: 1 },
    });
    expect(resourceAt(plan, b, MONITORING_CONVERGE).action).toBe('no-op');
  });

  test('6. synthesized on another machine (cwd, HOME, locale, TZ, CDKTF_OUTDIR, os.*): the same bytes, no gzip anywhere, and a plan with no changes', async () => {
    expect(versions.elsewhere.raw).toBe(a.raw);
    // Base64 of a gzip stream starts with H4sI (1f 8b 08): a gzip header carries the OS and zlib's version.
    expect(allStrings(a.json).filter((s) => /(^|[^A-Za-z0-9+/])H4sI/.test(s))).toEqual([]);
    for (const server of Object.values(a.json.resource!.hcloud_server)) expect(server.user_data.startsWith('#cloud-config\n')).toBe(true);
    // An empty plan (-detailed-exitcode 0): no resource instance and no output changes.
    expect(await changesAgainstA('elsewhere', versions.elsewhere.json)).toBe(false);
  });

  test('7. the stack as the previous release wrote it (every shared text inline, no locals): the same uploads, and a plan with no changes', async () => {
    expect(Object.keys(versions.inlineTexts.json.locals ?? {})).toEqual([]);
    expect(Object.keys(a.json.locals ?? {}).length).toBeGreaterThan(5);
    // Every resource, uploads included, as Terraform evaluates it: the shared texts inlined are the inline texts.
    expect(withSharedTextsInlined(a.json).resource).toEqual(versions.inlineTexts.json.resource);
    const plan = await planAgainstA('inlineTexts', versions.inlineTexts.json);
    expect(plan.changed).toEqual([]);
    expect(plan.counts['no-op']).toBe(Object.keys(plan.resources).length);
  });

  describe('rebuilding the monitoring server', () => {
    test('a deliberate rebuild (-replace) replaces the server, its attachment, its deliveries and the Unmount step (whose destroy runs on the old server); the volume stays', async () => {
      const plan = await planAgainstA('rebuild', a.json);
      expect(changes(plan, a.json, a.json)).toEqual({
        'hcloud_server Monitoring/Server/Server': 'replace',
        'hcloud_volume_attachment Monitoring/Volume/Attachment': 'replace',
        'terraform_data Monitoring/Server/Configuration/Converge': 'replace',
        'terraform_data Monitoring/Secrets/Delivery': 'replace',
        'terraform_data Monitoring/Volume/Unmount': 'replace',
      });
      expect(resourceAt(plan, a.json, 'hcloud_volume Monitoring/Volume/Volume').action).toBe('no-op');
      expect(resourceAt(plan, a.json, 'hcloud_server Monitoring/Server/Server').reason).toBe('replace_by_request');
      expect(resourceAt(plan, a.json, 'hcloud_volume_attachment Monitoring/Volume/Attachment').replacePaths).toEqual(['server_id']);
      expect(changedTriggers(plan, a.json, 'terraform_data Monitoring/Volume/Unmount')).toEqual(['server']);
      // The destroy-time step connects to the address in its own (prior) input: the old server's.
      const unmount = resourceAt(plan, a.json, 'terraform_data Monitoring/Volume/Unmount');
      const prior = plan.json.prior_state.values.root_module.resources.find((r: any) => r.address === monitoringServer);
      expect((unmount.before as any).input.host).toBe(prior.values.ipv4_address);
      expect(prior.values.ipv4_address).toMatch(/^203\.0\.113\./);
    });

    test('a larger server type of the same architecture is an in-place update of the server alone (server_type is not force-new)', async () => {
      const b = versions.serverType.json;
      const plan = await planAgainstA('serverType', b);
      expect(changes(plan, a.json, b)).toEqual({ 'hcloud_server Monitoring/Server/Server': 'update' });
      const server = resourceAt(plan, b, 'hcloud_server Monitoring/Server/Server');
      expect(changedLeaves(server.before, server.after)).toEqual(['server_type']);
    });

    test('a server type of the other CPU architecture rebuilds the server (Hetzner refuses it in place; provider issue 853): the volume stays', async () => {
      const b = versions.otherArchitecture.json;
      const plan = await planAgainstA('otherArchitecture', b);
      const server = resourceAt(plan, b, 'hcloud_server Monitoring/Server/Server');
      expect(server.replacePaths).toEqual(['user_data']);
      expect(changes(plan, a.json, b)).toMatchObject({
        'hcloud_server Monitoring/Server/Server': 'replace',
        'hcloud_volume_attachment Monitoring/Volume/Attachment': 'replace',
        'terraform_data Monitoring/Volume/Unmount': 'replace',
        'terraform_data Monitoring/Server/Configuration/Converge': 'replace',
      });
      expect(changes(plan, a.json, b)).not.toHaveProperty(['hcloud_volume Monitoring/Volume/Volume']);
    });

    test('moving it to another location is refused at plan: the protected volume would be replaced', async () => {
      const volume = [...constructPaths(a.json)].find(([, p]) => p === 'hcloud_volume Monitoring/Volume/Volume')![0];
      const error = await planAgainstA('location', versions.location.json).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TerraformError);
      const text = (error as TerraformError).run.stderr.replace(/\s+/g, ' ');
      expect(text).toContain('Instance cannot be destroyed');
      expect(text).toContain(`Resource ${volume} has lifecycle.prevent_destroy set`);
    });
  });
});
