import { asset } from '../core/assets';
import { HostPaths, SYSTEMD_DROP_IN_NAME, SYSTEMD_UNIT_DIR } from '../core/paths';
import { HostFile } from '../render/cloud-config';
import type { IHostFileSink } from '../render/host-contribution';
import { SystemdUnit } from '../render/systemd';
import { invalid } from '../core/validation-error';

export const PREPARE_VOLUME_SCRIPT = `${HostPaths.scriptDir}/prepare-data-volume.sh`;
export const PREPARE_VOLUME_UNIT = 'aiai-data-volume.service';
/**
 * How long the host waits for its volume (seconds): the prepare script's own limit (300 tries, 2 s
 * apart) plus slack. The prepare unit, the wait for the by-label device and the mount share it.
 */
export const VOLUME_WAIT_SEC = 900;

export interface DataVolumeMountOptions {
  /** Absolute mountpoint of lowercase letters, digits, `/` and `_` (e.g. `/mnt/monitoring`). */
  readonly mountpoint: string;
  /** ext4 filesystem label (1-16 of lowercase letters, digits and `-`) by which the volume is found. */
  readonly label: string;
}

/** Characters that systemd's path escaping leaves alone (so unit names stay readable and exact). */
const MOUNTPOINT = /^\/[a-z0-9_]+(\/[a-z0-9_]+)*$/;
const LABEL = /^[a-z0-9-]{1,16}$/;

/** systemd's name for the mount unit of `mountpoint` (`/mnt/monitoring` -> `mnt-monitoring.mount`). */
export function mountUnitName(mountpoint: string): string {
  if (typeof mountpoint !== 'string' || !MOUNTPOINT.test(mountpoint)) invalid('DataVolumeMount', 'mountpoint', mountpoint, `an absolute path matching ${MOUNTPOINT}`);
  return `${mountpoint.slice(1).replace(/\//g, '-')}.mount`;
}

/** True for a valid ext4 label of ours: 1-16 of `[a-z0-9-]` (ext4 allows 16 bytes). */
export function checkVolumeLabel(label: string): boolean {
  return LABEL.test(label);
}

function requireLabel(label: string): void {
  if (!checkVolumeLabel(label)) invalid('DataVolumeMount', 'label', label, 'a volume label of 1-16 of [a-z0-9-]');
}

/**
 * systemd's name for the device unit of `/dev/disk/by-label/<label>`
 * (`aiai-monitoring` -> `dev-disk-by\x2dlabel-aiai\x2dmonitoring.device`, as `systemd-escape --path`).
 */
export function labelDeviceUnitName(label: string): string {
  requireLabel(label);
  const escape = (s: string) => s.replace(/-/g, '\\x2d');
  return `dev-disk-${escape('by-label')}-${escape(label)}.device`;
}

/** The prepare service (wait for the attach, label or format) and the mount unit, by label. */
export function dataVolumeUnits(o: DataVolumeMountOptions): SystemdUnit[] {
  requireLabel(o.label);
  const mountUnit = mountUnitName(o.mountpoint);
  return [
    {
      name: PREPARE_VOLUME_UNIT,
      start: false,
      sections: {
        Unit: {
          Description: `Prepare the Hetzner volume labelled ${o.label}`,
          DefaultDependencies: false,
          // udev is running and has announced the disks present at boot.
          After: 'systemd-udevd.service systemd-udev-trigger.service local-fs-pre.target',
          Before: mountUnit,
          ConditionPathExists: `!/dev/disk/by-label/${o.label}`,
        },
        Service: { Type: 'oneshot', RemainAfterExit: true, ExecStart: `${PREPARE_VOLUME_SCRIPT} ${o.label}`, TimeoutStartSec: VOLUME_WAIT_SEC },
        Install: { RequiredBy: mountUnit },
      },
    },
    {
      name: mountUnit,
      sections: {
        Unit: { Description: `Data volume ${o.label} at ${o.mountpoint}`, After: PREPARE_VOLUME_UNIT },
        Mount: {
          What: `/dev/disk/by-label/${o.label}`,
          Where: o.mountpoint,
          Type: 'ext4',
          // nofail: a missing volume must not hold up local-fs.target (and so SSH) at boot; the
          // services that keep data on it declare RequiresMountsFor= and wait for it themselves.
          Options: 'defaults,noatime,discard,nofail',
          TimeoutSec: VOLUME_WAIT_SEC,
        },
        Install: { WantedBy: 'multi-user.target' },
      },
    },
  ];
}

/**
 * A drop-in for the by-label device unit: systemd gives up on a device after 90 s
 * (DefaultDeviceTimeoutSec) and fails the mount, while the prepare script waits up to 10 minutes
 * for Hetzner to attach the volume. (fstab's `x-systemd.device-timeout=` writes the same drop-in;
 * native mount units have no such option.)
 */
export function dataVolumeDeviceDropIn(o: DataVolumeMountOptions): HostFile {
  const device = labelDeviceUnitName(o.label);
  return {
    path: `${SYSTEMD_UNIT_DIR}/${device}.d/${SYSTEMD_DROP_IN_NAME}`,
    content: `[Unit]\nJobRunningTimeoutSec=${VOLUME_WAIT_SEC}\n`,
  };
}

/** Adds the volume's units, device drop-in and script to a host (its HostConfig); services that use it declare `RequiresMountsFor=`. */
export function applyDataVolumeMount(host: IHostFileSink, o: DataVolumeMountOptions): void {
  host.addFile({ path: PREPARE_VOLUME_SCRIPT, content: asset('host/prepare-data-volume.sh'), permissions: '0755' });
  host.addFile(dataVolumeDeviceDropIn(o));
  for (const u of dataVolumeUnits(o)) host.addUnit(u);
}
