/**
 * AiaiPlatform per preset: what it deploys (server types, counts, volume, load balancer, runner
 * pool, buckets) and how the parts are wired (every host scraped once by the monitoring node's
 * Prometheus, every host shipping its logs to its Loki, backups to the backups bucket, snapshots
 * and server backups as the preset says); then the sizing overrides and the props that contradict
 * each other.
 */
import { DEPRECATED_SERVER_TYPES, SERVER_TYPES } from '../../lib/hetzner/catalog';
import { PlatformPreset } from '../../lib/platform/presets';
import { OFFSITE_BACKUP_NAME } from '../../lib/render/backup/offsite-backup';
import { SNAPSHOT_ROTATION_NAME } from '../../lib/render/backup/snapshot-rotation';
import { expectProblem, Json, validationError } from '../support/stack';
import { BUCKET_PREFIX, buildPlatform, discovered, lokiTargets, prometheusConfig, runnerAsDiscovered, scrapesOf, servers, ServerView, synthJson } from './support';

const MONITORING_IP = '10.0.1.20';
const LOKI_PUSH = `http://${MONITORING_IP}:3100/loki/api/v1/push`;
const BACKUPS_BUCKET = `${BUCKET_PREFIX}-backups`;

interface Expected {
  /** server name suffix (after `aiai-test-`) -> [type, backups] */
  readonly servers: Record<string, [string, boolean]>;
  readonly volumeGb?: number;
  readonly loadBalancer?: string;
  readonly runners?: { serverType: string; maxRunners: number };
  readonly snapshotsKept?: number;
}

const EXPECTED: Record<string, Expected> = {
  bootstrapping: { servers: { 'orchestrator-primary': ['cx23', false] } },
  minimal: { servers: { 'orchestrator-primary': ['cx23', false], monitoring: ['cx23', false] }, volumeGb: 10 },
  'standard-production': {
    servers: { 'orchestrator-primary': ['cx33', false], 'orchestrator-standby': ['cx23', false], monitoring: ['cax21', false] },
    volumeGb: 50,
    loadBalancer: 'lb11',
    runners: { serverType: 'cpx32', maxRunners: 5 },
    snapshotsKept: 7,
  },
  'full-production': {
    servers: { 'orchestrator-primary': ['ccx23', true], 'orchestrator-standby': ['cx33', true], monitoring: ['cax31', true] },
    volumeGb: 100,
    loadBalancer: 'lb11',
    runners: { serverType: 'cpx32', maxRunners: 10 },
    snapshotsKept: 7,
  },
};

const resources = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {});
const unit = (s: ServerView, name: string) => s.manifest.files.find((f) => f.path === `/etc/systemd/system/${name}`);

describe.each(PlatformPreset.all().map((p) => [p.name, p] as const))('preset %s', (name, preset) => {
  const built = buildPlatform(preset);
  const json = synthJson(built.stack);
  const hosts = servers(json);
  const expected = EXPECTED[name];
  const monitored = expected.servers.monitoring !== undefined;

  test('its servers: types, counts and Hetzner backups', () => {
    const actual = Object.fromEntries(hosts.map((h) => [h.name.replace('aiai-test-', ''), [h.config.server_type, h.config.backups ?? false]]));
    expect(actual).toEqual(expected.servers);
    expect(built.platform.hosts.map((h) => h.server.friendlyUniqueId).sort()).toEqual(hosts.map((h) => h.resource).sort());
  });

  test('its volume, load balancer and buckets', () => {
    expect(resources(json, 'hcloud_volume').map((v) => v.size)).toEqual(expected.volumeGb === undefined ? [] : [expected.volumeGb]);
    expect(resources(json, 'hcloud_load_balancer').map((l) => l.load_balancer_type)).toEqual(expected.loadBalancer ? [expected.loadBalancer] : []);
    expect(resources(json, 'aws_s3_bucket').map((b) => b.bucket).sort()).toEqual(['artifacts', 'backups', 'logs', 'metrics'].map((b) => `${BUCKET_PREFIX}-${b}`));
  });

  test('the load balancer targets every orchestrator by private IP, and nothing else', () => {
    const targets = resources(json, 'hcloud_load_balancer_target');
    if (!expected.loadBalancer) {
      expect(targets).toEqual([]);
      expect(Object.keys(json.output ?? {}).filter((o) => o.includes('LoadBalancer'))).toEqual([]);
      expect(built.platform.orchestrator.loadBalancer).toBeUndefined();
      return;
    }
    const orchestrators = hosts.filter((h) => h.config.labels.role === 'orchestrator').map((h) => `\${hcloud_server.${h.resource}.id}`);
    expect(targets.map((t) => t.server_id).sort()).toEqual(orchestrators.sort());
    expect(targets.every((t) => t.use_private_ip === true)).toBe(true);
  });

  test('the runner pool: server type and capacity', () => {
    const settings = built.platform.runners?.settings;
    expect(settings ? { serverType: settings.serverType, maxRunners: settings.maxRunners } : undefined).toEqual(expected.runners);
    expect(resources(json, 'github_actions_secret').length).toBe(expected.runners ? 2 : 0);
  });

  test(monitored ? 'every host, runners included, is scraped by Prometheus exactly once (node exporter) over the private network' : 'without a monitoring node nothing is scraped: runners are labelled not to be', () => {
    const runner = runnerAsDiscovered(built.platform);
    if (!monitored) {
      expect(built.platform.monitoring).toBeUndefined();
      if (runner) expect(runner.labels.monitoring).toBe('false');
      return;
    }
    const config = prometheusConfig(json);
    const all = [...hosts.map(discovered), ...(runner ? [runner] : [])];
    expect(all.length).toBe(hosts.length + (expected.runners ? 1 : 0));
    for (const host of all) {
      const node = scrapesOf(config, host).filter((s) => s.job === 'node');
      expect({ host: host.name, node }).toEqual({ host: host.name, node: [{ job: 'node', address: `${host.privateIp}:9100` }] });
    }
    // The aiai metrics job scrapes the orchestrators only, each once.
    for (const host of all) {
      const aiai = scrapesOf(config, host).filter((s) => s.job === 'aiai');
      expect({ host: host.name, aiai: aiai.length }).toEqual({ host: host.name, aiai: host.labels.role === 'orchestrator' ? 1 : 0 });
    }
  });

  test(monitored ? 'every host ships its logs to the monitoring node’s Loki, once' : 'without a monitoring node no host ships logs anywhere', () => {
    for (const h of hosts) {
      expect({ host: h.name, loki: lokiTargets(h.manifest) }).toEqual({ host: h.name, loki: monitored ? [LOKI_PUSH] : [] });
    }
    if (expected.runners) expect(built.platform.runners!.settings.lokiHost).toBe(monitored ? MONITORING_IP : undefined);
  });

  test('backups go to the backups bucket: the primary’s nightly off-site backup, and the monitoring node’s with snapshots', () => {
    const primary = hosts.find((h) => h.name === 'aiai-test-orchestrator-primary')!;
    expect(unit(primary, `${OFFSITE_BACKUP_NAME}.service`)?.content).toContain(`BACKUP_BUCKET=${BACKUPS_BUCKET}`);
    const monitoring = hosts.find((h) => h.config.labels.role === 'monitoring');
    if (monitoring) {
      const backup = unit(monitoring, `${OFFSITE_BACKUP_NAME}.service`);
      const rotation = unit(monitoring, `${SNAPSHOT_ROTATION_NAME}.service`);
      if (expected.snapshotsKept) {
        expect(backup?.content).toContain(`BACKUP_BUCKET=${BACKUPS_BUCKET}`);
        expect(rotation?.content).toContain(`SNAPSHOT_KEEP=${expected.snapshotsKept}`);
      } else {
        expect({ backup, rotation }).toEqual({ backup: undefined, rotation: undefined });
      }
    }
    for (const standby of hosts.filter((h) => h.name.endsWith('standby'))) expect(unit(standby, `${OFFSITE_BACKUP_NAME}.service`)).toBeUndefined();
  });

  test('uses only orderable server types, and names the doc’s types it replaced', () => {
    for (const h of hosts) expect({ host: h.name, orderable: h.config.server_type in SERVER_TYPES }).toEqual({ host: h.name, orderable: true });
    for (const [old, current] of Object.entries(preset.replacedServerTypes)) expect(DEPRECATED_SERVER_TYPES[old].replacement).toBe(current);
  });
});

describe('sizing overrides', () => {
  test('a value given wins, the rest stays the preset’s', () => {
    const { platform, stack } = buildPlatform(PlatformPreset.standardProduction(), { sizing: { monitoring: { volumeSizeGb: 100 }, orchestrator: { primaryServerType: 'cx43' } } });
    const json = synthJson(stack);
    expect(resources(json, 'hcloud_volume').map((v) => v.size)).toEqual([100]);
    expect(platform.sizing.monitoring).toEqual({ serverType: 'cax21', volumeSizeGb: 100, snapshots: { keep: 7 }, serverBackups: false });
    expect(servers(json).map((s) => [s.name, s.config.server_type]).sort()).toEqual([
      ['aiai-test-monitoring', 'cax21'],
      ['aiai-test-orchestrator-primary', 'cx43'],
      ['aiai-test-orchestrator-standby', 'cx23'],
    ]);
  });

  test('false removes a part and the wiring follows (no pool resources, no standby, no load balancer)', () => {
    const { platform, stack } = buildPlatform(PlatformPreset.standardProduction(), { sizing: { runnerPool: false, orchestrator: { standby: false, loadBalancer: false } } });
    const json = synthJson(stack);
    expect(platform.runners).toBeUndefined();
    expect(json.resource.github_actions_variable).toBeUndefined();
    expect(resources(json, 'hcloud_load_balancer')).toEqual([]);
    expect(servers(json).map((s) => s.name).sort()).toEqual(['aiai-test-monitoring', 'aiai-test-orchestrator-primary']);
  });

  test('true adds a part a preset leaves out, with the constructs’ defaults; monitoring then scrapes the new host too', () => {
    const { platform, stack } = buildPlatform(PlatformPreset.bootstrapping(), { sizing: { monitoring: true, runnerPool: { maxRunners: 2 } } });
    expect(platform.sizing.monitoring).toEqual({ serverType: 'cax21', volumeSizeGb: 50, snapshots: false, serverBackups: false });
    expect(platform.sizing.runnerPool).toEqual({ serverType: 'cpx32', maxRunners: 2 });
    const json = synthJson(stack);
    const primary = servers(json).find((s) => s.name === 'aiai-test-orchestrator-primary')!;
    expect(lokiTargets(primary.manifest)).toEqual([LOKI_PUSH]);
    expect(platform.runners!.settings.lokiHost).toBe(MONITORING_IP);
  });

  test('PlatformPreset.with merges the same way and keeps the preset’s name', () => {
    const p = PlatformPreset.fullProduction().with({ monitoring: { snapshots: { keep: 14 } }, runnerPool: { maxRunners: 3 } });
    expect(p.name).toBe('full-production');
    expect(p.sizing.monitoring).toEqual({ serverType: 'cax31', volumeSizeGb: 100, snapshots: { keep: 14 }, serverBackups: true });
    expect(p.sizing.runnerPool).toEqual({ serverType: 'cpx32', maxRunners: 3 });
    expect(PlatformPreset.fullProduction().sizing.runnerPool).toEqual({ serverType: 'cpx32', maxRunners: 10 });
  });

  test('an undefined value in an override keeps the preset’s value', () => {
    const p = PlatformPreset.minimal().with({ monitoring: { serverType: undefined, volumeSizeGb: 20 } });
    expect(p.sizing.monitoring).toEqual({ serverType: 'cx23', volumeSizeGb: 20, snapshots: false, serverBackups: false });
  });

  test('the default preset is standard production', () => {
    const { platform } = buildPlatform(PlatformPreset.standardProduction(), { preset: undefined });
    expect(platform.preset.name).toBe('standard-production');
  });
});

describe('fails at synth with a ValidationError naming path, property, value and what is allowed', () => {
  const path = 'test/Platform';

  test('fails if a standby has no load balancer', () => {
    const err = validationError(() => buildPlatform(PlatformPreset.standardProduction(), { sizing: { orchestrator: { loadBalancer: false } } }));
    expectProblem(err, { path, property: 'sizing.orchestrator.loadBalancer', value: false, allowed: /load balancer when there is a standby/ });
  });

  test('fails if a server type can no longer be ordered (and names its replacement)', () => {
    const err = validationError(() => buildPlatform(PlatformPreset.standardProduction(), { sizing: { runnerPool: { serverType: 'cpx31' }, orchestrator: { primaryServerType: 'cx32' } } }));
    expectProblem(err, { path, property: 'sizing.runnerPool.serverType', value: 'cpx31', allowed: /use cpx32/ });
    expectProblem(err, { path, property: 'sizing.orchestrator.primaryServerType', value: 'cx32', allowed: /use cx33/ });
  });

  test('fails if the sizing has a monitoring node but its props are missing', () => {
    const err = validationError(() => buildPlatform(PlatformPreset.minimal(), { monitoring: undefined }));
    expectProblem(err, { path, property: 'monitoring', allowed: /monitoring node's props \(the preset 'minimal'.*or sizing.monitoring: false/ });
  });

  test('fails if props are given for a part the sizing leaves out (they would be ignored)', () => {
    const withPool = buildPlatform(PlatformPreset.standardProduction()).platform;
    expect(withPool.runners).toBeDefined();
    const err = validationError(() =>
      buildPlatform(PlatformPreset.bootstrapping(), {
        runnerPool: { repository: 'aiai', secrets: { hcloudToken: 'x', githubToken: 'y' }, jobs: {} },
      }),
    );
    expectProblem(err, { path, property: 'runnerPool', value: '(given)', allowed: /unset: the preset 'bootstrapping'.*has no runner pool \(add one with sizing.runnerPool\)/ });
  });

  test('fails if the sizing has an object store but no provider and prefix are given', () => {
    const err = validationError(() => buildPlatform(PlatformPreset.bootstrapping(), { objectStore: undefined }));
    expectProblem(err, { path, property: 'objectStore', allowed: /object store's props/ });
  });

  test('fails if snapshots have no token, or a token has no snapshots', () => {
    const secrets = { hcloudSdToken: '${var.a}', alertWebhookUrl: '${var.b}', grafanaAdminPassword: '${var.c}' };
    const missing = validationError(() => buildPlatform(PlatformPreset.standardProduction(), { monitoring: { secrets } }));
    expectProblem(missing, { path, property: 'monitoring.hcloudSnapshotToken', allowed: /sizing takes snapshots/ });
    const unused = validationError(() => buildPlatform(PlatformPreset.minimal(), { monitoring: { secrets, hcloudSnapshotToken: '${var.d}' } }));
    expectProblem(unused, { path, property: 'monitoring.hcloudSnapshotToken', value: '(given)', allowed: /unset: the sizing takes no snapshots/ });
  });

  test('fails if the runner pool has no capacity or the volume is smaller than Hetzner sells', () => {
    const err = validationError(() => buildPlatform(PlatformPreset.standardProduction(), { sizing: { runnerPool: { maxRunners: 0 }, monitoring: { volumeSizeGb: 5 } } }));
    expectProblem(err, { path, property: 'sizing.runnerPool.maxRunners', value: 0, allowed: /at least 1/ });
    expectProblem(err, { path, property: 'sizing.monitoring.volumeSizeGb', value: 5, allowed: /from 10 to 10240/ });
  });
});
