import { HostPaths, SERVICE_USER } from '../../lib/core/paths';
import { Ports } from '../../lib/core/ports';
import { SERVER_TYPES } from '../../lib/hetzner/catalog';
import { HostConfig } from '../../lib/host/host-config';
import { PortSources } from '../../lib/network/port-rule';
import {
  applyOrchestratorRole,
  envLine,
  EVOLUTION_SERVICE,
  EVOLUTION_TIMER,
  METRICS_UNIT,
  ORCHESTRATOR_UNIT,
  OrchestratorHostOptions,
  orchestratorLimits,
  orchestratorUnits,
  RELEASE_UNITS,
  renderEnvFile,
} from '../../lib/orchestrator/orchestrator-host';
import { RELEASE_SCRIPT_PATH, releaseScript } from '../../lib/orchestrator/release-config';
import { renderSystemdUnit } from '../../lib/render/systemd';
import { parseUnit } from './ini';

const options = (over: Partial<OrchestratorHostOptions> = {}): OrchestratorHostOptions => ({
  serverType: SERVER_TYPES.cx33,
  hostName: 'aiai-production-orchestrator-primary',
  privateIp: '10.0.1.10',
  repositoryUrl: 'https://github.com/example/aiai.git',
  instanceRole: 'primary',
  environment: 'production',
  settings: {},
  watchdogSec: 60,
  evolutionTimeoutSec: 1800,
  modules: { orchestrator: 'src.orchestrator', metrics: 'src.metrics.exporter', evolution: 'src.evolution.analyze' },
  ...over,
});

/**
 * Reads an EnvironmentFile the way systemd does for the lines we write (KEY="value"): inside double
 * quotes a backslash escapes one of " \ ` $ and is kept literally before anything else.
 */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)="(.*)"$/.exec(line);
    if (!m) throw new Error(`unexpected env line ${JSON.stringify(line)}`);
    let value = '';
    for (let i = 0; i < m[2].length; i++) {
      const c = m[2][i];
      if (c === '\\' && i + 1 < m[2].length) {
        const next = m[2][i + 1];
        value += '"\\`$'.includes(next) ? next : c + next;
        i++;
      } else if (c === '"') {
        throw new Error(`unescaped quote in ${JSON.stringify(line)}`);
      } else {
        value += c;
      }
    }
    out[m[1]] = value;
  }
  return out;
}

const units = (o = options()) => Object.fromEntries(orchestratorUnits(o).map((u) => [u.name, parseUnit(renderSystemdUnit(u))]));

describe('env file', () => {
  test('quotes every value so that systemd reads it back unchanged', () => {
    const values = { PLAIN: 'INFO', SPACES: 'a b  c', QUOTE: 'say "hi"', BACKSLASH: 'C:\\path\\', DOLLAR: '$HOME and ${X}', HASH: 'x # not a comment', EMPTY: '', EQUALS: 'a=b=c', UNICODE: 'äöü ✓' };
    const text = renderEnvFile(values);
    expect(text.split('\n')[0]).toMatch(/^# aiai settings \(non-secret\)\. Secrets live in \/etc\/aiai\/secrets\/aiai\.env/);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseEnvFile(text)).toEqual(values);
  });

  test('envLine escapes quotes and backslashes', () => {
    expect(envLine('A', 'x"y\\z')).toBe('A="x\\"y\\\\z"');
  });

  test.each(['two\nlines', 'cr\r'])('fails if a value is multi-line (%j)', (v) => {
    expect(() => envLine('KEY', v)).toThrow(/^Invalid props for envLine:\n  - KEY: got .*; allowed: a single-line env value$/);
  });
});

describe('orchestratorLimits', () => {
  test('55 % of RAM hard limit, 45 % throttle, evolution 25 %, metrics 10 % (at most 512M), all but half a vCPU', () => {
    expect(orchestratorLimits(SERVER_TYPES.cx33)).toEqual({ memoryMax: '4505M', memoryHigh: '3686M', evolutionMemoryMax: '2G', metricsMemoryMax: '512M', cpuQuota: '350%' });
    expect(orchestratorLimits(SERVER_TYPES.cx23)).toEqual({ memoryMax: '2252M', memoryHigh: '1843M', evolutionMemoryMax: '1G', metricsMemoryMax: '409M', cpuQuota: '150%' });
    expect(orchestratorLimits(SERVER_TYPES.cpx12)).toEqual({ memoryMax: '1126M', memoryHigh: '921M', evolutionMemoryMax: '512M', metricsMemoryMax: '204M', cpuQuota: '50%' });
  });

  test('at their limits the services leave at least 10 % of RAM to the host', () => {
    for (const t of Object.values(SERVER_TYPES)) {
      const l = orchestratorLimits(t);
      const mib = (v: string) => (v.endsWith('G') ? Number(v.slice(0, -1)) * 1024 : Number(v.slice(0, -1)));
      const used = mib(l.memoryMax) + mib(l.evolutionMemoryMax) + mib(l.metricsMemoryMax);
      expect(used).toBeLessThanOrEqual(t.memoryGb * 1024 * 0.9);
    }
  });
});

describe('orchestrator units', () => {
  test('four units: orchestrator, metrics, evolution service and its timer', () => {
    expect(orchestratorUnits(options()).map((u) => u.name)).toEqual([ORCHESTRATOR_UNIT, METRICS_UNIT, EVOLUTION_SERVICE, EVOLUTION_TIMER]);
  });

  test('orchestrator: Type=notify with the watchdog, restart on failure, runs the module from the venv as the service user', () => {
    const u = units()[ORCHESTRATOR_UNIT];
    expect(u.one('Service', 'Type')).toBe('notify');
    expect(u.one('Service', 'NotifyAccess')).toBe('main');
    expect(u.one('Service', 'WatchdogSec')).toBe('60');
    expect(u.one('Service', 'Restart')).toBe('on-failure');
    expect(u.one('Service', 'User')).toBe(SERVICE_USER);
    expect(u.one('Service', 'Group')).toBe(SERVICE_USER);
    expect(u.one('Service', 'WorkingDirectory')).toBe(HostPaths.currentRelease);
    expect(u.one('Service', 'ExecStart')).toBe(`${HostPaths.venvDir}/bin/python -m src.orchestrator`);
    expect(u.get('Service', 'EnvironmentFile')).toEqual([HostPaths.envFile, HostPaths.secretEnvFile]);
    expect(u.one('Unit', 'StartLimitIntervalSec')).toBe('300');
    expect(u.one('Unit', 'StartLimitBurst')).toBe('5');
    expect(u.one('Install', 'WantedBy')).toBe('multi-user.target');
    expect(u.keys('Service')).not.toContain('StartLimitIntervalSec');
  });

  test('the watchdog follows the prop', () => {
    expect(units(options({ watchdogSec: 120 }))[ORCHESTRATOR_UNIT].one('Service', 'WatchdogSec')).toBe('120');
  });

  test('resource limits come from the server type', () => {
    const big = units(options({ serverType: SERVER_TYPES.ccx33 }))[ORCHESTRATOR_UNIT];
    expect(big.one('Service', 'MemoryMax')).toBe('18022M');
    expect(big.one('Service', 'CPUQuota')).toBe('750%');
    const small = units(options({ serverType: SERVER_TYPES.cx23 }))[ORCHESTRATOR_UNIT];
    expect(small.one('Service', 'MemoryMax')).toBe('2252M');
    expect(small.one('Service', 'MemoryHigh')).toBe('1843M');
    expect(small.one('Service', 'CPUQuota')).toBe('150%');
  });

  test('every service is sandboxed; only the app, log and state dirs are writable', () => {
    const all = units();
    for (const name of [ORCHESTRATOR_UNIT, METRICS_UNIT, EVOLUTION_SERVICE]) {
      const u = all[name];
      expect(u.one('Service', 'ProtectSystem')).toBe('strict');
      expect(u.one('Service', 'NoNewPrivileges')).toBe('yes');
      expect(u.one('Service', 'ProtectHome')).toBe('yes');
      expect(u.one('Service', 'PrivateTmp')).toBe('yes');
      const rw = u.one('Service', 'ReadWritePaths')!.split(' ');
      expect(rw.every((p) => ([HostPaths.appDir, HostPaths.logDir, HostPaths.stateDir] as string[]).includes(p))).toBe(true);
      expect(rw).toContain(HostPaths.logDir);
    }
    expect(all[METRICS_UNIT].one('Service', 'ReadWritePaths')).not.toContain(HostPaths.appDir);
  });

  test('services wait for their secrets and the first release (started by SecretFiles and aiai-release)', () => {
    const all = units();
    for (const name of [ORCHESTRATOR_UNIT, METRICS_UNIT, EVOLUTION_SERVICE]) {
      // Several ConditionPathExists= must all hold (systemd.unit(5)).
      expect(all[name].get('Unit', 'ConditionPathExists')).toEqual([HostPaths.secretEnvFile, `${HostPaths.venvDir}/bin/python`]);
    }
    expect(HostPaths.venvDir.startsWith(`${HostPaths.currentRelease}/`)).toBe(true);
  });

  test('every service runs from the current release', () => {
    const all = units();
    for (const name of [ORCHESTRATOR_UNIT, METRICS_UNIT, EVOLUTION_SERVICE]) {
      expect(all[name].one('Service', 'WorkingDirectory')).toBe(HostPaths.currentRelease);
      expect(all[name].one('Service', 'ExecStart')!.startsWith(`${HostPaths.currentRelease}/.venv/bin/python -m `)).toBe(true);
      expect(all[name].get('Service', 'Environment')).toContain(`PYTHONPATH=${HostPaths.currentRelease}`);
    }
  });

  test('the metrics exporter is described with the one metrics port', () => {
    const u = units()[METRICS_UNIT];
    expect(u.one('Unit', 'Description')).toContain(String(Ports.aiaiMetrics.port));
    expect(u.one('Service', 'ExecStart')).toBe(`${HostPaths.venvDir}/bin/python -m src.metrics.exporter`);
  });

  test('evolution: a oneshot with the timeout prop, run every 6 hours by its timer', () => {
    const all = units(options({ evolutionTimeoutSec: 900 }));
    const svc = all[EVOLUTION_SERVICE];
    expect(svc.one('Service', 'Type')).toBe('oneshot');
    expect(svc.one('Service', 'TimeoutStartSec')).toBe('900');
    expect(svc.sections).not.toContain('Install');
    const timer = all[EVOLUTION_TIMER];
    expect(timer.one('Timer', 'OnCalendar')).toBe('*-*-* 00/6:00:00');
    expect(timer.one('Timer', 'Persistent')).toBe('yes');
    expect(timer.one('Timer', 'Unit')).toBe(EVOLUTION_SERVICE);
    expect(timer.one('Install', 'WantedBy')).toBe('timers.target');
    const evo = orchestratorUnits(options()).find((u) => u.name === EVOLUTION_SERVICE)!;
    expect(evo.enable).toBe(false);
    expect(evo.start).toBe(false);
  });

  test('custom modules', () => {
    const u = units(options({ modules: { orchestrator: 'app.main', metrics: 'app.metrics', evolution: 'app.evolve' } }));
    expect(u[ORCHESTRATOR_UNIT].one('Service', 'ExecStart')).toMatch(/ -m app\.main$/);
    expect(u[METRICS_UNIT].one('Service', 'ExecStart')).toMatch(/ -m app\.metrics$/);
    expect(u[EVOLUTION_SERVICE].one('Service', 'ExecStart')).toMatch(/ -m app\.evolve$/);
  });
});

describe('applyOrchestratorRole', () => {
  function role(o = options()) {
    const h = new HostConfig();
    applyOrchestratorRole(h, o);
    return h;
  }

  test('env file: non-secret settings only, the one metrics port, not world-readable', () => {
    const env = role(options({ settings: { AIAI_MAX_AGENTS: '8' } })).fileList.find((f) => f.path === HostPaths.envFile)!;
    // systemd (root) reads EnvironmentFile=: no service needs to open it.
    expect(env.permissions).toBe('0600');
    expect(env.owner).toBe('root:root');
    expect(parseEnvFile(env.content)).toEqual({
      AIAI_ENVIRONMENT: 'production',
      AIAI_ROLE: 'primary',
      AIAI_LOG_LEVEL: 'INFO',
      AIAI_LOG_DIR: HostPaths.logDir,
      AIAI_API_PORT: String(Ports.orchestratorApi.port),
      AIAI_METRICS_PORT: String(Ports.aiaiMetrics.port),
      AIAI_MAX_AGENTS: '8',
    });
  });

  test('API and metrics ports are open to the private range only', () => {
    expect(role().ports).toEqual([
      { port: Ports.orchestratorApi, from: PortSources.private },
      { port: Ports.aiaiMetrics, from: PortSources.private },
    ]);
  });

  test('installs the release script and its settings; the first boot checks out nothing', () => {
    const h = role();
    const script = h.fileList.find((f) => f.path === RELEASE_SCRIPT_PATH)!;
    expect(script).toEqual({ path: '/usr/local/lib/aiai/aiai-release', content: releaseScript(), permissions: '0755', owner: 'root:root' });
    expect(script.content.startsWith('#!/bin/bash\n')).toBe(true);
    const settings = h.fileList.find((f) => f.path === HostPaths.releaseConfig)!;
    expect(settings.permissions).toBe('0644');
    expect(settings.content).toContain('\nAIAI_HOST_NAME=aiai-production-orchestrator-primary\n');
    expect(settings.content).toContain('\nAIAI_REPOSITORY_URL=https://github.com/example/aiai.git\n');
    expect(settings.content).toContain(`\nAIAI_HEALTH_URL=http://10.0.1.10:${Ports.orchestratorApi.port}/health\n`);
    expect(settings.content).toContain(`\nAIAI_RELEASE_UNITS=${RELEASE_UNITS.join(' ')}\n`);
    expect(settings.content).toContain(`\nAIAI_SERVICE_USER=${SERVICE_USER}\n`);
    const spec = h.toManifestSpec('h', SERVICE_USER);
    expect(JSON.stringify(spec.commands)).not.toMatch(/github\.com|git |clone/);
    expect(spec.packages).toEqual(expect.arrayContaining(['python3', 'python3-venv', 'git', 'curl']));
  });

  test('the standby exports its role', () => {
    const env = role(options({ instanceRole: 'standby' })).fileList.find((f) => f.path === HostPaths.envFile)!;
    expect(parseEnvFile(env.content).AIAI_ROLE).toBe('standby');
  });
});
