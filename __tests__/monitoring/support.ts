/**
 * Fixtures of the MonitoringNode tests: a stack with the hcloud provider, a private network, admin
 * access and the monitoring node (optionally disaster recovery with an object store, and more hosts
 * that ship their logs to it), synthesized with cdktf's validations. The monitoring server's
 * user_data is decoded here independently of the library's decoder (base64, then gunzip, the way
 * Hetzner's datasource and cloud-init do), parsed as YAML 1.1 and its write_files unpacked into a
 * fake root for the real validators.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { AdminAccess } from '../../lib/host/admin-access';
import { MonitoringNode, MonitoringNodeProps } from '../../lib/monitoring/monitoring-node';
import { PrivateNetwork } from '../../lib/network/private-network';
import { HetznerObjectStorage } from '../../lib/object-store/hetzner-object-storage';
import { ObjectStore } from '../../lib/object-store/object-store';
import { decodeWriteFile } from '../support/synth';
import { tempDir } from '../support/tmp';
import { access, network, secretToken, synth, testStack } from '../foundation/helpers';

export type Json = Record<string, any>;

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

/** Every resource of `type` with its logical id. */
export function resourcesOf(json: Json, type: string): [string, Json][] {
  return Object.entries(json.resource?.[type] ?? {});
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

/** One file of write_files, decoded, and where it was written in the fake root. */
export interface HostFileOut {
  readonly path: string;
  readonly content: string;
  readonly permissions?: string;
  readonly owner?: string;
  readonly defer?: boolean;
  readonly localPath: string;
}

/** A server's user_data, decoded and unpacked. */
export interface UnpackedHost {
  readonly rawUserData: string;
  readonly userData: string;
  readonly cloudConfig: Json;
  /** The decoded document, written to disk (for `cloud-init schema`). */
  readonly userDataPath: string;
  /** Fake root with every write_files entry at its path. */
  readonly root: string;
  readonly files: readonly HostFileOut[];
  file(path: string): HostFileOut;
  /** runcmd entries as shell-ish lines (argv joined by spaces). */
  readonly runcmd: readonly string[];
}

export function unpackUserData(rawUserData: string): UnpackedHost {
  const userData = decodeUserDataIndependently(rawUserData);
  const cloudConfig = parse(userData, { version: '1.1' }) as Json;
  const base = tempDir('monitoring-host-');
  const root = join(base, 'root');
  mkdirSync(root, { recursive: true });
  const userDataPath = join(base, 'user-data.yaml');
  writeFileSync(userDataPath, userData);
  const files: HostFileOut[] = ((cloudConfig.write_files ?? []) as Json[]).map((e) => {
    const content = decodeWriteFile(e);
    const localPath = join(root, e.path);
    mkdirSync(dirname(localPath), { recursive: true });
    writeFileSync(localPath, content);
    return { path: e.path, content, permissions: e.permissions, owner: e.owner, defer: e.defer, localPath };
  });
  const runcmd = ((cloudConfig.runcmd ?? []) as (string | string[])[]).map((c) => (typeof c === 'string' ? c : c.join(' ')));
  return {
    rawUserData,
    userData,
    cloudConfig,
    userDataPath,
    root,
    files,
    runcmd,
    file(path: string): HostFileOut {
      const f = files.find((x) => x.path === path);
      if (!f) throw new Error(`no write_files entry ${path}; have ${files.map((x) => x.path).join(', ')}`);
      return f;
    },
  };
}

/** The ufw rules of a runcmd list: `{ action, from, port }` per rule. */
export function ufwRules(runcmd: readonly string[]): { action: string; from: string; port: string }[] {
  return runcmd
    .map((l) => /^ufw (allow|limit) proto tcp from (\S+) to any port (\d+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ action: m[1], from: m[2], port: m[3] }));
}
