import { AptSource, BootCommand, HostFile, HostUser } from './cloud-config';
import { renderSystemdUnit, SystemdUnit } from './systemd';
import { SYSTEMD_UNIT_DIR } from '../core/paths';
import { invalid } from '../core/validation-error';
import { BoundedMemo } from '../core/memo';

/** Everything delivered to a running host after boot, as typed data (see `aiai-converge`). */
export interface HostManifestSpec {
  readonly hostname: string;
  /** The login and service account (created by the bootstrap, not by the manifest). */
  readonly serviceUser: string;
  /** Groups the service user joins once their packages exist (e.g. `docker`). */
  readonly serviceUserGroups: readonly string[];
  readonly groups: readonly string[];
  readonly users: readonly HostUser[];
  readonly aptSources: readonly AptSource[];
  readonly packages: readonly string[];
  readonly files: readonly HostFile[];
  readonly units: readonly SystemdUnit[];
  /** Units that packages install and the host keeps enabled and running (e.g. `prometheus.service`). */
  readonly services: readonly string[];
  /** Idempotent commands run on every converge, after files and before units start. */
  readonly commands: readonly BootCommand[];
}

/** One file as the converge script reads it. */
export interface HostManifestFile {
  readonly path: string;
  readonly content: string;
  readonly mode: string;
  readonly owner: string;
  readonly early: boolean;
  /** A unit file or drop-in (a change needs `daemon-reload`). */
  readonly unit: boolean;
  /** Run it after writing when it changed (the host firewall script). */
  readonly exec: boolean;
  readonly restart: readonly string[];
  readonly reload: readonly string[];
}

/** The JSON document `aiai-converge` applies (version 1). */
export interface HostManifest {
  readonly version: 1;
  readonly host: string;
  readonly serviceUser: string;
  readonly serviceUserGroups: readonly string[];
  readonly groups: readonly string[];
  readonly users: readonly { name: string; system: boolean; home: string; shell: string; groups: readonly string[] }[];
  readonly aptSources: readonly AptSource[];
  readonly packages: readonly string[];
  readonly files: readonly HostManifestFile[];
  readonly units: readonly { name: string; enable: boolean; start: boolean }[];
  readonly services: readonly string[];
  readonly commands: readonly (readonly string[])[];
}

const DROP_IN = new RegExp(`^${SYSTEMD_UNIT_DIR}/([^/]+)\\.d/[^/]+\\.conf$`);

/** Shell commands become `sh -c` argv arrays: the converge script runs argv only. */
function argv(c: BootCommand): readonly string[] {
  return typeof c === 'string' ? ['sh', '-c', c] : [...c];
}

/**
 * Builds the manifest of one host. Unit files land in /etc/systemd/system and restart their unit
 * when they change; a drop-in restarts the unit it extends; other files restart or reload the
 * units they name. Throws on duplicate or relative paths and bad modes.
 */
export function renderHostManifest(spec: HostManifestSpec): HostManifest {
  const unitFiles: HostFile[] = spec.units.map((u) => ({
    path: `${SYSTEMD_UNIT_DIR}/${u.name}`,
    content: renderSystemdUnit(u),
    restartUnits: u.enable === false || u.start === false ? [] : [u.name],
  }));
  const seen = new Set<string>();
  const files = [...spec.files, ...unitFiles].map((f): HostManifestFile => {
    if (!f.path.startsWith('/')) invalid('renderHostManifest', 'files', f.path, 'absolute file paths');
    if (seen.has(f.path)) invalid('renderHostManifest', 'files', f.path, 'a path not written twice on one host');
    seen.add(f.path);
    if (f.permissions !== undefined && !/^0[0-7]{3}$/.test(f.permissions)) {
      invalid('renderHostManifest', `files[${f.path}].permissions`, f.permissions, "an octal mode like '0644'");
    }
    const dropIn = DROP_IN.exec(f.path)?.[1];
    const isUnit = dropIn !== undefined || f.path.startsWith(`${SYSTEMD_UNIT_DIR}/`);
    return {
      path: f.path,
      content: f.content,
      mode: f.permissions ?? '0644',
      owner: f.owner ?? 'root:root',
      early: f.early ?? false,
      unit: isUnit,
      exec: f.exec ?? false,
      restart: [...new Set([...(dropIn ? [dropIn] : []), ...(f.restartUnits ?? [])])],
      reload: [...new Set(f.reloadUnits ?? [])],
    };
  });
  return {
    version: 1,
    host: spec.hostname,
    serviceUser: spec.serviceUser,
    serviceUserGroups: [...new Set(spec.serviceUserGroups)],
    groups: [...new Set(spec.groups)],
    users: spec.users.map((u) => ({
      name: u.name,
      system: u.system ?? false,
      home: u.homedir ?? `/home/${u.name}`,
      shell: u.shell ?? (u.system ? '/usr/sbin/nologin' : '/bin/bash'),
      groups: [...(u.groups ?? [])],
    })),
    aptSources: [...spec.aptSources],
    packages: [...new Set(spec.packages)],
    files,
    units: spec.units.map((u) => ({ name: u.name, enable: u.enable !== false, start: u.enable !== false && u.start !== false })),
    services: [...new Set(spec.services)],
    commands: spec.commands.map(argv),
  };
}

/** The manifest as uploaded: compact JSON, one trailing newline, byte-identical on every machine. */
export function manifestJson(m: HostManifest): string {
  return `${JSON.stringify(m)}\n`;
}

/**
 * {@link manifestJson} cut into pieces whose concatenation is exactly that text: each entry of
 * `files` is a piece of its own (the JSON of one file), with the separating commas and the text
 * around the list as pieces between them. Hosts of one role carry the same file bodies; the host
 * configuration writes such pieces once per stack (lib/core/shared-text.ts). A manifest without
 * files is one piece.
 */
export function manifestJsonParts(m: HostManifest): string[] {
  if (m.files.length === 0) return [manifestJson(m)];
  // The manifest with an empty list, opened where the list is: `"files":[]` occurs once in it (a
  // string's JSON escapes its quotes, so the key cannot be matched inside a value).
  const skeleton = manifestJson({ ...m, files: [] });
  const key = '"files":[]';
  const at = skeleton.indexOf(key);
  if (at < 0 || skeleton.indexOf(key, at + 1) >= 0) return [manifestJson(m)];
  const open = at + key.length - 1;
  const parts: string[] = [skeleton.slice(0, open)];
  m.files.forEach((f, i) => {
    if (i > 0) parts.push(',');
    parts.push(fileEntryJson(f));
  });
  parts.push(skeleton.slice(open));
  return parts;
}

/** Bodies shorter than this are written directly (as for the shared texts, lib/core/shared-text.ts). */
const FILE_ENTRY_MEMO_MIN_CHARS = 256;
/** The members of a file entry as {@link renderHostManifest} writes them, in its order. */
const FILE_ENTRY_KEYS = ['path', 'content', 'mode', 'owner', 'early', 'unit', 'exec', 'restart', 'reload'] as const;
/**
 * The JSON of each file entry with a long body, by body and then by the other members' JSON. Hosts
 * of a role carry equal bodies: each entry is escaped once, and the equal pieces are one string,
 * which the stack's shared texts then find without comparing their characters again.
 */
const fileEntries = new BoundedMemo<string, Map<string, string>>(4096);

/**
 * A plain array of strings: no holes and no own member but its elements and `length` (an own
 * `toJSON` would make its JSON depend on the key it is written under).
 */
function isPlainStringArray(value: unknown): value is readonly string[] {
  return (
    Array.isArray(value) &&
    Object.getPrototypeOf(value) === Array.prototype &&
    Object.getOwnPropertyNames(value).length === value.length + 1 &&
    value.every((x) => typeof x === 'string')
  );
}

/**
 * `JSON.stringify(f)`. An entry shaped exactly as renderHostManifest writes it (those members in
 * that order, of those types) with a long body comes from the memo: each member is read once, and
 * equal bodies with equal JSON of the other members mean equal JSON of the whole entry.
 */
function fileEntryJson(f: HostManifestFile): string {
  if (Object.getPrototypeOf(f) !== Object.prototype) return JSON.stringify(f);
  const keys = Object.keys(f);
  if (keys.length !== FILE_ENTRY_KEYS.length || !keys.every((k, i) => k === FILE_ENTRY_KEYS[i])) return JSON.stringify(f);
  const { path, content, mode, owner, early, unit, exec, restart, reload } = f;
  const plain =
    typeof content === 'string' &&
    content.length >= FILE_ENTRY_MEMO_MIN_CHARS &&
    typeof path === 'string' &&
    typeof mode === 'string' &&
    typeof owner === 'string' &&
    typeof early === 'boolean' &&
    typeof unit === 'boolean' &&
    typeof exec === 'boolean' &&
    isPlainStringArray(restart) &&
    isPlainStringArray(reload);
  if (!plain) return JSON.stringify(f);
  const byRest = fileEntries.get(content, () => new Map());
  const rest = JSON.stringify([path, mode, owner, early, unit, exec, restart, reload]);
  let text = byRest.get(rest);
  if (text === undefined) byRest.set(rest, (text = JSON.stringify({ path, content, mode, owner, early, unit, exec, restart, reload })));
  return text;
}
