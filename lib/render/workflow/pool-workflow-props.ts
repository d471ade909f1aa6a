/** Props, output types and fixed names of the pool workflow renderer (pool-workflow.ts). */
import type { ValidationProblem } from '../../core/problems';
import type { PoolGithubNames } from '../../runtime/pool-names';
import { PoolSettings, RUNNER_START_ALLOWANCE_MINUTES } from '../../runtime/pool-settings';
import { DEFAULT_TIMINGS } from '../../runtime/timings';
import type { RunnerCli } from './runner-cli';

/** A job of the user's that runs on a pool runner. */
export interface PoolJob {
  /** Display name. @default the job ID */
  readonly name?: string;
  /** IDs of other pool jobs this one needs. @default none */
  readonly needs?: readonly string[];
  /** Job condition (also put on its runner-up job, so no runner starts for a skipped job). @default none */
  readonly if?: string;
  /**
   * @default the pool's max lifetime minus the runner start allowance (a longer job could outlive
   * its server's expiry and be reaped mid-run)
   */
  readonly timeoutMinutes?: number;
  /** Token permissions of the job. @default { contents: 'read' } */
  readonly permissions?: Readonly<Record<string, string>>;
  /** @default none */
  readonly env?: Readonly<Record<string, string>>;
  readonly steps: readonly Readonly<Record<string, unknown>>[];
  /**
   * Further job keys passed through as-is (`outputs`, `defaults`, `services`, `container`,
   * `environment`, `continue-on-error`). Keys the renderer owns are rejected.
   * @default none
   */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface PoolWorkflowProps {
  /** Resolved pool settings (`resolvePoolSettings`). */
  readonly settings: PoolSettings;
  /** Names of the pool's GitHub variables and secrets. @default poolGithubNames() (prefix AIAI_RUNNER) */
  readonly names?: PoolGithubNames;
  /** The jobs that run on the pool, by job ID. */
  readonly jobs: Readonly<Record<string, PoolJob>>;
  /**
   * Jobs that do not run on the pool (e.g. on GitHub-hosted runners), included as given; pool
   * jobs may `need` them. @default none
   */
  readonly otherJobs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Workflow name. @default `CI on <pool> runners` */
  readonly name?: string;
  /** File name stem under .github/workflows. @default `aiai-runner-<pool>` */
  readonly fileName?: string;
  /** `on:` triggers. @default push to main and pull requests */
  readonly on?: Readonly<Record<string, unknown>>;
  /** @default RunnerCli.npm() */
  readonly cli?: RunnerCli;
  /** Where the manager jobs (up, down, reap) run. @default 'ubuntu-latest' */
  readonly managerRunsOn?: string;
  /** Node.js for the CLI. @default '22' */
  readonly nodeVersion?: string;
  /**
   * Workflow-level concurrency. `false`: none.
   * @default one run per workflow and ref at a time, newer runs wait (cancel-in-progress false:
   * a cancelled run still runs its cleanup job, but waiting costs nothing)
   */
  readonly concurrency?: { readonly group: string; readonly cancelInProgress: boolean } | false;
  /** Cron of the reap workflow; `false`: no reap workflow (e.g. a systemd timer reaps). @default '*\/15 * * * *' */
  readonly reapSchedule?: string | false;
  /** Actions used by the manager jobs, pinned. @default actions/setup-node@v5.0.0, actions/checkout@v5.0.0 */
  readonly actions?: { readonly setupNode?: string; readonly checkout?: string };
}

export interface WorkflowFile {
  /** Repository path, e.g. `.github/workflows/aiai-runner-ci.yml`. */
  readonly path: string;
  readonly content: string;
}

export interface PoolWorkflows {
  readonly main: WorkflowFile;
  readonly reap?: WorkflowFile;
}

/** One rejected prop: lib/core's ValidationProblem. */
export type WorkflowProblem = ValidationProblem;

export const DEFAULT_ACTIONS = { setupNode: 'actions/setup-node@v5.0.0', checkout: 'actions/checkout@v5.0.0' } as const;
export const DEFAULT_REAP_SCHEDULE = '*/15 * * * *';
export const UP_JOB_PREFIX = 'runner-up-';
export const DOWN_JOB = 'runner-down';
export const REAP_JOB = 'reap';
/** Output of the up job that carries the runner label. */
export const RUNNER_LABEL_OUTPUT = 'runner-label';

/** Minutes the up job may take: the CLI's slot wait plus online timeout, with a margin. */
export const UP_JOB_TIMEOUT_MINUTES = Math.ceil((DEFAULT_TIMINGS.slotTimeoutSeconds + DEFAULT_TIMINGS.onlineTimeoutSeconds) / 60) + 5;
export const CLEANUP_JOB_TIMEOUT_MINUTES = 15;

/** The longest a pool job may be allowed to run. */
export function maxJobMinutes(settings: PoolSettings): number {
  return settings.maxLifetimeMinutes - RUNNER_START_ALLOWANCE_MINUTES;
}

