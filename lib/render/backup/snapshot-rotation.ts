import { asset } from '../../core/assets';
import { isValidLabelValue, LabelKeys, Roles } from '../../core/labels';
import { HostPaths } from '../../core/paths';
import { serviceSandbox, SystemdUnit } from '../systemd';
import {
  BackupHostParts,
  BackupSecretNames,
  backupTimer,
  checkSchedule,
  environmentAssignment,
  scriptFile,
  secretFilePath,
  TimerSchedule,
} from './common';
import { PropValidator } from '../../core/validation-error';

export interface SnapshotRotationSpec {
  /** `project` label of the servers (and of the snapshots). */
  readonly project: string;
  /** `environment` label of the servers (and of the snapshots). */
  readonly environment: string;
  /**
   * `role` label values of the servers to snapshot. Never the ephemeral CI runners.
   * @default [Roles.orchestrator, Roles.monitoring]
   */
  readonly roles?: readonly string[];
  /** Snapshots kept per server. @default 7 */
  readonly keep?: number;
  /** When to run. @default daily at 03:00 UTC, randomized by up to 30 minutes */
  readonly schedule?: TimerSchedule;
}

export const SNAPSHOT_ROTATION_NAME = 'aiai-snapshot-rotate';
export const SnapshotRotationDefaults = {
  keep: 7,
  roles: [Roles.orchestrator, Roles.monitoring] as readonly string[],
  schedule: { onCalendar: '*-*-* 03:00:00', randomizedDelay: '30min' } as TimerSchedule,
};

/** The most snapshots per server we let a timer keep (Hetzner bills snapshots per GB and month). */
export const MAX_SNAPSHOTS_KEPT = 100;

/**
 * Snapshot rotation with the `hcloud` CLI, for the monitoring node: every night each server with
 * the given project, environment and role labels gets a snapshot labelled
 * `snapshot-of=<server>`, `project`, `environment`; then the oldest of that server's labelled
 * snapshots are deleted so the newest `keep` remain. Manual snapshots (without those labels) are
 * never touched.
 *
 * The API token is the secret file `hcloud-snapshot-token` (read/write token), handed to the
 * service as a systemd credential; the service runs as a throw-away dynamic user in a sandbox.
 *
 * Bad values fail with a ValidationError on `v`: a construct passes its own validator (e.g.
 * `v.under('disasterRecovery')`) so the error names its path.
 */
export function renderSnapshotRotation(spec: SnapshotRotationSpec, v: PropValidator = new PropValidator('SnapshotRotation')): BackupHostParts {
  const roles = spec.roles ?? SnapshotRotationDefaults.roles;
  const keep = spec.keep ?? SnapshotRotationDefaults.keep;
  const schedule = spec.schedule ?? SnapshotRotationDefaults.schedule;
  for (const [name, value] of [['project', spec.project], ['environment', spec.environment], ...roles.map((r, i) => [`roles[${i}]`, r])]) {
    v.check(name, value, !!value && isValidLabelValue(value), 'a non-empty Hetzner label value');
  }
  v.check('roles', roles, roles.length > 0, 'at least one role');
  v.check('roles', roles, !roles.includes(Roles.ciRunner), `roles that do not include ${Roles.ciRunner} (ephemeral runners are never snapshotted)`);
  v.check('keep', keep, Number.isInteger(keep) && keep >= 1 && keep <= MAX_SNAPSHOTS_KEPT, `a whole number from 1 to ${MAX_SNAPSHOTS_KEPT}`);
  checkSchedule(v, schedule);
  v.throwIfInvalid();

  const selector = [
    `${LabelKeys.project}=${spec.project}`,
    `${LabelKeys.environment}=${spec.environment}`,
    `${LabelKeys.role} in (${roles.join(',')})`,
  ].join(',');
  const snapshotLabels = `${LabelKeys.project}=${spec.project} ${LabelKeys.environment}=${spec.environment}`;

  const service: SystemdUnit = {
    name: `${SNAPSHOT_ROTATION_NAME}.service`,
    enable: false,
    start: false,
    sections: {
      Unit: {
        Description: 'aiai: Hetzner snapshots of the platform servers, keeping the newest per server',
        Wants: 'network-online.target',
        After: 'network-online.target',
      },
      Service: {
        Type: 'oneshot',
        ExecStart: `${HostPaths.scriptDir}/${SNAPSHOT_ROTATION_NAME}`,
        Environment: [
          environmentAssignment('SERVER_SELECTOR', selector),
          environmentAssignment('SNAPSHOT_KEEP', String(keep)),
          environmentAssignment('SNAPSHOT_OF_LABEL', LabelKeys.snapshotOf),
          environmentAssignment('SNAPSHOT_LABELS', snapshotLabels),
        ],
        LoadCredential: `hcloud-token:${secretFilePath(BackupSecretNames.hcloudToken)}`,
        DynamicUser: true,
        ...serviceSandbox([]),
        // Snapshots of large disks take a while; the CLI waits for each one.
        TimeoutStartSec: '2h',
      },
    },
  };
  return {
    packages: ['hcloud-cli', 'jq'],
    files: [scriptFile(SNAPSHOT_ROTATION_NAME, asset('backup/aiai-snapshot-rotate.sh'))],
    units: [service, backupTimer(SNAPSHOT_ROTATION_NAME, 'aiai: nightly Hetzner snapshot rotation', schedule)],
    secretFiles: [BackupSecretNames.hcloudToken],
  };
}
