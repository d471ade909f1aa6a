import { HostPaths, SERVICE_USER } from '../core/paths';
import { Ports } from '../core/ports';
import { ServerTypeInfo } from '../hetzner/catalog';
import { HostConfig } from '../host/host-config';
import { PortSources } from '../network/port-rule';
import { serviceSandbox, SystemdUnit, systemdBytes } from '../render/systemd';
import { releaseFiles } from './release-config';
import { invalid } from '../core/validation-error';

export const ORCHESTRATOR_UNIT = 'aiai-orchestrator.service';
export const METRICS_UNIT = 'aiai-metrics.service';
export const EVOLUTION_SERVICE = 'aiai-evolution.service';
export const EVOLUTION_TIMER = 'aiai-evolution.timer';
/** Units `aiai-release` restarts on each release, in this order. */
export const RELEASE_UNITS = [ORCHESTRATOR_UNIT, METRICS_UNIT] as const;

export interface OrchestratorHostOptions {
  readonly serverType: ServerTypeInfo;
  /** Server name (named in release messages). */
  readonly hostName: string;
  /** The host's private IPv4 (the health URL `aiai-release` polls). */
  readonly privateIp: string;
  /** The agent repository; which ref runs is the business of `AgentRelease`, not of the host. */
  readonly repositoryUrl: string;
  /** `primary` or `standby`, exported as AIAI_ROLE. */
  readonly instanceRole: 'primary' | 'standby';
  readonly environment: string;
  /** Non-secret settings written to /etc/aiai/env. */
  readonly settings: Readonly<Record<string, string>>;
  /** Systemd watchdog timeout in seconds. */
  readonly watchdogSec: number;
  /** Max runtime of one evolution analysis run, in seconds. */
  readonly evolutionTimeoutSec: number;
  /** Python module of each service. */
  readonly modules: { readonly orchestrator: string; readonly metrics: string; readonly evolution: string };
}

/**
 * Memory shares of the host's RAM, chosen so that the orchestrator, an evolution run and the
 * metrics exporter at their limits together leave about 10 % to the OS, sshd, node exporter and Alloy.
 */
export const MemoryShares = { orchestratorMax: 0.55, orchestratorHigh: 0.45, evolutionMax: 0.25, metricsMax: 0.1 } as const;

/**
 * Resource limits from the server size: the orchestrator gets 55 % of RAM (throttled at 45 %), an
 * evolution run 25 %, the metrics exporter 10 % (at most 512 MiB), and all vCPUs but half a one.
 */
export function orchestratorLimits(t: ServerTypeInfo): { memoryMax: string; memoryHigh: string; evolutionMemoryMax: string; metricsMemoryMax: string; cpuQuota: string } {
  const bytes = t.memoryGb * 1024 * 1024 * 1024;
  return {
    memoryMax: systemdBytes(bytes * MemoryShares.orchestratorMax),
    memoryHigh: systemdBytes(bytes * MemoryShares.orchestratorHigh),
    evolutionMemoryMax: systemdBytes(bytes * MemoryShares.evolutionMax),
    metricsMemoryMax: systemdBytes(Math.min(bytes * MemoryShares.metricsMax, 512 * 1024 * 1024)),
    cpuQuota: `${Math.round((t.vcpus - 0.5) * 100)}%`,
  };
}

/** Quotes a value for a systemd EnvironmentFile line. */
export function envLine(key: string, value: string): string {
  if (/[\r\n]/.test(value)) invalid('envLine', key, value, 'a single-line env value');
  return `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function renderEnvFile(vars: Readonly<Record<string, string>>): string {
  const lines = ['# aiai settings (non-secret). Secrets live in ' + HostPaths.secretEnvFile + ', delivered after boot.'];
  for (const [k, v] of Object.entries(vars)) lines.push(envLine(k, v));
  return lines.join('\n') + '\n';
}

const python = `${HostPaths.venvDir}/bin/python`;

function common(module: string, syslogId: string): Record<string, string | readonly string[]> {
  return {
    User: SERVICE_USER,
    Group: SERVICE_USER,
    // The live release (a symlink, resolved at each start: a restart runs the release switched to).
    WorkingDirectory: HostPaths.currentRelease,
    ExecStart: `${python} -m ${module}`,
    EnvironmentFile: [HostPaths.envFile, HostPaths.secretEnvFile],
    // HOME in the writable state dir: ProtectHome hides /home, and git/pip need a home.
    Environment: ['PYTHONUNBUFFERED=1', 'PYTHONDONTWRITEBYTECODE=1', `PYTHONPATH=${HostPaths.currentRelease}`, `HOME=${HostPaths.stateDir}`],
    // Log files group-readable (the log dir is setgid adm) so Alloy can ship them.
    UMask: '0027',
    StandardOutput: 'journal',
    StandardError: 'journal',
    SyslogIdentifier: syslogId,
  };
}

/** The orchestrator's systemd units (pure; unit-tested and checked by systemd-analyze). */
export function orchestratorUnits(o: OrchestratorHostOptions): SystemdUnit[] {
  const limits = orchestratorLimits(o.serverType);
  // Services start only once their secrets were delivered and a release exists (SecretFiles and
  // aiai-release restart them then). A condition that fails skips the start without failing it
  // (systemd.unit(5), "Conditions and Asserts"), so a delivery before the first release succeeds.
  const needsSecretsAndRelease = { ConditionPathExists: [HostPaths.secretEnvFile, python] };
  // The two long-running services: after the network, at most 5 starts in 5 minutes, once secrets exist.
  const longRunningUnit = {
    After: 'network-online.target',
    Wants: 'network-online.target',
    StartLimitIntervalSec: 300,
    StartLimitBurst: 5,
    ...needsSecretsAndRelease,
  };
  const writable = [HostPaths.appDir, HostPaths.logDir, HostPaths.stateDir];
  return [
    {
      name: ORCHESTRATOR_UNIT,
      sections: {
        Unit: { Description: 'aiai orchestrator (agent coordination)', ...longRunningUnit },
        Service: {
          // The app sends READY=1 once serving and WATCHDOG=1 at least every WatchdogSec/2.
          Type: 'notify',
          NotifyAccess: 'main',
          ...common(o.modules.orchestrator, 'aiai-orchestrator'),
          ExecReload: '/bin/kill -HUP $MAINPID',
          WatchdogSec: o.watchdogSec,
          TimeoutStartSec: 120,
          TimeoutStopSec: 60,
          Restart: 'on-failure',
          RestartSec: 10,
          MemoryMax: limits.memoryMax,
          MemoryHigh: limits.memoryHigh,
          CPUQuota: limits.cpuQuota,
          TasksMax: 256,
          LimitNOFILE: 65536,
          ...serviceSandbox(writable),
        },
        Install: { WantedBy: 'multi-user.target' },
      },
    },
    {
      name: METRICS_UNIT,
      sections: {
        Unit: { Description: 'aiai metrics exporter (Prometheus, port ' + Ports.aiaiMetrics.port + ')', ...longRunningUnit },
        Service: {
          Type: 'exec',
          ...common(o.modules.metrics, 'aiai-metrics'),
          Restart: 'on-failure',
          RestartSec: 5,
          MemoryMax: limits.metricsMemoryMax,
          CPUQuota: '50%',
          TasksMax: 64,
          ...serviceSandbox([HostPaths.logDir, HostPaths.stateDir]),
        },
        Install: { WantedBy: 'multi-user.target' },
      },
    },
    {
      name: EVOLUTION_SERVICE,
      start: false,
      enable: false,
      sections: {
        Unit: {
          Description: 'aiai evolution analysis run',
          After: 'network-online.target',
          Wants: 'network-online.target',
          ...needsSecretsAndRelease,
        },
        Service: {
          Type: 'oneshot',
          ...common(o.modules.evolution, 'aiai-evolution'),
          TimeoutStartSec: o.evolutionTimeoutSec,
          // Runs beside the orchestrator: together they stay within the host's memory.
          MemoryMax: limits.evolutionMemoryMax,
          CPUQuota: `${Math.max(100, Math.round(o.serverType.vcpus * 50))}%`,
          ...serviceSandbox(writable),
        },
      },
    },
    {
      name: EVOLUTION_TIMER,
      sections: {
        Unit: { Description: 'Run the aiai evolution analysis every 6 hours' },
        Timer: { OnCalendar: '*-*-* 00/6:00:00', RandomizedDelaySec: 300, Persistent: true, Unit: EVOLUTION_SERVICE },
        Install: { WantedBy: 'timers.target' },
      },
    },
  ];
}

/**
 * Settings the construct derives from its props and the port/path constants. They may not be
 * overridden through `settings`: ufw, the load balancer, scrape configs and units use these values.
 */
export const BUILT_IN_SETTINGS = ['AIAI_ENVIRONMENT', 'AIAI_ROLE', 'AIAI_LOG_DIR', 'AIAI_API_PORT', 'AIAI_METRICS_PORT'] as const;

/** Adds the orchestrator role (packages, settings, release script, units, ports) to a host. */
export function applyOrchestratorRole(host: HostConfig, o: OrchestratorHostOptions): void {
  const builtIn: Record<(typeof BUILT_IN_SETTINGS)[number], string> = {
    AIAI_ENVIRONMENT: o.environment,
    AIAI_ROLE: o.instanceRole,
    AIAI_LOG_DIR: HostPaths.logDir,
    AIAI_API_PORT: String(Ports.orchestratorApi.port),
    AIAI_METRICS_PORT: String(Ports.aiaiMetrics.port),
  };
  const clash = Object.keys(o.settings).filter((k) => (BUILT_IN_SETTINGS as readonly string[]).includes(k));
  if (clash.length > 0) invalid('applyOrchestratorRole', 'settings', clash, `names other than ${BUILT_IN_SETTINGS.join(', ')} (set by the construct)`);
  const { AIAI_ENVIRONMENT, AIAI_ROLE, ...rest } = builtIn;
  const env: Record<string, string> = { AIAI_ENVIRONMENT, AIAI_ROLE, AIAI_LOG_LEVEL: 'INFO', ...rest, ...o.settings };
  host
    // git and curl for aiai-release (both are on Ubuntu's cloud images; listed because it needs them).
    .addPackages('python3', 'python3-venv', 'python3-pip', 'python3-dev', 'build-essential', 'git', 'curl')
    // Read by systemd (root) as EnvironmentFile: no service needs to open it.
    .addFile({ path: HostPaths.envFile, content: renderEnvFile(env), permissions: '0600', owner: 'root:root' });
  // The first boot checks out nothing: `AgentRelease` runs aiai-release once the secrets are there.
  for (const f of releaseFiles({ hostName: o.hostName, repositoryUrl: o.repositoryUrl, privateIp: o.privateIp, units: RELEASE_UNITS })) host.addFile(f);
  host
    .allowPort({ port: Ports.orchestratorApi, from: PortSources.private })
    .allowPort({ port: Ports.aiaiMetrics, from: PortSources.private });
  for (const u of orchestratorUnits(o)) host.addUnit(u);
}
