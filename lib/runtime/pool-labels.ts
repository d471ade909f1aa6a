/** Names and labels of what the pool creates: Hetzner server names and labels, GitHub runner labels. */
import { Roles } from '../core/labels';
import { checkServerTypeInLocation, HetznerLimits, location as lookupLocation, serverType as lookupServerType } from '../hetzner/catalog';
import { PoolLabelKeys, PoolSettings } from './pool-settings';

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
