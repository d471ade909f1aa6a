/**
 * Synthesizes an app (by default the reference app of main.ts) into a temp outdir and hands tests
 * the parsed `cdk.tf.json` of every stack, plus every `hcloud_server`'s user_data unpacked into a
 * temp tree (write_files decoded, systemd units listed), ready for the real validators.
 *
 * `referenceApp()` synthesizes once per test run (shared between test files through a folder of the
 * run, see {@link sharedSynth}); `synthReferenceApp()` and `synthApp()` synthesize on every call.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { App } from 'cdktf';
import { parse } from 'yaml';
import { EXAMPLE_CONFIG, ReferenceConfig } from '../../lib/app/reference-config';
import { evaluateLiteralTemplate, unescapeTerraformTemplate } from '../../lib/core/terraform-template';
import { tempDir } from './tmp';
import type { HostManifest } from '../../lib/render/host-manifest';

/** A Terraform JSON document as cdktf writes it (only the parts tests read are typed). */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, any>>>;
  readonly data?: Record<string, Record<string, Record<string, any>>>;
  readonly variable?: Record<string, Record<string, any>>;
  readonly output?: Record<string, Record<string, any>>;
  readonly provider?: Record<string, any>;
  readonly terraform?: Record<string, any>;
  readonly locals?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface SynthesizedApp {
  /** The outdir (a fresh temp folder). */
  readonly outdir: string;
  /** Parsed `stacks/<name>/cdk.tf.json` by stack name. */
  readonly stacks: Readonly<Record<string, StackJson>>;
  /** Raw text of each stack's cdk.tf.json (for scans over the exact bytes written). */
  readonly rawStacks: Readonly<Record<string, string>>;
}

export interface SynthOptions {
  /**
   * Environment variables set in process.env while the app is built and synthesized (restored
   * afterwards), e.g. TF_VAR_* values that must never reach the output.
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** Synthesizes whatever `build` adds to a fresh App into a temp outdir. */
export function synthApp(build: (app: App) => void, opts: SynthOptions = {}): SynthesizedApp {
  const outdir = tempDir('synth-');
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    // Loaded when first needed: a file that only reads the shared reference app loads no cdktf.
    const { App: CdktfApp } = require('cdktf') as typeof import('cdktf');
    const app = new CdktfApp({ outdir, stackTraces: false, skipValidation: false });
    build(app);
    app.synth();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return readOutdir(outdir);
}

/** Synthesizes the reference app of main.ts (with the documentation config unless one is given). */
export function synthReferenceApp(config: ReferenceConfig = EXAMPLE_CONFIG, opts: SynthOptions = {}): SynthesizedApp {
  const { buildReferenceApp } = require('../../main') as typeof import('../../main');
  return synthApp((app) => {
    buildReferenceApp(app, config);
  }, opts);
}

const cached = new Map<string, SynthesizedApp>();

/**
 * The reference app with the documentation config (or `config`, plain data), synthesized once per
 * test run: the first test file that asks synthesizes it and moves the outdir to
 * `$AIAI_TEST_TMP/shared/<key>` (a rename, so a reader never sees a half-written folder); every
 * other file (in any jest worker) parses the JSON from there. Each file gets its own parsed copy.
 * `synthReferenceApp()` always synthesizes afresh (for tests of synthesis itself).
 */
export function referenceApp(config: ReferenceConfig = EXAMPLE_CONFIG): SynthesizedApp {
  const key = JSON.stringify(config);
  let app = cached.get(key);
  if (!app) {
    app = sharedSynth(`reference-app-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`, () => synthReferenceApp(config));
    cached.set(key, app);
  }
  return app;
}

/** Parses an outdir written by a synth (`stacks/<name>/cdk.tf.json`). */
export function readOutdir(outdir: string): SynthesizedApp {
  const stacks: Record<string, StackJson> = {};
  const rawStacks: Record<string, string> = {};
  for (const name of readdirSync(join(outdir, 'stacks'))) {
    const raw = readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8');
    rawStacks[name] = raw;
    stacks[name] = JSON.parse(raw) as StackJson;
  }
  return { outdir, stacks, rawStacks };
}

/**
 * A synthesis shared by every test file of one jest run, under `key` (which must name everything
 * the output depends on): `make()` runs in the first file that asks (per worker, at worst), later
 * files read its outdir. Outside jest's global setup (no AIAI_TEST_TMP) it just runs `make()`.
 */
export function sharedSynth(key: string, make: () => SynthesizedApp): SynthesizedApp {
  const base = process.env.AIAI_TEST_TMP;
  if (!base) return make();
  const dir = join(base, 'shared', key);
  if (existsSync(join(dir, 'stacks'))) return readOutdir(dir);
  const fresh = make();
  mkdirSync(dirname(dir), { recursive: true });
  try {
    renameSync(fresh.outdir, dir);
  } catch (e) {
    // Another worker published it first: keep this file's own copy.
    if (!['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    return fresh;
  }
  return { ...fresh, outdir: dir };
}

/** Every resource of `type` across the given stacks, with its stack and logical name. */
export function resourcesOfType(
  synth: SynthesizedApp,
  type: string,
): { stack: string; name: string; config: Record<string, any> }[] {
  const out: { stack: string; name: string; config: Record<string, any> }[] = [];
  for (const [stack, json] of Object.entries(synth.stacks)) {
    for (const [name, config] of Object.entries(json.resource?.[type] ?? {})) out.push({ stack, name, config });
  }
  return out;
}

/** One file from a cloud-config's write_files, decoded and written below the host's root. */
export interface ExtractedFile {
  /** Absolute path on the host. */
  readonly path: string;
  /** Decoded content. */
  readonly content: string;
  readonly permissions?: string;
  readonly owner?: string;
  /** The encoding user_data used (`gz+b64`, ...) or undefined for plain text. */
  readonly encoding?: string;
  readonly defer?: boolean;
  /** Where the content was written locally (`<root><path>`). */
  readonly localPath: string;
}

/** One `hcloud_server` of a synthesized stack and its unpacked cloud-config. */
export interface ExtractedServer {
  readonly stack: string;
  /** Logical name of the resource in cdk.tf.json. */
  readonly resourceName: string;
  /** Construct path (from the resource metadata). */
  readonly constructPath: string;
  /** The server's `name` attribute (its hostname). */
  readonly serverName: string;
  /** The `user_data` Hetzner receives: the synthesized attribute after Terraform unescaped `$${` (plain, or base64 of the gzipped document). */
  readonly rawUserData: string;
  readonly userDataEncoding: 'plain' | 'base64-gzip';
  /** The cloud-config document (decoded the way Hetzner's cloud-init datasource does). */
  readonly userData: string;
  /** user_data parsed as YAML 1.1 (as cloud-init's PyYAML reads it). */
  readonly cloudConfig: Record<string, any>;
  /** Local root of the unpacked files (a fake `/`). */
  readonly root: string;
  readonly files: readonly ExtractedFile[];
  /** The subset of `files` that are systemd units under /etc/systemd/system. */
  readonly units: readonly ExtractedFile[];
  /** The decoded cloud-config document, written to `<root>/../<resourceName>.user-data.yaml`. */
  readonly userDataPath: string;
  /** The host manifest its HostConfiguration resource delivers after boot (parsed from the upload). */
  readonly manifest: HostManifest;
  /** Logical name of that `terraform_data` resource. */
  readonly configurationResource: string;
}

const UNIT_FILE = /^\/etc\/systemd\/system\/[^/]+\.(service|timer|socket|path|mount|target)$/;

/** Decodes a write_files entry the way cloud-init does. */
export function decodeWriteFile(entry: { content?: unknown; encoding?: string }): string {
  const content = typeof entry.content === 'string' ? entry.content : entry.content == null ? '' : String(entry.content);
  switch ((entry.encoding ?? 'text/plain').toLowerCase()) {
    case 'gz+b64':
    case 'gzip+base64':
    case 'gz+base64':
    case 'gzip+b64':
      return gunzipSync(Buffer.from(content, 'base64')).toString('utf8');
    case 'b64':
    case 'base64':
      return Buffer.from(content, 'base64').toString('utf8');
    case 'gz':
    case 'gzip':
      throw new Error('raw gzip content cannot appear in YAML user_data');
    case 'text/plain':
      return content;
    default:
      throw new Error(`unknown write_files encoding ${entry.encoding}`);
  }
}

/**
 * Decodes `user_data` the way Hetzner's cloud-init datasource and cloud-init do, independently of
 * the library's own encoder: text that is not a `#cloud-config` document is base64-decoded, and a
 * gzip stream is then gunzipped.
 */
export function decodeUserDataLikeCloudInit(json: string): { text: string; encoding: 'plain' | 'base64-gzip' } {
  // Terraform first evaluates the JSON string as a template (`$${` -> `${`, `%%{` -> `%{`).
  const raw = unescapeTerraformTemplate(json);
  if (raw.startsWith('#cloud-config')) return { text: raw, encoding: 'plain' };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) throw new Error('user_data is neither #cloud-config text nor base64');
  const bytes = Buffer.from(raw, 'base64');
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new Error('base64 user_data is not gzip');
  return { text: gunzipSync(bytes).toString('utf8'), encoding: 'base64-gzip' };
}

/**
 * The manifest that the HostConfiguration resource of server `name` uploads: the `file`
 * provisioner whose destination is `host-manifest.json`, as Terraform evaluates the string.
 */
export function deliveredManifest(json: StackJson, serverName: string): { resource: string; manifest: HostManifest } {
  const ref = `\${hcloud_server.${serverName}.id}`;
  const found = Object.entries(json.resource?.terraform_data ?? {}).filter(
    ([, r]) => r.triggers_replace?.server === ref && (r.provisioner ?? []).some((p: any) => p.file?.destination?.endsWith('/host-manifest.json')),
  );
  if (found.length !== 1) throw new Error(`server ${serverName}: expected one host configuration resource, found ${found.length}`);
  const [resource, r] = found[0];
  const upload = r.provisioner.find((p: any) => p.file?.destination?.endsWith('/host-manifest.json')).file;
  return { resource, manifest: JSON.parse(evaluateLiteralTemplate(upload.content, json.locals)) as HostManifest };
}

/**
 * Unpacks every `hcloud_server`'s user_data into a fresh temp tree: `<base>/<stack>/<resource>/root/<path>`.
 * The file modes are not applied (the tree must stay readable); `permissions` is reported instead.
 */
export function extractServers(synth: SynthesizedApp): ExtractedServer[] {
  const base = tempDir('hosts-');
  return resourcesOfType(synth, 'hcloud_server').map(({ stack, name, config }) => {
    const jsonUserData = config.user_data;
    if (typeof jsonUserData !== 'string') throw new Error(`${stack}/${name}: user_data is not a string`);
    // What Terraform sends to Hetzner: the JSON string evaluated as a template.
    const rawUserData = unescapeTerraformTemplate(jsonUserData);
    const { text: userData, encoding: userDataEncoding } = decodeUserDataLikeCloudInit(jsonUserData);
    if (!userData.startsWith('#cloud-config\n')) throw new Error(`${stack}/${name}: user_data is not a #cloud-config document`);
    // Parsed as YAML 1.1, like cloud-init's PyYAML does.
    const cloudConfig = parse(userData, { version: '1.1' }) as Record<string, any>;
    const hostDir = join(base, stack, name);
    const root = join(hostDir, 'root');
    mkdirSync(root, { recursive: true });
    const userDataPath = join(hostDir, `${name}.user-data.yaml`);
    writeFileSync(userDataPath, userData);
    const { resource: configurationResource, manifest } = deliveredManifest(synth.stacks[stack], name);
    // What ends up on the host: the bootstrap's write_files, then the delivered files (which win).
    const entries = new Map<string, ExtractedFile>();
    const put = (path: string, content: string, extra: Partial<ExtractedFile>) => {
      const localPath = join(root, path);
      mkdirSync(dirname(localPath), { recursive: true });
      writeFileSync(localPath, content);
      if (/^#!/.test(content)) chmodSync(localPath, 0o755);
      entries.set(path, { path, content, localPath, ...extra });
    };
    for (const e of (cloudConfig.write_files ?? []) as Record<string, any>[]) {
      put(e.path, decodeWriteFile(e), { permissions: e.permissions, owner: e.owner, encoding: e.encoding, defer: e.defer });
    }
    for (const f of manifest.files) put(f.path, f.content, { permissions: f.mode, owner: f.owner, defer: !f.early });
    const files = [...entries.values()];
    return {
      stack,
      resourceName: name,
      constructPath: config['//']?.metadata?.path ?? name,
      serverName: config.name,
      rawUserData,
      userDataEncoding,
      userData,
      cloudConfig,
      root,
      files,
      units: files.filter((f) => UNIT_FILE.test(f.path)),
      userDataPath,
      manifest,
      configurationResource,
    };
  });
}

let cachedServers: ExtractedServer[] | undefined;

/** The reference app's servers, unpacked once per test file (from the run's one synthesis). */
export function referenceServers(): ExtractedServer[] {
  cachedServers ??= extractServers(referenceApp());
  return cachedServers;
}

/** Every string value anywhere in a JSON-like value (for scans). */
export function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => allStrings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => allStrings(v, out));
  return out;
}
