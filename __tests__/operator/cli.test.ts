/**
 * `aiai-ops status | health` end to end, in-process: the local fake Hetzner API (servers, load
 * balancers, volumes, firewalls) and a fake `ssh` on PATH that answers `systemctl show` per host.
 */
import { OpsExitCode } from '../../lib/operator/errors';
import { HEALTH_SCHEMA, HealthReport, STATUS_SCHEMA, StatusReport } from '../../lib/operator/model';
import { Roles } from '../../lib/core/labels';
import { roleLabels } from '../../lib/core/platform';
import { ID, ipOf, Platform, TOKEN } from './support/platform';

let p: Platform;

beforeEach(async () => {
  p = await new Platform().start();
  p.seedHealthy();
});

afterEach(async () => {
  await p.close();
});

const ARGS = ['--environment', 'production'];

function failures(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('FAIL'));
}

describe('a healthy platform', () => {
  test('status: servers, the load balancer with each target\'s health, the volume, firewalls and every host\'s units; exit 0', async () => {
    const r = await p.run(['status', ...ARGS]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(OpsExitCode.ok);
    const out = r.stdout;
    expect(out).toMatch(/^Platform aiai\/production \(labels project=aiai,environment=production\), .*: 4 server\(s\), 1 load balancer\(s\), 1 volume\(s\), 3 firewall\(s\)$/m);
    expect(out).toMatch(/^aiai-production-orchestrator-primary +orchestrator\/primary +cx33 +fsn1 +running +192\.0\.2\.\d+ +10\.0\.9\.\d+ +9\/9 active$/m);
    // The standby has no off-site backup timer: 8 units apply.
    expect(out).toMatch(/^aiai-production-orchestrator-standby +orchestrator\/standby +cx23 .* 8\/8 active$/m);
    expect(out).toMatch(/^aiai-production-monitoring +monitoring +cax21 .* 12\/12 active$/m);
    expect(out).toMatch(/^ci-9001-1-build +ci-runner +cpx32 .* skipped$/m);
    expect(out).toMatch(/^aiai-production-lb {2}lb11 {2}fsn1 {2}public 203\.0\.113\.10 {2}private 10\.0\.1\.5 {2}delete protection on$/m);
    expect(out).toMatch(/^ {2}service http 80 -> 8000, health check http :8000\/health$/m);
    expect(out).toMatch(/^ {2}target aiai-production-orchestrator-primary \(private IP\): 80 healthy$/m);
    expect(out).toMatch(/^ {2}target aiai-production-orchestrator-standby \(private IP\): 80 healthy$/m);
    expect(out).toMatch(/^aiai-production-monitoring-data +50 GB +fsn1 +available +aiai-production-monitoring +on$/m);
    expect(out).toMatch(/^aiai-production-orchestrator +1 +aiai-production-orchestrator-primary, aiai-production-orchestrator-standby$/m);
    expect(out).toMatch(/^ {2}aiai-orchestrator\.service +active \(running\) +orchestrator$/m);
    expect(out).toMatch(/^ {2}mnt-monitoring\.mount +active \(mounted\) +data volume$/m);
    expect(out).toMatch(/^ {2}aiai-offsite-backup\.timer +not installed \(optional\) +off-site backup \(primary\)$/m);
    expect(out).toMatch(/^ci-9001-1-build: ephemeral runner: no inbound SSH/m);
    expect(out).toMatch(/^Health: all \d+ checks passed$/m);
  });

  test('health: every check ok, exit 0; one ssh per hardened host, as aiai, non-interactive, bounded, without the API token', async () => {
    const r = await p.run(['health', ...ARGS]);
    expect(r.code).toBe(OpsExitCode.ok);
    expect(failures(r.stdout)).toEqual([]);
    expect(r.stdout).toMatch(/^ok {4}unit\.active {6}aiai-production-monitoring prometheus\.service: active \(running\)$/m);
    expect(r.stdout).toMatch(/^ok {4}lb\.service {7}aiai-production-lb service http 80: 2 of 2 target\(s\) healthy$/m);
    expect(r.stdout).toMatch(/^healthy: \d+ checks passed \(aiai\/production\)\n$/m);

    const calls = p.sshCalls();
    expect(calls.map((c) => c.argv.find((a) => a.includes('@'))).sort()).toEqual([p.monitoring, p.primary, p.standby].map((s) => `aiai@${ipOf(s)}`).sort());
    for (const c of calls) {
      expect(c.sawToken).toBe(false);
      expect(c.argv.slice(0, 9)).toEqual(['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'StrictHostKeyChecking=accept-new', '-o', 'LogLevel=ERROR', '-T']);
      expect(c.argv.slice(10, 14)).toEqual(['systemctl', 'show', '--property=Id,LoadState,ActiveState,SubState', '--']);
    }
    expect((await p.run(['health', ...ARGS, '--quiet'])).stdout).toBe(r.stdout.split('\n').filter((l) => l.startsWith('healthy:')).join('\n') + '\n');
  });
});

test('an unhealthy target: health exits 4 naming the load balancer, target and port; the service still has a healthy target', async () => {
  p.lb.targets[1].health = { 80: 'unhealthy' };
  const r = await p.run(['health', ...ARGS, '--quiet']);
  expect(r.code).toBe(OpsExitCode.unhealthy);
  expect(failures(r.stdout)).toEqual(['FAIL  lb.target        aiai-production-lb target aiai-production-orchestrator-standby port 80: unhealthy (health check http :8000/health)']);
  expect(r.stdout).toMatch(/^unhealthy: 1 of \d+ checks failed \(aiai\/production\)$/m);
  // status reports the same and still exits 0.
  const s = await p.run(['status', ...ARGS]);
  expect(s.code).toBe(OpsExitCode.ok);
  expect(s.stdout).toMatch(/^ {2}target aiai-production-orchestrator-standby \(private IP\): 80 unhealthy$/m);
  expect(s.stdout).toMatch(/^Health: 1 of \d+ checks FAILED \(aiai-ops health lists them\)$/m);
});

test('no target healthy: every target and the service fail', async () => {
  p.lb.targets.forEach((t) => (t.health = { 80: 'unknown' }));
  const r = await p.run(['health', ...ARGS, '--quiet']);
  expect(r.code).toBe(OpsExitCode.unhealthy);
  expect(failures(r.stdout)).toEqual([
    'FAIL  lb.target        aiai-production-lb target aiai-production-orchestrator-primary port 80: unknown (health check http :8000/health)',
    'FAIL  lb.target        aiai-production-lb target aiai-production-orchestrator-standby port 80: unknown (health check http :8000/health)',
    'FAIL  lb.service       aiai-production-lb service http 80: no healthy target (0 of 2)',
  ]);
});

test('a load balancer without targets, and orchestrators without a load balancer', async () => {
  p.lb.targets = [];
  const noTargets = await p.run(['health', ...ARGS, '--quiet']);
  expect(failures(noTargets.stdout)).toEqual(['FAIL  lb.targets       aiai-production-lb: no targets', 'FAIL  lb.service       aiai-production-lb service http 80: no healthy target (0 of 0)']);
  p.hetzner.loadBalancers.clear();
  const none = await p.run(['health', ...ARGS, '--quiet']);
  expect(none.code).toBe(OpsExitCode.unhealthy);
  expect(failures(none.stdout)).toEqual(['FAIL  lb.present       aiai/production: no load balancer in front of 2 orchestrator(s)']);
});

test('a stopped server: server.running fails, its load balancer target is unhealthy, its units are not read', async () => {
  p.standby.status = 'off';
  const r = await p.run(['health', ...ARGS, '--quiet']);
  expect(r.code).toBe(OpsExitCode.unhealthy);
  expect(failures(r.stdout)).toEqual([
    'FAIL  server.running   aiai-production-orchestrator-standby: status is off (expected running)',
    'FAIL  lb.target        aiai-production-lb target aiai-production-orchestrator-standby port 80: unhealthy (health check http :8000/health)',
  ]);
  expect(p.sshCalls().map((c) => c.argv.find((a) => a.includes('@')))).not.toContain(`aiai@${ipOf(p.standby)}`);
  const s = await p.run(['status', ...ARGS]);
  expect(s.stdout).toMatch(/^aiai-production-orchestrator-standby: not checked: the server is off$/m);
});

test('failed units (fake ssh): unit.active fails naming host and unit; a missing optional unit is skipped, a missing required one fails', async () => {
  p.hosts[ipOf(p.primary)] = { units: { 'aiai-metrics.service': 'failed/failed', 'aiai-orchestrator.service': 'activating/auto-restart' } };
  p.hosts[ipOf(p.standby)] = { units: { 'aiai-offsite-backup.timer': 'not-found', 'alloy.service': 'not-found', 'aiai-evolution.timer': 'not-found' } };
  const r = await p.run(['health', ...ARGS, '--quiet']);
  expect(r.code).toBe(OpsExitCode.unhealthy);
  expect(failures(r.stdout)).toEqual([
    'FAIL  unit.active      aiai-production-orchestrator-primary aiai-orchestrator.service: activating (auto-restart), expected active; from orchestrator',
    'FAIL  unit.active      aiai-production-orchestrator-primary aiai-metrics.service: failed (failed), expected active; from orchestrator',
    'FAIL  unit.active      aiai-production-orchestrator-standby aiai-evolution.timer: not installed (systemd does not know it), expected active; from orchestrator',
  ]);
  const s = await p.run(['status', ...ARGS]);
  expect(s.stdout).toMatch(/^aiai-production-orchestrator-primary +orchestrator\/primary .* 7\/9 active$/m);
  expect(s.stdout).toMatch(/^ {2}aiai-evolution\.timer +NOT INSTALLED +orchestrator$/m);
});

test('a host ssh cannot reach (exit 255) and a systemctl error: server.ssh fails with the reason', async () => {
  p.hosts[ipOf(p.monitoring)] = { exit: 255, stderr: 'aiai@192.0.2.0: Permission denied (publickey).\n' };
  p.hosts[ipOf(p.primary)] = { exit: 1, stderr: 'Failed to connect to bus: No such file or directory\n' };
  const r = await p.run(['health', ...ARGS, '--quiet']);
  expect(r.code).toBe(OpsExitCode.unhealthy);
  expect(failures(r.stdout)).toEqual([
    `FAIL  server.ssh       aiai-production-monitoring: could not read the units: ssh aiai@${ipOf(p.monitoring)} failed: aiai@192.0.2.0: Permission denied (publickey).`,
    'FAIL  server.ssh       aiai-production-orchestrator-primary: could not read the units: systemctl show on aiai-production-orchestrator-primary exited 1: Failed to connect to bus: No such file or directory',
  ]);
});

test('an unattached volume and a volume still being created fail', async () => {
  p.volume.serverId = null;
  p.hetzner.seedVolume({ name: 'aiai-production-scratch', labels: roleLabels(ID, Roles.monitoring), serverId: p.monitoring.id, status: 'creating', deleteProtection: false });
  const r = await p.run(['health', ...ARGS, '--quiet']);
  expect(r.code).toBe(OpsExitCode.unhealthy);
  expect(failures(r.stdout)).toEqual([
    'FAIL  volume.attached  aiai-production-monitoring-data: not attached to any server',
    'FAIL  volume.status    aiai-production-scratch: status is creating (expected available)',
  ]);
  const s = await p.run(['status', ...ARGS]);
  expect(s.stdout).toMatch(/^aiai-production-monitoring-data +50 GB +fsn1 +available +NOT ATTACHED +on$/m);
  expect(s.stdout).toMatch(/^aiai-production-scratch +50 GB +fsn1 +creating +aiai-production-monitoring +off$/m);
});

test('a server without an applied cloud firewall fails server.firewall', async () => {
  p.primary.firewalls = [];
  p.hetzner.firewalls.get(p.firewalls[0].id)!.servers = [p.standby.id];
  const r = await p.run(['health', ...ARGS, '--quiet', '--no-ssh']);
  expect(failures(r.stdout)).toEqual(['FAIL  server.firewall  aiai-production-orchestrator-primary: no cloud firewall on the public interface']);
});

test('--json: status and health print the documented documents', async () => {
  p.lb.targets[1].health = { 80: 'unhealthy' };
  const s = await p.run(['status', ...ARGS, '--json']);
  expect(s.code).toBe(OpsExitCode.ok);
  const status = JSON.parse(s.stdout) as StatusReport;
  expect(Object.keys(status)).toEqual(['schema', 'project', 'environment', 'labelSelector', 'generatedAt', 'servers', 'loadBalancers', 'volumes', 'firewalls', 'healthy', 'checks']);
  expect(status).toMatchObject({ schema: STATUS_SCHEMA, project: 'aiai', environment: 'production', labelSelector: 'project=aiai,environment=production', healthy: false });
  expect(new Date(status.generatedAt).toISOString()).toBe(status.generatedAt);
  const primary = status.servers.find((x) => x.name === 'aiai-production-orchestrator-primary')!;
  expect(primary).toEqual({
    id: p.primary.id,
    name: 'aiai-production-orchestrator-primary',
    role: 'orchestrator',
    instanceRole: 'primary',
    serverType: 'cx33',
    location: 'fsn1',
    status: 'running',
    publicIpv4: ipOf(p.primary),
    privateIps: [`10.0.9.${p.primary.id % 250}`],
    firewalls: [{ id: p.firewalls[0].id, name: 'aiai-production-orchestrator', status: 'applied' }],
    deleteProtection: false,
    services: { state: 'checked', message: null, units: expect.any(Array) },
  });
  expect(primary.services.units[0]).toEqual({ unit: 'ssh.service', required: true, source: 'hardening', load: 'loaded', active: 'active', sub: 'running' });
  expect(status.servers.find((x) => x.role === 'ci-runner')!.services).toEqual({ state: 'skipped', message: expect.stringMatching(/^ephemeral runner/), units: [] });
  expect(status.loadBalancers).toEqual([
    {
      id: p.lb.id,
      name: 'aiai-production-lb',
      type: 'lb11',
      location: 'fsn1',
      publicIpv4: '203.0.113.10',
      privateIps: ['10.0.1.5'],
      deleteProtection: true,
      services: [{ protocol: 'http', listenPort: 80, destinationPort: 8000, healthCheck: { protocol: 'http', port: 8000, path: '/health' } }],
      targets: [
        { type: 'server', server: { id: p.primary.id, name: 'aiai-production-orchestrator-primary' }, ip: null, labelSelector: null, usePrivateIp: true, health: [{ listenPort: 80, status: 'healthy' }] },
        { type: 'server', server: { id: p.standby.id, name: 'aiai-production-orchestrator-standby' }, ip: null, labelSelector: null, usePrivateIp: true, health: [{ listenPort: 80, status: 'unhealthy' }] },
      ],
    },
  ]);
  expect(status.volumes).toEqual([
    {
      id: p.volume.id,
      name: 'aiai-production-monitoring-data',
      sizeGb: 50,
      location: 'fsn1',
      status: 'available',
      server: { id: p.monitoring.id, name: 'aiai-production-monitoring' },
      deleteProtection: true,
      linuxDevice: `/dev/disk/by-id/scsi-0HC_Volume_${p.volume.id}`,
    },
  ]);
  expect(status.firewalls[0]).toEqual({
    id: p.firewalls[0].id,
    name: 'aiai-production-orchestrator',
    rules: 1,
    appliedTo: [
      { id: p.primary.id, name: 'aiai-production-orchestrator-primary' },
      { id: p.standby.id, name: 'aiai-production-orchestrator-standby' },
    ],
    labelSelectors: [],
  });

  const h = await p.run(['health', ...ARGS, '--json']);
  expect(h.code).toBe(OpsExitCode.unhealthy);
  const health = JSON.parse(h.stdout) as HealthReport;
  expect(Object.keys(health)).toEqual(['schema', 'project', 'environment', 'labelSelector', 'generatedAt', 'healthy', 'failed', 'checks']);
  expect(health).toMatchObject({ schema: HEALTH_SCHEMA, healthy: false, failed: 1 });
  expect(health.checks).toEqual(status.checks);
  expect(health.checks.filter((c) => !c.healthy)).toEqual([
    {
      check: 'lb.target',
      subject: 'aiai-production-lb',
      item: 'target aiai-production-orchestrator-standby port 80',
      healthy: false,
      message: 'unhealthy (health check http :8000/health)',
    },
  ]);
  expect(health.checks[0]).toEqual({ check: 'platform.servers', subject: 'aiai/production', item: null, healthy: true, message: '4 server(s)' });
  for (const c of health.checks) expect(Object.keys(c)).toEqual(['check', 'subject', 'item', 'healthy', 'message']);
});

test('a label selector target is listed server by server with its selector', async () => {
  p.lb.targets = [{ labelSelector: 'project=aiai,environment=production,role=orchestrator', usePrivateIp: true }];
  const status = JSON.parse((await p.run(['status', ...ARGS, '--json', '--no-ssh'])).stdout) as StatusReport;
  expect(status.loadBalancers[0].targets.map((t) => [t.server?.name, t.labelSelector, t.health[0].status])).toEqual([
    ['aiai-production-orchestrator-primary', 'project=aiai,environment=production,role=orchestrator', 'healthy'],
    ['aiai-production-orchestrator-standby', 'project=aiai,environment=production,role=orchestrator', 'healthy'],
  ]);
});

test('missing token: exit 3 naming HCLOUD_TOKEN; nothing on stdout, no request', async () => {
  for (const token of [undefined, '  ']) {
    const r = await p.run(['status', ...ARGS], { HCLOUD_TOKEN: token });
    expect(r).toEqual({ code: OpsExitCode.config, stdout: '', stderr: expect.stringMatching(/^aiai-ops status: error: HCLOUD_TOKEN is not set: /) });
  }
  expect(p.hetzner.requests).toEqual([]);
});

test('a rejected token: exit 7 with a hint; the token appears in no output and no ssh environment', async () => {
  const wrong = 'hc-wrong-token-b7e1a0c93d';
  const r = await p.run(['health', ...ARGS], { HCLOUD_TOKEN: wrong });
  expect(r.code).toBe(OpsExitCode.api);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/HTTP 401 \(unauthorized\).*Check HCLOUD_TOKEN/);
  for (const out of [r.stdout, r.stderr]) expect(out).not.toContain(wrong);
  const ok = await p.run(['status', ...ARGS, '--json']);
  expect(ok.stdout + ok.stderr).not.toContain(TOKEN);
  expect(p.sshCalls().every((c) => !c.sawToken)).toBe(true);
  expect(p.hetzner.requests.every((q) => q.headers['user-agent']?.startsWith('aiai-ops/'))).toBe(true);
});

test('pagination: 120 servers and 60 volumes over several pages are all listed, each page asked once', async () => {
  for (let i = 0; i < 120; i++) p.hetzner.seed({ name: `ci-${i}-1-test`, labels: roleLabels(ID, Roles.ciRunner, { pool: 'ci' }) });
  for (let i = 0; i < 60; i++) p.hetzner.seedVolume({ name: `aiai-production-v${i}`, labels: roleLabels(ID, Roles.monitoring), serverId: p.monitoring.id });
  const status = JSON.parse((await p.run(['status', ...ARGS, '--json', '--no-ssh'])).stdout) as StatusReport;
  expect(status.servers).toHaveLength(124);
  expect(status.volumes).toHaveLength(61);
  expect(status.servers.map((s) => s.id)).toEqual([...status.servers.map((s) => s.id)].sort((a, b) => a - b));
  const pages = (path: string) => p.hetzner.requests.filter((q) => q.path === path).map((q) => q.query.get('page'));
  expect(pages('/v1/servers')).toEqual(['1', '2', '3']);
  expect(pages('/v1/volumes')).toEqual(['1', '2']);
  expect(pages('/v1/load_balancers')).toEqual(['1']);
});

test('label selection: another project\'s or environment\'s resources are never listed, even by an API that ignored the selector', async () => {
  const other = { project: 'other', environment: 'production' };
  const staging = { project: 'aiai', environment: 'staging' };
  for (const id of [other, staging]) {
    const s = p.hetzner.seed({ name: `${id.project}-${id.environment}-orchestrator-primary`, labels: roleLabels(id, Roles.orchestrator), status: 'off' });
    p.hetzner.seedLoadBalancer({ name: `${id.project}-${id.environment}-lb`, labels: roleLabels(id, Roles.orchestrator), targets: [{ serverId: s.id, usePrivateIp: true }] });
    p.hetzner.seedVolume({ name: `${id.project}-${id.environment}-data`, labels: roleLabels(id, Roles.monitoring) });
    p.hetzner.seedFirewall({ name: `${id.project}-${id.environment}-fw`, labels: roleLabels(id, Roles.orchestrator), servers: [s.id] });
  }
  // An unlabelled server too (someone's test box in the same project).
  p.hetzner.seed({ name: 'scratch', labels: {} });
  const r = await p.run(['health', ...ARGS, '--json']);
  expect(r.code).toBe(OpsExitCode.ok);
  const all = r.stdout;
  for (const name of ['other-', 'aiai-staging-', 'scratch']) expect(all).not.toContain(name);
  for (const path of ['/v1/servers', '/v1/load_balancers', '/v1/volumes', '/v1/firewalls']) {
    expect(p.hetzner.requests.filter((q) => q.path === path).map((q) => q.query.get('label_selector'))).toEqual(['project=aiai,environment=production']);
  }
  expect(p.sshCalls().map((c) => c.argv.find((a) => a.includes('@')))).toHaveLength(3);

  // An API (or proxy) that drops the selector and returns everything: still only our servers.
  const foreign = { id: 1, name: 'other-production-orchestrator-primary', status: 'off', created: '', labels: roleLabels(other, Roles.orchestrator), server_type: { name: 'cx33' }, public_net: { ipv4: { ip: '192.0.2.200' }, ipv6: null, firewalls: [] } };
  const mine = { id: 2, name: 'aiai-production-monitoring', status: 'running', created: '', labels: roleLabels(ID, Roles.monitoring), server_type: { name: 'cax21' }, public_net: { ipv4: { ip: '192.0.2.201' }, ipv6: null, firewalls: [{ id: 9, status: 'applied' }] } };
  p.hetzner.inject({ match: (q) => q.path === '/v1/servers', response: { status: 200, body: { servers: [foreign, mine], meta: { pagination: { next_page: null } } } } });
  const lied = JSON.parse((await p.run(['status', ...ARGS, '--json', '--no-ssh'])).stdout) as StatusReport;
  expect(lied.servers.map((s) => s.name)).toEqual(['aiai-production-monitoring']);
});

test('the other project is reported when asked for, and a project with no servers is unhealthy', async () => {
  const ours = [p.monitoring, p.primary, p.standby, p.runner].map((s) => s.id);
  p.seedHealthy({ project: 'other', environment: 'production' });
  const other = JSON.parse((await p.run(['status', '--project', 'other', ...ARGS, '--json', '--no-ssh'])).stdout) as StatusReport;
  expect(other.servers.map((s) => s.name)).toEqual(['other-production-monitoring', 'other-production-orchestrator-primary', 'other-production-orchestrator-standby', 'ci-9001-1-build']);
  expect(other.servers.map((s) => s.id).filter((id) => ours.includes(id))).toEqual([]);
  const none = await p.run(['health', '--project', 'nobody', ...ARGS]);
  expect(none.code).toBe(OpsExitCode.unhealthy);
  expect(failures(none.stdout)).toEqual(['FAIL  platform.servers nobody/production: no servers labelled project=nobody, environment=production']);
});

test('--no-ssh: no ssh runs, units show as skipped, the API checks still run', async () => {
  p.clearSshLog();
  const r = await p.run(['health', ...ARGS, '--no-ssh']);
  expect(r.code).toBe(OpsExitCode.ok);
  expect(p.sshCalls()).toEqual([]);
  expect(r.stdout).not.toMatch(/unit\.active|server\.ssh/);
  expect((await p.run(['status', ...ARGS, '--no-ssh'])).stdout).toMatch(/^aiai-production-monitoring: not checked \(--no-ssh\)$/m);
});

test('--ssh-timeout sets ssh\'s connect timeout; no ssh on PATH is a failed check naming the fix', async () => {
  await p.run(['health', ...ARGS, '--ssh-timeout', '3']);
  expect(p.sshCalls()[0].argv).toContain('ConnectTimeout=3');
  const r = await p.run(['health', ...ARGS, '--quiet'], { PATH: '/nonexistent' });
  expect(r.code).toBe(OpsExitCode.unhealthy);
  expect(failures(r.stdout)[0]).toBe('FAIL  server.ssh       aiai-production-monitoring: could not read the units: ssh not found on PATH (install openssh-client, or pass --no-ssh)');
});

test.each([
  [[], /no command given: expected status or health/],
  [['deploy', ...ARGS], /unknown command "deploy": expected status or health/],
  [['status'], /status needs --environment/],
  [['health', '--environment', 'prod,role=x'], /--environment must be a Hetzner label value .* got "prod,role=x"/],
  [['health', ...ARGS, '--project', ''], /--project must be a Hetzner label value/],
  [['status', ...ARGS, '--quiet'], /--quiet is an option of health only/],
  [['status', ...ARGS, '--ssh-timeout', '5s'], /--ssh-timeout must be whole seconds from 1 to 600, got "5s"/],
  [['status', ...ARGS, '--ssh-timeout', '5', '--no-ssh'], /--ssh-timeout and --no-ssh exclude each other/],
  [['status', ...ARGS, '--force'], /Unknown option '--force'/],
])('command line %j: exit 2, no request', async (argv, message) => {
  const r = await p.run(argv as string[]);
  expect(r.code).toBe(OpsExitCode.usage);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/Run 'aiai-ops --help' for usage\.\n$/);
  expect(p.hetzner.requests).toEqual([]);
});

test('--help documents commands, options, the environment and the exit codes; --version prints the version', async () => {
  const r = await p.run(['--help']);
  expect(r.code).toBe(0);
  for (const s of ['aiai-ops status --environment', 'aiai-ops health --environment', '--no-ssh', '--json', 'HCLOUD_TOKEN', 'ssh aiai@<public IPv4>', '4 health: a check failed']) expect(r.stdout).toContain(s);
  expect((await p.run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
});

test('an unreachable API: exit 7 after the retries', async () => {
  const r = await p.run(['status', ...ARGS], { HCLOUD_ENDPOINT: 'http://127.0.0.1:9/v1' }, { retry: { maxAttempts: 2, baseDelaySeconds: 1 } });
  expect(r.code).toBe(OpsExitCode.api);
  expect(r.stderr).toMatch(/network error/);
});
