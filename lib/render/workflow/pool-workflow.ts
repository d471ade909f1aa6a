/**
 * Renders the GitHub Actions workflows of an ephemeral runner pool from its settings:
 *
 * - the main workflow: per pool job a `runner-up-<job>` job (GitHub-hosted) that runs
 *   `aiai-runner up`, the job itself on `runs-on: <the label up printed>`, and one
 *   `runner-down` job with `if: always()` that runs `aiai-runner down` for the whole run;
 * - the reap workflow: `aiai-runner reap` on a schedule.
 *
 * Pure: typed input -> YAML text (via the `yaml` package). Settings reach the CLI through the
 * pool's GitHub Actions variables and secrets (names from lib/runner-manager/settings), mapped
 * into the environment of the manager steps only: user jobs never see the credentials.
 */
import { Document } from 'yaml';
import { packageInfo } from '../../runner-manager/package-info';
import {
  PoolGithubNames,
  PoolSettings,
  RUNNER_START_ALLOWANCE_MINUTES,
  RunnerEnv,
  SettingVariable,
  poolGithubNames,
} from '../../runner-manager/settings';
import { DEFAULT_TIMINGS } from '../../runner-manager/manager';

/** How the manager jobs get the `aiai-runner` CLI. */
export class RunnerCli {
  /**
   * From the npm registry with `npx`, pinned to a version.
   * @param version @default the version of this package
   * @param packageName @default this package's name (`aiai-hetzner`)
   */
  public static npm(version?: string, packageName?: string): RunnerCli {
    const info = packageInfo();
    const v = version ?? info.version;
    const p = packageName ?? info.name;
    if (!/^[a-z0-9@][a-z0-9@/._-]*$/.test(p) || !/^[0-9A-Za-z.+-]+$/.test(v)) {
      throw new Error(`invalid npm package ${JSON.stringify(p)}@${JSON.stringify(v)}`);
    }
    // --legacy-peer-deps: the CLI needs none of the construct library's peers (cdktf, providers);
    // without it npx installs them too (measured: 472 MB instead of 5 MB).
    return new RunnerCli(`npx --yes --legacy-peer-deps --package=${p}@${v} -- aiai-runner`, false, true);
  }

  /**
   * A command already in the repository (e.g. `node tools/aiai-runner.js` or a vendored build),
   * run after a checkout without persisted credentials.
   */
  public static command(command: string, options: { readonly checkout?: boolean; readonly setupNode?: boolean } = {}): RunnerCli {
    if (command.trim() === '' || /[\n\r]|\$\{\{/.test(command)) {
      throw new Error(`the runner CLI command must be one line without expressions, got ${JSON.stringify(command)}`);
    }
    return new RunnerCli(command.trim(), options.checkout ?? true, options.setupNode ?? true);
  }

  private constructor(
    /** Shell words that run the CLI; the subcommand is appended. */
    public readonly command: string,
    public readonly checkout: boolean,
    public readonly setupNode: boolean,
  ) {}
}

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

/** One rejected prop (same shape as lib/core ValidationProblem). */
export interface WorkflowProblem {
  readonly property: string;
  readonly value: unknown;
  readonly allowed: string;
}

export const DEFAULT_ACTIONS = { setupNode: 'actions/setup-node@v5.0.0', checkout: 'actions/checkout@v5.0.0' } as const;
export const DEFAULT_REAP_SCHEDULE = '*/15 * * * *';
export const UP_JOB_PREFIX = 'runner-up-';
export const DOWN_JOB = 'runner-down';
export const REAP_JOB = 'reap';
/** Output of the up job that carries the runner label. */
export const RUNNER_LABEL_OUTPUT = 'runner-label';

const JOB_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;
const OWNED_KEYS = ['runs-on', 'needs', 'if', 'steps', 'timeout-minutes', 'permissions', 'env', 'name', 'strategy'];
const PINNED_ACTION = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/;
const CRON_FIELD = /^[0-9*/,-]+$/;

/** Minutes the up job may take: the CLI's slot wait plus online timeout, with a margin. */
export const UP_JOB_TIMEOUT_MINUTES = Math.ceil((DEFAULT_TIMINGS.slotTimeoutSeconds + DEFAULT_TIMINGS.onlineTimeoutSeconds) / 60) + 5;
export const CLEANUP_JOB_TIMEOUT_MINUTES = 15;

/** The longest a pool job may be allowed to run. */
export function maxJobMinutes(settings: PoolSettings): number {
  return settings.maxLifetimeMinutes - RUNNER_START_ALLOWANCE_MINUTES;
}

/** Every problem of the props; empty when valid. */
export function checkPoolWorkflowProps(props: PoolWorkflowProps): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const fail = (property: string, value: unknown, allowed: string) => problems.push({ property, value, allowed });
  const ids = Object.keys(props.jobs);
  const otherIds = Object.keys(props.otherJobs ?? {});
  const allIds = [...ids, ...otherIds];
  if (ids.length === 0) fail('jobs', props.jobs, 'at least one job');
  for (const id of otherIds) {
    const at = `otherJobs.${id}`;
    if (!JOB_ID.test(id)) fail(at, id, 'a job ID: a letter or _ followed by letters, digits, - or _ (at most 100)');
    if (ids.includes(id)) fail(at, id, 'an ID that is not also a pool job');
    if (id.startsWith(UP_JOB_PREFIX) || id === DOWN_JOB) fail(at, id, `an ID not starting with ${UP_JOB_PREFIX} and other than ${DOWN_JOB} (the pool's own jobs)`);
    if (props.otherJobs![id]['runs-on'] === undefined && props.otherJobs![id].uses === undefined) fail(`${at}.runs-on`, undefined, 'runs-on (or uses, for a reusable workflow)');
  }
  const limit = maxJobMinutes(props.settings);
  for (const id of ids) {
    const job = props.jobs[id];
    const at = `jobs.${id}`;
    if (!JOB_ID.test(id)) fail(at, id, 'a job ID: a letter or _ followed by letters, digits, - or _ (at most 100)');
    if (id.startsWith(UP_JOB_PREFIX) || id === DOWN_JOB) fail(at, id, `an ID not starting with ${UP_JOB_PREFIX} and other than ${DOWN_JOB} (the pool's own jobs)`);
    for (const need of job.needs ?? []) {
      if (need === id || !allIds.includes(need)) fail(`${at}.needs`, need, `IDs of other jobs of this workflow (${allIds.filter((x) => x !== id).join(', ') || 'none'})`);
    }
    if (job.timeoutMinutes !== undefined && (!Number.isInteger(job.timeoutMinutes) || job.timeoutMinutes < 1 || job.timeoutMinutes > limit)) {
      fail(
        `${at}.timeoutMinutes`,
        job.timeoutMinutes,
        `an integer from 1 to ${limit}: the pool's max lifetime (${props.settings.maxLifetimeMinutes} min) minus ${RUNNER_START_ALLOWANCE_MINUTES} min to start the runner; raise maxLifetimeMinutes for longer jobs`,
      );
    }
    if (!Array.isArray(job.steps) || job.steps.length === 0) fail(`${at}.steps`, job.steps, 'at least one step');
    for (const key of Object.keys(job.extra ?? {})) {
      if (OWNED_KEYS.includes(key)) {
        const why = key === 'strategy' ? 'matrix jobs are not supported: one runner serves exactly one job' : 'set by the renderer or by its own prop';
        fail(`${at}.extra.${key}`, key, `a key other than ${OWNED_KEYS.join(', ')} (${why})`);
      }
    }
  }
  if (props.fileName !== undefined && !/^[a-z0-9][a-z0-9._-]{0,80}$/.test(props.fileName)) {
    fail('fileName', props.fileName, 'a lower-case file name stem (letters, digits, ., _, -)');
  }
  if (props.reapSchedule !== undefined && props.reapSchedule !== false) {
    const fields = props.reapSchedule.trim().split(/\s+/);
    if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) fail('reapSchedule', props.reapSchedule, 'a 5-field cron expression like */15 * * * *');
  }
  for (const [k, ref] of Object.entries(props.actions ?? {})) {
    if (ref !== undefined && !PINNED_ACTION.test(ref)) fail(`actions.${k}`, ref, 'owner/repo@vX.Y.Z or owner/repo@<40-hex commit> (pinned)');
  }
  if (props.nodeVersion !== undefined && !/^\d+(\.\d+){0,2}$/.test(props.nodeVersion)) fail('nodeVersion', props.nodeVersion, 'a Node.js version like 22');
  return problems;
}

function envFor(names: PoolGithubNames): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, envName] of Object.entries(RunnerEnv.settings) as [SettingVariable, string][]) {
    env[envName] = `\${{ vars.${names.variables[key]} }}`;
  }
  env[RunnerEnv.hcloudToken] = `\${{ secrets.${names.secrets.hcloudToken} }}`;
  env[RunnerEnv.githubToken] = `\${{ secrets.${names.secrets.githubToken} }}`;
  return env;
}

interface Ctx {
  readonly props: PoolWorkflowProps;
  readonly names: PoolGithubNames;
  readonly cli: RunnerCli;
  readonly actions: { readonly setupNode: string; readonly checkout: string };
}

function managerSteps(c: Ctx, step: { name: string; id?: string; args: string }): Record<string, unknown>[] {
  const steps: Record<string, unknown>[] = [];
  if (c.cli.checkout) steps.push({ name: 'Check out the runner manager', uses: c.actions.checkout, with: { 'persist-credentials': false } });
  if (c.cli.setupNode) steps.push({ name: 'Set up Node.js', uses: c.actions.setupNode, with: { 'node-version': c.props.nodeVersion ?? '22' } });
  steps.push({ name: step.name, ...(step.id ? { id: step.id } : {}), run: `${c.cli.command} ${step.args}`, env: envFor(c.names) });
  return steps;
}

/** The manager jobs use their own credentials (secrets), not the workflow token: none, or read for a checkout. */
function managerPermissions(c: Ctx): Record<string, string> {
  return c.cli.checkout ? { contents: 'read' } : {};
}

function document(header: string, body: Record<string, unknown>): string {
  // No anchors or aliases: GitHub Actions workflows must not use them, even for repeated steps.
  const doc = new Document(body, { aliasDuplicateObjects: false });
  doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

function headerFor(settings: PoolSettings, what: string): string {
  const lines = [
    `${what} of the ephemeral runner pool "${settings.pool}".`,
    `Generated by aiai-hetzner from the pool's settings: change the construct, not this file.`,
  ];
  if (what === 'Workflow') {
    lines.push(
      'Each pool job gets its own single-use runner from its runner-up-<job> job. To retry, use',
      '"Re-run all jobs": "Re-run failed jobs" would not re-run the runner-up jobs, and a re-run',
      "job would wait for a runner that the earlier attempt's runner-down already removed.",
    );
  }
  return lines.map((l) => ` ${l}`).join('\n');
}

/**
 * Renders the pool's workflows. Throws an Error listing every problem when the props are invalid
 * (constructs call {@link checkPoolWorkflowProps} first to report them as ValidationError).
 */
export function renderPoolWorkflows(props: PoolWorkflowProps): PoolWorkflows {
  const problems = checkPoolWorkflowProps(props);
  if (problems.length > 0) {
    throw new Error(`Invalid pool workflow props:\n${problems.map((p) => `  - ${p.property}: got ${JSON.stringify(p.value)}; allowed: ${p.allowed}`).join('\n')}`);
  }
  const { settings } = props;
  const c: Ctx = {
    props,
    names: props.names ?? poolGithubNames(),
    cli: props.cli ?? RunnerCli.npm(),
    actions: { ...DEFAULT_ACTIONS, ...props.actions },
  };
  const runsOn = props.managerRunsOn ?? 'ubuntu-latest';
  const stem = props.fileName ?? `aiai-runner-${settings.pool}`;
  const jobs: Record<string, unknown> = {};
  for (const [id, job] of Object.entries(props.otherJobs ?? {})) jobs[id] = { ...job };
  const upIds: string[] = [];
  const userIds = Object.keys(props.jobs);

  for (const id of userIds) {
    const job = props.jobs[id];
    const upId = `${UP_JOB_PREFIX}${id}`;
    upIds.push(upId);
    jobs[upId] = {
      name: `Start a runner for ${job.name ?? id}`,
      ...(job.needs && job.needs.length > 0 ? { needs: [...job.needs] } : {}),
      ...(job.if !== undefined ? { if: job.if } : {}),
      'runs-on': runsOn,
      permissions: managerPermissions(c),
      'timeout-minutes': UP_JOB_TIMEOUT_MINUTES,
      outputs: { [RUNNER_LABEL_OUTPUT]: `\${{ steps.up.outputs.${RUNNER_LABEL_OUTPUT} }}` },
      steps: managerSteps(c, { name: `Start a runner on Hetzner (pool ${settings.pool})`, id: 'up', args: `up --job ${id}` }),
    };
    jobs[id] = {
      ...(job.name !== undefined ? { name: job.name } : {}),
      needs: [upId, ...(job.needs ?? [])],
      ...(job.if !== undefined ? { if: job.if } : {}),
      'runs-on': `\${{ needs.${upId}.outputs.${RUNNER_LABEL_OUTPUT} }}`,
      permissions: job.permissions ? { ...job.permissions } : { contents: 'read' },
      'timeout-minutes': job.timeoutMinutes ?? maxJobMinutes(settings),
      ...(job.env ? { env: { ...job.env } } : {}),
      ...job.extra,
      steps: job.steps.map((s) => ({ ...s })),
    };
  }
  jobs[DOWN_JOB] = {
    name: `Remove this run's runners (pool ${settings.pool})`,
    needs: [...upIds, ...userIds],
    // always(): also after failures and cancellation. `down` finds the servers by label, so it
    // also removes those of an `up` that was killed half way.
    if: 'always()',
    'runs-on': runsOn,
    permissions: managerPermissions(c),
    'timeout-minutes': CLEANUP_JOB_TIMEOUT_MINUTES,
    steps: managerSteps(c, { name: 'Delete the servers and runners of this run', args: 'down' }),
  };

  const concurrency =
    props.concurrency === false
      ? undefined
      : {
          group: props.concurrency?.group ?? '${{ github.workflow }}-${{ github.ref }}',
          'cancel-in-progress': props.concurrency?.cancelInProgress ?? false,
        };
  const main = document(headerFor(settings, 'Workflow'), {
    name: props.name ?? `CI on ${settings.pool} runners`,
    on: props.on ? { ...props.on } : { push: { branches: ['main'] }, pull_request: {} },
    permissions: {},
    ...(concurrency ? { concurrency } : {}),
    jobs,
  });

  let reap: WorkflowFile | undefined;
  if (props.reapSchedule !== false) {
    const content = document(headerFor(settings, 'Reaper'), {
      name: `Reap ${settings.pool} runners`,
      on: { schedule: [{ cron: props.reapSchedule ?? DEFAULT_REAP_SCHEDULE }], workflow_dispatch: {} },
      permissions: {},
      concurrency: { group: `aiai-runner-reap-${settings.pool}`, 'cancel-in-progress': false },
      jobs: {
        [REAP_JOB]: {
          name: `Delete expired servers and offline runners of pool ${settings.pool}`,
          'runs-on': runsOn,
          permissions: managerPermissions(c),
          'timeout-minutes': CLEANUP_JOB_TIMEOUT_MINUTES,
          steps: managerSteps(c, { name: 'Reap', args: 'reap' }),
        },
      },
    });
    reap = { path: `.github/workflows/${stem}-reap.yml`, content };
  }
  return { main: { path: `.github/workflows/${stem}.yml`, content: main }, ...(reap ? { reap } : {}) };
}
