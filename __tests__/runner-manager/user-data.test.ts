import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import {
  INSTALL_SCRIPT_ASSET,
  RUNNER_INSTALL_SCRIPT,
  RUNNER_JIT_FILE,
  RUNNER_UNIT,
  RunnerLogShipping,
  installRunnerScript,
  renderRunnerUserData,
  runnerLogShipping,
  runnerUnit,
} from '../../lib/runner-manager/user-data';
import { PINNED_ACTIONS_RUNNER } from '../../lib/runtime/pool-settings';
import { resolvePoolSettings } from '../../lib/runtime/pool-settings-check';
import { Ports } from '../../lib/core/ports';
import { HetznerLimits } from '../../lib/hetzner/catalog';
import { AptPreferencePaths, DEFAULT_GRAFANA_VERSIONS, GrafanaApt } from '../../lib/render/monitoring/install-plan';
import { attrOf, Block, blocks, parseAlloy } from '../render/monitoring/alloy-parser';
import { describeWithTool, run } from '../support/tools';
import { tempDir } from '../support/tmp';

const JIT = Buffer.from(JSON.stringify({ '.runner': 'x'.repeat(400), '.credentials': 'y'.repeat(1200) })).toString('base64');

const LOGS: RunnerLogShipping = { lokiHost: '10.0.1.20', environment: 'production', project: 'aiai' };

function render(arch: 'x64' | 'arm64' = 'x64', rootSshLogin = false, logShipping?: RunnerLogShipping): string {
  return renderRunnerUserData({ name: 'ci-9001-1-build', encodedJitConfig: JIT, architecture: arch, actionsRunner: PINNED_ACTIONS_RUNNER, rootSshLogin, logShipping });
}

interface Doc {
  hostname: string;
  disable_root: boolean;
  ssh_pwauth: boolean;
  package_update: boolean;
  package_upgrade: boolean;
  users: { name: string; lock_passwd: boolean; sudo?: unknown }[];
  write_files: { path: string; content: string; owner: string; permissions: string; defer?: boolean }[];
  runcmd: string[][];
  packages: string[];
  apt?: { sources: Record<string, Record<string, string>> };
}

function doc(text: string): Doc {
  expect(text.startsWith('#cloud-config\n')).toBe(true);
  return parse(text) as Doc;
}

describe('runner user_data', () => {
  test('installs the pinned runner for the architecture and starts it once as the unprivileged runner user', () => {
    const d = doc(render('x64'));
    expect(d.hostname).toBe('ci-9001-1-build');
    expect(d).toMatchObject({ disable_root: true, ssh_pwauth: false, package_update: true, package_upgrade: false });
    expect(d.users).toEqual([{ name: 'runner', gecos: 'GitHub Actions runner', shell: '/bin/bash', lock_passwd: true }]);
    expect(d.users[0].sudo).toBeUndefined();
    const files = Object.fromEntries(d.write_files.map((f) => [f.path, f]));
    expect(files['/etc/aiai-runner/runner.env'].content).toBe(
      `RUNNER_VERSION=${PINNED_ACTIONS_RUNNER.version}\nRUNNER_ARCH=x64\nRUNNER_SHA256=${PINNED_ACTIONS_RUNNER.sha256.x64}\nRUNNER_USER=runner\nRUNNER_DIR=/opt/actions-runner\n`,
    );
    expect(files[RUNNER_JIT_FILE]).toMatchObject({ owner: 'root:root', permissions: '0600', content: `AIAI_RUNNER_JITCONFIG=${JIT}\n` });
    expect(files[RUNNER_INSTALL_SCRIPT]).toMatchObject({ permissions: '0755', content: installRunnerScript() });
    const unit = files[`/etc/systemd/system/${RUNNER_UNIT}`].content;
    expect(unit).toMatch(/^User=runner$/m);
    expect(unit).toMatch(/^ExecStart=\/opt\/actions-runner\/run.sh --jitconfig \$\{AIAI_RUNNER_JITCONFIG\}$/m);
    expect(unit).toMatch(/^Restart=no$/m);
    expect(d.runcmd).toEqual([[RUNNER_INSTALL_SCRIPT], ['systemctl', 'daemon-reload'], ['systemctl', 'start', '--no-block', RUNNER_UNIT]]);
  });

  test('installs the node exporter so the monitoring node can scrape the runner over the private network', () => {
    const doc = parse(render('x64'));
    expect(doc.packages).toEqual(['prometheus-node-exporter']);
  });

  test('arm64 servers get the arm64 tarball checksum', () => {
    const env = doc(render('arm64')).write_files.find((f) => f.path === '/etc/aiai-runner/runner.env')!.content;
    expect(env).toContain('RUNNER_ARCH=arm64');
    expect(env).toContain(`RUNNER_SHA256=${PINNED_ACTIONS_RUNNER.sha256.arm64}`);
  });

  test('root SSH login only when the pool has SSH keys', () => {
    expect(doc(render('x64', true)).disable_root).toBe(false);
  });

  test('the install script downloads the asset for the arch and verifies it before extracting', () => {
    const s = installRunnerScript();
    expect(s).toContain('actions-runner-linux-${RUNNER_ARCH}-${RUNNER_VERSION}.tar.gz');
    expect(s).toContain('https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/');
    expect(s.indexOf('sha256sum --check')).toBeGreaterThan(0);
    expect(s.indexOf('sha256sum --check')).toBeLessThan(s.indexOf('tar -xzf'));
  });

  test('fails if the JIT config is not base64 (nothing from the API is spliced into YAML or shell)', () => {
    expect(() =>
      renderRunnerUserData({ name: 'ci-1-1-a', encodedJitConfig: 'abc\nruncmd: [reboot]', architecture: 'x64', actionsRunner: PINNED_ACTIONS_RUNNER }),
    ).toThrow(/not base64/);
  });

  test('fails if the name is not a host name', () => {
    expect(() => renderRunnerUserData({ name: 'Bad_Name', encodedJitConfig: JIT, architecture: 'x64', actionsRunner: PINNED_ACTIONS_RUNNER })).toThrow(
      /runner name "Bad_Name" is not a valid host name/,
    );
  });

  test("fails if the document exceeds Hetzner's 32 KiB user_data limit", () => {
    expect(() =>
      renderRunnerUserData({ name: 'ci-1-1-a', encodedJitConfig: 'A'.repeat(40_000), architecture: 'x64', actionsRunner: PINNED_ACTIONS_RUNNER }),
    ).toThrow(/over Hetzner's limit of 32768/);
  });
});

describe('runner user_data with log shipping', () => {
  const files = (d: Doc) => Object.fromEntries(d.write_files.map((f) => [f.path, f]));

  test('without a Loki host: node exporter only, nothing of Alloy or the Grafana repository', () => {
    const text = render('x64');
    expect(text).not.toMatch(/alloy|grafana|loki/i);
    expect(doc(text).apt).toBeUndefined();
  });

  test.each([
    ['x64', 'amd64', 'arm64'],
    ['arm64', 'arm64', 'amd64'],
  ] as const)('%s: the Grafana APT source for %s, pinned Alloy next to node exporter', (arch, debian, other) => {
    const text = render(arch, false, LOGS);
    const d = doc(text);
    expect(d.apt).toEqual({
      sources: {
        'grafana.list': {
          source: `deb [arch=${debian} signed-by=$KEY_FILE] https://apt.grafana.com stable main`,
          keyid: GrafanaApt.keyFingerprint,
          keyserver: 'keyserver.ubuntu.com',
        },
      },
    });
    expect(JSON.stringify([d.apt, d.packages])).not.toContain(other);
    expect(d.packages).toEqual(['prometheus-node-exporter', 'alloy']);
    // The pin is written in the init stage (no defer), before the package stage installs Alloy.
    const pin = files(d)[AptPreferencePaths.logShipping];
    expect(pin.defer).toBeUndefined();
    expect(pin.content).toContain(`Package: alloy\nPin: version ${DEFAULT_GRAFANA_VERSIONS.alloy}\nPin-Priority: 1001`);
  });

  test('the Alloy config ships journald and /var/log/aiai/*.log to Loki with host, role, environment and project labels', () => {
    const f = files(doc(render('x64', false, { lokiHost: '10.0.1.20', environment: 'staging', project: 'acme' })))['/etc/alloy/config.alloy'];
    // Written after the packages (the alloy package ships a default config at this path).
    expect(f).toMatchObject({ owner: 'root:root', permissions: '0644', defer: true });
    const stmts = parseAlloy(f.content);
    const [write] = blocks(stmts, 'loki.write');
    expect(attrOf(blocks(write.body, 'endpoint')[0], 'url')).toBe(`http://10.0.1.20:${Ports.loki.port}/loki/api/v1/push`);
    expect(attrOf(write, 'external_labels')).toEqual({ host: 'ci-9001-1-build', role: 'ci-runner', environment: 'staging', project: 'acme' });
    const [journal] = blocks(stmts, 'loki.source.journal');
    expect(attrOf(journal, 'forward_to')).toEqual([{ ref: 'loki.write.monitoring.receiver' }]);
    const [match] = blocks(stmts, 'local.file_match');
    expect(attrOf(match, 'path_targets')).toEqual([{ __path__: '/var/log/aiai/*.log', job: 'aiai' }]);
    expect(blocks(stmts, 'loki.source.file')).toHaveLength(1);
    expect(stmts.filter((s): s is Block => s.kind === 'block').map((b) => b.name)).toEqual([
      'logging',
      'loki.write',
      'loki.relabel',
      'loki.source.journal',
      'local.file_match',
      'loki.source.file',
    ]);
  });

  test('project defaults to aiai', () => {
    const f = files(doc(render('x64', false, { lokiHost: '10.0.1.20', environment: 'production' })))['/etc/alloy/config.alloy'];
    const [write] = blocks(parseAlloy(f.content), 'loki.write');
    expect(attrOf(write, 'external_labels')).toMatchObject({ project: 'aiai' });
  });

  test('/etc/default/alloy: our config, Alloy on loopback, no usage reporting', () => {
    const f = files(doc(render('x64', false, LOGS)))['/etc/default/alloy'];
    expect(f.defer).toBe(true);
    expect(f.content).toContain('CONFIG_FILE="/etc/alloy/config.alloy"');
    expect(f.content).toContain(`CUSTOM_ARGS="--server.http.listen-addr=127.0.0.1:${Ports.alloy.port} --disable-reporting"`);
  });

  test('the runner starts first and does not wait for Alloy, which is (re)started without blocking', () => {
    const d = doc(render('x64', false, LOGS));
    expect(d.runcmd).toEqual([
      [RUNNER_INSTALL_SCRIPT],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'start', '--no-block', RUNNER_UNIT],
      ['systemctl', 'enable', 'alloy.service'],
      ['systemctl', 'restart', '--no-block', 'alloy.service'],
    ]);
    expect(files(d)[`/etc/systemd/system/${RUNNER_UNIT}`].content).not.toMatch(/alloy/);
  });

  test("stays far below Hetzner's 32 KiB limit with a JIT config of realistic size", () => {
    const bytes = Buffer.byteLength(render('arm64', true, LOGS));
    expect(bytes).toBeGreaterThan(Buffer.byteLength(render('arm64', true)));
    expect(bytes).toBeLessThan(HetznerLimits.userDataBytes / 2);
  });

  test('the pool settings carry the log shipping: Loki host, and environment/project from the server labels', () => {
    const settings = resolvePoolSettings({ pool: 'ci', networkId: '5', lokiHost: '10.0.1.20', serverLabels: { project: 'acme', environment: 'production', monitoring: 'true' } });
    expect(runnerLogShipping(settings)).toEqual({ lokiHost: '10.0.1.20', environment: 'production', project: 'acme' });
    expect(runnerLogShipping(resolvePoolSettings({ pool: 'ci' }))).toBeUndefined();
  });

  test('fails if the Loki host is not a private IPv4 address or a label value is invalid', () => {
    expect(() => render('x64', false, { ...LOGS, lokiHost: '8.8.8.8' })).toThrow(/Loki host "8.8.8.8" is not a private IPv4 address/);
    expect(() => render('x64', false, { ...LOGS, lokiHost: '10.0.1.20"} x' })).toThrow(/Loki host .* is not a private IPv4 address/);
    expect(() => render('x64', false, { ...LOGS, environment: '' })).toThrow(/log shipping environment "" is not a non-empty Hetzner label value/);
    expect(() => render('x64', false, { ...LOGS, project: 'a b' })).toThrow(/log shipping project "a b"/);
  });
});

describeWithTool('cloud-init', 'cloud-init', 'runner user_data: cloud-init schema', () => {
  test.each([
    ['x64', false],
    ['arm64', false],
    ['x64', true],
    ['arm64', true],
  ] as const)('%s user_data (log shipping: %s) is a valid cloud-config', (arch, logs) => {
    const file = join(tempDir('runner-cc-'), 'user-data.yaml');
    writeFileSync(file, render(arch, false, logs ? LOGS : undefined));
    const r = run('cloud-init', ['schema', '-c', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Valid cloud-config/);
    expect(r.status).toBe(0);
  });
});

describeWithTool('shellcheck', 'shellcheck', 'runner install script: shellcheck', () => {
  test('the script as shipped and as embedded in user_data is shellcheck-clean', () => {
    const embedded = doc(render()).write_files.find((f) => f.path === RUNNER_INSTALL_SCRIPT)!.content;
    expect(embedded).toBe(readFileSync(join(__dirname, '..', '..', INSTALL_SCRIPT_ASSET), 'utf8'));
    const file = join(tempDir('runner-sh-'), 'install-runner.sh');
    writeFileSync(file, embedded);
    const r = run('shellcheck', ['--severity=style', file]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describeWithTool('systemd-analyze', 'systemd', 'runner unit: systemd-analyze verify', () => {
  test('the unit loads against a root with the standard targets and the runner in place', () => {
    const root = tempDir('runner-systemd-');
    const sys = join(root, 'usr/lib/systemd/system');
    mkdirSync(sys, { recursive: true });
    for (const dir of ['/usr/lib/systemd/system', '/lib/systemd/system']) {
      if (!existsSync(dir) || lstatSync(dir).isSymbolicLink()) continue;
      for (const name of readdirSync(dir)) {
        const src = join(dir, name);
        if (lstatSync(src).isFile() && !existsSync(join(sys, name))) copyFileSync(src, join(sys, name));
      }
    }
    const put = (path: string, content: string, mode: number) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
      chmodSync(join(root, path), mode);
    };
    put(`/etc/systemd/system/${RUNNER_UNIT}`, runnerUnit(), 0o644);
    put('/opt/actions-runner/run.sh', '#!/bin/sh\n', 0o755);
    put('/usr/bin/rm', '#!/bin/sh\n', 0o755);
    const r = run('systemd-analyze', ['verify', '--man=no', `--root=${root}`, RUNNER_UNIT]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
