/**
 * Settings of an ephemeral runner pool: the one place that knows
 *
 * - which GitHub Actions variables and secrets carry them from Terraform to the workflow,
 * - which environment variables the `aiai-runner` CLI reads them from,
 * - their defaults, how they are parsed from strings and what is allowed,
 * - the Hetzner labels and GitHub runner labels/names the pool puts on what it creates.
 *
 * Runtime code: no cdktf/constructs imports (the CLI runs on a bare GitHub-hosted runner). The
 * construct imports this module to create `github_actions_variable`/`github_actions_secret`
 * resources ({@link poolVariableValues}, {@link poolGithubNames}) and to validate its props
 * ({@link checkPoolSettings} with `isUnresolved: Token.isUnresolved`).
 */
import { LabelKeys, Roles, isValidLabelKey, isValidLabelValue } from '../core/labels';
import {
  DEFAULT_LOCATION,
  HetznerLimits,
  LOCATIONS,
  SUPPORTED_IMAGES,
  checkServerTypeInLocation,
  location as lookupLocation,
  serverType as lookupServerType,
} from '../hetzner/catalog';
import { RELEASE_VERSION_PATTERN as VERSION, SHA256_HEX_PATTERN as SHA256 } from '../core/patterns';
import { isPrivate, parseCidr } from '../network/cidr';
import { assignableAddresses } from '../network/ip-plan';

/** CPU architecture in GitHub Actions runner naming (release asset names, runner labels). */
export type RunnerArchitecture = 'x64' | 'arm64';

/** A pinned GitHub Actions runner release with the SHA-256 of its Linux tarballs. */
export interface ActionsRunnerRelease {
  /** e.g. `2.329.0` */
  readonly version: string;
  /** SHA-256 (hex) of `actions-runner-linux-<arch>-<version>.tar.gz`, per architecture. */
  readonly sha256: Readonly<Record<RunnerArchitecture, string>>;
}

/**
 * The runner release installed on pool servers. Checksums as published on the release page of
 * actions/runner v2.329.0. Runners update themselves when GitHub requires a newer version, so an
 * old pin costs start time, not correctness; bump it here (or per pool through the
 * `*_ACTIONS_RUNNER_*` variables).
 */
export const PINNED_ACTIONS_RUNNER: ActionsRunnerRelease = {
  version: '2.329.0',
  sha256: {
    x64: '194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d',
    arm64: '56768348b3d643a6a29d4ad71e9bdae0dc0ef1eb01afe0f7a8ee097b039bfaaf',
  },
};

/**
 * Minutes a runner may take from `up` to online. `up` gives up after this long, and a job must
 * finish within `maxLifetimeMinutes` minus this allowance or the reaper may delete its server.
 */
export const RUNNER_START_ALLOWANCE_MINUTES = 10;

/** Hetzner label keys on every server of a pool (the shared keys come from lib/core/labels). */
export const PoolLabelKeys = {
  /** `ci-runner` ({@link Roles.ciRunner}). */
  role: LabelKeys.role,
  /** The pool name. */
  pool: LabelKeys.pool,
  /** Unix seconds after which `reap` deletes the server. */
  expiresAt: LabelKeys.expiresAt,
  /** The run key (`<run id>-<run attempt>`) whose `down` deletes the server. */
  run: 'run',
  /** The runner name (same as the server name). */
  runner: 'runner',
} as const;

/** Keys `serverLabels` may not set: the pool's own bookkeeping. */
export const RESERVED_SERVER_LABEL_KEYS: readonly string[] = Object.values(PoolLabelKeys);

/** Every setting, by key. */
export interface PoolSettings {
  /** Pool name: `pool` label value and prefix of server and runner names. */
  readonly pool: string;
  readonly serverType: string;
  /** Tried in order when `serverType` cannot be placed (same CPU architecture only). */
  readonly fallbackServerTypes: readonly string[];
  readonly location: string;
  /** Tried in order when no server type can be placed in `location`. */
  readonly fallbackLocations: readonly string[];
  /** `ubuntu-24.04` or the numeric ID of a snapshot built from it. */
  readonly image: string;
  /** ID of a private network to attach servers to. */
  readonly networkId?: string;
  /**
   * IP range of the network's subnet servers are attached to (the runner subnet, apart from the
   * fixed hosts' addresses): `up` attaches each server with `attach_to_network` and this
   * `ip_range`, and Hetzner assigns it an address from that subnet. Unset: the server joins the
   * network at creation and Hetzner picks the subnet.
   */
  readonly subnetIpRange?: string;
  /**
   * Private IPv4 of the monitoring node: servers run Grafana Alloy and ship their journal and
   * /var/log/aiai/*.log to Loki there, over the private network.
   */
  readonly lokiHost?: string;
  /** IDs of firewalls applied at creation (the construct's no-inbound firewall). */
  readonly firewallIds: readonly string[];
  /** SSH key names or IDs (servers without keys get no root password login either). */
  readonly sshKeys: readonly string[];
  /** Extra GitHub runner labels (informational; jobs target the per-job label `up` prints). */
  readonly runnerLabels: readonly string[];
  /** Extra Hetzner labels on pool servers (e.g. `project`, `environment`, `monitoring`). */
  readonly serverLabels: Readonly<Record<string, string>>;
  /** Max pool servers at a time. */
  readonly maxRunners: number;
  /** Minutes after creation at which a server counts as expired and `reap` deletes it. */
  readonly maxLifetimeMinutes: number;
  /** GitHub runner group for the JIT configs (1 is a repository's default group). */
  readonly runnerGroupId: number;
  readonly actionsRunner: ActionsRunnerRelease;
}

/** What a construct passes: everything but `pool` has a default. */
export interface PoolSettingsInput {
  readonly pool: string;
  /** @default 'cpx32' */
  readonly serverType?: string;
  /** @default ['cx33'] (only when `serverType` is the default; otherwise none) */
  readonly fallbackServerTypes?: readonly string[];
  /** @default 'fsn1' */
  readonly location?: string;
  /** @default ['nbg1', 'hel1'] (only when `location` is the default; otherwise none) */
  readonly fallbackLocations?: readonly string[];
  /** @default 'ubuntu-24.04' */
  readonly image?: string;
  /** @default no private network */
  readonly networkId?: string;
  /** @default Hetzner picks the subnet (set it to keep runners off the fixed hosts' subnet; needs `networkId`) */
  readonly subnetIpRange?: string;
  /** @default no log shipping (needs `networkId` and an `environment` server label when set) */
  readonly lokiHost?: string;
  /** @default no firewall (the construct always passes its own) */
  readonly firewallIds?: readonly string[];
  /** @default no SSH keys */
  readonly sshKeys?: readonly string[];
  /** @default no extra runner labels */
  readonly runnerLabels?: readonly string[];
  /** @default no extra server labels */
  readonly serverLabels?: Readonly<Record<string, string>>;
  /** @default 5 */
  readonly maxRunners?: number;
  /** @default 120 */
  readonly maxLifetimeMinutes?: number;
  /** @default 1 */
  readonly runnerGroupId?: number;
  /** @default PINNED_ACTIONS_RUNNER */
  readonly actionsRunner?: ActionsRunnerRelease;
}

export const PoolDefaults = {
  serverType: 'cpx32',
  fallbackServerTypes: ['cx33'] as readonly string[],
  location: DEFAULT_LOCATION,
  fallbackLocations: ['nbg1', 'hel1'] as readonly string[],
  image: 'ubuntu-24.04',
  maxRunners: 5,
  maxLifetimeMinutes: 120,
  runnerGroupId: 1,
} as const;

export const PoolLimits = {
  poolNameMaxLength: 20,
  maxRunners: 100,
  minLifetimeMinutes: 2 * RUNNER_START_ALLOWANCE_MINUTES,
  /** 7 days: a self-hosted job may run for up to 5 days. */
  maxLifetimeMinutes: 7 * 24 * 60,
  /** Hetzner: at most 5 firewalls per server. */
  firewallsPerServer: 5,
  runnerLabelMaxLength: 64,
} as const;

// ---------------------------------------------------------------------------------------------
// Names: GitHub variables/secrets (per pool prefix) and the CLI's environment (fixed).
// ---------------------------------------------------------------------------------------------

/** The settings carried by GitHub Actions variables, with their name suffix. */
export const SETTING_VARIABLE_SUFFIXES = {
  pool: 'POOL',
  serverType: 'SERVER_TYPE',
  fallbackServerTypes: 'FALLBACK_SERVER_TYPES',
  location: 'LOCATION',
  fallbackLocations: 'FALLBACK_LOCATIONS',
  image: 'IMAGE',
  networkId: 'NETWORK_ID',
  subnetIpRange: 'SUBNET_IP_RANGE',
  lokiHost: 'LOKI_HOST',
  firewallIds: 'FIREWALL_IDS',
  sshKeys: 'SSH_KEYS',
  runnerLabels: 'LABELS',
  serverLabels: 'SERVER_LABELS',
  maxRunners: 'MAX_RUNNERS',
  maxLifetimeMinutes: 'MAX_LIFETIME_MINUTES',
  runnerGroupId: 'RUNNER_GROUP_ID',
  actionsRunnerVersion: 'ACTIONS_RUNNER_VERSION',
  actionsRunnerSha256X64: 'ACTIONS_RUNNER_SHA256_X64',
  actionsRunnerSha256Arm64: 'ACTIONS_RUNNER_SHA256_ARM64',
} as const;

export type SettingVariable = keyof typeof SETTING_VARIABLE_SUFFIXES;

/** Default prefix of the GitHub variable and secret names (and of the CLI's environment). */
export const DEFAULT_NAME_PREFIX = 'AIAI_RUNNER';

/** The credentials, carried by GitHub Actions secrets. */
export const SECRET_SUFFIXES = {
  /** Hetzner Cloud API token (read & write) of the project the pool runs in. */
  hcloudToken: 'HCLOUD_TOKEN',
  /**
   * GitHub credential that may manage the repository's self-hosted runners (fine-grained token
   * with "Administration: read and write", or a GitHub App installation token). Used by the CLI
   * on the GitHub-hosted manager job only; servers get a single-use JIT config instead.
   */
  githubToken: 'GITHUB_TOKEN',
} as const;

export type PoolSecret = keyof typeof SECRET_SUFFIXES;

/** Names of the GitHub Actions variables and secrets of one pool. */
export interface PoolGithubNames {
  readonly variables: Readonly<Record<SettingVariable, string>>;
  readonly secrets: Readonly<Record<PoolSecret, string>>;
}

const NAME_PREFIX_PATTERN = /^[A-Z][A-Z0-9_]{0,40}$/;

/**
 * Variable and secret names for a prefix, e.g. `AIAI_RUNNER_SERVER_TYPE`, `AIAI_RUNNER_HCLOUD_TOKEN`.
 * Give each pool of a repository its own prefix. GitHub reserves names starting with `GITHUB_`.
 */
export function poolGithubNames(prefix: string = DEFAULT_NAME_PREFIX): PoolGithubNames {
  if (!NAME_PREFIX_PATTERN.test(prefix) || prefix.startsWith('GITHUB')) {
    throw new Error(
      `variable name prefix ${JSON.stringify(prefix)} is invalid: allowed are upper-case letters, digits and _ ` +
        `(starting with a letter, at most 41 characters, not starting with GITHUB)`,
    );
  }
  const variables = Object.fromEntries(
    Object.entries(SETTING_VARIABLE_SUFFIXES).map(([k, suffix]) => [k, `${prefix}_${suffix}`]),
  ) as Record<SettingVariable, string>;
  const secrets = Object.fromEntries(
    Object.entries(SECRET_SUFFIXES).map(([k, suffix]) => [k, `${prefix}_${suffix}`]),
  ) as Record<PoolSecret, string>;
  return { variables, secrets };
}

/**
 * The environment the CLI reads. Settings use the default-prefix variable names (the workflow maps
 * `<VAR>: ${{ vars.<PREFIX>_<SUFFIX> }}`), so the CLI is independent of the pool's prefix.
 */
export const RunnerEnv = {
  settings: poolGithubNames(DEFAULT_NAME_PREFIX).variables,
  /** Hetzner Cloud API token. Same name as the hcloud CLI uses. */
  hcloudToken: 'HCLOUD_TOKEN',
  /** The GitHub credential that registers runners (not the workflow's own GITHUB_TOKEN). */
  githubToken: 'AIAI_RUNNER_GITHUB_TOKEN',
  /** Hetzner API base URL. @default https://api.hetzner.cloud/v1 (same name as the hcloud CLI) */
  hcloudEndpoint: 'HCLOUD_ENDPOINT',
  /** GitHub REST API base URL; set by Actions. @default https://api.github.com */
  githubApiUrl: 'GITHUB_API_URL',
  /** `owner/repo`; set by Actions. */
  repository: 'GITHUB_REPOSITORY',
  runId: 'GITHUB_RUN_ID',
  runAttempt: 'GITHUB_RUN_ATTEMPT',
  job: 'GITHUB_JOB',
  /** File to which step outputs are appended; set by Actions. */
  output: 'GITHUB_OUTPUT',
  /** `true` inside GitHub Actions: errors are also printed as `::error::` annotations. */
  actions: 'GITHUB_ACTIONS',
} as const;

export const DEFAULT_HCLOUD_ENDPOINT = 'https://api.hetzner.cloud/v1';
export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** One rejected setting: lib/core's ValidationProblem shape (property, value, allowed) plus its variable. */
export interface SettingProblem {
  /** Setting path, e.g. `maxRunners` or `actionsRunner.sha256.x64` (the construct's prop path). */
  readonly property: string;
  /** The variable that carries it, for messages at run time. */
  readonly variable?: SettingVariable;
  readonly value: unknown;
  /** What is allowed, in words. */
  readonly allowed: string;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing (not set)';
  if (typeof value === 'string') return JSON.stringify(value);
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s;
}

/** Invalid pool settings. The message lists every problem, by variable name when read from env. */
export class SettingsError extends Error {
  public readonly problems: readonly SettingProblem[];

  constructor(problems: readonly SettingProblem[], names?: PoolGithubNames) {
    const lines = problems.map((p) => {
      const where = names && p.variable ? names.variables[p.variable] : p.property;
      return `  - ${where}: got ${show(p.value)}; allowed: ${p.allowed}`;
    });
    super(`Invalid runner pool settings:\n${lines.join('\n')}`);
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
      fail('serverType', 'serverType', s.serverType, (e as Error).message);
    }
  }
  s.fallbackServerTypes.forEach((t, i) => {
    if (skip(t)) return;
    let arch: RunnerArchitecture;
    try {
      arch = runnerArchitecture(t);
    } catch (e) {
      fail(`fallbackServerTypes[${i}]`, 'fallbackServerTypes', t, (e as Error).message);
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
      fail(setting, variable, loc, (e as Error).message);
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
        fail(setting, variable, loc, `a location where ${s.serverType} is offered: ${(e as Error).message}`);
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

// ---------------------------------------------------------------------------------------------
// String form (GitHub variable values / environment)
// ---------------------------------------------------------------------------------------------

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

type Env = Readonly<Record<string, string | undefined>>;

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

// ---------------------------------------------------------------------------------------------
// Names and labels of what the pool creates
// ---------------------------------------------------------------------------------------------

/** GitHub runner label that marks every runner of a pool (used by `down`/`reap` to select them). */
export function poolRunnerLabel(pool: string): string {
  return `aiai-pool-${pool}`;
}

/** Start of every run label ({@link runRunnerLabel}). */
export const RUN_RUNNER_LABEL_PREFIX = 'aiai-run-';

/** GitHub runner label shared by the runners of one workflow run attempt. */
export function runRunnerLabel(pool: string, runKey: string): string {
  return `${RUN_RUNNER_LABEL_PREFIX}${pool}-${runKey}`;
}

const RUN_KEY = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** `<run id>-<run attempt>`, or a manual key. */
export function checkRunKey(runKey: string): void {
  if (!RUN_KEY.test(runKey)) {
    throw new Error(`run key ${JSON.stringify(runKey)} is invalid: allowed are lower-case letters, digits and inner hyphens, at most 32 characters`);
  }
}

/** 32-bit FNV-1a, hex: a short stable suffix for names that had to be shortened. */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0').slice(0, 6);
}

/** Max length of a server name (RFC 1123 host name label, as Hetzner requires). */
export const SERVER_NAME_MAX_LENGTH = HetznerLimits.labelValueLength;

/**
 * Name of the server and of the GitHub runner of one job: `<pool>-<run key>-<job>`, lower-case,
 * at most 63 characters (a valid host name, label value and runner name). The job part is
 * sanitized; when shortened, a hash of the full job key keeps names of different jobs apart.
 */
export function runnerName(pool: string, runKey: string, job: string): string {
  checkRunKey(runKey);
  let jobPart = job
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const room = SERVER_NAME_MAX_LENGTH - pool.length - runKey.length - 2;
  if (jobPart === '' || jobPart !== job || jobPart.length > room) {
    const hash = shortHash(job);
    const keep = Math.max(0, room - hash.length - 1);
    jobPart = jobPart.slice(0, keep).replace(/-+$/, '');
    jobPart = jobPart === '' ? hash : `${jobPart}-${hash}`;
  }
  const name = `${pool}-${runKey}-${jobPart}`;
  if (name.length > SERVER_NAME_MAX_LENGTH) {
    throw new Error(`runner name ${name} is longer than ${SERVER_NAME_MAX_LENGTH} characters: shorten the pool name or run key`);
  }
  return name;
}

/** Hetzner label selector of every server of a pool. */
export function poolSelector(pool: string): string {
  return `${PoolLabelKeys.role}=${Roles.ciRunner},${PoolLabelKeys.pool}=${pool}`;
}

/** The Hetzner labels of one runner server. */
export function serverLabelsFor(settings: PoolSettings, runKey: string, name: string, expiresAtSeconds: number): Record<string, string> {
  return {
    ...settings.serverLabels,
    [PoolLabelKeys.role]: Roles.ciRunner,
    [PoolLabelKeys.pool]: settings.pool,
    [PoolLabelKeys.run]: runKey,
    [PoolLabelKeys.runner]: name,
    [PoolLabelKeys.expiresAt]: String(expiresAtSeconds),
  };
}

/** The GitHub labels of one runner: pool, run, its own name (what the job's `runs-on` uses), extras. */
export function runnerLabelsFor(settings: PoolSettings, runKey: string, name: string): string[] {
  return [...new Set([poolRunnerLabel(settings.pool), runRunnerLabel(settings.pool, runKey), name, ...settings.runnerLabels])];
}

/** Server type x location pairs in the order `up` tries them: all types in a location before the next location. */
export function placementCandidates(settings: PoolSettings): { serverType: string; location: string }[] {
  const out: { serverType: string; location: string }[] = [];
  for (const location of [settings.location, ...settings.fallbackLocations]) {
    for (const serverType of [settings.serverType, ...settings.fallbackServerTypes]) {
      try {
        checkServerTypeInLocation(lookupServerType(serverType), lookupLocation(location));
      } catch {
        continue; // e.g. cx/cax outside the EU: not orderable there, do not even try
      }
      out.push({ serverType, location });
    }
  }
  return out;
}
