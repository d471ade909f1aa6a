import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import {
  INSTALL_SCRIPT_ASSET,
  RUNNER_INSTALL_SCRIPT,
  RUNNER_JIT_FILE,
  RUNNER_UNIT,
  installRunnerScript,
  renderRunnerUserData,
  runnerUnit,
} from '../../lib/runner-manager/user-data';
import { PINNED_ACTIONS_RUNNER } from '../../lib/runner-manager/settings';
import { describeWithTool, run } from '../support/tools';
import { tempDir } from '../support/tmp';

const JIT = Buffer.from(JSON.stringify({ '.runner': 'x'.repeat(400), '.credentials': 'y'.repeat(1200) })).toString('base64');

function render(arch: 'x64' | 'arm64' = 'x64', rootSshLogin = false): string {
  return renderRunnerUserData({ name: 'ci-9001-1-build', encodedJitConfig: JIT, architecture: arch, actionsRunner: PINNED_ACTIONS_RUNNER, rootSshLogin });
}

interface Doc {
  hostname: string;
  disable_root: boolean;
  ssh_pwauth: boolean;
  package_update: boolean;
  package_upgrade: boolean;
  users: { name: string; lock_passwd: boolean; sudo?: unknown }[];
  write_files: { path: string; content: string; owner: string; permissions: string }[];
  runcmd: string[][];
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

describeWithTool('cloud-init', 'cloud-init', 'runner user_data: cloud-init schema', () => {
  test.each(['x64', 'arm64'] as const)('%s user_data is a valid cloud-config', (arch) => {
    const file = join(tempDir('runner-cc-'), 'user-data.yaml');
    writeFileSync(file, render(arch));
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
