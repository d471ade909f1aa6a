/**
 * MonitoringNode as synthesized (Testing.synth, cdktf validations on): the server and its
 * bootstrap (user_data), its volume, firewall, the host configuration delivered after boot (the
 * manifest: files, units, services, the host firewall script), secret delivery, disaster recovery
 * jobs and every `fails if ...` of its props. Each fixture is synthesized once for the file.
 */
import { TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { Ports } from '../../lib/core/ports';
import { HetznerLimits } from '../../lib/hetzner/catalog';
import { MonitoringNode, MonitoringNodeProps } from '../../lib/monitoring/monitoring-node';
import { expectProblem, validationError, access, network, testStack, secretToken, Json, resourcesOf } from '../support/stack';
import {
  defaultProps,
  deliveredManifestAt,
  firewallLines,
  monitoringFixture,
  monitoringServer,
  resourceAt,
  ufwRules,
  unpackHost,
  UnpackedHost,
} from './support';

const PRIVATE_RANGE = '10.0.0.0/16';
const ADMIN_CIDR = '198.51.100.7/32';
const MONITORING_PORTS = [Ports.grafana, Ports.loki, Ports.prometheus, Ports.alertmanager, Ports.nodeExporter].map((p) => String(p.port)).sort();

const plain = monitoringFixture();
const snapshots = monitoringFixture({ dr: 'snapshots' });
const offsite = monitoringFixture({ dr: 'offsite' });
const custom = monitoringFixture({
  props: {
    serverType: 'cpx32',
    location: 'nbg1',
    privateIp: '10.0.1.21',
    volumeSizeGb: 100,
    metricsRetention: '90d',
    logRetention: '14d',
    scrapeInterval: '30s',
    serverBackups: true,
  },
});
const hosts = new Map<object, UnpackedHost>();
const host = (f: { json: Json }): UnpackedHost => {
  if (!hosts.has(f)) hosts.set(f, unpackHost(f.json));
  return hosts.get(f)!;
};
const unitNames = (h: UnpackedHost) => h.files.filter((f) => /^\/etc\/systemd\/system\/[^/]+$/.test(f.path)).map((f) => f.path.split('/').pop());
const promArgs = (h: UnpackedHost) => h.file('/etc/systemd/system/prometheus.service.d/50-aiai.conf').content.split('\n').filter((l) => l.startsWith('ExecStart=/'))[0];
const delivery = (f: { json: Json }) => resourceAt(f.json, 'terraform_data', 'Monitoring/Secrets/Delivery');
const delivered = (f: { json: Json }) =>
  (delivery(f).provisioner as Json[]).filter((p) => p.file).map((p) => ({ name: p.file.destination.split('/').pop(), content: p.file.content }));

describe('the server', () => {
  const server = monitoringServer(plain.json);

  test('cax21 (arm64) on Ubuntu 24.04 in fsn1 by default', () => {
    expect(server).toMatchObject({ server_type: 'cax21', image: 'ubuntu-24.04', location: 'fsn1', name: 'aiai-production-monitoring' });
  });

  test('in the private network at the IP plan\'s monitoring address (.20)', () => {
    expect(server.network).toEqual([{ network_id: expect.stringMatching(/^\$\{hcloud_network\.Net_Network_[0-9A-F]{8}\.id\}$/), ip: '10.0.1.20', alias_ips: [] }]);
    expect(plain.node.privateIp).toBe('10.0.1.20');
    expect(plain.node.lokiHost).toBe('10.0.1.20');
  });

  test('labelled with project, environment, role and the scrape flag (what service discovery selects on)', () => {
    expect(server.labels).toEqual({ project: 'aiai', environment: 'production', role: 'monitoring', monitoring: 'true' });
  });

  test('disposable (its data is on the protected volume), no paid backups by default', () => {
    expect(server).toMatchObject({ delete_protection: false, rebuild_protection: false, backups: false });
    // No prevent_destroy; ssh_keys (force-new, only read at creation) is ignored afterwards.
    expect(server.lifecycle).toEqual({ ignore_changes: ['ssh_keys'] });
  });

  test('shut down gracefully before deletion (the volume\'s data outlives the server); the disk is kept on a type change', () => {
    expect(server.shutdown_before_deletion).toBe(true);
    expect(server.keep_disk).toBe(true);
  });

  test('type, location, IP and backups follow the props', () => {
    const s = monitoringServer(custom.json);
    expect(s).toMatchObject({ server_type: 'cpx32', location: 'nbg1', backups: true });
    expect(s.network[0].ip).toBe('10.0.1.21');
    expect(resourcesOf(custom.json, 'hcloud_volume')[0][1].location).toBe('nbg1');
  });
});

describe('the data volume', () => {
  const [[volumeId, volume]] = resourcesOf(plain.json, 'hcloud_volume');
  const attachment = resourceAt(plain.json, 'hcloud_volume_attachment', 'Monitoring/Volume/Attachment');

  test('50 GB ext4 in the server location, labelled like the server', () => {
    expect(volume).toMatchObject({ name: 'aiai-production-monitoring-data', size: 50, format: 'ext4', location: 'fsn1' });
    expect(volume.labels).toEqual({ project: 'aiai', environment: 'production', role: 'monitoring' });
  });

  test('delete protection and prevent_destroy', () => {
    expect(volume.delete_protection).toBe(true);
    expect(volume.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('attached to the monitoring server, mounted by the host (no Hetzner automount)', () => {
    const serverId = Object.keys(plain.json.resource.hcloud_server)[0];
    expect(attachment).toEqual({ volume_id: `\${hcloud_volume.${volumeId}.id}`, server_id: `\${hcloud_server.${serverId}.id}`, automount: false });
  });

  test('volumeSizeGb sets the size', () => {
    expect(resourcesOf(custom.json, 'hcloud_volume')[0][1].size).toBe(100);
  });

  test('the host mounts it by label at /mnt/monitoring and every data service requires the mount', () => {
    const h = host(plain);
    expect(h.file('/etc/systemd/system/mnt-monitoring.mount')).toMatchObject({ from: 'manifest', content: expect.stringContaining('What=/dev/disk/by-label/aiai-monitoring\n') });
    expect(h.manifest.units).toContainEqual({ name: 'mnt-monitoring.mount', enable: true, start: true });
    for (const unit of ['prometheus.service', 'prometheus-alertmanager.service', 'loki.service', 'grafana-server.service']) {
      expect(h.file(`/etc/systemd/system/${unit}.d/50-aiai.conf`).content).toContain('RequiresMountsFor=/mnt/monitoring\n');
      expect(h.manifest.services).toContain(unit);
    }
    // Neither the bootstrap nor the manifest knows the volume (no id, no device path by id).
    expect(h.text).not.toMatch(/hcloud_volume|scsi-0HC_Volume_\d/);
    expect(h.manifestText).not.toMatch(/hcloud_volume|scsi-0HC_Volume_\d/);
  });
});

describe('firewalls', () => {
  test('the cloud firewall opens only SSH, only to the admin CIDRs', () => {
    const [[fwId, fw]] = resourcesOf(plain.json, 'hcloud_firewall');
    expect(fw.name).toBe('aiai-production-monitoring');
    expect(fw.rule).toEqual([{ direction: 'in', protocol: 'tcp', port: String(Ports.ssh.port), source_ips: [ADMIN_CIDR], description: 'ssh' }]);
    expect(monitoringServer(plain.json).firewall_ids).toEqual([`\${hcloud_firewall.${fwId}.id}`]);
  });

  test('ufw opens 3000, 3100, 9090, 9093 and 9100 to the private range only', () => {
    const rules = ufwRules(firewallLines(host(plain)));
    const monitoringRules = rules.filter((r) => MONITORING_PORTS.includes(r.port));
    expect(monitoringRules.map((r) => r.port).sort()).toEqual(MONITORING_PORTS);
    for (const r of monitoringRules) expect(r).toMatchObject({ action: 'allow', from: PRIVATE_RANGE });
  });

  test('with the admin API (off-site backup) Prometheus listens on 127.0.0.1, so ufw does not open 9090', () => {
    const ports = ufwRules(firewallLines(host(offsite))).map((r) => r.port);
    expect(ports).not.toContain(String(Ports.prometheus.port));
    expect(ports).toEqual(expect.arrayContaining([Ports.grafana, Ports.loki, Ports.alertmanager].map((p) => String(p.port))));
    expect(promArgs(host(offsite))).toContain(`--web.listen-address=127.0.0.1:${Ports.prometheus.port}`);
  });

  test('ufw: default deny, SSH from the admin CIDRs and the private range, nothing else, enabled last', () => {
    const h = host(plain);
    const lines = firewallLines(h);
    const rules = ufwRules(lines);
    expect(rules.filter((r) => !MONITORING_PORTS.includes(r.port))).toEqual([
      { action: 'allow', from: ADMIN_CIDR, port: '22' },
      { action: 'allow', from: PRIVATE_RANGE, port: '22' },
    ]);
    // Rebuilt from nothing, so a port removed from the definitions is closed on the running host too.
    const ufw = lines.filter((c) => c.startsWith('ufw '));
    expect(ufw.slice(0, 2)).toEqual(['ufw --force reset > /dev/null', 'ufw default deny incoming']);
    expect(ufw[ufw.length - 1]).toBe('ufw --force enable');
    expect(lines.slice(0, 3)).toEqual(['#!/bin/sh', expect.stringMatching(/^# /), 'set -eu']);
    // Delivered as an executable the converge runs when it changed (before it starts any unit).
    expect(h.manifest.files.find((f) => f.path === '/usr/local/lib/aiai/aiai-firewall')).toMatchObject({ mode: '0755', owner: 'root:root', exec: true });
  });

  test('the bootstrap closes the host before anything runs: default deny, only SSH open, enabled before sshd restarts', () => {
    const h = host(plain);
    // SSH from anywhere at boot: the cloud firewall limits it to the admin CIDRs until the converge narrows ufw too.
    expect(ufwRules(h.runcmd)).toEqual([{ action: 'allow', from: 'any', port: String(Ports.ssh.port) }]);
    const ufw = h.runcmd.filter((c) => c.startsWith('ufw '));
    expect(ufw[0]).toBe('ufw default deny incoming');
    expect(ufw[ufw.length - 1]).toBe('ufw --force enable');
    expect(h.runcmd.indexOf('ufw --force enable')).toBeLessThan(h.runcmd.findIndex((c) => c.startsWith('systemctl ')));
    // No service of the role is installed at boot: only ufw and jq (the converge reads its manifest with jq).
    expect(h.cloudConfig.packages).toEqual(['ufw', 'jq']);
  });
});

describe('secrets are delivered after boot by SecretFiles', () => {
  test('the three monitoring secrets, each from its sensitive variable', () => {
    expect(delivered(plain)).toEqual([
      { name: 'hcloud-sd-token', content: '${var.hcloud_sd_token}' },
      { name: 'alertmanager-webhook-url', content: '${var.alert_webhook_url}' },
      { name: 'grafana-admin-password', content: '${var.grafana_admin_password}' },
    ]);
    for (const name of ['hcloud_sd_token', 'alert_webhook_url', 'grafana_admin_password']) {
      expect(plain.json.variable[name]).toMatchObject({ sensitive: true, type: 'string' });
    }
  });

  test('installed root-only (0600, read by systemd as credentials) and the services that load them restarted', () => {
    const script = (delivery(plain).provisioner as Json[]).map((p) => p['remote-exec']?.inline).filter(Boolean).pop() as string[];
    for (const name of ['hcloud-sd-token', 'alertmanager-webhook-url', 'grafana-admin-password']) {
      expect(script).toContain(`sudo install -m 0600 -o root -g aiai /home/aiai/.secrets-inbox/${name} /etc/aiai/secrets/${name}`);
    }
    const restarted = script.filter((l) => l.startsWith('sudo systemctl restart ')).map((l) => l.split(' ').pop());
    expect(restarted).toEqual(['prometheus.service', 'prometheus-alertmanager.service', 'grafana-server.service']);
  });

  test('the delivery waits for the host configuration (the units it restarts) and the volume attachment (they need the mount)', () => {
    const [[attachmentId]] = resourcesOf(plain.json, 'hcloud_volume_attachment');
    const [[convergeId]] = resourcesOf(plain.json, 'terraform_data').filter(([id]) => id.startsWith('Monitoring_Server_Configuration_Converge_'));
    expect(delivery(plain).depends_on).toEqual([`terraform_data.${convergeId}`, `hcloud_volume_attachment.${attachmentId}`]);
    // So does the host configuration, which starts the services that require the mount.
    expect(deliveredManifestAt(plain.json).resource.depends_on).toEqual([`hcloud_volume_attachment.${attachmentId}`]);
  });

  test.each([
    ['no DR', plain],
    ['snapshots', snapshots],
    ['off-site backup', offsite],
  ])('%s: every credential a unit loads is a delivered file, and every delivered file is loaded by a unit', (_name, f) => {
    const h = host(f);
    const loaded = new Set<string>();
    for (const file of h.files.filter((x) => x.path.startsWith('/etc/systemd/system/'))) {
      for (const m of file.content.matchAll(/^LoadCredential=[^:]+:\/etc\/aiai\/secrets\/(.+)$/gm)) loaded.add(m[1]);
    }
    expect([...loaded].sort()).toEqual(delivered(f).map((d) => d.name).sort());
  });

  test('secret values set in the environment (TF_VAR_*) never reach the synthesized JSON', () => {
    const values: Record<string, string> = {
      TF_VAR_hcloud_sd_token: 'sd-token-4f1c9a7e2b',
      TF_VAR_alert_webhook_url: 'https://hooks.example.invalid/T0-9d3e1f',
      TF_VAR_grafana_admin_password: 'grafana-pw-8c2d5b',
      TF_VAR_hcloud_snapshot_token: 'snap-token-71ae0c',
    };
    const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
    Object.assign(process.env, values);
    let raw: string;
    try {
      raw = monitoringFixture({ dr: 'offsite' }).raw;
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    for (const v of Object.values(values)) expect(raw).not.toContain(v);
    // Nor what reaches the host: the bootstrap and the delivered manifest.
    const delivered = unpackHost(JSON.parse(raw)).text;
    for (const v of Object.values(values)) expect(delivered).not.toContain(v);
  });

  test('no secret is in user_data or the manifest: nothing under /etc/aiai/secrets is written by cloud-init or the converge, no variable is referenced', () => {
    for (const f of [plain, snapshots, offsite]) {
      const h = host(f);
      expect(h.files.filter((x) => x.path.startsWith('/etc/aiai/secrets'))).toEqual([]);
      expect(monitoringServer(f.json).user_data).not.toMatch(/\$\{/);
      expect(h.userData).not.toMatch(/\$\{var\./);
      // The uploaded manifest is a literal for Terraform: no reference at all (only escaped `$${`).
      const upload = (h.configuration.provisioner as Json[]).find((p) => p.file?.destination?.endsWith('/host-manifest.json'))!.file.content as string;
      expect(upload).not.toMatch(/(?<!\$)\$\{/);
      expect(h.manifestText).not.toMatch(/\$\{var\./);
    }
  });
});

describe('disaster recovery', () => {
  const DR_UNITS = ['aiai-snapshot-rotate.service', 'aiai-snapshot-rotate.timer', 'aiai-offsite-backup.service', 'aiai-offsite-backup.timer'];

  test('without disasterRecovery: no DR units, and the Prometheus admin API is off on the private listener', () => {
    const h = host(plain);
    expect(unitNames(h).filter((u) => DR_UNITS.includes(u!))).toEqual([]);
    expect(promArgs(h)).not.toContain('--web.enable-admin-api');
    expect(promArgs(h)).toContain(`--web.listen-address=10.0.1.20:${Ports.prometheus.port}`);
    expect(h.files.some((f) => /snapshot|offsite/.test(f.path))).toBe(false);
  });

  test('snapshots only: the rotation job and its token; still no admin API', () => {
    const h = host(snapshots);
    expect(unitNames(h).filter((u) => DR_UNITS.includes(u!))).toEqual(['aiai-snapshot-rotate.service', 'aiai-snapshot-rotate.timer']);
    expect(h.file('/etc/systemd/system/aiai-snapshot-rotate.service').content).toMatch(/^Environment="?SNAPSHOT_KEEP=7"?$/m);
    expect(delivered(snapshots).map((d) => d.name)).toContain('hcloud-snapshot-token');
    expect(promArgs(h)).not.toContain('--web.enable-admin-api');
  });

  test('with an object store: the off-site backup job, its S3 keys, and the admin API on loopback only', () => {
    const h = host(offsite);
    expect(unitNames(h).filter((u) => DR_UNITS.includes(u!))).toEqual(DR_UNITS);
    expect(delivered(offsite).map((d) => d.name)).toEqual(expect.arrayContaining(['hcloud-snapshot-token', 's3-access-key', 's3-secret-key']));
    expect(promArgs(h)).toContain('--web.enable-admin-api');
    expect(promArgs(h)).toContain(`--web.listen-address=127.0.0.1:${Ports.prometheus.port}`);
    // Grafana (same host) follows Prometheus onto loopback.
    const ds = parse(h.file('/etc/grafana/provisioning/datasources/aiai.yaml').content) as Json;
    expect(ds.datasources.find((d: Json) => d.type === 'prometheus').url).toBe(`http://127.0.0.1:${Ports.prometheus.port}`);
    const backup = h.file('/etc/systemd/system/aiai-offsite-backup.service').content;
    expect(backup).toMatch(/EXCLUDE_PATHS=\/etc\/aiai\/secrets/);
    expect(backup).toContain('/mnt/monitoring/prometheus');
  });

  test('keepSnapshots is passed to the rotation', () => {
    const stack = testStack();
    const net = network(stack, { name: 'aiai-production-net' });
    const acc = access(stack);
    const node = new MonitoringNode(stack, 'Monitoring', {
      ...defaultProps(stack, net, acc),
      disasterRecovery: { hcloudSnapshotToken: secretToken(stack, 'snap'), keepSnapshots: 14 },
    });
    const rotation = node.host.manifest.files.find((f) => f.path === '/etc/systemd/system/aiai-snapshot-rotate.service');
    expect(rotation?.content).toMatch(/^Environment="?SNAPSHOT_KEEP=14"?$/m);
  });
});

test('user_data is the plain bootstrap: small, the same with every DR job and setting; the configuration is in the manifest', () => {
  const base = monitoringServer(plain.json).user_data as string;
  for (const f of [plain, snapshots, offsite, custom]) {
    const raw = monitoringServer(f.json).user_data as string;
    expect(raw.startsWith('#cloud-config\n')).toBe(true);
    // An eighth of Hetzner's 32 KiB: the bootstrap does not grow with the role.
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(HetznerLimits.userDataBytes / 8);
    expect(f.node.host.userDataEncoded).toBe(raw);
    // Settings and DR jobs change what is delivered, never user_data (force-new on hcloud_server);
    // only a server type of the other CPU architecture (the custom fixture) does, by design.
    const neutral = (u: string) => u.replace(/\n {6}(amd64|arm64)\n/, '\n      <architecture>\n');
    expect(neutral(raw)).toBe(neutral(base));
  }
  expect(host(offsite).manifestText).not.toBe(host(plain).manifestText);
  expect(host(plain).userData).not.toMatch(/prometheus|grafana|loki|alloy/);
});

describe('settings reach the rendered configs', () => {
  const h = host(custom);

  test('metrics retention, scrape interval and log retention', () => {
    expect(promArgs(h)).toContain('--storage.tsdb.retention.time=90d');
    expect((parse(h.file('/etc/prometheus/prometheus.yml').content) as Json).global.scrape_interval).toBe('30s');
    expect((parse(h.file('/etc/loki/config.yml').content) as Json).limits_config.retention_period).toBe(`${14 * 24}h`);
  });

  test('amd64 type: Grafana repository for amd64', () => {
    expect(h.manifest.aptSources.find((s) => s.name === 'grafana')?.source).toMatch(/^deb \[arch=amd64 /);
  });
});

describe('fails if ...', () => {
  function build(props: Partial<MonitoringNodeProps> = {}, dr?: 'literal'): void {
    const stack: TerraformStack = testStack();
    const net = network(stack, { name: 'aiai-production-net' });
    const acc = access(stack);
    new MonitoringNode(stack, 'Monitoring', {
      ...defaultProps(stack, net, acc),
      ...(dr ? { disasterRecovery: { hcloudSnapshotToken: 'hunter2' } } : {}),
      ...props,
    });
  }
  const PATH = 'test/Monitoring';

  test.each(['12h', '23h59m', '2h'])('fails if the metrics retention is below 1 day (%s)', (metricsRetention) => {
    const err = validationError(() => build({ metricsRetention }));
    expectProblem(err, { path: PATH, property: 'metricsRetention', value: metricsRetention, allowed: /Prometheus duration .* from 1d to 3650d$/ });
    // Reported once, not by both the node and the renderer.
    expect(err.problems.filter((p) => p.property === 'metricsRetention')).toHaveLength(1);
  });

  test.each(['12h', '0d', '1w2h'])('fails if the log retention is below 1 day or not whole days (%s)', (logRetention) => {
    const err = validationError(() => build({ logRetention }));
    expect(err.message).toMatch(new RegExp(`^Invalid props for ${PATH}:\\n(.*\\n)*  - logRetention: got "${logRetention}"; allowed: `));
  });

  test.each(['often', '15', '1 m', '-15s', ''])('fails if the scrape interval is not a duration (%p)', (scrapeInterval) => {
    const err = validationError(() => build({ scrapeInterval }));
    expectProblem(err, { path: PATH, property: 'scrapeInterval', value: scrapeInterval, allowed: /^a Prometheus duration like '15s'/ });
  });

  test('fails if the evaluation interval is not a duration', () => {
    expectProblem(validationError(() => build({ evaluationInterval: 'hourly' })), { path: PATH, property: 'evaluationInterval', value: 'hourly', allowed: /Prometheus duration/ });
  });

  test('fails if the server type is not a Hetzner type name', () => {
    expectProblem(validationError(() => build({ serverType: 'CAX 21' })), { path: PATH, property: 'serverType', value: 'CAX 21', allowed: /a Hetzner server type like cax21 or cx33/ });
  });

  test('fails if the server type is deprecated or unknown', () => {
    const deprecated = validationError(() => build({ serverType: 'cx22' }));
    expectProblem(deprecated, { path: PATH, property: 'serverType', value: 'cx22', allowed: /deprecated .*use cx23/ });
    const unknown = validationError(() => build({ serverType: 'cax99' }));
    expectProblem(unknown, { path: PATH, property: 'serverType', value: 'cax99', allowed: /^one of .*cax21/ });
  });

  test('fails if the location is outside the network zone (reported by the host base with its path)', () => {
    const err = validationError(() => build({ location: 'ash' }));
    expect(err.message).toMatch(/^Invalid props for test\/Monitoring\/Server:\n  - location: got "ash"; allowed: a location in network zone eu-central/);
  });

  test.each([9, 10241, 20.5])('fails if the volume size is %p GB (outside 10-10240)', (volumeSizeGb) => {
    expectProblem(validationError(() => build({ volumeSizeGb })), { path: PATH, property: 'volumeSizeGb', value: volumeSizeGb, allowed: /^an integer from 10 to 10240 \(GB\)$/ });
  });

  test.each([0, 101, 2.5])('fails if keepSnapshots is %p (outside 1-100)', (keepSnapshots) => {
    const stack = testStack();
    const net = network(stack, { name: 'aiai-production-net' });
    const acc = access(stack);
    const err = validationError(
      () => new MonitoringNode(stack, 'Monitoring', { ...defaultProps(stack, net, acc), disasterRecovery: { hcloudSnapshotToken: secretToken(stack, 'snap'), keepSnapshots } }),
    );
    expectProblem(err, { path: PATH, property: 'disasterRecovery.keepSnapshots', value: keepSnapshots, allowed: /^an integer from 1 to 100$/ });
  });

  test.each(['hcloudSdToken', 'alertWebhookUrl', 'grafanaAdminPassword'] as const)('fails if secrets.%s is a literal (and never shows it)', (key) => {
    const stack = testStack();
    const net = network(stack, { name: 'aiai-production-net' });
    const acc = access(stack);
    const props = defaultProps(stack, net, acc);
    const err = validationError(() => new MonitoringNode(stack, 'Monitoring', { ...props, secrets: { ...props.secrets, [key]: 'hunter2-literal' } }));
    expectProblem(err, { path: PATH, property: `secrets.${key}`, allowed: /sensitive Terraform variable token/ });
    expect(err.message).not.toContain('hunter2');
  });

  test('fails if the snapshot token or the SSH key is a literal (and never shows them)', () => {
    const err = validationError(() => build({ sshPrivateKey: '-----BEGIN OPENSSH PRIVATE KEY-----' }, 'literal'));
    expectProblem(err, { path: PATH, property: 'disasterRecovery.hcloudSnapshotToken', allowed: /sensitive Terraform variable token/ });
    expectProblem(err, { path: PATH, property: 'sshPrivateKey', allowed: /sensitive Terraform variable token/ });
    expect(err.message).not.toMatch(/hunter2|BEGIN OPENSSH/);
  });

  test('every bad prop is reported at once', () => {
    const err = validationError(() => build({ metricsRetention: '1h', scrapeInterval: 'x', volumeSizeGb: 1, logRetention: '1h' }));
    expect(err.problems.map((p) => p.property).sort()).toEqual(['logRetention', 'metricsRetention', 'scrapeInterval', 'volumeSizeGb']);
  });
});

describe('snapshot (complement to the assertions above)', () => {
  test('the default node: resources, the decoded bootstrap and the delivered manifest', () => {
    const { user_data: _userData, ...server } = monitoringServer(plain.json);
    const { resource: configuration } = deliveredManifestAt(plain.json);
    // The uploads are snapshotted as the manifest below; the converge script is tested on its own.
    const uploads = (configuration.provisioner as Json[]).map((p) => (p.file ? { file: { ...p.file, content: `<${p.file.destination.split('/').pop()}>` } } : p));
    expect({
      server,
      volume: resourcesOf(plain.json, 'hcloud_volume'),
      attachment: resourcesOf(plain.json, 'hcloud_volume_attachment'),
      firewall: resourcesOf(plain.json, 'hcloud_firewall'),
      secrets: delivery(plain),
      unmount: resourceAt(plain.json, 'terraform_data', 'Monitoring/Volume/Unmount'),
      configuration: { ...configuration, provisioner: uploads, triggers_replace: { ...configuration.triggers_replace, converge: '<digest of aiai-converge>' } },
    }).toMatchSnapshot();
    expect(host(plain).userData).toMatchSnapshot();
    expect(host(plain).manifest).toMatchSnapshot();
  });
});

describe('MonitoringNode: prop shapes (found by __tests__/properties)', () => {
  test('fails if a prop has the wrong JavaScript type (a TypeError deep inside before)', () => {
    const stack: TerraformStack = testStack();
    const net = network(stack, { name: 'aiai-production-net' });
    const acc = access(stack);
    const err = validationError(() => new MonitoringNode(stack, 'Monitoring', { ...defaultProps(stack, net, acc), privateIp: 42 as any, scrapeInterval: ['15s'] as any }));
    expectProblem(err, { path: 'test/Monitoring', property: 'privateIp', value: 42, allowed: /^a string$/ });
    expectProblem(err, { path: 'test/Monitoring', property: 'scrapeInterval', value: ['15s'], allowed: /^a string$/ });
  });
});

test('MonitoringNode fails if the environment is malformed, naming environment (three `hostname` problems before; found by __tests__/properties)', () => {
  const stack: TerraformStack = testStack();
  const net = network(stack, { name: 'aiai-production-net' });
  const acc = access(stack);
  const err = validationError(() => new MonitoringNode(stack, 'Monitoring', { ...defaultProps(stack, net, acc), environment: 'Prod' }));
  expectProblem(err, { path: 'test/Monitoring', property: 'environment', value: 'Prod', allowed: /^lowercase letters, digits and -/ });
  expect(err.problems.map((p) => p.property)).toEqual(['environment']);
});
