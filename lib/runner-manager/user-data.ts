/**
 * The cloud-config of an ephemeral runner server: installs the pinned GitHub Actions runner for the
 * server's CPU architecture (checksum-verified) and runs it once, as the unprivileged `runner`
 * user, with the single-use just-in-time config of exactly one job.
 *
 * Not built on lib/render/cloud-config: that renderer is for long-lived hosts (full package
 * upgrade, hardening). A runner lives for one job, so it boots with the minimum and never gets a
 * long-lived credential: the JIT config registers this one runner and is spent by its first run.
 *
 * With log shipping, the runner also gets Grafana Alloy (the same APT source, pin and pipeline as
 * every other host, from lib/render/monitoring's runtime-safe modules) shipping its journal and
 * /var/log/aiai/*.log to Loki over the private network.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LabelKeys, Roles, isValidLabelValue } from '../core/labels';
import { SYSTEMD_UNIT_DIR } from '../core/paths';
import { RELEASE_VERSION_PATTERN, SHA256_HEX_PATTERN } from '../core/patterns';
import { DEFAULT_PROJECT } from '../core/platform';
import { HetznerLimits } from '../hetzner/catalog';
import { isPrivate, parseCidr } from '../network/cidr';
import type { HostFile } from '../render/cloud-config';
import { ALLOY_ENVIRONMENT_FILE, renderAlloyEnvironment, renderAlloyPipeline } from '../render/monitoring/alloy-pipeline';
import { DebianArchitecture, logShippingPlanFor } from '../render/monitoring/install-plan';
import { MonitoringUnits, monitoringPaths } from '../render/monitoring/paths';
import { renderSystemdUnit } from '../render/systemd';
import { packageRoot } from '../runtime/package-info';
import type { ActionsRunnerRelease, PoolSettings, RunnerArchitecture } from '../runtime/pool-settings';

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

/** Where a runner ships its logs, and the identity labels of its log streams. */
export interface RunnerLogShipping {
  /** Private IPv4 of the monitoring node (Loki). */
  readonly lokiHost: string;
  /** `environment` label of the runner's logs (the pool's `environment` server label). */
  readonly environment: string;
  /** `project` label of the runner's logs. @default 'aiai' */
  readonly project?: string;
}

/** The log shipping of a pool's runners (undefined when the pool has no Loki host). */
export function runnerLogShipping(settings: PoolSettings): RunnerLogShipping | undefined {
  if (settings.lokiHost === undefined) return undefined;
  return {
    lokiHost: settings.lokiHost,
    environment: settings.serverLabels[LabelKeys.environment],
    project: settings.serverLabels[LabelKeys.project],
  };
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
  /**
   * Install Grafana Alloy and ship the runner's journal and /var/log/aiai/*.log to Loki (the
   * server must be in the private network). The runner does not wait for Alloy: it is started first.
   * @default no log shipping (node exporter only)
   */
  readonly logShipping?: RunnerLogShipping;
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

/** GitHub's runner architecture names -> Debian's (APT sources). */
const DEBIAN_ARCH: Readonly<Record<RunnerArchitecture, DebianArchitecture>> = { x64: 'amd64', arm64: 'arm64' };

function cloudConfigFile(f: HostFile, defer: boolean): Record<string, unknown> {
  return { path: f.path, content: f.content, owner: f.owner ?? 'root:root', permissions: f.permissions ?? '0644', ...(defer ? { defer: true } : {}) };
}

/** APT source, packages, files and commands of log shipping on one runner. */
function logShippingParts(name: string, architecture: RunnerArchitecture, o: RunnerLogShipping) {
  const ip = typeof o.lokiHost === 'string' ? parseCidr(`${o.lokiHost}/32`) : undefined;
  if (!ip || !isPrivate(ip)) throw new Error(`Loki host ${JSON.stringify(o.lokiHost)} is not a private IPv4 address`);
  for (const [what, value] of [['environment', o.environment], ['project', o.project ?? DEFAULT_PROJECT]] as const) {
    if (typeof value !== 'string' || value === '' || !isValidLabelValue(value)) {
      throw new Error(`log shipping ${what} ${JSON.stringify(value)} is not a non-empty Hetzner label value`);
    }
  }
  const plan = logShippingPlanFor(DEBIAN_ARCH[architecture]);
  const paths = monitoringPaths();
  const config = renderAlloyPipeline({ hostname: name, role: Roles.ciRunner, lokiHost: o.lokiHost, environment: o.environment, project: o.project, paths });
  return {
    // Same shape as lib/render/cloud-config writes for long-lived hosts.
    aptSources: Object.fromEntries(
      plan.aptSources.map((s) => [
        `${s.name}.list`,
        { source: s.source, ...(s.key ? { key: s.key } : {}), ...(s.keyid ? { keyid: s.keyid } : {}), ...(s.keyserver ? { keyserver: s.keyserver } : {}) },
      ]),
    ),
    packages: plan.packages,
    // The pins before the packages are installed; the configs after (the alloy package ships both files).
    files: [
      ...plan.files.map((f) => cloudConfigFile(f, !f.early)),
      cloudConfigFile({ path: paths.alloyConfig, content: config }, true),
      cloudConfigFile({ path: ALLOY_ENVIRONMENT_FILE, content: renderAlloyEnvironment(paths.alloyConfig) }, true),
    ],
    // After the runner: enable, and (re)start without waiting (the package may have started it with its default config).
    commands: [
      ['systemctl', 'enable', MonitoringUnits.alloy],
      ['systemctl', 'restart', '--no-block', MonitoringUnits.alloy],
    ],
  };
}

/**
 * Renders the `#cloud-config` user_data. Throws if the name is not a host name, the JIT config is
 * not base64, the log shipping settings are invalid, or the document exceeds Hetzner's 32 KiB
 * user_data limit.
 */
export function renderRunnerUserData(input: RunnerUserDataInput): string {
  if (!HOSTNAME.test(input.name)) throw new Error(`runner name ${JSON.stringify(input.name)} is not a valid host name`);
  if (!BASE64.test(input.encodedJitConfig)) throw new Error('the JIT config from GitHub is not base64; refusing to embed it');
  const sha = input.actionsRunner.sha256[input.architecture];
  if (!RELEASE_VERSION_PATTERN.test(input.actionsRunner.version) || !SHA256_HEX_PATTERN.test(sha ?? '')) {
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
  const logs = input.logShipping ? logShippingParts(input.name, input.architecture, input.logShipping) : undefined;
  const doc = {
    hostname: input.name,
    preserve_hostname: false,
    timezone: 'Etc/UTC',
    ssh_pwauth: false,
    disable_root: !input.rootSshLogin,
    // Package lists for the runner's installdependencies.sh; no upgrade: the server lives for one job.
    package_update: true,
    package_upgrade: false,
    ...(logs ? { apt: { sources: logs.aptSources } } : {}),
    // Node exporter: scraped over the private network by the monitoring node (Hetzner SD); the
    // pool's cloud firewall has no inbound rules, so the public side stays closed. Alloy (with log
    // shipping) is installed here too, before the runner: installing it later would hold the dpkg
    // lock while the runner's dependency install or the job itself runs apt.
    packages: logs ? [...logs.packages] : ['prometheus-node-exporter'],
    users: [{ name: RUNNER_USER, gecos: 'GitHub Actions runner', shell: '/bin/bash', lock_passwd: true }],
    write_files: [
      { path: RUNNER_ENV_FILE, content: runnerEnv, owner: 'root:root', permissions: '0644' },
      { path: RUNNER_JIT_FILE, content: `AIAI_RUNNER_JITCONFIG=${input.encodedJitConfig}\n`, owner: 'root:root', permissions: '0600' },
      { path: RUNNER_INSTALL_SCRIPT, content: installRunnerScript(), owner: 'root:root', permissions: '0755' },
      { path: `${SYSTEMD_UNIT_DIR}/${RUNNER_UNIT}`, content: runnerUnit(), owner: 'root:root', permissions: '0644' },
      ...(logs?.files ?? []),
    ],
    runcmd: [[RUNNER_INSTALL_SCRIPT], ['systemctl', 'daemon-reload'], ['systemctl', 'start', '--no-block', RUNNER_UNIT], ...(logs?.commands ?? [])],
  };
  // YAML 1.1, as cloud-init's PyYAML reads it (so strings like `yes` stay quoted strings).
  const text = '#cloud-config\n' + stringify(doc, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
  const bytes = Buffer.byteLength(text);
  if (bytes > HetznerLimits.userDataBytes) {
    throw new Error(`runner user_data is ${bytes} bytes, over Hetzner's limit of ${HetznerLimits.userDataBytes}`);
  }
  return text;
}
