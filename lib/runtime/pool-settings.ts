/**
 * Settings of an ephemeral runner pool: their types, defaults and limits, and the Hetzner label
 * keys the pool puts on what it creates. The other pool-* modules of this folder name, check,
 * encode and label them; together they are the one place that knows
 *
 * - which GitHub Actions variables and secrets carry them from Terraform to the workflow
 *   (pool-names.ts),
 * - which environment variables the `aiai-runner` CLI reads them from (pool-names.ts),
 * - their defaults (here), what is allowed (pool-settings-check.ts) and how they are written to
 *   and parsed from strings (pool-settings-env.ts),
 * - the Hetzner labels and GitHub runner labels/names the pool puts on what it creates
 *   (pool-labels.ts).
 *
 * Runtime code: no cdktf/constructs imports (the CLI runs on a bare GitHub-hosted runner). The
 * construct imports these modules to create `github_actions_variable`/`github_actions_secret`
 * resources ({@link poolVariableValues}, {@link poolGithubNames}) and to validate its props
 * ({@link checkPoolSettings} with `isUnresolved: Token.isUnresolved`).
 */
import { LabelKeys } from '../core/labels';
import { DEFAULT_LOCATION, HetznerLimits } from '../hetzner/catalog';

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
  /** `ci-runner` (`Roles.ciRunner`). */
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

/**
 * Public network of every runner server the manager creates (the Hetzner API's `public_net`): a
 * primary IPv4 (billed per hour with the server) and IPv6, for GitHub and package mirrors.
 */
export const RUNNER_PUBLIC_NET = { enable_ipv4: true, enable_ipv6: true } as const;

export const PoolLimits = {
  poolNameMaxLength: 20,
  maxRunners: 100,
  minLifetimeMinutes: 2 * RUNNER_START_ALLOWANCE_MINUTES,
  /** 7 days: a self-hosted job may run for up to 5 days. */
  maxLifetimeMinutes: 7 * 24 * 60,
  /** Hetzner: at most this many firewalls per server. */
  firewallsPerServer: HetznerLimits.firewallsPerServer,
  runnerLabelMaxLength: 64,
} as const;
