/** String form of pool settings: GitHub variable values (Terraform side) and their parsing from the environment (CLI side). */
import { DEFAULT_NAME_PREFIX, PoolGithubNames, RunnerEnv, poolGithubNames } from './pool-names';
import { ActionsRunnerRelease, PINNED_ACTIONS_RUNNER, PoolSettings, PoolSettingsInput } from './pool-settings';
import { SettingProblem, SettingsError, checkPoolSettings, withDefaults } from './pool-settings-check';
/** Written for an empty list, so that "no fallbacks" differs from "unset, use the default". */
export const EMPTY_LIST = 'none';

function formatList(values: readonly string[]): string {
  return values.length === 0 ? EMPTY_LIST : values.join(',');
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? EMPTY_LIST : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * The value of every GitHub Actions variable of a pool (keyed by variable name). Values are plain
 * strings; unresolved tokens pass through as their string form. Optional settings that are unset
 * (network, subnet, Loki host) are omitted: the workflow then reads an empty string, which means "unset".
 */
export function poolVariableValues(settings: PoolSettings, names: PoolGithubNames = poolGithubNames()): Record<string, string> {
  const v = names.variables;
  const out: Record<string, string> = {
    [v.pool]: settings.pool,
    [v.serverType]: settings.serverType,
    [v.fallbackServerTypes]: formatList(settings.fallbackServerTypes),
    [v.location]: settings.location,
    [v.fallbackLocations]: formatList(settings.fallbackLocations),
    [v.image]: settings.image,
    [v.firewallIds]: formatList(settings.firewallIds),
    [v.sshKeys]: formatList(settings.sshKeys),
    [v.runnerLabels]: formatList(settings.runnerLabels),
    [v.serverLabels]: formatLabels(settings.serverLabels),
    [v.maxRunners]: String(settings.maxRunners),
    [v.maxLifetimeMinutes]: String(settings.maxLifetimeMinutes),
    [v.runnerGroupId]: String(settings.runnerGroupId),
    [v.actionsRunnerVersion]: settings.actionsRunner.version,
    [v.actionsRunnerSha256X64]: settings.actionsRunner.sha256.x64,
    [v.actionsRunnerSha256Arm64]: settings.actionsRunner.sha256.arm64,
  };
  if (settings.networkId !== undefined) out[v.networkId] = settings.networkId;
  if (settings.subnetIpRange !== undefined) out[v.subnetIpRange] = settings.subnetIpRange;
  if (settings.lokiHost !== undefined) out[v.lokiHost] = settings.lokiHost;
  return out;
}

/** Environment variables as a process sees them (`process.env`), read-only. */
export type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const t = raw.trim();
  return t === '' ? undefined : t;
}

function parseList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  if (raw === EMPTY_LIST) return [];
  return raw.split(',').map((x) => x.trim());
}

/**
 * Reads the settings from the environment (the CLI's side of {@link poolVariableValues}); unset or
 * empty variables take their default. Throws {@link SettingsError} naming the variables.
 */
export function parsePoolSettings(env: Env): PoolSettings {
  const n = RunnerEnv.settings;
  const problems: SettingProblem[] = [];
  const int = (key: 'maxRunners' | 'maxLifetimeMinutes' | 'runnerGroupId'): number | undefined => {
    const raw = read(env, n[key]);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) {
      problems.push({ property: key, variable: key, value: raw, allowed: 'an integer' });
      return undefined;
    }
    return Number(raw);
  };
  let serverLabels: Record<string, string> | undefined;
  const rawLabels = read(env, n.serverLabels);
  if (rawLabels !== undefined && rawLabels !== EMPTY_LIST) {
    serverLabels = {};
    for (const item of rawLabels.split(',')) {
      const eq = item.indexOf('=');
      if (eq <= 0) {
        problems.push({ property: 'serverLabels', variable: 'serverLabels', value: item, allowed: 'comma-separated key=value pairs' });
        continue;
      }
      serverLabels[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
    }
  }

  const pool = read(env, n.pool);
  if (pool === undefined) {
    problems.push({ property: 'pool', variable: 'pool', value: env[n.pool], allowed: 'the pool name (set by the EphemeralRunnerPool construct)' });
  }
  const version = read(env, n.actionsRunnerVersion);
  const shaX64 = read(env, n.actionsRunnerSha256X64);
  const shaArm64 = read(env, n.actionsRunnerSha256Arm64);
  let actionsRunner: ActionsRunnerRelease | undefined;
  if (version !== undefined && version !== PINNED_ACTIONS_RUNNER.version) {
    // Another release needs its own checksums: never download an unverified runner.
    actionsRunner = { version, sha256: { x64: shaX64 ?? '', arm64: shaArm64 ?? '' } };
  } else if (shaX64 !== undefined || shaArm64 !== undefined) {
    actionsRunner = {
      version: PINNED_ACTIONS_RUNNER.version,
      sha256: { x64: shaX64 ?? PINNED_ACTIONS_RUNNER.sha256.x64, arm64: shaArm64 ?? PINNED_ACTIONS_RUNNER.sha256.arm64 },
    };
  }

  const input: PoolSettingsInput = {
    pool: pool ?? '',
    serverType: read(env, n.serverType),
    fallbackServerTypes: parseList(read(env, n.fallbackServerTypes)),
    location: read(env, n.location),
    fallbackLocations: parseList(read(env, n.fallbackLocations)),
    image: read(env, n.image),
    networkId: read(env, n.networkId),
    subnetIpRange: read(env, n.subnetIpRange),
    lokiHost: read(env, n.lokiHost),
    firewallIds: parseList(read(env, n.firewallIds)),
    sshKeys: parseList(read(env, n.sshKeys)),
    runnerLabels: parseList(read(env, n.runnerLabels)),
    serverLabels,
    maxRunners: int('maxRunners'),
    maxLifetimeMinutes: int('maxLifetimeMinutes'),
    runnerGroupId: int('runnerGroupId'),
    actionsRunner,
  };
  const all = [...problems, ...checkPoolSettings(input).filter((p) => !(pool === undefined && p.property === 'pool'))];
  // An integer that failed to parse is reported once (as unparsable), not again with its default.
  if (all.length > 0) throw new SettingsError(all, poolGithubNames(DEFAULT_NAME_PREFIX));
  return withDefaults(input);
}

/**
 * For cleanup (`down`, `reap`): only the pool name must be valid; other problems are returned as
 * warnings and their settings fall back to defaults. Cleanup never creates anything, and a bad
 * variable must not keep it from deleting servers.
 */
export function parsePoolSettingsForCleanup(env: Env): { settings: PoolSettings; warnings: readonly SettingProblem[] } {
  try {
    return { settings: parsePoolSettings(env), warnings: [] };
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    const poolProblems = e.problems.filter((p) => p.variable === 'pool');
    if (poolProblems.length > 0) throw new SettingsError(poolProblems, poolGithubNames(DEFAULT_NAME_PREFIX));
    return { settings: withDefaults({ pool: read(env, RunnerEnv.settings.pool)! }), warnings: e.problems };
  }
}
