/** Validation of pool settings: every problem at once, by prop path (construct) or variable (CLI). */
import { ValidationProblem, formatProblems } from '../core/problems';
import { LabelKeys, isValidLabelKey, isValidLabelValue } from '../core/labels';
import { LOCATIONS, SUPPORTED_IMAGES, checkServerTypeInLocation, location as lookupLocation, serverType as lookupServerType } from '../hetzner/catalog';
import { isPrivate, parseCidr } from '../network/cidr';
import { assignableAddresses } from '../network/ip-plan';
import { PoolGithubNames, SettingVariable } from './pool-names';
import { PINNED_ACTIONS_RUNNER, PoolDefaults, PoolLimits, PoolSettings, PoolSettingsInput, RESERVED_SERVER_LABEL_KEYS, RunnerArchitecture } from './pool-settings';
import { RELEASE_VERSION_PATTERN as VERSION, SHA256_HEX_PATTERN as SHA256 } from '../core/patterns';
import { ValidationError } from '../core/validation-error';

/** What a catalog lookup allows, from the ValidationError it threw. */
function allowedOf(e: unknown): string {
  return e instanceof ValidationError ? e.problems.map((p) => p.allowed).join('; ') : (e as Error).message;
}
/** One rejected setting: a ValidationProblem (property is the construct's prop path) plus its variable. */
export interface SettingProblem extends ValidationProblem {
  /** The variable that carries it, for messages at run time. */
  readonly variable?: SettingVariable;
}

/** Invalid pool settings. The message lists every problem, by variable name when read from env. */
export class SettingsError extends Error {
  public readonly problems: readonly SettingProblem[];

  constructor(problems: readonly SettingProblem[], names?: PoolGithubNames) {
    super(formatProblems('Invalid runner pool settings', problems, (p) => (names && p.variable ? names.variables[p.variable] : p.property)));
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

export interface CheckOptions {
  /**
   * Values for which this returns true are not validated (the construct passes cdktf's
   * `Token.isUnresolved`, so that e.g. a firewall ID from another resource is accepted).
   * @default nothing is skipped
   */
  readonly isUnresolved?: (value: unknown) => boolean;
}

const POOL_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const NUMERIC_ID = /^[1-9][0-9]{0,18}$/;
const RUNNER_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SSH_KEY_NAME = /^[^,\s][^,]*$/;

/** GitHub runner architecture of a Hetzner server type (cax* are Ampere arm64). */
export function runnerArchitecture(serverType: string): RunnerArchitecture {
  return lookupServerType(serverType).architecture === 'arm' ? 'arm64' : 'x64';
}

/** The settings with defaults applied (no validation). */
export function withDefaults(input: PoolSettingsInput): PoolSettings {
  const serverType = input.serverType ?? PoolDefaults.serverType;
  const location = input.location ?? PoolDefaults.location;
  return {
    pool: input.pool,
    serverType,
    // Default fallbacks only go with the default primary: cx33 is an x64 sibling of cpx32, and
    // the default locations are fsn1's eu-central neighbours.
    fallbackServerTypes:
      input.fallbackServerTypes ?? (serverType === PoolDefaults.serverType ? PoolDefaults.fallbackServerTypes : []),
    location,
    fallbackLocations:
      input.fallbackLocations ?? (location === PoolDefaults.location ? PoolDefaults.fallbackLocations : []),
    image: input.image ?? PoolDefaults.image,
    networkId: input.networkId,
    subnetIpRange: input.subnetIpRange,
    lokiHost: input.lokiHost,
    firewallIds: input.firewallIds ?? [],
    sshKeys: input.sshKeys ?? [],
    runnerLabels: input.runnerLabels ?? [],
    serverLabels: input.serverLabels ?? {},
    maxRunners: input.maxRunners ?? PoolDefaults.maxRunners,
    maxLifetimeMinutes: input.maxLifetimeMinutes ?? PoolDefaults.maxLifetimeMinutes,
    runnerGroupId: input.runnerGroupId ?? PoolDefaults.runnerGroupId,
    actionsRunner: input.actionsRunner ?? PINNED_ACTIONS_RUNNER,
  };
}

/** Every problem of a settings object; empty when valid. Does not throw. */
export function checkPoolSettings(input: PoolSettingsInput, options: CheckOptions = {}): SettingProblem[] {
  const s = withDefaults(input);
  const skip = options.isUnresolved ?? (() => false);
  const problems: SettingProblem[] = [];
  const fail = (property: string, variable: SettingVariable, value: unknown, allowed: string) =>
    problems.push({ property, variable, value, allowed });
  const integer = (setting: keyof PoolSettings, variable: SettingVariable, v: number, min: number, max: number) => {
    if (skip(v)) return;
    if (!Number.isInteger(v) || v < min || v > max) fail(setting, variable, v, `an integer from ${min} to ${max}`);
  };

  if (!skip(s.pool)) {
    if (typeof s.pool !== 'string' || !POOL_NAME.test(s.pool) || s.pool.length > PoolLimits.poolNameMaxLength) {
      fail('pool', 'pool', s.pool, `lower-case letters, digits and inner hyphens, 1 to ${PoolLimits.poolNameMaxLength} characters`);
    }
  }

  // Server types: known, orderable, and one CPU architecture (jobs and the runner tarball depend on it).
  let primaryArch: RunnerArchitecture | undefined;
  if (!skip(s.serverType)) {
    try {
      primaryArch = runnerArchitecture(s.serverType);
    } catch (e) {
      fail('serverType', 'serverType', s.serverType, allowedOf(e));
    }
  }
  s.fallbackServerTypes.forEach((t, i) => {
    if (skip(t)) return;
    let arch: RunnerArchitecture;
    try {
      arch = runnerArchitecture(t);
    } catch (e) {
      fail(`fallbackServerTypes[${i}]`, 'fallbackServerTypes', t, allowedOf(e));
      return;
    }
    if (primaryArch && arch !== primaryArch) {
      fail(
        `fallbackServerTypes[${i}]`,
        'fallbackServerTypes',
        t,
        `an ${primaryArch} server type like the primary ${s.serverType} (jobs may depend on the CPU architecture)`,
      );
    }
  });
  if (!skip(s.fallbackServerTypes) && new Set([s.serverType, ...s.fallbackServerTypes]).size !== s.fallbackServerTypes.length + 1) {
    fail('fallbackServerTypes', 'fallbackServerTypes', s.fallbackServerTypes, 'server types different from each other and from serverType');
  }

  // Locations: known; all in one network zone when a private network is attached; types orderable there.
  const locations = [s.location, ...s.fallbackLocations];
  locations.forEach((loc, i) => {
    if (skip(loc)) return;
    const setting = i === 0 ? 'location' : `fallbackLocations[${i - 1}]`;
    const variable: SettingVariable = i === 0 ? 'location' : 'fallbackLocations';
    let info;
    try {
      info = lookupLocation(loc);
    } catch (e) {
      fail(setting, variable, loc, allowedOf(e));
      return;
    }
    const primaryZone = LOCATIONS[s.location]?.networkZone;
    if (i > 0 && s.networkId !== undefined && primaryZone && info.networkZone !== primaryZone) {
      fail(setting, variable, loc, `a location in network zone ${primaryZone} (the private network is zonal)`);
    }
    // The primary type must be orderable in the primary location; other pairs are skipped by
    // placementCandidates (e.g. cx33 outside the EU).
    if (i === 0 && primaryArch !== undefined) {
      try {
        checkServerTypeInLocation(lookupServerType(s.serverType), info);
      } catch (e) {
        fail(setting, variable, loc, `a location where ${s.serverType} is offered: ${allowedOf(e)}`);
      }
    }
  });
  if (!skip(s.fallbackLocations) && new Set(locations).size !== locations.length) {
    fail('fallbackLocations', 'fallbackLocations', s.fallbackLocations, 'locations different from each other and from location');
  }

  if (!skip(s.image) && !(SUPPORTED_IMAGES as readonly string[]).includes(s.image) && !NUMERIC_ID.test(s.image)) {
    fail('image', 'image', s.image, `one of ${SUPPORTED_IMAGES.join(', ')} or the numeric ID of a snapshot built from it`);
  }
  if (s.networkId !== undefined && !skip(s.networkId) && !NUMERIC_ID.test(s.networkId)) {
    fail('networkId', 'networkId', s.networkId, 'a numeric Hetzner network ID');
  }
  if (s.subnetIpRange !== undefined && !skip(s.subnetIpRange)) {
    const range = typeof s.subnetIpRange === 'string' ? parseCidr(s.subnetIpRange) : undefined;
    if (!range || !isPrivate(range) || range.prefix > 29) {
      fail('subnetIpRange', 'subnetIpRange', s.subnetIpRange, 'the IP range of a subnet of the network (RFC 1918, /29 or larger), e.g. 10.0.2.0/24');
    } else if (!skip(s.maxRunners) && Number.isInteger(s.maxRunners) && s.maxRunners > assignableAddresses(range.prefix)) {
      fail('maxRunners', 'maxRunners', s.maxRunners, `at most ${assignableAddresses(range.prefix)} (the addresses Hetzner can assign in subnet ${s.subnetIpRange})`);
    }
  }
  if (s.subnetIpRange !== undefined && s.networkId === undefined) {
    fail('subnetIpRange', 'subnetIpRange', s.subnetIpRange, 'unset without a private network (networkId)');
  }
  if (s.lokiHost !== undefined && !skip(s.lokiHost)) {
    const ip = typeof s.lokiHost === 'string' ? parseCidr(`${s.lokiHost}/32`) : undefined;
    if (!ip || !isPrivate(ip)) {
      fail('lokiHost', 'lokiHost', s.lokiHost, 'the private (RFC 1918) IPv4 of the monitoring node, where Loki listens, e.g. 10.0.1.20');
    }
  }
  if (s.lokiHost !== undefined && s.networkId === undefined) {
    fail('lokiHost', 'lokiHost', s.lokiHost, 'unset without a private network (networkId): logs go to Loki over the private network only');
  }
  if (s.lokiHost !== undefined && s.serverLabels[LabelKeys.environment] === undefined) {
    fail(
      `serverLabels.${LabelKeys.environment}`,
      'serverLabels',
      s.serverLabels,
      `labels with an ${LabelKeys.environment} label when lokiHost is set (the environment label of the shipped logs)`,
    );
  }
  s.firewallIds.forEach((id, i) => {
    if (!skip(id) && !NUMERIC_ID.test(id)) fail(`firewallIds[${i}]`, 'firewallIds', id, 'a numeric Hetzner firewall ID');
  });
  if (s.firewallIds.length > PoolLimits.firewallsPerServer) {
    fail('firewallIds', 'firewallIds', s.firewallIds, `at most ${PoolLimits.firewallsPerServer} firewalls (Hetzner's limit per server)`);
  }
  s.sshKeys.forEach((k, i) => {
    if (!skip(k) && (typeof k !== 'string' || !SSH_KEY_NAME.test(k) || k.trim() !== k)) {
      fail(`sshKeys[${i}]`, 'sshKeys', k, 'a non-empty SSH key name or ID without commas or surrounding spaces');
    }
  });
  s.runnerLabels.forEach((l, i) => {
    if (skip(l)) return;
    if (typeof l !== 'string' || !RUNNER_LABEL.test(l) || l.length > PoolLimits.runnerLabelMaxLength) {
      fail(
        `runnerLabels[${i}]`,
        'runnerLabels',
        l,
        `a non-empty label of letters, digits, '.', '_' and '-' (at most ${PoolLimits.runnerLabelMaxLength} characters)`,
      );
    }
  });
  for (const [k, v] of Object.entries(s.serverLabels)) {
    if (skip(k) || skip(v)) continue;
    if (!isValidLabelKey(k) || k.startsWith('hetzner.cloud/')) {
      fail(`serverLabels.${k}`, 'serverLabels', k, 'a Hetzner label key (optional DNS prefix, name of at most 63 characters)');
    } else if (RESERVED_SERVER_LABEL_KEYS.includes(k)) {
      fail(`serverLabels.${k}`, 'serverLabels', k, `a key other than ${RESERVED_SERVER_LABEL_KEYS.join(', ')} (set by the pool)`);
    } else if (!isValidLabelValue(v)) {
      fail(`serverLabels.${k}`, 'serverLabels', v, 'a Hetzner label value (at most 63 characters, alphanumeric at both ends)');
    }
  }
  integer('maxRunners', 'maxRunners', s.maxRunners, 1, PoolLimits.maxRunners);
  integer('maxLifetimeMinutes', 'maxLifetimeMinutes', s.maxLifetimeMinutes, PoolLimits.minLifetimeMinutes, PoolLimits.maxLifetimeMinutes);
  integer('runnerGroupId', 'runnerGroupId', s.runnerGroupId, 1, Number.MAX_SAFE_INTEGER);

  const r = s.actionsRunner;
  if (!skip(r.version) && !VERSION.test(r.version)) {
    fail('actionsRunner.version', 'actionsRunnerVersion', r.version, 'a runner release version like 2.329.0');
  }
  for (const arch of ['x64', 'arm64'] as const) {
    const sha = r.sha256[arch];
    if (!skip(sha) && !SHA256.test(sha ?? '')) {
      fail(
        `actionsRunner.sha256.${arch}`,
        arch === 'x64' ? 'actionsRunnerSha256X64' : 'actionsRunnerSha256Arm64',
        sha,
        `the lower-case hex SHA-256 of actions-runner-linux-${arch}-${r.version}.tar.gz (from the release page)`,
      );
    }
  }
  return problems;
}

/** Defaults applied and validated; throws {@link SettingsError} listing every problem. */
export function resolvePoolSettings(input: PoolSettingsInput, options: CheckOptions = {}): PoolSettings {
  const problems = checkPoolSettings(input, options);
  if (problems.length > 0) throw new SettingsError(problems);
  return withDefaults(input);
}
