/** Validation of the pool workflow renderer's props (constructs report the problems as ValidationError). */
import { DOWN_JOB, PoolWorkflowProps, UP_JOB_PREFIX, WorkflowProblem, maxJobMinutes } from './pool-workflow-props';
import { RUNNER_START_ALLOWANCE_MINUTES } from '../../runtime/pool-settings';

const JOB_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;
/** IDs the renderer cannot use as keys of a JavaScript object (`__proto__` would set its prototype and vanish). */
const RESERVED_JOB_IDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const JOB_ID_RULES = 'a job ID: a letter or _ followed by letters, digits, - or _ (at most 100), other than __proto__, constructor and prototype';
const isJobId = (id: string): boolean => JOB_ID.test(id) && !RESERVED_JOB_IDS.has(id);
const OWNED_KEYS = ['runs-on', 'needs', 'if', 'steps', 'timeout-minutes', 'permissions', 'env', 'name', 'strategy'];
const PINNED_ACTION = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/;
const CRON_FIELD = /^[0-9*/,-]+$/;

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
    if (!isJobId(id)) fail(at, id, JOB_ID_RULES);
    if (ids.includes(id)) fail(at, id, 'an ID that is not also a pool job');
    if (id.startsWith(UP_JOB_PREFIX) || id === DOWN_JOB) fail(at, id, `an ID not starting with ${UP_JOB_PREFIX} and other than ${DOWN_JOB} (the pool's own jobs)`);
    if (props.otherJobs![id]['runs-on'] === undefined && props.otherJobs![id].uses === undefined) fail(`${at}.runs-on`, undefined, 'runs-on (or uses, for a reusable workflow)');
  }
  const limit = maxJobMinutes(props.settings);
  for (const id of ids) {
    const job = props.jobs[id];
    const at = `jobs.${id}`;
    if (!isJobId(id)) fail(at, id, JOB_ID_RULES);
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

