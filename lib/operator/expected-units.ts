/**
 * Which systemd units must be active on a host of each role, derived from the constants the roles
 * define their units with (runtime-safe modules: none of them loads cdktf, which the import guard
 * test checks). `__tests__/operator/expected-units.test.ts` builds every role through its construct
 * and compares the units its cloud-init starts with these lists, so a unit added to a role and not
 * here (or the other way round) fails a test.
 */
import { LabelKeys, Roles, RunnerModes } from '../core/labels';
import { HardeningUnits } from '../host/hardening';
import { EVOLUTION_TIMER, METRICS_UNIT, ORCHESTRATOR_UNIT } from '../orchestrator/orchestrator-host';
import { OFFSITE_BACKUP_NAME } from '../render/backup/offsite-backup';
import { SNAPSHOT_ROTATION_NAME } from '../render/backup/snapshot-rotation';
import { MONITORING_VOLUME_MOUNTPOINT, MonitoringUnits } from '../render/monitoring/paths';
import { PERSISTENT_RUNNER_UNIT } from '../runner-pool/persistent-runner-host';
import { mountUnitName } from '../volume/data-volume-mount';

/** One unit a host should run. */
export interface UnitExpectation {
  /** Full unit name, e.g. `aiai-orchestrator.service`. */
  readonly unit: string;
  /**
   * `true`: must be active. `false`: the role installs it only with some props (log shipping,
   * disaster recovery, off-site backup), so it must be active when it is installed and is skipped
   * when systemd does not know it.
   */
  readonly required: boolean;
  /** What puts the unit on the host (shown next to a failure). */
  readonly source: string;
}

/** What to check on one server. */
export interface HostExpectation {
  /** The role's name as the `role` label has it, or `unknown`. */
  readonly role: string;
  /** Units to check; empty when `checkable` is false. */
  readonly units: readonly UnitExpectation[];
  /** False when the host cannot or need not be checked over SSH (then `reason` says why). */
  readonly checkable: boolean;
  readonly reason?: string;
}

const req = (unit: string, source: string): UnitExpectation => ({ unit, required: true, source });
const opt = (unit: string, source: string): UnitExpectation => ({ unit, required: false, source });

/** Every HardenedServer: hardening (sshd, fail2ban, unattended upgrades), node exporter, and Alloy when it ships logs. */
export const HARDENED_HOST_UNITS: readonly UnitExpectation[] = [
  req(HardeningUnits.ssh, 'hardening'),
  req(HardeningUnits.fail2ban, 'hardening'),
  req(HardeningUnits.unattendedUpgrades, 'hardening'),
  req(MonitoringUnits.nodeExporter, 'node exporter'),
  opt(MonitoringUnits.alloy, 'log shipping'),
];

/** Units of each role on top of {@link HARDENED_HOST_UNITS} (an entry for the same unit replaces the base one). */
export const ROLE_UNITS: Readonly<Record<string, readonly UnitExpectation[]>> = {
  [Roles.orchestrator]: [
    req(ORCHESTRATOR_UNIT, 'orchestrator'),
    req(METRICS_UNIT, 'orchestrator'),
    req(EVOLUTION_TIMER, 'orchestrator'),
    opt(`${OFFSITE_BACKUP_NAME}.timer`, 'off-site backup (primary)'),
  ],
  [Roles.monitoring]: [
    req(MonitoringUnits.prometheus, 'monitoring'),
    req(MonitoringUnits.alertmanager, 'monitoring'),
    req(MonitoringUnits.loki, 'monitoring'),
    req(MonitoringUnits.grafana, 'monitoring'),
    // The node is its own log sink (MonitoringNode passes itself as logShipping).
    req(MonitoringUnits.alloy, 'log shipping'),
    req(mountUnitName(MONITORING_VOLUME_MOUNTPOINT), 'data volume'),
    opt(`${SNAPSHOT_ROTATION_NAME}.timer`, 'disaster recovery'),
    opt(`${OFFSITE_BACKUP_NAME}.timer`, 'disaster recovery'),
  ],
  /** Persistent runners only (`runner-mode=persistent`); see {@link expectedUnits}. */
  [Roles.ciRunner]: [req(PERSISTENT_RUNNER_UNIT, 'persistent runner')],
};

/** The units to check on a server with these labels. */
export function expectedUnits(labels: Readonly<Record<string, string>>): HostExpectation {
  const role = labels[LabelKeys.role] ?? 'unknown';
  if (role === Roles.ciRunner && labels[LabelKeys.runnerMode] !== RunnerModes.persistent) {
    // The ephemeral pool's firewall has no inbound rule at all and the server lives for one job.
    return { role, units: [], checkable: false, reason: 'ephemeral runner: no inbound SSH (its firewall has no inbound rules)' };
  }
  const roleUnits = ROLE_UNITS[role];
  if (!roleUnits) return { role, units: [], checkable: false, reason: `no unit list for role ${JSON.stringify(role)}` };
  const overridden = new Map(roleUnits.map((u) => [u.unit, u]));
  const base = HARDENED_HOST_UNITS.map((u) => overridden.get(u.unit) ?? u);
  return { role, units: [...base, ...roleUnits.filter((u) => !HARDENED_HOST_UNITS.some((b) => b.unit === u.unit))], checkable: true };
}
