/**
 * The persistent runner's host description, without synth: units (systemd-analyze verify and
 * `security` exposure, against the research doc's unit), settings files read back by bash, the
 * register script through shellcheck, the docker option and the runner account.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asset } from '../../lib/core/assets';
import { HostPaths } from '../../lib/core/paths';
import { SERVER_TYPES } from '../../lib/hetzner/catalog';
import { HostConfig } from '../../lib/host/host-config';
import { renderSystemdUnit, SystemdUnit } from '../../lib/render/systemd';
import {
  applyPersistentRunnerRole,
  PERSISTENT_RUNNER_ENV_FILE,
  PERSISTENT_RUNNER_HOME,
  PERSISTENT_RUNNER_UNIT,
  persistentRunnerFiles,
  persistentRunnerLimits,
  PersistentRunnerHostOptions,
  persistentRunnerUnits,
  DOCKER_SYSCTL_PATH,
  REGISTER_CAPABILITIES,
  REGISTER_SCRIPT_PATH,
  REGISTER_UNIT,
  renderPersistentRunnerEnv,
  renderRunnerInstallEnv,
  RUNNER_REGISTRATION_FILE,
  RUNNER_TOKEN_FILE,
  RUNSVC_PATH,
} from '../../lib/runner-pool/persistent-runner-host';
import { PINNED_ACTIONS_RUNNER } from '../../lib/runtime/pool-settings';
import { RUNNER_DIR, RUNNER_ENV_FILE, RUNNER_INSTALL_SCRIPT, RUNNER_USER } from '../../lib/runner-manager/user-data';
import { shellcheck, verifyUnits } from '../render/backup/verify-tools';
import { tempDir } from '../support/tmp';
import { describeWithTool, run } from '../support/tools';

const OPTIONS: PersistentRunnerHostOptions = {
  serverType: SERVER_TYPES.cpx32,
  architecture: 'x64',
  actionsRunner: PINNED_ACTIONS_RUNNER,
  repository: 'acme/aiai',
  name: 'aiai-production-runner-0',
  labels: ['aiai-persistent', 'hetzner'],
  docker: false,
};

const units = persistentRunnerUnits(OPTIONS);
const unit = (name: string): SystemdUnit => units.find((u) => u.name === name)!;
const service = (name: string) => unit(name).sections.Service!;

/** The research doc's unit (section 4), verbatim in substance, for comparison. */
const RESEARCH_UNIT = `[Unit]
Description=GitHub Actions Runner for aiai
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=runner
Group=runner
WorkingDirectory=/opt/actions-runner
ExecStart=/opt/actions-runner/run.sh
Restart=always
RestartSec=10
MemoryMax=7G
CPUQuota=400%
TasksMax=512
LimitNOFILE=65536
ProtectSystem=false
ProtectHome=false
NoNewPrivileges=false
StandardOutput=journal
StandardError=journal
SyslogIdentifier=github-runner

[Install]
WantedBy=multi-user.target
`;

describe('persistent runner units', () => {
  test('the runner runs runsvc.sh as the runner user, only once registered', () => {
    const u = unit(PERSISTENT_RUNNER_UNIT);
    expect(u.sections.Unit).toMatchObject({ ConditionPathExists: RUNNER_REGISTRATION_FILE, StartLimitIntervalSec: 3600, StartLimitBurst: 10 });
    expect(service(PERSISTENT_RUNNER_UNIT)).toMatchObject({
      User: RUNNER_USER,
      Group: RUNNER_USER,
      WorkingDirectory: RUNNER_DIR,
      ExecStart: RUNSVC_PATH,
      KillMode: 'mixed',
      TimeoutStopSec: '5min',
      Restart: 'always',
      OOMPolicy: 'continue',
      NoNewPrivileges: true,
      ProtectSystem: 'strict',
      ProtectHome: true,
      ReadWritePaths: `${RUNNER_DIR} ${PERSISTENT_RUNNER_HOME}`,
      InaccessiblePaths: `-${HostPaths.secretsDir}`,
      CapabilityBoundingSet: '',
    });
  });

  test('no sandbox option that breaks a runner: JIT compilers and user-namespace sandboxes stay allowed', () => {
    const s = service(PERSISTENT_RUNNER_UNIT);
    expect(s.MemoryDenyWriteExecute).toBeUndefined();
    expect(s.RestrictNamespaces).toBeUndefined();
    expect(String(s.RestrictAddressFamilies).split(' ')).toEqual(expect.arrayContaining(['AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK']));
  });

  test('limits leave room for the OS and for real builds (not the research doc\'s TasksMax=512)', () => {
    expect(persistentRunnerLimits(SERVER_TYPES.cpx32)).toEqual({ memoryMax: '7372M', memoryHigh: '6553M' });
    expect(service(PERSISTENT_RUNNER_UNIT)).toMatchObject({ MemoryMax: '7372M', MemoryHigh: '6553M', TasksMax: 16384, LimitNOFILE: 65536 });
    expect(persistentRunnerLimits(SERVER_TYPES.cax41)).toEqual({ memoryMax: '29491M', memoryHigh: '26214M' });
  });

  test('registration: root with three capabilities, skipped until the credential exists, then starts the runner', () => {
    const u = unit(REGISTER_UNIT);
    expect(u.sections.Unit!.ConditionPathExists).toBe(RUNNER_TOKEN_FILE);
    expect(service(REGISTER_UNIT)).toMatchObject({
      Type: 'oneshot',
      ExecStart: `${REGISTER_SCRIPT_PATH} ${PERSISTENT_RUNNER_ENV_FILE}`,
      ExecStartPost: `/usr/bin/systemctl --no-block start ${PERSISTENT_RUNNER_UNIT}`,
      CapabilityBoundingSet: 'CAP_DAC_READ_SEARCH CAP_SETUID CAP_SETGID',
      UMask: '0077',
    });
    expect(service(REGISTER_UNIT).User).toBeUndefined();
    expect(REGISTER_CAPABILITIES).toHaveLength(3);
  });
});

describeWithTool('systemd-analyze', 'systemd', 'persistent runner units through systemd-analyze', () => {
  // Stand-ins at the real paths: runsvc.sh comes with the runner tarball, systemctl with the OS.
  const standIns = [
    { path: RUNSVC_PATH, content: '#!/bin/sh\nexit 0\n', permissions: '0755' },
    { path: '/usr/bin/systemctl', content: '#!/bin/sh\nexit 0\n', permissions: '0755' },
    { path: REGISTER_SCRIPT_PATH, content: asset('runner/register-runner.sh'), permissions: '0755' },
  ];

  test('verify: both units load without a warning', () => {
    const r = verifyUnits(units, standIns);
    expect({ status: r.status, output: (r.stdout + r.stderr).trim() }).toEqual({ status: 0, output: '' });
  });

  test('verify catches a broken unit (the harness is real)', () => {
    const broken: SystemdUnit = { name: 'broken.service', sections: { Service: { ExecStart: RUNSVC_PATH, OOMPolicy: 'carry-on' } } };
    const r = verifyUnits([broken], standIns);
    expect(r.stdout + r.stderr).toMatch(/OOMPolicy|carry-on/);
  });

  const exposure = (file: string): number => {
    const r = run('systemd-analyze', ['security', '--offline=yes', '--no-pager', file], { env: { ...process.env, SYSTEMD_COLORS: '0', LC_ALL: 'C' } });
    const m = /Overall exposure level for \S+: (\d+\.\d)/.exec(r.stdout + r.stderr);
    if (!m) throw new Error(`no exposure level in: ${r.stdout}${r.stderr}`);
    return Number(m[1]);
  };

  test('security: both units rate OK (at most 4.0), the research doc\'s unit UNSAFE', () => {
    const dir = tempDir('units-');
    const path = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    expect(exposure(path(PERSISTENT_RUNNER_UNIT, renderSystemdUnit(unit(PERSISTENT_RUNNER_UNIT))))).toBeLessThanOrEqual(4.0);
    expect(exposure(path(REGISTER_UNIT, renderSystemdUnit(unit(REGISTER_UNIT))))).toBeLessThanOrEqual(4.0);
    expect(exposure(path('github-runner.service', RESEARCH_UNIT))).toBeGreaterThanOrEqual(9.0);
  });
});

describeWithTool('shellcheck', 'shellcheck', 'persistent runner scripts through shellcheck', () => {
  test('register-runner.sh is clean', () => {
    const r = shellcheck(asset('runner/register-runner.sh'));
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: '' });
  });
});

describe('persistent runner settings files', () => {
  test('the register settings read back in bash exactly', () => {
    const dir = tempDir('env-');
    const file = join(dir, 'persistent.env');
    writeFileSync(file, renderPersistentRunnerEnv({ ...OPTIONS, runnerGroup: 'CI runners' }));
    const keys = ['RUNNER_URL', 'RUNNER_API_URL', 'RUNNER_REPOSITORY', 'RUNNER_NAME', 'RUNNER_LABELS', 'RUNNER_GROUP', 'RUNNER_USER', 'RUNNER_DIR', 'RUNNER_TOKEN_FILE'];
    const r = run('bash', ['-c', `. "$1"; for k in ${keys.join(' ')}; do printf '%s=%s\\n' "$k" "\${!k}"; done`, 'x', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'RUNNER_URL=https://github.com/acme/aiai',
        'RUNNER_API_URL=https://api.github.com',
        'RUNNER_REPOSITORY=acme/aiai',
        'RUNNER_NAME=aiai-production-runner-0',
        'RUNNER_LABELS=aiai-persistent,hetzner',
        'RUNNER_GROUP=CI runners',
        `RUNNER_USER=${RUNNER_USER}`,
        `RUNNER_DIR=${RUNNER_DIR}`,
        `RUNNER_TOKEN_FILE=${RUNNER_TOKEN_FILE}`,
        '',
      ].join('\n'),
    );
  });

  test('a value that could break out of its quotes is refused', () => {
    expect(() => renderPersistentRunnerEnv({ ...OPTIONS, runnerGroup: "x'; rm -rf /; '" })).toThrow(/^Invalid props for renderPersistentRunnerEnv:\n  - [A-Z_]*: got .*; allowed: a value that does not contain quotes/);
  });

  test('the install settings pick the tarball checksum of the architecture', () => {
    expect(renderRunnerInstallEnv(OPTIONS)).toContain(`RUNNER_ARCH=x64\nRUNNER_SHA256=${PINNED_ACTIONS_RUNNER.sha256.x64}\n`);
    const arm = renderRunnerInstallEnv({ ...OPTIONS, serverType: SERVER_TYPES.cax21, architecture: 'arm64' });
    expect(arm).toContain(`RUNNER_ARCH=arm64\nRUNNER_SHA256=${PINNED_ACTIONS_RUNNER.sha256.arm64}\n`);
    expect(arm).toContain(`RUNNER_VERSION=${PINNED_ACTIONS_RUNNER.version}\n`);
  });

  test('files: no secret, install script and settings where the shared install script expects them', () => {
    const files = persistentRunnerFiles(OPTIONS);
    expect(files.map((f) => f.path)).toEqual([RUNNER_ENV_FILE, PERSISTENT_RUNNER_ENV_FILE, RUNNER_INSTALL_SCRIPT, REGISTER_SCRIPT_PATH]);
    expect(files.every((f) => !f.path.startsWith(HostPaths.secretsDir))).toBe(true);
  });
});

describe('applyPersistentRunnerRole', () => {
  const spec = (docker: boolean) => {
    const host = new HostConfig();
    applyPersistentRunnerRole(host, { ...OPTIONS, docker });
    return host.toManifestSpec('runner-0', 'aiai');
  };

  test('a system account without sudo, keys or login shell, home outside /home, not in the docker group', () => {
    const s = spec(false);
    const user = s.users.find((u) => u.name === RUNNER_USER)!;
    expect(user).toEqual({ name: RUNNER_USER, system: true, homedir: PERSISTENT_RUNNER_HOME, shell: '/usr/sbin/nologin' });
    expect(s.packages).not.toContain('docker.io');
    expect(JSON.stringify(s.commands)).not.toMatch(/docker/);
    expect(s.files.map((f) => f.path)).not.toContain('/etc/docker/daemon.json');
  });

  test('install before the units: home, then the checksum-verified runner', () => {
    expect(spec(false).commands).toEqual([
      ['install', '-d', '-m', '0750', '-o', RUNNER_USER, '-g', RUNNER_USER, PERSISTENT_RUNNER_HOME],
      [RUNNER_INSTALL_SCRIPT],
    ]);
    expect(spec(false).units.map((u) => u.name)).toEqual([REGISTER_UNIT, PERSISTENT_RUNNER_UNIT]);
  });

  test('docker: package, daemon configuration written before the package starts, group added after install', () => {
    const s = spec(true);
    expect(s.packages).toContain('docker.io');
    expect(s.files.find((f) => f.path === '/etc/docker/daemon.json')).toMatchObject({ early: true, permissions: '0644' });
    expect(JSON.parse(asset('runner/docker-daemon.json'))).toMatchObject({ 'log-driver': 'journald' });
    expect(s.commands[s.commands.length - 1]).toEqual(['usermod', '--append', '--groups', 'docker', RUNNER_USER]);
    expect(s.users.find((u) => u.name === RUNNER_USER)!.groups).toBeUndefined();
  });

  test('docker: forwarding re-enabled by a sysctl file that sorts after the hardening (which sets it to 0)', () => {
    const file = spec(true).files.find((f) => f.path === DOCKER_SYSCTL_PATH)!;
    expect(file).toMatchObject({ early: true, permissions: '0644' });
    expect(file.content).toMatch(/^net\.ipv4\.ip_forward = 1$/m);
    expect(['90-aiai-hardening.conf', DOCKER_SYSCTL_PATH.split('/').pop()!].sort()[1]).toBe('95-aiai-docker.conf');
    expect(spec(false).files.map((f) => f.path)).not.toContain(DOCKER_SYSCTL_PATH);
  });
});
