/**
 * The host side of a persistent (always-on) GitHub Actions runner: typed description of its
 * user, files, units and boot commands, merged into a `HostConfig` by the `PersistentRunner`
 * construct. Pure; unit-tested without synth and checked by systemd-analyze and shellcheck.
 *
 * What differs from the reference design's runner setup ("the doc" below; see README, "Notes on
 * the research doc"), and why:
 * - the runner tarball is the one for the host's CPU architecture (x64 or arm64), pinned and
 *   checked against its SHA-256 before extraction (the doc downloads x64 unverified);
 * - no `svc.sh install` next to a hand-written unit: both would run the same registration and
 *   GitHub allows one session per runner, so one of them exits with a session conflict;
 * - registration happens after boot, with a credential delivered over SSH (`SecretFiles`), never in
 *   user_data; the credential and the one-hour registration token never appear on a command line;
 * - the unit starts `bin/runsvc.sh`, which turns systemd's SIGTERM into the graceful SIGINT the
 *   listener expects (the doc's `run.sh` dies on SIGTERM and the job is lost without a result);
 * - `OOMPolicy=continue`: with a memory limit and systemd's default `OOMPolicy=stop`, one job's
 *   out-of-memory kill stops the whole service, runner included, mid-job;
 * - `TasksMax` far above the doc's 512: threads count as tasks, and a parallel build or a JVM test
 *   run passes 512 and fails with "fork: Resource temporarily unavailable";
 * - a sandbox that a runner allows (its own directory and home writable, everything else read-only,
 *   other users' homes and the platform's secrets invisible, no privilege gain) instead of none;
 * - `Restart=always` with a start limit, and a condition on the registration: the doc's unit
 *   restarts an unconfigured runner every 10 s forever.
 */
import { asset } from '../core/assets';
import { HostPaths } from '../core/paths';
import { ServerTypeInfo } from '../hetzner/catalog';
import { HostConfig } from '../host/host-config';
import { HostFile, HostUser } from '../render/cloud-config';
import { DirectiveValue, serviceSandbox, SystemdUnit, systemdBytes } from '../render/systemd';
import { ActionsRunnerRelease, RunnerArchitecture } from '../runtime/pool-settings';
import { installRunnerScript, RUNNER_CONFIG_DIR, RUNNER_DIR, RUNNER_ENV_FILE, RUNNER_INSTALL_SCRIPT, RUNNER_USER } from '../runner-manager/user-data';
import { invalid } from '../core/validation-error';

/** The runner's home (outside /home, which the runner's sandbox hides). */
export const PERSISTENT_RUNNER_HOME = '/var/lib/aiai-runner';
/** Non-secret registration settings, read by the register script. */
export const PERSISTENT_RUNNER_ENV_FILE = `${RUNNER_CONFIG_DIR}/persistent.env`;
export const REGISTER_SCRIPT_PATH = '/usr/local/lib/aiai-runner/register-runner.sh';
/** The GitHub credential, delivered after boot by `SecretFiles` (name under /etc/aiai/secrets). */
export const RUNNER_TOKEN_SECRET = 'github-runner-token';
export const RUNNER_TOKEN_FILE = `${HostPaths.secretsDir}/${RUNNER_TOKEN_SECRET}`;
export const REGISTER_UNIT = 'aiai-github-runner-register.service';
export const PERSISTENT_RUNNER_UNIT = 'aiai-github-runner.service';
/** What the runner unit starts (shipped in the runner tarball; updated with the runner). */
export const RUNSVC_PATH = `${RUNNER_DIR}/bin/runsvc.sh`;
/** The file config.sh writes once the runner is registered. */
export const RUNNER_REGISTRATION_FILE = `${RUNNER_DIR}/.runner`;
/** Capabilities of the register unit (root otherwise has none). */
export const REGISTER_CAPABILITIES = ['CAP_DAC_READ_SEARCH', 'CAP_SETUID', 'CAP_SETGID'] as const;
export const PERSISTENT_RUNNER_GITHUB_URL = 'https://github.com';
export const PERSISTENT_RUNNER_GITHUB_API_URL = 'https://api.github.com';

export interface PersistentRunnerHostOptions {
  readonly serverType: ServerTypeInfo;
  readonly architecture: RunnerArchitecture;
  readonly actionsRunner: ActionsRunnerRelease;
  /** `owner/name`. */
  readonly repository: string;
  /** Runner name (the server name). */
  readonly name: string;
  /** Labels besides GitHub's defaults (`self-hosted`, `linux`, the architecture). */
  readonly labels: readonly string[];
  /** Runner group; undefined: the repository's default. */
  readonly runnerGroup?: string;
  /** Install Docker and put the runner user in the docker group (root-equivalent). */
  readonly docker: boolean;
}

/** Memory limits from the server size: the runner and its jobs get 90 % of RAM (throttled at 80 %). */
export function persistentRunnerLimits(t: ServerTypeInfo): { memoryMax: string; memoryHigh: string } {
  const gib = 1024 * 1024 * 1024;
  return { memoryMax: systemdBytes(t.memoryGb * gib * 0.9), memoryHigh: systemdBytes(t.memoryGb * gib * 0.8) };
}

function quoted(key: string, value: string): string {
  if (/['\r\n\\]/.test(value)) invalid('renderPersistentRunnerEnv', key, value, 'a value that does not contain quotes, backslashes or line breaks');
  return `${key}='${value}'`;
}

/** The register script's settings file (sourced by bash; every value single-quoted). */
export function renderPersistentRunnerEnv(o: PersistentRunnerHostOptions): string {
  const lines = [
    '# Persistent GitHub Actions runner: registration settings (non-secret). Generated by aiai-hetzner.',
    quoted('RUNNER_URL', `${PERSISTENT_RUNNER_GITHUB_URL}/${o.repository}`),
    quoted('RUNNER_API_URL', PERSISTENT_RUNNER_GITHUB_API_URL),
    quoted('RUNNER_REPOSITORY', o.repository),
    quoted('RUNNER_NAME', o.name),
    quoted('RUNNER_LABELS', o.labels.join(',')),
    quoted('RUNNER_GROUP', o.runnerGroup ?? ''),
    quoted('RUNNER_USER', RUNNER_USER),
    quoted('RUNNER_DIR', RUNNER_DIR),
    quoted('RUNNER_TOKEN_FILE', RUNNER_TOKEN_FILE),
  ];
  return lines.join('\n') + '\n';
}

/** The install script's settings (same format as on ephemeral runners: lib/runner-manager/user-data). */
export function renderRunnerInstallEnv(o: PersistentRunnerHostOptions): string {
  const sha = o.actionsRunner.sha256[o.architecture];
  return [
    `RUNNER_VERSION=${o.actionsRunner.version}`,
    `RUNNER_ARCH=${o.architecture}`,
    `RUNNER_SHA256=${sha}`,
    `RUNNER_USER=${RUNNER_USER}`,
    `RUNNER_DIR=${RUNNER_DIR}`,
    '',
  ].join('\n');
}

/** What a CI job may do; everything else on the host is read-only or invisible to it. */
export function runnerSandbox(): Record<string, DirectiveValue | undefined> {
  return {
    ...serviceSandbox([RUNNER_DIR, PERSISTENT_RUNNER_HOME]),
    // /home (the operator's account and its secret inbox) and the platform's secrets are hidden.
    InaccessiblePaths: `-${HostPaths.secretsDir}`,
    ProtectProc: 'invisible',
    // Netlink: .NET and Node enumerate network interfaces through it.
    RestrictAddressFamilies: RUNNER_ADDRESS_FAMILIES,
    // Not set on purpose: MemoryDenyWriteExecute (the runner's .NET, Node and JVM JIT-compile) and
    // RestrictNamespaces (browser and bubblewrap sandboxes in test jobs use user namespaces).
    RestrictNamespaces: undefined,
  };
}

const RUNNER_ADDRESS_FAMILIES = 'AF_UNIX AF_INET AF_INET6 AF_NETLINK';

/** The two units: registration (root, once the credential exists) and the runner itself. */
export function persistentRunnerUnits(o: PersistentRunnerHostOptions): SystemdUnit[] {
  const limits = persistentRunnerLimits(o.serverType);
  return [
    {
      name: REGISTER_UNIT,
      sections: {
        Unit: {
          Description: `Register the GitHub Actions runner for ${o.repository}`,
          After: 'network-online.target',
          Wants: 'network-online.target',
          // Skipped at first boot; SecretFiles restarts this unit once the credential is there.
          ConditionPathExists: RUNNER_TOKEN_FILE,
        },
        Service: {
          Type: 'oneshot',
          ExecStart: `${REGISTER_SCRIPT_PATH} ${PERSISTENT_RUNNER_ENV_FILE}`,
          // Starting a running unit is a no-op: a new credential does not interrupt a job.
          ExecStartPost: `/usr/bin/systemctl --no-block start ${PERSISTENT_RUNNER_UNIT}`,
          TimeoutStartSec: 600,
          StandardOutput: 'journal',
          StandardError: 'journal',
          SyslogIdentifier: 'aiai-github-runner-register',
          UMask: '0077',
          ...serviceSandbox([RUNNER_DIR, PERSISTENT_RUNNER_HOME]),
          ProtectProc: 'invisible',
          RestrictAddressFamilies: RUNNER_ADDRESS_FAMILIES,
          // Root with only what the script needs: look into the runner's 0750 directory, and
          // become the runner user (runuser) for config.sh. The register test runs it so.
          CapabilityBoundingSet: REGISTER_CAPABILITIES.join(' '),
        },
        Install: { WantedBy: 'multi-user.target' },
      },
    },
    {
      name: PERSISTENT_RUNNER_UNIT,
      sections: {
        Unit: {
          Description: `GitHub Actions runner for ${o.repository} (persistent)`,
          After: `network-online.target ${REGISTER_UNIT}`,
          Wants: 'network-online.target',
          ConditionPathExists: RUNNER_REGISTRATION_FILE,
          // At most 10 starts an hour: a runner removed on GitHub must not hammer the API.
          StartLimitIntervalSec: 3600,
          StartLimitBurst: 10,
        },
        Service: {
          Type: 'simple',
          User: RUNNER_USER,
          Group: RUNNER_USER,
          WorkingDirectory: RUNNER_DIR,
          ExecStart: RUNSVC_PATH,
          // SIGTERM to runsvc.sh only (it asks the listener to stop and waits up to 30 s); whatever
          // is left after the main process (job processes) is killed, nothing outlives the unit.
          KillMode: 'mixed',
          KillSignal: 'SIGTERM',
          TimeoutStopSec: '5min',
          Restart: 'always',
          RestartSec: 30,
          OOMPolicy: 'continue',
          MemoryHigh: limits.memoryHigh,
          MemoryMax: limits.memoryMax,
          TasksMax: 16384,
          LimitNOFILE: 65536,
          // Under contention sshd, the node exporter and log shipping come first.
          CPUWeight: 50,
          IOWeight: 50,
          StandardOutput: 'journal',
          StandardError: 'journal',
          SyslogIdentifier: 'aiai-github-runner',
          ...runnerSandbox(),
        },
        Install: { WantedBy: 'multi-user.target' },
      },
    },
  ];
}

/** The runner account: a system user without password, SSH keys or sudo, home outside /home. */
export function runnerUser(): HostUser {
  return { name: RUNNER_USER, system: true, homedir: PERSISTENT_RUNNER_HOME, shell: '/usr/sbin/nologin' };
}

/** Files cloud-init writes (no secret among them). */
/** Re-enables IPv4 forwarding on Docker hosts (container networking needs it). */
export const DOCKER_SYSCTL_PATH = '/etc/sysctl.d/95-aiai-docker.conf';

export function persistentRunnerFiles(o: PersistentRunnerHostOptions): HostFile[] {
  const files: HostFile[] = [
    { path: RUNNER_ENV_FILE, content: renderRunnerInstallEnv(o), permissions: '0644' },
    { path: PERSISTENT_RUNNER_ENV_FILE, content: renderPersistentRunnerEnv(o), permissions: '0644' },
    { path: RUNNER_INSTALL_SCRIPT, content: installRunnerScript(), permissions: '0755' },
    { path: REGISTER_SCRIPT_PATH, content: asset('runner/register-runner.sh'), permissions: '0755' },
  ];
  // Early (before packages): docker.io starts its daemon on install, with this configuration.
  if (o.docker) {
    files.push(
      { path: '/etc/docker/daemon.json', content: asset('runner/docker-daemon.json'), permissions: '0644', early: true },
      // Sorts after the hardening's 90-aiai-hardening.conf (ip_forward = 0), which `sysctl --system`
      // in runcmd would otherwise re-apply after dockerd enabled forwarding: containers lose egress.
      { path: DOCKER_SYSCTL_PATH, content: asset('runner/sysctl-docker.conf'), permissions: '0644', early: true },
    );
  }
  return files;
}

/** Adds the persistent runner role (user, packages, files, install, units) to a host. */
export function applyPersistentRunnerRole(host: HostConfig, o: PersistentRunnerHostOptions): void {
  host.addUser(runnerUser());
  if (o.docker) host.addPackages('docker.io');
  for (const f of persistentRunnerFiles(o)) host.addFile(f);
  host
    .addSetupCommand(['install', '-d', '-m', '0750', '-o', RUNNER_USER, '-g', RUNNER_USER, PERSISTENT_RUNNER_HOME])
    // Downloads the pinned tarball for this architecture, checks its SHA-256, extracts it.
    .addSetupCommand([RUNNER_INSTALL_SCRIPT]);
  // The docker group exists once docker.io is installed (packages come before these commands).
  if (o.docker) host.addSetupCommand(['usermod', '--append', '--groups', 'docker', RUNNER_USER]);
  for (const u of persistentRunnerUnits(o)) host.addUnit(u);
}
