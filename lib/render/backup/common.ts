import { HostPaths } from '../../core/paths';
import { HostFile } from '../cloud-config';
import { SystemdUnit } from '../systemd';
import { invalid, PropValidator } from '../../core/validation-error';

/** What a backup job adds to a host: merge it into the host's description (HostConfig). */
export interface BackupHostParts {
  /** Ubuntu packages the job needs. */
  readonly packages: readonly string[];
  /** Script files (root-owned, 0755, under HostPaths.scriptDir). */
  readonly files: readonly HostFile[];
  /** The oneshot service (not enabled: only the timer starts it) and its timer (enabled, started). */
  readonly units: readonly SystemdUnit[];
  /**
   * Secret files the job reads, by name under HostPaths.secretsDir: deliver them with
   * `SecretFiles` after boot. Until they exist the job fails with a message saying so.
   */
  readonly secretFiles: readonly string[];
}

/**
 * Names of the secret files the backup jobs read from HostPaths.secretsDir. The services get them
 * as systemd credentials (`LoadCredential=`), so the files can stay root-only.
 */
export const BackupSecretNames = {
  /** Hetzner Cloud API token (read/write) for snapshot rotation; best a token of its own. */
  hcloudToken: 'hcloud-snapshot-token',
  /** Hetzner Object Storage S3 access key id. */
  s3AccessKey: 's3-access-key',
  /** Hetzner Object Storage S3 secret key. */
  s3SecretKey: 's3-secret-key',
} as const;

/** Absolute path of a secret file on the host. */
export function secretFilePath(name: string): string {
  return `${HostPaths.secretsDir}/${name}`;
}

export interface TimerSchedule {
  /**
   * systemd `OnCalendar=` expression (UTC on our hosts), checked at test time with
   * `systemd-analyze calendar`.
   */
  readonly onCalendar: string;
  /** `RandomizedDelaySec=`, e.g. `30min`, spreading the load of many hosts. */
  readonly randomizedDelay: string;
}

const CALENDAR = /^[A-Za-z0-9*:,./~ -]{1,100}$/;
const TIMESPAN = /^\d+(us|ms|s|sec|m|min|h|hr|d)?( ?\d+(us|ms|s|sec|m|min|h|hr|d))*$/;

/** Records schedule values systemd could not parse or that would break the unit file (as `schedule.*`). */
export function checkSchedule(v: PropValidator, schedule: TimerSchedule): void {
  v.check('schedule.onCalendar', schedule.onCalendar, CALENDAR.test(schedule.onCalendar), "a systemd calendar expression (OnCalendar) like '*-*-* 03:00:00'");
  v.check('schedule.randomizedDelay', schedule.randomizedDelay, TIMESPAN.test(schedule.randomizedDelay), "a systemd time span (RandomizedDelaySec) like '30min'");
}

/** The timer that starts `<name>.service`: persistent (catches up after downtime), randomized. */
export function backupTimer(name: string, description: string, schedule: TimerSchedule): SystemdUnit {
  return {
    name: `${name}.timer`,
    sections: {
      Unit: { Description: description },
      Timer: {
        OnCalendar: schedule.onCalendar,
        RandomizedDelaySec: schedule.randomizedDelay,
        Persistent: true,
        Unit: `${name}.service`,
      },
      Install: { WantedBy: 'timers.target' },
    },
  };
}

/**
 * One `Environment=` value, quoted for systemd. Rejects characters that would need escaping
 * beyond that (quotes, backslashes, line breaks) and doubles `%` (systemd specifiers).
 */
export function environmentAssignment(key: string, value: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(key)) invalid('environmentAssignment', 'key', key, 'an UPPER_SNAKE_CASE environment variable name');
  if (/["\\\n\r]/.test(value)) invalid('environmentAssignment', key, value, 'a value without quotes, backslashes or line breaks');
  return `"${key}=${value.replace(/%/g, '%%')}"`;
}

/** A root-owned executable script under HostPaths.scriptDir. */
export function scriptFile(name: string, content: string): HostFile {
  return { path: `${HostPaths.scriptDir}/${name}`, content, permissions: '0755', owner: 'root:root' };
}

/** Absolute paths made of safe characters only (they go into unit files and shell word lists). */
export const SAFE_ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;
