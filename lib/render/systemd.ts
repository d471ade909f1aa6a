/**
 * Typed systemd unit files. A unit is an ordered list of sections, each an ordered list of
 * directives; a directive with an array value is written once per element (e.g. `Environment=`).
 */
import { invalid } from '../core/validation-error';
export type DirectiveValue = string | number | boolean | readonly (string | number)[];

export interface SystemdUnitSections {
  readonly Unit?: Readonly<Record<string, DirectiveValue | undefined>>;
  readonly Service?: Readonly<Record<string, DirectiveValue | undefined>>;
  readonly Timer?: Readonly<Record<string, DirectiveValue | undefined>>;
  readonly Mount?: Readonly<Record<string, DirectiveValue | undefined>>;
  readonly Install?: Readonly<Record<string, DirectiveValue | undefined>>;
}

/** A unit file to install at `/etc/systemd/system/<name>`. */
export interface SystemdUnit {
  /** File name with its suffix, e.g. `aiai-orchestrator.service`. */
  readonly name: string;
  readonly sections: SystemdUnitSections;
  /** `systemctl enable` it at first boot. @default true */
  readonly enable?: boolean;
  /** Start it at first boot (after enabling). @default true */
  readonly start?: boolean;
}

const UNIT_NAME = /^[a-zA-Z0-9:_.@-]+\.(service|timer|socket|mount|path|target)$/;

function renderValue(v: string | number | boolean): string {
  const s = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  if (/[\n\r]/.test(s)) invalid('renderSystemdUnit', 'directive', s, 'a single-line systemd directive value');
  // A trailing backslash continues the line: systemd would read the next directive as part of this value.
  if (s.endsWith('\\')) invalid('renderSystemdUnit', 'directive', s, 'a systemd directive value that does not end with a backslash');
  return s;
}

/** Renders the unit file text. Throws a ValidationError on an invalid unit name, multi-line values or a trailing backslash. */
export function renderSystemdUnit(unit: SystemdUnit): string {
  if (!UNIT_NAME.test(unit.name)) invalid('renderSystemdUnit', 'name', unit.name, `a systemd unit name matching ${UNIT_NAME}`);
  const out: string[] = [];
  for (const section of ['Unit', 'Service', 'Timer', 'Mount', 'Install'] as const) {
    const directives = unit.sections[section];
    if (!directives) continue;
    if (out.length > 0) out.push('');
    out.push(`[${section}]`);
    for (const [key, value] of Object.entries(directives)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        for (const item of value) out.push(`${key}=${renderValue(item)}`);
      } else {
        out.push(`${key}=${renderValue(value as string | number | boolean)}`);
      }
    }
  }
  return out.join('\n') + '\n';
}

/** Bytes in systemd's notation (`512M`, `6G`), rounded down to whole MiB. */
export function systemdBytes(bytes: number): string {
  const mib = Math.floor(bytes / (1024 * 1024));
  if (mib % 1024 === 0) return `${mib / 1024}G`;
  return `${mib}M`;
}

/** The common sandbox for aiai services; `readWritePaths` are the only writable places. */
export function serviceSandbox(readWritePaths: readonly string[]): Record<string, DirectiveValue> {
  return {
    NoNewPrivileges: true,
    ProtectSystem: 'strict',
    ProtectHome: true,
    ...(readWritePaths.length > 0 ? { ReadWritePaths: readWritePaths.join(' ') } : {}),
    PrivateTmp: true,
    PrivateDevices: true,
    ProtectKernelTunables: true,
    ProtectKernelModules: true,
    ProtectKernelLogs: true,
    ProtectControlGroups: true,
    ProtectClock: true,
    ProtectHostname: true,
    RestrictSUIDSGID: true,
    RestrictNamespaces: true,
    RestrictRealtime: true,
    LockPersonality: true,
    RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6',
    SystemCallArchitectures: 'native',
    CapabilityBoundingSet: '',
  };
}
