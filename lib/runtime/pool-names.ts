/** Names: GitHub variables/secrets (per pool prefix) and the CLI's environment (fixed). */


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
