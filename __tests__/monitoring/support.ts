/**
 * Fixtures of the MonitoringNode tests: a stack with the hcloud provider, a private network, admin
 * access and the monitoring node (optionally disaster recovery with an object store, and more hosts
 * that ship their logs to it), synthesized with cdktf's validations.
 *
 * A host is read the way it comes to life, independently of the library's encoders: its
 * `user_data` (the bootstrap cloud-init runs at first boot) is decoded like Hetzner's datasource
 * and cloud-init do and parsed as YAML 1.1; the manifest its `<server>/Configuration/Converge`
 * resource uploads (the `file` provisioner to `host-manifest.json`) is read as Terraform evaluates
 * the string. The bootstrap's write_files, then the delivered files (which win, as on the host),
 * are unpacked into a fake root for the real validators.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { AdminAccess } from '../../lib/host/admin-access';
import { inlineTemplateLocals } from '../../lib/core/terraform-template';
import { FIREWALL_SCRIPT_PATH } from '../../lib/host/hardening';
import { MonitoringNode, MonitoringNodeProps } from '../../lib/monitoring/monitoring-node';
import { PrivateNetwork } from '../../lib/network/private-network';
import { HetznerObjectStorage } from '../../lib/object-store/hetzner-object-storage';
import { ObjectStore } from '../../lib/object-store/object-store';
import type { HostManifest } from '../../lib/render/host-manifest';
import { allStrings, decodeWriteFile } from '../support/synth';
import { tempDir } from '../support/tmp';
import { access, Json, network, resourcesOf, secretToken, synth, testStack } from '../support/stack';


/** What a test gets from one synthesized stack with a monitoring node. */
export interface MonitoringFixture {
  readonly stack: TerraformStack;
  readonly node: MonitoringNode;
  readonly net: PrivateNetwork;
  readonly access: AdminAccess;
  /** The synthesized cdk.tf.json, parsed. */
  readonly json: Json;
  /** Its raw text (for secret scans over the exact bytes). */
  readonly raw: string;
}

export interface FixtureOptions {
  /** Props over the defaults (network, access and secret tokens are filled in). */
  readonly props?: Partial<MonitoringNodeProps>;
  /** Disaster recovery: snapshots only, or snapshots and off-site backups to an object store. */
  readonly dr?: 'snapshots' | 'offsite';
  /** Builds more constructs into the stack after the monitoring node. */
  readonly more?: (stack: TerraformStack, ctx: { node: MonitoringNode; net: PrivateNetwork; access: AdminAccess }) => void;
}

/** The props every fixture passes: the tokens of sensitive variables for each secret. */
export function defaultProps(stack: TerraformStack, net: PrivateNetwork, acc: AdminAccess): MonitoringNodeProps {
  return {
    environment: 'production',
    network: net,
    access: acc,
    secrets: {
      hcloudSdToken: secretToken(stack, 'hcloud_sd_token'),
      alertWebhookUrl: secretToken(stack, 'alert_webhook_url'),
      grafanaAdminPassword: secretToken(stack, 'grafana_admin_password'),
    },
  };
}

/** A stack with the monitoring node, synthesized (cdktf validations on). */
export function monitoringFixture(o: FixtureOptions = {}): MonitoringFixture {
  const stack = testStack();
  const net = network(stack, { name: 'aiai-production-net' });
  const acc = access(stack);
  let disasterRecovery: MonitoringNodeProps['disasterRecovery'];
  if (o.dr) {
    const hcloudSnapshotToken = secretToken(stack, 'hcloud_snapshot_token');
    if (o.dr === 'offsite') {
      const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
      const objectStore = new ObjectStore(stack, 'ObjectStore', { provider, bucketPrefix: 'acme-aiai-prod' });
      disasterRecovery = { hcloudSnapshotToken, objectStore };
    } else {
      disasterRecovery = { hcloudSnapshotToken };
    }
  }
  const node = new MonitoringNode(stack, 'Monitoring', { ...defaultProps(stack, net, acc), disasterRecovery, ...o.props });
  o.more?.(stack, { node, net, access: acc });
  const json = synth(stack);
  return { stack, node, net, access: acc, json, raw: JSON.stringify(json) };
}

/**
 * The one resource of `type` whose logical id is the construct path `path` (ids joined by `_`, as
 * cdktf names resources: `Monitoring/Server/Server` -> `Monitoring_Server_Server_<hash>`).
 */
export function resourceAt(json: Json, type: string, path: string): Json {
  const prefix = path.split('/').join('_');
  const found = resourcesOf(json, type).filter(([id]) => new RegExp(`^${prefix}_[0-9A-F]{8}$`).test(id));
  if (found.length !== 1) throw new Error(`expected one ${type} at ${path}, found ${found.length} in ${resourcesOf(json, type).map(([id]) => id).join(', ')}`);
  return found[0][1];
}

/** The monitoring node's hcloud_server resource. */
export function monitoringServer(json: Json): Json {
  return resourceAt(json, 'hcloud_server', 'Monitoring/Server');
}

/**
 * Decodes user_data the way Hetzner's cloud-init datasource and cloud-init do: a `#cloud-config`
 * text stays; anything else must be base64 of a gzip stream.
 */
export function decodeUserDataIndependently(raw: string): string {
  if (raw.startsWith('#cloud-config\n')) return raw;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) throw new Error('user_data is neither #cloud-config text nor base64');
  const bytes = Buffer.from(raw, 'base64');
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new Error('base64 user_data is not gzip');
  const text = gunzipSync(bytes).toString('utf8');
  if (!text.startsWith('#cloud-config\n')) throw new Error('decoded user_data is not a #cloud-config document');
  return text;
}

/**
 * What Terraform makes of a JSON string without references: `$${` is a literal `${`, `%%{` a
 * literal `%{` (Terraform docs, "Strings and Templates": escape sequences). Throws on an
 * unescaped `${` or `%{`, which Terraform would evaluate.
 */
export function terraformLiteral(json: string): string {
  const live = /(?<![$%])(\$\{|%\{)/.exec(json.replace(/\$\$\{|%%\{/g, ''));
  if (live) throw new Error(`string has a Terraform template sequence at ${JSON.stringify(json.slice(live.index, live.index + 40))}`);
  return json.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** Where the host configuration uploads its manifest (the converge script reads it there). */
const MANIFEST_UPLOAD = /\/host-manifest\.json$/;

/** The host's configuration resource (`<serverPath>/Configuration/Converge`) and the manifest it uploads. */
export function deliveredManifestAt(json: Json, serverPath = 'Monitoring/Server'): { resource: Json; manifest: HostManifest; manifestText: string } {
  const resource = resourceAt(json, 'terraform_data', `${serverPath}/Configuration/Converge`);
  const uploads = (resource.provisioner as Json[]).filter((p) => MANIFEST_UPLOAD.test(p.file?.destination ?? ''));
  if (uploads.length !== 1) throw new Error(`${serverPath}: expected one manifest upload, found ${uploads.length}`);
  // Shared file entries are Terraform locals (lib/core/shared-text.ts): inlined before evaluating.
  const manifestText = terraformLiteral(inlineTemplateLocals(uploads[0].file.content as string, json.locals as Record<string, unknown> | undefined));
  return { resource, manifest: JSON.parse(manifestText) as HostManifest, manifestText };
}

/** One file on the host, decoded, and where it was written in the fake root. */
export interface HostFileOut {
  readonly path: string;
  readonly content: string;
  readonly permissions?: string;
  readonly owner?: string;
  readonly defer?: boolean;
  /** Written by cloud-init from user_data (`bootstrap`) or by the converge from the manifest. */
  readonly from: 'bootstrap' | 'manifest';
  readonly localPath: string;
}

/** A server as it comes to life: its bootstrap and its delivered configuration, unpacked. */
export interface UnpackedHost {
  /** The user_data Hetzner receives (the JSON string as Terraform evaluates it). */
  readonly rawUserData: string;
  /** The bootstrap cloud-config document. */
  readonly userData: string;
  readonly cloudConfig: Json;
  /** The decoded document, written to disk (for `cloud-init schema`). */
  readonly userDataPath: string;
  /** The bootstrap's runcmd entries as shell-ish lines (argv joined by spaces). */
  readonly runcmd: readonly string[];
  /** The `terraform_data` resource that delivers the configuration. */
  readonly configuration: Json;
  /** The manifest it uploads, as uploaded (text) and parsed. */
  readonly manifestText: string;
  readonly manifest: HostManifest;
  /** The manifest's setup commands as shell-ish lines. */
  readonly commands: readonly string[];
  /** Every text that reaches the host: the bootstrap document and every string of the manifest. */
  readonly text: string;
  /** Fake root with every file at its path (bootstrap write_files, then the delivered files). */
  readonly root: string;
  readonly files: readonly HostFileOut[];
  file(path: string): HostFileOut;
}

/** Unpacks the server at construct path `serverPath` of a synthesized stack. */
export function unpackHost(json: Json, serverPath = 'Monitoring/Server'): UnpackedHost {
  const server = resourceAt(json, 'hcloud_server', serverPath);
  const rawUserData = terraformLiteral(server.user_data as string);
  const userData = decodeUserDataIndependently(rawUserData);
  const cloudConfig = parse(userData, { version: '1.1' }) as Json;
  const { resource: configuration, manifest, manifestText } = deliveredManifestAt(json, serverPath);
  const base = tempDir('monitoring-host-');
  const root = join(base, 'root');
  mkdirSync(root, { recursive: true });
  const userDataPath = join(base, 'user-data.yaml');
  writeFileSync(userDataPath, userData);
  const entries = new Map<string, HostFileOut>();
  const put = (f: Omit<HostFileOut, 'localPath'>) => {
    const localPath = join(root, f.path);
    mkdirSync(dirname(localPath), { recursive: true });
    writeFileSync(localPath, f.content);
    entries.set(f.path, { ...f, localPath });
  };
  for (const e of (cloudConfig.write_files ?? []) as Json[]) {
    put({ path: e.path, content: decodeWriteFile(e), permissions: e.permissions, owner: e.owner, defer: e.defer, from: 'bootstrap' });
  }
  for (const f of manifest.files) put({ path: f.path, content: f.content, permissions: f.mode, owner: f.owner, defer: !f.early, from: 'manifest' });
  const files = [...entries.values()];
  const line = (c: string | readonly string[]) => (typeof c === 'string' ? c : c.join(' '));
  return {
    rawUserData,
    userData,
    cloudConfig,
    userDataPath,
    runcmd: ((cloudConfig.runcmd ?? []) as (string | string[])[]).map(line),
    configuration,
    manifestText,
    manifest,
    commands: manifest.commands.map(line),
    text: [userData, ...allStrings(manifest)].join('\n'),
    root,
    files,
    file(path: string): HostFileOut {
      const f = files.find((x) => x.path === path);
      if (!f) throw new Error(`no file ${path} on the host; have ${files.map((x) => x.path).join(', ')}`);
      return f;
    },
  };
}

/** The lines of the host's firewall script (ufw rules from its port definitions, run by the converge). */
export function firewallLines(h: UnpackedHost): string[] {
  return h.file(FIREWALL_SCRIPT_PATH).content.split('\n').filter((l) => l.length > 0);
}

/** The ufw rules of a list of command lines: `{ action, from, port }` per rule (`from` is `any` when absent). */
export function ufwRules(lines: readonly string[]): { action: string; from: string; port: string }[] {
  return lines
    .map((l) => /^ufw (allow|limit) proto tcp (?:from (\S+) )?to any port (\d+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ action: m[1], from: m[2] ?? 'any', port: m[3] }));
}
