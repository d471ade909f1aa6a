import { gunzipSync, gzipSync } from 'node:zlib';
import { Document, stringify } from 'yaml';
import { renderSystemdUnit, SystemdUnit } from './systemd';
import { SYSTEMD_UNIT_DIR } from '../core/paths';
import { BoundedMemo } from '../core/memo';
import { invalid } from '../core/validation-error';

/** A file cloud-init writes. */
export interface HostFile {
  readonly path: string;
  readonly content: string;
  /** Octal mode. @default '0644' */
  readonly permissions?: string;
  /** `user:group`. @default 'root:root' */
  readonly owner?: string;
  /**
   * Write it early (init stage, before packages and users exist) instead of in the final stage
   * after packages are installed and users created. Only for root-owned files that no package ships.
   * @default false (written late, so package installs cannot clobber it and owners exist)
   */
  readonly early?: boolean;
  /** Units restarted when the file changes on a running host. @default - none (unit files and drop-ins restart their own unit) */
  readonly restartUnits?: readonly string[];
  /** Units reloaded (`systemctl reload-or-restart`) when the file changes. @default - none */
  readonly reloadUnits?: readonly string[];
  /** Run the file once after it was written or changed (a script that applies itself, e.g. the host firewall). @default false */
  readonly exec?: boolean;
}

/** An APT repository with its signing key. */
export interface AptSource {
  /** File name stem under /etc/apt/sources.list.d. */
  readonly name: string;
  /** deb line; `$KEY_FILE` is replaced by cloud-init with the path of the key below. */
  readonly source: string;
  /** ASCII-armored public key, embedded in user_data. Either key or keyid. */
  readonly key?: string;
  /** Key fingerprint fetched from `keyserver`. */
  readonly keyid?: string;
  readonly keyserver?: string;
}

export interface HostUser {
  readonly name: string;
  readonly groups?: readonly string[];
  readonly shell?: string;
  readonly sudo?: string;
  readonly sshAuthorizedKeys?: readonly string[];
  /** A system account (no home in /home, no aging). */
  readonly system?: boolean;
  readonly homedir?: string;
}

/** A command run once at first boot: an argv array (run without a shell) or a shell line. */
export type BootCommand = readonly string[] | string;

/** Everything cloud-init does on one host, as typed data. */
export interface CloudConfigSpec {
  readonly hostname: string;
  readonly timezone?: string;
  readonly packages: readonly string[];
  readonly aptSources?: readonly AptSource[];
  /**
   * cloud-init's default user (the `user:` key, listed in `users` as `default`): cloud-init's ssh
   * module installs the public keys of the instance metadata (the server's Hetzner `ssh_keys`) for
   * the default user, so no key text needs to be in user_data.
   * @default - no default user
   */
  readonly defaultUser?: HostUser;
  readonly users: readonly HostUser[];
  readonly groups?: readonly string[];
  readonly files: readonly HostFile[];
  readonly units: readonly SystemdUnit[];
  /** Commands run after files are written and before units are enabled. */
  readonly commands: readonly BootCommand[];
  /** Commands run after units are enabled and started. */
  readonly finalCommands?: readonly BootCommand[];
}

function fileEntry(f: HostFile): Record<string, unknown> {
  const e: Record<string, unknown> = { path: f.path, content: f.content };
  e.owner = f.owner ?? 'root:root';
  e.permissions = f.permissions ?? '0644';
  if (!f.early) e.defer = true;
  return e;
}

function unitEnableCommands(units: readonly SystemdUnit[]): BootCommand[] {
  const cmds: BootCommand[] = [['systemctl', 'daemon-reload']];
  const enableNow = units.filter((u) => u.enable !== false && u.start !== false).map((u) => u.name);
  const enableOnly = units.filter((u) => u.enable !== false && u.start === false).map((u) => u.name);
  if (enableOnly.length) cmds.push(['systemctl', 'enable', ...enableOnly]);
  if (enableNow.length) cmds.push(['systemctl', 'enable', '--now', ...enableNow]);
  return cmds;
}

/** Checks that paths are unique and absolute; throws with the offending path. */
function checkFiles(files: readonly HostFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (!f.path.startsWith('/')) invalid('renderCloudConfig', 'files', f.path, 'absolute file paths');
    if (seen.has(f.path)) invalid('renderCloudConfig', 'files', f.path, 'a path not written twice on one host');
    seen.add(f.path);
    if (f.permissions !== undefined && !/^0[0-7]{3}$/.test(f.permissions)) {
      invalid('renderCloudConfig', `files[${f.path}].permissions`, f.permissions, "an octal mode like '0644'");
    }
  }
}

function buildDocument(spec: CloudConfigSpec): Record<string, unknown> {
  const unitFiles: HostFile[] = spec.units.map((u) => ({
    path: `${SYSTEMD_UNIT_DIR}/${u.name}`,
    content: renderSystemdUnit(u),
  }));
  const files = [...spec.files, ...unitFiles];
  checkFiles(files);
  const doc: Record<string, unknown> = {
    hostname: spec.hostname,
    preserve_hostname: false,
    timezone: spec.timezone ?? 'Etc/UTC',
    ssh_pwauth: false,
    disable_root: true,
    package_update: true,
    package_upgrade: true,
  };
  if (spec.aptSources && spec.aptSources.length > 0) {
    const sources: Record<string, unknown> = {};
    for (const s of spec.aptSources) {
      const entry: Record<string, unknown> = { source: s.source };
      if (s.key) entry.key = s.key;
      if (s.keyid) entry.keyid = s.keyid;
      if (s.keyserver) entry.keyserver = s.keyserver;
      sources[`${s.name}.list`] = entry;
    }
    doc.apt = { sources };
  }
  doc.packages = [...new Set(spec.packages)];
  if (spec.groups && spec.groups.length) doc.groups = [...spec.groups];
  const userEntry = (u: HostUser): Record<string, unknown> => {
    const e: Record<string, unknown> = { name: u.name };
    if (u.system) e.system = true;
    if (u.homedir) e.homedir = u.homedir;
    if (u.groups && u.groups.length) e.groups = u.groups.join(', ');
    e.shell = u.shell ?? (u.system ? '/usr/sbin/nologin' : '/bin/bash');
    if (u.sudo) e.sudo = u.sudo;
    e.lock_passwd = true;
    if (u.sshAuthorizedKeys && u.sshAuthorizedKeys.length) e.ssh_authorized_keys = [...u.sshAuthorizedKeys];
    return e;
  };
  // `user:` overrides the distribution's default user (cc_users_groups: "The user key can be used
  // to override the default_user configuration defined in /etc/cloud/cloud.cfg"); its keys win over
  // the image's (ug_util.normalize_users_groups merges it first), so give it `groups`, or it inherits
  // the image's default groups.
  if (spec.defaultUser) doc.user = userEntry(spec.defaultUser);
  doc.users = [...(spec.defaultUser ? ['default'] : []), ...spec.users.map(userEntry)];
  doc.write_files = files.map(fileEntry);
  doc.runcmd = [...spec.commands, ...unitEnableCommands(spec.units), ...(spec.finalCommands ?? [])].map((c) =>
    typeof c === 'string' ? c : [...c],
  );
  return doc;
}

/**
 * Renders a cloud-config document (`#cloud-config` + YAML). Files are written in the final stage
 * (after packages and users) unless marked early; unit files land in /etc/systemd/system and are
 * enabled after `commands` ran. File bodies are always plain text (readable plan diffs, the same
 * bytes on every OS and Node version).
 */
export function renderCloudConfig(spec: CloudConfigSpec): string {
  const { hostname, ...rest } = buildDocument(spec);
  // Hosts' documents mostly differ in the hostname only (the bootstrap of every HardenedServer), so
  // the rest is rendered once per distinct content. A top-level pair of a block map renders the
  // same alone as among the others (no anchors: aliasDuplicateObjects is off), so the text is the
  // one `renderYaml` of the whole document gives (__tests__/render/cloud-config-cache.test.ts).
  const body = renderedBodies.get(JSON.stringify(rest), () => renderYaml(rest));
  return '#cloud-config\n' + renderHostnameLine(hostname) + body;
}

/**
 * `renderYaml({ hostname })`, from one document kept for the purpose: a new document per host
 * costs most of the line (its schema and options are set up each time; about 40 against 15 µs).
 */
function renderHostnameLine(hostname: unknown): string {
  hostnameDocument ??= new Document({ hostname: '' }, { version: '1.1', aliasDuplicateObjects: false });
  hostnameDocument.set('hostname', hostname);
  return hostnameDocument.toString({ lineWidth: 0 });
}
let hostnameDocument: Document | undefined;

/** Rendered documents (less the hostname) by their JSON. */
const renderedBodies = new BoundedMemo<string, string>(64);

/** The YAML of a cloud-config document. */
function renderYaml(doc: Record<string, unknown>): string {
  // cloud-init reads user_data with PyYAML, a YAML 1.1 parser: render with the 1.1 schema so that
  // strings such as `yes`, `on`, `1_000`, `1:20` or `2024-01-01` are quoted and stay strings
  // (the default 1.2 core schema leaves them plain, and PyYAML turns them into bools, ints, dates).
  return stringify(doc, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * What goes into `user_data`: the cloud-config text, or (`base64-gzip`) the base64 of its gzip.
 * Hetzner's cloud-init datasource base64-decodes user data and cloud-init then gunzips it, so the
 * whole document shrinks to about a third. Deterministic (gzip header without a timestamp).
 */
export function encodeUserData(cloudConfig: string, encoding: 'plain' | 'base64-gzip'): string {
  if (encoding === 'plain') return cloudConfig;
  return gzipSync(Buffer.from(cloudConfig, 'utf8'), { level: 9 }).toString('base64');
}

/** The cloud-config text of a `user_data` value written by {@link encodeUserData}. */
export function decodeUserData(userData: string): string {
  if (userData.startsWith('#cloud-config')) return userData;
  return gunzipSync(Buffer.from(userData, 'base64')).toString('utf8');
}
