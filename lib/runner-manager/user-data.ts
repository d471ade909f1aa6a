/**
 * The cloud-config of an ephemeral runner server: installs the pinned GitHub Actions runner for the
 * server's CPU architecture (checksum-verified) and runs it once, as the unprivileged `runner`
 * user, with the single-use just-in-time config of exactly one job.
 *
 * Not built on lib/render/cloud-config: that renderer is for long-lived hosts (full package
 * upgrade, hardening). A runner lives for one job, so it boots with the minimum and never gets a
 * long-lived credential: the JIT config registers this one runner and is spent by its first run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { HetznerLimits } from '../hetzner/catalog';
import { renderSystemdUnit } from '../render/systemd';
import { packageRoot } from './package-info';
import type { ActionsRunnerRelease, RunnerArchitecture } from './settings';

export const RUNNER_USER = 'runner';
export const RUNNER_DIR = '/opt/actions-runner';
export const RUNNER_CONFIG_DIR = '/etc/aiai-runner';
export const RUNNER_ENV_FILE = `${RUNNER_CONFIG_DIR}/runner.env`;
/** Root-only file with the JIT config; removed once the runner started. */
export const RUNNER_JIT_FILE = `${RUNNER_CONFIG_DIR}/jit.env`;
export const RUNNER_INSTALL_SCRIPT = '/usr/local/lib/aiai-runner/install-runner.sh';
export const RUNNER_UNIT = 'aiai-runner.service';

/** Package-relative location of the install script (a real file, shellchecked by the tests). */
export const INSTALL_SCRIPT_ASSET = join('lib', 'runner-manager', 'assets', 'install-runner.sh');

let scriptCache: string | undefined;

/** The body of the install script. */
export function installRunnerScript(): string {
  scriptCache ??= readFileSync(join(packageRoot(), INSTALL_SCRIPT_ASSET), 'utf8');
  return scriptCache;
}

export interface RunnerUserDataInput {
  /** Host name = server name = runner name. */
  readonly name: string;
  /** `encoded_jit_config` from generate-jitconfig. */
  readonly encodedJitConfig: string;
  readonly architecture: RunnerArchitecture;
  readonly actionsRunner: ActionsRunnerRelease;
  /**
   * Keep root SSH login with the keys Hetzner installs (for debugging through a firewall rule you
   * add yourself). @default false (root login disabled; the pool firewall has no inbound rules anyway)
   */
  readonly rootSshLogin?: boolean;
}

const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The systemd unit that runs the runner once. */
export function runnerUnit(): string {
  return renderSystemdUnit({
    name: RUNNER_UNIT,
    sections: {
      Unit: {
        Description: 'GitHub Actions runner for one job (just-in-time configuration)',
        After: 'network-online.target',
        Wants: 'network-online.target',
      },
      Service: {
        Type: 'simple',
        User: RUNNER_USER,
        Group: RUNNER_USER,
        WorkingDirectory: RUNNER_DIR,
        EnvironmentFile: RUNNER_JIT_FILE,
        // ${VAR} (braces) is passed as one argument; the config is base64 without spaces.
        ExecStart: `${RUNNER_DIR}/run.sh --jitconfig \${AIAI_RUNNER_JITCONFIG}`,
        // '+': as root. The runner has its config from argv by now; the file is not needed again.
        ExecStartPost: `+/usr/bin/rm -f ${RUNNER_JIT_FILE}`,
        Restart: 'no',
        NoNewPrivileges: true,
        TimeoutStopSec: 60,
      },
    },
  });
}

/**
 * Renders the `#cloud-config` user_data. Throws if the name is not a host name, the JIT config is
 * not base64, or the document exceeds Hetzner's 32 KiB user_data limit.
 */
export function renderRunnerUserData(input: RunnerUserDataInput): string {
  if (!HOSTNAME.test(input.name)) throw new Error(`runner name ${JSON.stringify(input.name)} is not a valid host name`);
  if (!BASE64.test(input.encodedJitConfig)) throw new Error('the JIT config from GitHub is not base64; refusing to embed it');
  const sha = input.actionsRunner.sha256[input.architecture];
  if (!/^\d+\.\d+\.\d+$/.test(input.actionsRunner.version) || !/^[0-9a-f]{64}$/.test(sha ?? '')) {
    throw new Error(`invalid runner release ${input.actionsRunner.version} / ${sha}`);
  }
  const runnerEnv = [
    `RUNNER_VERSION=${input.actionsRunner.version}`,
    `RUNNER_ARCH=${input.architecture}`,
    `RUNNER_SHA256=${sha}`,
    `RUNNER_USER=${RUNNER_USER}`,
    `RUNNER_DIR=${RUNNER_DIR}`,
    '',
  ].join('\n');
  const doc = {
    hostname: input.name,
    preserve_hostname: false,
    timezone: 'Etc/UTC',
    ssh_pwauth: false,
    disable_root: !input.rootSshLogin,
    // Package lists for the runner's installdependencies.sh; no upgrade: the server lives for one job.
    package_update: true,
    package_upgrade: false,
    // Scraped over the private network by the monitoring node (Hetzner SD); the pool's cloud
    // firewall has no inbound rules, so the public side stays closed.
    packages: ['prometheus-node-exporter'],
    users: [{ name: RUNNER_USER, gecos: 'GitHub Actions runner', shell: '/bin/bash', lock_passwd: true }],
    write_files: [
      { path: RUNNER_ENV_FILE, content: runnerEnv, owner: 'root:root', permissions: '0644' },
      { path: RUNNER_JIT_FILE, content: `AIAI_RUNNER_JITCONFIG=${input.encodedJitConfig}\n`, owner: 'root:root', permissions: '0600' },
      { path: RUNNER_INSTALL_SCRIPT, content: installRunnerScript(), owner: 'root:root', permissions: '0755' },
      { path: `/etc/systemd/system/${RUNNER_UNIT}`, content: runnerUnit(), owner: 'root:root', permissions: '0644' },
    ],
    runcmd: [[RUNNER_INSTALL_SCRIPT], ['systemctl', 'daemon-reload'], ['systemctl', 'start', '--no-block', RUNNER_UNIT]],
  };
  // YAML 1.1, as cloud-init's PyYAML reads it (so strings like `yes` stay quoted strings).
  const text = '#cloud-config\n' + stringify(doc, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
  const bytes = Buffer.byteLength(text);
  if (bytes > HetznerLimits.userDataBytes) {
    throw new Error(`runner user_data is ${bytes} bytes, over Hetzner's limit of ${HetznerLimits.userDataBytes}`);
  }
  return text;
}
