/**
 * A deployed platform as the Hetzner API would show it (on the fake API of the runner manager's
 * tests), a fake `ssh` program that answers `systemctl show` for each host, and a runner for the
 * `aiai-ops` CLI in-process.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Roles } from '../../../lib/core/labels';
import { resourceName, roleLabels } from '../../../lib/core/platform';
import { Ports } from '../../../lib/core/ports';
import { OpsDeps, main } from '../../../lib/operator/cli';
import { realClock } from '../../../lib/runner-manager/http';
import { tempDir } from '../../support/tmp';
import { FakeFirewall, FakeHetzner, FakeLoadBalancer, FakeServer, FakeVolume } from '../../runner-manager/support/fake-hetzner';

export const TOKEN = 'hc-ops-test-token-5f2a9c0e7b41d3';
export const ID = { project: 'aiai', environment: 'production' } as const;
export const NETWORK_ID = 4711;

/** What the fake ssh answers for one host (by IPv4). */
export interface FakeHost {
  /** Unit -> `active/running`, `failed/failed`, `inactive/dead`, `not-found`, ... (default: active, sub by unit type). */
  units?: Record<string, string>;
  /** Exit with this code and stderr instead of answering (255: ssh's own failure). */
  exit?: number;
  stderr?: string;
  /** Wait this long before answering (ms). */
  sleepMs?: number;
}

/** One call of the fake ssh. */
export interface SshCall {
  readonly argv: string[];
  /** Whether the API token reached ssh's environment. */
  readonly sawToken: boolean;
}

const FAKE_SSH = `
const { appendFileSync, readFileSync } = require('node:fs');
const argv = process.argv.slice(2);
appendFileSync(process.env.FAKE_SSH_LOG, JSON.stringify({ argv, sawToken: Object.values(process.env).includes(${JSON.stringify(TOKEN)}) || 'HCLOUD_TOKEN' in process.env }) + '\\n');
const dest = argv.find((a) => /^[^-].*@/.test(a));
const ip = dest.slice(dest.indexOf('@') + 1);
const hosts = JSON.parse(readFileSync(process.env.FAKE_SSH_STATE, 'utf8'));
const host = hosts[ip];
const answer = () => {
  if (!host) {
    process.stderr.write('ssh: connect to host ' + ip + ' port 22: Connection refused\\n');
    process.exit(255);
  }
  if (host.exit !== undefined) {
    process.stderr.write(host.stderr || '');
    process.exit(host.exit);
  }
  const units = argv.slice(argv.lastIndexOf('--') + 1);
  const blocks = units.map((u) => {
    const st = (host.units || {})[u] || (u.endsWith('.timer') ? 'active/waiting' : u.endsWith('.mount') ? 'active/mounted' : 'active/running');
    if (st === 'not-found') return 'Id=' + u + '\\nLoadState=not-found\\nActiveState=inactive\\nSubState=dead';
    const [active, sub] = st.split('/');
    return 'Id=' + u + '\\nLoadState=loaded\\nActiveState=' + active + '\\nSubState=' + sub;
  });
  process.stdout.write(blocks.join('\\n\\n') + '\\n');
};
if (host && host.sleepMs) setTimeout(answer, host.sleepMs); else answer();
`;

export interface OpsRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class Platform {
  public readonly hetzner = new FakeHetzner({ token: TOKEN });
  public readonly dir = tempDir('ops-');
  /** The fake ssh's answers by IPv4; written before each run. */
  public readonly hosts: Record<string, FakeHost> = {};
  public monitoring!: FakeServer;
  public primary!: FakeServer;
  public standby!: FakeServer;
  public runner!: FakeServer;
  public lb!: FakeLoadBalancer;
  public volume!: FakeVolume;
  public firewalls: FakeFirewall[] = [];
  private readonly binDir = join(this.dir, 'bin');

  public async start(): Promise<this> {
    await this.hetzner.start();
    mkdirSync(this.binDir);
    writeFileSync(join(this.binDir, 'ssh'), `#!${process.execPath}\n${FAKE_SSH}`);
    chmodSync(join(this.binDir, 'ssh'), 0o755);
    writeFileSync(join(this.dir, 'ssh.log'), '');
    return this;
  }

  public async close(): Promise<void> {
    await this.hetzner.close();
  }

  /** The reference deployment: monitoring, primary + standby behind the LB, one ephemeral runner, the monitoring volume, three firewalls. */
  public seedHealthy(id: { project: string; environment: string } = ID): this {
    const h = this.hetzner;
    const server = (suffix: string, role: string, serverType: string, extra: Record<string, string> = {}) =>
      h.seed({ name: resourceName(id, suffix), labels: roleLabels(id, role, extra), serverType, networks: [NETWORK_ID] });
    this.monitoring = server('monitoring', Roles.monitoring, 'cax21', { monitoring: 'true' });
    this.primary = server('orchestrator-primary', Roles.orchestrator, 'cx33', { monitoring: 'true', 'instance-role': 'primary' });
    this.standby = server('orchestrator-standby', Roles.orchestrator, 'cx23', { monitoring: 'true', 'instance-role': 'standby' });
    this.runner = h.seed({ name: 'ci-9001-1-build', labels: roleLabels(id, Roles.ciRunner, { pool: 'ci', run: '9001-1' }), serverType: 'cpx32' });
    const ssh = { direction: 'in' as const, protocol: 'tcp' as const, port: String(Ports.ssh.port), sourceIps: ['198.51.100.7/32'] };
    this.firewalls = [
      h.seedFirewall({ name: resourceName(id, 'orchestrator'), labels: roleLabels(id, Roles.orchestrator), rules: [ssh], servers: [this.primary.id, this.standby.id] }),
      h.seedFirewall({ name: resourceName(id, 'monitoring'), labels: roleLabels(id, Roles.monitoring), rules: [ssh], servers: [this.monitoring.id] }),
      h.seedFirewall({ name: resourceName(id, 'ci-runners'), labels: roleLabels(id, Roles.ciRunner, { pool: 'ci' }), servers: [this.runner.id] }),
    ];
    this.lb = h.seedLoadBalancer({
      name: resourceName(id, 'lb'),
      labels: roleLabels(id, Roles.orchestrator),
      network: { id: NETWORK_ID, ip: '10.0.1.5' },
      services: [
        {
          protocol: 'http',
          listenPort: 80,
          destinationPort: Ports.orchestratorApi.port,
          healthCheck: { protocol: 'http', port: Ports.orchestratorApi.port, interval: 10, timeout: 5, retries: 3, path: '/health' },
        },
      ],
      targets: [
        { serverId: this.primary.id, usePrivateIp: true },
        { serverId: this.standby.id, usePrivateIp: true },
      ],
    });
    this.volume = h.seedVolume({ name: resourceName(id, 'monitoring-data'), labels: roleLabels(id, Roles.monitoring), serverId: this.monitoring.id });
    this.hosts[ipOf(this.monitoring)] = {};
    this.hosts[ipOf(this.primary)] = {};
    // Only the primary runs the off-site backup.
    this.hosts[ipOf(this.standby)] = { units: { 'aiai-offsite-backup.timer': 'not-found' } };
    return this;
  }

  public env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      PATH: `${this.binDir}:${process.env.PATH}`,
      HOME: this.dir,
      HCLOUD_TOKEN: TOKEN,
      HCLOUD_ENDPOINT: `${this.hetzner.url}/v1`,
      FAKE_SSH_STATE: join(this.dir, 'hosts.json'),
      FAKE_SSH_LOG: join(this.dir, 'ssh.log'),
      ...extra,
    };
  }

  /** Runs `aiai-ops` in-process (fast retries: a policy second is 1 ms). */
  public async run(argv: string[], extraEnv: Record<string, string | undefined> = {}, deps: OpsDeps = {}): Promise<OpsRun> {
    writeFileSync(join(this.dir, 'hosts.json'), JSON.stringify(this.hosts));
    let stdout = '';
    let stderr = '';
    const code = await main(argv, this.env(extraEnv), { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } }, {
      clock: realClock(1),
      ...deps,
    });
    return { code, stdout, stderr };
  }

  /** Calls of the fake ssh so far. */
  public sshCalls(): SshCall[] {
    return readFileSync(join(this.dir, 'ssh.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SshCall);
  }

  public clearSshLog(): void {
    writeFileSync(join(this.dir, 'ssh.log'), '');
  }
}

/** The public IPv4 the fake API reports for a server (fake-hetzner.ts's `view`). */
export function ipOf(s: FakeServer): string {
  return `192.0.2.${s.id % 250}`;
}
