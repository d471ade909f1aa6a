/**
 * Label keys put on every Hetzner resource. The runner manager and Prometheus Hetzner service
 * discovery select on these, so they are defined once here.
 */
export const LabelKeys = {
  project: 'project',
  role: 'role',
  environment: 'environment',
  /** Name of the ephemeral runner pool a server belongs to. */
  pool: 'pool',
  /** Unix time (seconds) after which the reaper may delete an ephemeral runner server. */
  expiresAt: 'expires-at',
  /** Whether Prometheus should scrape the host's node exporter (`true`). */
  scrape: 'monitoring',
  /** Snapshot rotation: name of the server a snapshot was taken from. */
  snapshotOf: 'snapshot-of',
  /** Orchestrator servers: `primary` or `standby`. */
  instanceRole: 'instance-role',
  /** CI runner servers that are always on (`persistent`); ephemeral pool servers carry `pool` instead. */
  runnerMode: 'runner-mode',
} as const;

/** Values of the `runner-mode` label. */
export const RunnerModes = {
  persistent: 'persistent',
} as const;

/** Values of the `role` label. */
export const Roles = {
  orchestrator: 'orchestrator',
  monitoring: 'monitoring',
  ciRunner: 'ci-runner',
} as const;

/** Hetzner label rules (keys may have a DNS prefix; values are at most 63 chars). */
export const LABEL_VALUE_PATTERN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,61}[a-zA-Z0-9])?)?$/;
export const LABEL_KEY_NAME_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,61}[a-zA-Z0-9])?$/;

/** True when `key` is a valid Hetzner label key (optional `prefix/`, name of at most 63 chars). */
export function isValidLabelKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (!LABEL_KEY_NAME_PATTERN.test(name)) return false;
  if (parts.length === 2) {
    const prefix = parts[0];
    return prefix.length > 0 && prefix.length <= 253 && /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(prefix);
  }
  return true;
}

export function isValidLabelValue(value: string): boolean {
  return LABEL_VALUE_PATTERN.test(value);
}
