import { asset } from '../core/assets';
import { HostPaths } from '../core/paths';
import { HostConfig } from '../host/host-config';
import { SystemdUnit } from '../render/systemd';

export const PREPARE_VOLUME_SCRIPT = `${HostPaths.scriptDir}/prepare-data-volume.sh`;
export const PREPARE_VOLUME_UNIT = 'aiai-data-volume.service';

export interface DataVolumeMountOptions {
  /** Absolute mountpoint of lowercase letters, digits, `/` and `_` (e.g. `/mnt/monitoring`). */
  readonly mountpoint: string;
  /** ext4 filesystem label (at most 16 chars) by which the volume is found. */
  readonly label: string;
}

const MOUNTPOINT = /^\/[a-z0-9_]+(\/[a-z0-9_]+)*$/;

/** systemd's name for the mount unit of `mountpoint` (`/mnt/monitoring` -> `mnt-monitoring.mount`). */
export function mountUnitName(mountpoint: string): string {
  if (!MOUNTPOINT.test(mountpoint)) throw new Error(`mountpoint must match ${MOUNTPOINT}, got ${JSON.stringify(mountpoint)}`);
  return `${mountpoint.slice(1).replace(/\//g, '-')}.mount`;
}

export function checkVolumeLabel(label: string): boolean {
  return /^[a-z0-9-]{1,16}$/.test(label);
}

/** The prepare service (wait for the attach, label or format) and the mount unit, by label. */
export function dataVolumeUnits(o: DataVolumeMountOptions): SystemdUnit[] {
  if (!checkVolumeLabel(o.label)) throw new Error(`volume label must be 1-16 of [a-z0-9-], got ${JSON.stringify(o.label)}`);
  const mountUnit = mountUnitName(o.mountpoint);
  return [
    {
      name: PREPARE_VOLUME_UNIT,
      start: false,
      sections: {
        Unit: {
          Description: `Prepare the Hetzner volume labelled ${o.label}`,
          DefaultDependencies: false,
          After: 'systemd-udev-settle.service local-fs-pre.target',
          Before: mountUnit,
          ConditionPathExists: `!/dev/disk/by-label/${o.label}`,
        },
        Service: { Type: 'oneshot', RemainAfterExit: true, ExecStart: `${PREPARE_VOLUME_SCRIPT} ${o.label}`, TimeoutStartSec: 900 },
        Install: { RequiredBy: mountUnit },
      },
    },
    {
      name: mountUnit,
      sections: {
        Unit: { Description: `Data volume ${o.label} at ${o.mountpoint}`, After: PREPARE_VOLUME_UNIT },
        Mount: { What: `/dev/disk/by-label/${o.label}`, Where: o.mountpoint, Type: 'ext4', Options: 'defaults,noatime,discard', TimeoutSec: 900 },
        Install: { WantedBy: 'multi-user.target' },
      },
    },
  ];
}

/** Adds the volume's units and script to a host; services that use it declare `RequiresMountsFor=`. */
export function applyDataVolumeMount(host: HostConfig, o: DataVolumeMountOptions): void {
  host.addFile({ path: PREPARE_VOLUME_SCRIPT, content: asset('host/prepare-data-volume.sh'), permissions: '0755' });
  for (const u of dataVolumeUnits(o)) host.addUnit(u);
}
