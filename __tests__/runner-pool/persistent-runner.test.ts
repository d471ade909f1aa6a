/**
 * PersistentRunner as synthesized: the hardened host (labels, private IP, firewall), its user_data
 * through `cloud-init schema`, its units through systemd-analyze verify, the credential delivery
 * after boot, no secret in the JSON or the user_data, `fails if` tests and snapshots.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { HcloudProvider } from '../../.gen/providers/hcloud/provider';
import { PersistentRunner, PersistentRunnerProps } from '../../lib/runner-pool/persistent-runner';
import {
  PERSISTENT_RUNNER_ENV_FILE,
  PERSISTENT_RUNNER_UNIT,
  REGISTER_SCRIPT_PATH,
  REGISTER_UNIT,
  RUNNER_TOKEN_SECRET,
  RUNSVC_PATH,
} from '../../lib/runner-pool/persistent-runner-host';
import { PINNED_ACTIONS_RUNNER } from '../../lib/runtime/pool-settings';
import { RUNNER_ENV_FILE, RUNNER_USER } from '../../lib/runner-manager/user-data';
import { secretVariable } from '../../lib/secrets/secret-variable';
import { extractServers, synthApp } from '../support/synth';
import { tempDir } from '../support/tmp';
import { describeWithTool, run } from '../support/tools';
import { access, byType, expectProblem, Json, network, secretToken, synth, validationError } from '../support/stack';
import { HostView, hostView, isHostConfiguration } from '../foundation/helpers';
import { testStack } from '../support/stack';

const shared = new WeakMap<TerraformStack, { net: ReturnType<typeof network>; ops: ReturnType<typeof access>; token: string }>();

/** A runner in `stack`; network, access and the credential variable are created once per stack. */
function runner(stack: TerraformStack, props: Partial<PersistentRunnerProps> = {}, id = 'Runner'): PersistentRunner {
  let s = shared.get(stack);
  if (!s) {
    s = { net: network(stack), ops: access(stack), token: secretToken(stack, 'runner_registration_token') };
    shared.set(stack, s);
  }
  return new PersistentRunner(stack, id, { environment: 'production', repository: 'acme/aiai', network: s.net, access: s.ops, githubToken: s.token, ...props });
}

/** A file the host's configuration delivers. */
function writeFile(host: HostView, path: string): string {
  const f = host.write_files.find((e) => e.path === path);
  if (!f) throw new Error(`no ${path} in the delivered files`);
  return f.content;
}

function server(json: Json): Json {
  const servers = Object.values(byType(json, 'hcloud_server'));
  expect(servers).toHaveLength(1);
  return servers[0];
}

describe('PersistentRunner, default settings', () => {
  const stack = testStack();
  const r = runner(stack);
  const json = synth(stack);
  const s = server(json);
  const userData = hostView(json, s);

  test('a ci-runner host at .30, scraped by monitoring, with no pool label', () => {
    expect(s).toMatchObject({ name: 'aiai-production-runner-0', server_type: 'cpx32', location: 'fsn1', image: 'ubuntu-24.04' });
    expect(s.labels).toEqual({ project: 'aiai', environment: 'production', role: 'ci-runner', monitoring: 'true', 'runner-mode': 'persistent' });
    expect(s.network).toEqual([{ network_id: expect.stringMatching(/^\$\{hcloud_network\./), ip: '10.0.1.30', alias_ips: [] }]);
    expect(r.runnerName).toBe('aiai-production-runner-0');
    expect(r.architecture).toBe('x64');
  });

  test('its firewall opens SSH to the admin CIDRs only', () => {
    const fw = Object.values(byType(json, 'hcloud_firewall'));
    expect(fw).toHaveLength(1);
    expect(fw[0].labels).toEqual({ project: 'aiai', environment: 'production', role: 'ci-runner' });
    expect(fw[0].rule.map((x: Json) => [x.direction, x.protocol, x.port, x.source_ips])).toEqual([['in', 'tcp', '22', ['198.51.100.7/32']]]);
  });

  test('user_data installs the x64 tarball with its checksum and never holds the credential', () => {
    expect(writeFile(userData, RUNNER_ENV_FILE)).toBe(
      `RUNNER_VERSION=${PINNED_ACTIONS_RUNNER.version}\nRUNNER_ARCH=x64\nRUNNER_SHA256=${PINNED_ACTIONS_RUNNER.sha256.x64}\nRUNNER_USER=runner\nRUNNER_DIR=/opt/actions-runner\n`,
    );
    expect(userData.configJson).not.toContain('var.runner_registration_token');
    expect(s.user_data).not.toContain('var.');
  });

  test('the credential is delivered after boot, root-only, and restarts the registration', () => {
    const deliveries = Object.values(byType(json, 'terraform_data')).filter((d) => !isHostConfiguration(d));
    expect(deliveries).toHaveLength(1);
    const d = deliveries[0];
    const files = d.provisioner.filter((p: Json) => p.file).map((p: Json) => p.file);
    expect(files).toEqual([{ content: '${var.runner_registration_token}', destination: `/home/aiai/.secrets-inbox/${RUNNER_TOKEN_SECRET}` }]);
    expect(d.connection).toMatchObject({ type: 'ssh', user: 'aiai' });
    const inline = d.provisioner.filter((p: Json) => p['remote-exec']).flatMap((p: Json) => p['remote-exec'].inline);
    expect(inline).toContain(`sudo install -m 0600 -o root -g aiai /home/aiai/.secrets-inbox/${RUNNER_TOKEN_SECRET} /etc/aiai/secrets/${RUNNER_TOKEN_SECRET}`);
    expect(inline).toContain(`sudo systemctl restart ${REGISTER_UNIT}`);
    expect(inline.join('\n')).not.toContain(PERSISTENT_RUNNER_UNIT);
    expect(json.variable.runner_registration_token).toMatchObject({ sensitive: true });
  });

  test('snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('PersistentRunner, full settings', () => {
  const stack = testStack();
  runner(stack, {
    project: 'acme',
    instance: 2,
    serverType: 'cax21',
    location: 'nbg1',
    runnerLabels: ['arm', 'docker'],
    runnerGroup: 'ci',
    docker: true,
    backups: true,
  });
  const json = synth(stack);
  const s = server(json);
  const userData = hostView(json, s);

  test('name, IP and the arm64 tarball follow instance and server type', () => {
    expect(s).toMatchObject({ name: 'acme-production-runner-2', server_type: 'cax21', location: 'nbg1', backups: true });
    expect(s.network[0].ip).toBe('10.0.1.32');
    expect(writeFile(userData, RUNNER_ENV_FILE)).toContain(`RUNNER_ARCH=arm64\nRUNNER_SHA256=${PINNED_ACTIONS_RUNNER.sha256.arm64}\n`);
  });

  test('docker: installed, the runner user joins its group; labels and group reach the registration', () => {
    expect(userData.packages).toContain('docker.io');
    expect(userData.runcmd).toContainEqual(['usermod', '--append', '--groups', 'docker', 'runner']);
    expect(writeFile(userData, PERSISTENT_RUNNER_ENV_FILE)).toContain("RUNNER_LABELS='arm,docker'\nRUNNER_GROUP='ci'\n");
  });

  test('snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('PersistentRunner next to other hosts', () => {
  test('two instances take .30 and .31; a clash with another host is refused', () => {
    const stack = testStack();
    runner(stack, {}, 'R0');
    runner(stack, { instance: 1 }, 'R1');
    const ips = Object.values(byType(synth(stack), 'hcloud_server')).map((x) => x.network[0].ip).sort();
    expect(ips).toEqual(['10.0.1.30', '10.0.1.31']);
    expect(() => runner(stack, { instance: 1 }, 'R1again')).toThrow(/10\.0\.1\.31/);
  });
});

describeWithTool('cloud-init', 'cloud-init', 'PersistentRunner user_data through cloud-init schema', () => {
  test.each([
    ['default', {}],
    ['docker on arm', { docker: true, serverType: 'cax21' }],
  ] as const)('%s: valid cloud-config', (_name, props) => {
    const synth = synthApp((app: App) => {
      const stack = new TerraformStack(app, 'runner');
      new HcloudProvider(stack, 'hcloud', { token: secretVariable(stack, 'hcloud_token', { description: 'x' }).stringValue });
      runner(stack, props);
    });
    const [host] = extractServers(synth);
    const r = run('cloud-init', ['schema', '--config-file', host.userDataPath]);
    expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({ status: 0, output: `Valid cloud-config: ${host.userDataPath}\n` });
    // The runner account as the converge creates it: a system user without sudo, keys or login shell.
    const user = host.manifest.users.find((u) => u.name === RUNNER_USER);
    expect(user).toEqual({ name: RUNNER_USER, system: true, home: '/var/lib/aiai-runner', shell: '/usr/sbin/nologin', groups: [] });
  });
});

describeWithTool('systemd-analyze', 'systemd', 'PersistentRunner units as synthesized, through systemd-analyze verify', () => {
  test('the units in user_data verify cleanly', () => {
    const synth = synthApp((app: App) => {
      const stack = new TerraformStack(app, 'runner');
      new HcloudProvider(stack, 'hcloud', { token: secretVariable(stack, 'hcloud_token', { description: 'x' }).stringValue });
      runner(stack);
    });
    const [host] = extractServers(synth);
    const names = host.units.map((u) => u.path.split('/').pop()!);
    expect(names).toEqual(expect.arrayContaining([REGISTER_UNIT, PERSISTENT_RUNNER_UNIT]));
    // Only our two units (the host base's own units are covered by its tests); programs that come
    // with the runner tarball or the OS get stand-ins, the register script is the shipped one.
    const texts = Object.fromEntries(host.units.map((u) => [u.path.split('/').pop()!, u.content]));
    const files = [
      { path: RUNSVC_PATH, content: '#!/bin/sh\nexit 0\n' },
      { path: '/usr/bin/systemctl', content: '#!/bin/sh\nexit 0\n' },
      { path: REGISTER_SCRIPT_PATH, content: host.files.find((f) => f.path === REGISTER_SCRIPT_PATH)!.content },
    ];
    const r = verifyUnitTexts(texts, [REGISTER_UNIT, PERSISTENT_RUNNER_UNIT], files);
    expect({ status: r.status, output: (r.stdout + r.stderr).trim() }).toEqual({ status: 0, output: '' });
  });
});

/** systemd-analyze verify of unit texts exactly as synthesized, in a fake root (as verify-tools does). */
function verifyUnitTexts(texts: Record<string, string>, names: readonly string[], programs: readonly { path: string; content: string }[]) {
  const root = tempDir('systemd-root-');
  const systemDir = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => existsSync(join(d, 'multi-user.target')))!;
  cpSync(systemDir, join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  for (const name of names) writeFileSync(join(root, 'etc/systemd/system', name), texts[name]);
  for (const p of programs) {
    mkdirSync(dirname(join(root, p.path)), { recursive: true });
    writeFileSync(join(root, p.path), p.content, { mode: 0o755 });
  }
  return run('systemd-analyze', ['verify', '--man=no', `--root=${root}`, ...names], { env: { ...process.env, SYSTEMD_LOG_COLOR: '0', LC_ALL: 'C' } });
}

describe('no secret value in the JSON or the user_data', () => {
  test('TF_VAR_ markers never reach cdk.tf.json', () => {
    const markers = { TF_VAR_hcloud_token: 'MARKER-hcloud-0e1f', TF_VAR_runner_registration_token: 'MARKER-registration-77aa' };
    const synth = synthApp(
      (app: App) => {
        const stack = new TerraformStack(app, 'runner');
        new HcloudProvider(stack, 'hcloud', { token: secretVariable(stack, 'hcloud_token', { description: 'x' }).stringValue });
        runner(stack);
      },
      { env: markers },
    );
    expect(synth.rawStacks.runner).not.toMatch(/MARKER-/);
    const [host] = extractServers(synth);
    expect(host.userData).not.toMatch(/MARKER-|var\.runner_registration_token/);
    expect(JSON.stringify(host.manifest)).not.toMatch(/MARKER-|var\.runner_registration_token/);
  });
});

describe('PersistentRunner validation', () => {
  const fails = (props: Partial<PersistentRunnerProps>) => {
    const stack = testStack();
    return validationError(() => runner(stack, props));
  };

  test('fails if the credential is a literal, without showing it', () => {
    const err = fails({ githubToken: 'github_pat_literal' });
    expectProblem(err, { path: 'test/Runner', property: 'githubToken', value: '<literal, not shown>', allowed: /sensitive Terraform variable token/ });
    expect(err.message).not.toContain('github_pat_literal');
  });

  test('fails if the repository has no owner', () => {
    expectProblem(fails({ repository: 'aiai' }), { path: 'test/Runner', property: 'repository', value: 'aiai', allowed: /owner\/name/ });
  });

  test("fails if a label is one of the ephemeral pools' (their reaper would delete the runner)", () => {
    expectProblem(fails({ runnerLabels: ['aiai-pool-ci'] }), { path: 'test/Runner', property: 'runnerLabels[0]', value: 'aiai-pool-ci', allowed: /not starting with aiai-pool-/ });
  });

  test('fails if a label is empty or has a comma', () => {
    const err = fails({ runnerLabels: ['', 'a,b'] });
    expectProblem(err, { path: 'test/Runner', property: 'runnerLabels[0]', value: '', allowed: /a label of letters/ });
    expectProblem(err, { path: 'test/Runner', property: 'runnerLabels[1]', value: 'a,b', allowed: /a label of letters/ });
  });

  test('fails if the server type is deprecated (cpx31), naming its replacement', () => {
    expectProblem(fails({ serverType: 'cpx31' }), { path: 'test/Runner/Host', property: 'serverType', value: 'cpx31', allowed: /use cpx32/ });
  });

  test('fails if the instance number is out of range', () => {
    expectProblem(fails({ instance: -1 }), { path: 'test/Runner', property: 'instance', value: -1, allowed: /integer from 0 to 99/ });
  });

  test('fails if the runner group could break the settings file', () => {
    expectProblem(fails({ runnerGroup: "ci'" }), { path: 'test/Runner', property: 'runnerGroup', value: "ci'", allowed: /runner group name/ });
  });

  test('fails if the release checksum of the host architecture is missing', () => {
    const release = { version: '2.330.0', sha256: { x64: '', arm64: PINNED_ACTIONS_RUNNER.sha256.arm64 } };
    expectProblem(fails({ actionsRunner: release }), { path: 'test/Runner', property: 'actionsRunner.sha256.x64', value: '', allowed: /SHA-256 of actions-runner-linux-x64-2\.330\.0/ });
    // The other architecture's checksum does not matter on an x64 host... but does on arm.
    expect(() => runner(testStack(), { actionsRunner: release, serverType: 'cax21' })).not.toThrow();
  });
});

describe('PersistentRunner: prop shapes (found by __tests__/properties)', () => {
  test('fails if a prop has the wrong JavaScript type (runnerLabels: NaN was a TypeError before)', () => {
    const err = validationError(() => runner(testStack(), { runnerLabels: NaN as any, instance: '1' as any }));
    expectProblem(err, { path: 'test/Runner', property: 'runnerLabels', allowed: /^an array of strings$/ });
    expectProblem(err, { path: 'test/Runner', property: 'instance', value: '1', allowed: /^a number$/ });
  });
});
