/**
 * Real `terraform init/validate/plan/apply` on synthesized stacks, offline: the providers are
 * stand-ins (./stand-in-provider.ts) that serve the pinned schemas, so Terraform core does all of
 * its own work (decoding against the schemas, references, cycles, expressions, provisioner and
 * connection blocks, planning) and no provider is downloaded. See README.md beside this file.
 *
 *   const tf = await startStandIn();             // once per test file (beforeAll)
 *   const ws = tf.workspace(stackJson);          // a temp working directory with local state
 *   expect((await ws.validate()).errors).toEqual([]);
 *   const plan = await ws.plan();                // typed summary of `terraform show -json`
 *   await ws.apply();                            // fake values for everything computed
 *   ws.setConfig(versionB); (await ws.plan()).resources['hcloud_server.x'].action === 'replace'
 *   await tf.close();                            // afterAll
 */
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tmp';
import { describeWithTool, hasTool, TERRAFORM_SOURCE } from '../tools';
import { ProviderCall, ProviderServer, startProviderServer } from './stand-in-provider';
import { readProviderSchema, SCHEMA_DIR } from './schema';

/** The Terraform binary the tests run (HashiCorp's binary; `AIAI_TERRAFORM` overrides it, e.g. to see the skip). */
export const TERRAFORM = process.env.AIAI_TERRAFORM ?? 'terraform';

/** Where terraform comes from (it is not a Debian package). */
export { TERRAFORM_SOURCE } from '../tools';

/** Whether {@link TERRAFORM} is on PATH. */
export function hasTerraform(): boolean {
  return hasTool(TERRAFORM);
}

/** Timeout of each test and hook in a {@link describeWithTerraform} file (terraform runs take seconds on a busy machine). */
export const TERRAFORM_TEST_TIMEOUT_MS = 120_000;

/**
 * `describe` for suites that run terraform: where it is missing they skip loudly, and in CI
 * (CI=true) they fail. Sets the file's test timeout to {@link TERRAFORM_TEST_TIMEOUT_MS}.
 */
export function describeWithTerraform(name: string, fn: () => void): void {
  jest.setTimeout(TERRAFORM_TEST_TIMEOUT_MS);
  describeWithTool(TERRAFORM, 'terraform', name, fn, { source: TERRAFORM_SOURCE });
}

/** A provider the stand-in serves: its source address and the `providers schema -json` file. */
export interface StandInProviderSpec {
  readonly source: string;
  readonly schemaFile: string;
}

/** hcloud (the project's pinned schema), aws and github (derived from the cdktf bindings). */
export const DEFAULT_PROVIDERS: readonly StandInProviderSpec[] = [
  { source: 'registry.terraform.io/hetznercloud/hcloud', schemaFile: join(__dirname, '..', '..', '..', 'schemas', 'hcloud-provider-schema.json') },
  { source: 'registry.terraform.io/hashicorp/aws', schemaFile: join(SCHEMA_DIR, 'aws-provider-schema.json') },
  { source: 'registry.terraform.io/integrations/github', schemaFile: join(SCHEMA_DIR, 'github-provider-schema.json') },
];

/** GOGC of the terraform processes the harness runs (unless GOGC is set already). */
export const TERRAFORM_GOGC = '400';

/** A Terraform JSON configuration (a synthesized cdk.tf.json). */
export type TerraformJson = Record<string, any>;

/** Output of one terraform command. */
export interface TerraformRun {
  readonly args: readonly string[];
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** A terraform command that exited non-zero. */
export class TerraformError extends Error {
  constructor(readonly run: TerraformRun) {
    super(`terraform ${run.args.join(' ')} exited ${run.status}:\n${run.stderr || run.stdout}`);
    this.name = 'TerraformError';
  }
}

/** One diagnostic of `terraform validate -json`. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  /** `file:line` of the configuration it points at, when it has one. */
  readonly at?: string;
}

export interface ValidateResult {
  readonly valid: boolean;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /** Errors and warnings as `summary: detail` lines (for readable assertions). */
  readonly messages: readonly string[];
}

/** What a plan does to one resource instance. */
export type PlanAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'forget';

export interface PlannedResource {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly action: PlanAction;
  /** Attribute paths that force the replacement (`user_data`, `rule.0.id`). */
  readonly replacePaths: readonly string[];
  /** Terraform's action_reason, e.g. replace_because_cannot_update. */
  readonly reason?: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly afterUnknown: unknown;
}

/** A typed summary of `terraform show -json <saved plan>`. */
export interface PlanSummary {
  readonly resources: Readonly<Record<string, PlannedResource>>;
  /** Number of resource instances per action (all actions present, zero included). */
  readonly counts: Readonly<Record<PlanAction, number>>;
  /** Per resource type, the number of instances per action (only actions that occur). */
  readonly countsByType: Readonly<Record<string, Partial<Record<PlanAction, number>>>>;
  /** Addresses whose action is not no-op, sorted. */
  readonly changed: readonly string[];
  /** Addresses per action, sorted (every action present, empty lists included). */
  readonly byAction: Readonly<Record<PlanAction, readonly string[]>>;
  /** The whole `terraform show -json` document. */
  readonly json: any;
}

export interface WorkspaceOptions {
  /**
   * `local`: the synthesized backend is replaced by a local state file in the workspace (so state
   * survives between apply and plan). `as-synthesized`: the configuration keeps its backend (e.g. S3);
   * only `init({ backend: false })` + `validate()` can run without that backend's server.
   * @default 'local'
   */
  readonly backend?: 'local' | 'as-synthesized';
  /**
   * Values of input variables (TF_VAR_*). Every declared variable without a default and not given
   * here gets a placeholder of its type (`stand-in-<name>`, 1, false), so plans need no secrets.
   * {@link Workspace.setVars} changes them later.
   * @default {}
   */
  readonly vars?: Readonly<Record<string, string>>;
  /**
   * More environment for every terraform command of the workspace (e.g. the AWS_* credentials an
   * S3 backend reads). The harness's own variables (TF_*, PATH, HOME) win over these.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ApplyOptions {
  /**
   * Remove every `file`/`remote-exec` provisioner (they connect over SSH/WinRM, the connection
   * type defaulting to ssh) from the configuration applied, keeping `local-exec`: the hosts are fake
   * addresses, and no test may connect to a non-loopback address. The configuration file is
   * restored afterwards, so validate/plan keep seeing the JSON unchanged; provisioners are not part of
   * the state, so a later plan is unaffected. `false` refuses to apply a configuration that has
   * such provisioners.
   * @default true
   */
  readonly stripSshProvisioners?: boolean;
  /**
   * Also remove `local-exec` provisioners: for whole-app applies, whose local-exec steps (the
   * bucket lifecycle program) would send requests to the real Object Storage endpoint. Tests that
   * run a local-exec for real point its construct at a local fake instead.
   * @default false
   */
  readonly stripLocalExec?: boolean;
}

const MAIN_FILE = 'main.tf.json';
const LOCK_FILE = '.terraform.lock.hcl';

/** The stand-in providers of one test file and the workspaces that use them. */
export interface StandIn {
  /** TF_REATTACH_PROVIDERS for these servers. */
  readonly reattach: string;
  /** Every RPC the providers answered, in order. */
  readonly calls: readonly ProviderCall[];
  /** A fresh temp working directory holding `config`. */
  workspace(config: TerraformJson, opts?: WorkspaceOptions): Workspace;
  /** Stops the provider servers. */
  close(): Promise<void>;
}

/** Starts the stand-in providers (one gRPC server per provider, unix sockets in a temp folder). */
export async function startStandIn(providers: readonly StandInProviderSpec[] = DEFAULT_PROVIDERS): Promise<StandIn> {
  const base = tempDir('tf-');
  // A unix socket path has at most 107 bytes (sun_path).
  if (join(base, 'p0.sock').length > 100) throw new Error(`temp folder ${base} is too long for unix socket paths: set TMPDIR shorter`);
  const calls: ProviderCall[] = [];
  const servers: ProviderServer[] = [];
  try {
    for (const [i, p] of providers.entries()) {
      servers.push(await startProviderServer(p.source, readProviderSchema(p.schemaFile, p.source), join(base, `p${i}.sock`), calls));
    }
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }
  const reattach = JSON.stringify(
    Object.fromEntries(servers.map((s) => [s.address, { Protocol: 'grpc', ProtocolVersion: 6, Pid: process.pid, Test: true, Addr: { Network: 'unix', String: s.socket } }])),
  );
  // Nothing may be downloaded: providers other than the stand-ins resolve against an empty mirror.
  const emptyMirror = join(base, 'no-providers');
  mkdirSync(emptyMirror);
  mkdirSync(join(base, 'plugin-cache'));
  const cliConfig = join(base, 'terraformrc');
  writeFileSync(
    cliConfig,
    `plugin_cache_dir = ${JSON.stringify(join(base, 'plugin-cache'))}\nprovider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(emptyMirror)}\n    include = ["*/*/*"]\n  }\n}\n`,
  );
  let n = 0;
  const initialized = new Map<string, Promise<Workspace | undefined>>();
  return {
    reattach,
    calls,
    workspace: (config, opts) => new Workspace(join(base, `ws${n++}`), config, { reattach, cliConfig, home: base, initialized }, opts),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

interface Env {
  readonly reattach: string;
  readonly cliConfig: string;
  readonly home: string;
  /**
   * Per init key and mode (see {@link Workspace.init}), a workspace of this stand-in whose
   * `terraform init` for it succeeded (a promise: the init may still run; undefined if it failed).
   */
  readonly initialized: Map<string, Promise<Workspace | undefined>>;
}

function placeholder(name: string, decl: Record<string, any>): string | undefined {
  const type = String(decl.type ?? 'string');
  if (type === 'string' || type === '${string}') return `stand-in-${name}`;
  if (type === 'number' || type === '${number}') return '1';
  if (type === 'bool' || type === '${bool}') return 'false';
  return undefined;
}

const REMOTE_PROVISIONERS = new Set(['file', 'remote-exec']);

/** `config` without `file`/`remote-exec` provisioners; the number removed. */
export function stripSshProvisioners(config: TerraformJson): { config: TerraformJson; removed: number } {
  return stripProvisioners(config, REMOTE_PROVISIONERS);
}

/** `config` without the provisioners of the given kinds; the number removed. */
export function stripProvisioners(config: TerraformJson, kinds: ReadonlySet<string>): { config: TerraformJson; removed: number } {
  const copy = structuredClone(config);
  let removed = 0;
  for (const byName of Object.values<Record<string, any>>(copy.resource ?? {})) {
    for (const res of Object.values<Record<string, any>>(byName)) {
      if (!res.provisioner) continue;
      const list: Record<string, unknown>[] = Array.isArray(res.provisioner) ? res.provisioner : [res.provisioner];
      const kept = list
        .map((p) => Object.fromEntries(Object.entries(p).filter(([kind]) => !kinds.has(kind))))
        .filter((p) => Object.keys(p).length > 0);
      removed += list.reduce((sum, p) => sum + Object.keys(p).filter((k) => kinds.has(k)).length, 0);
      if (kept.length) res.provisioner = kept;
      else delete res.provisioner;
    }
  }
  return { config: copy, removed };
}

function normalizeAction(actions: readonly string[]): PlanAction {
  const key = actions.join(',');
  if (key === 'delete,create' || key === 'create,delete') return 'replace';
  if (['create', 'update', 'delete', 'read', 'no-op', 'forget'].includes(key)) return key as PlanAction;
  throw new Error(`unexpected plan actions ${key}`);
}

/** Summarizes a `terraform show -json` plan document. */
export function summarizePlan(json: any): PlanSummary {
  const resources: Record<string, PlannedResource> = {};
  const counts: Record<PlanAction, number> = { create: 0, update: 0, delete: 0, replace: 0, read: 0, 'no-op': 0, forget: 0 };
  const countsByType: Record<string, Partial<Record<PlanAction, number>>> = {};
  for (const rc of json.resource_changes ?? []) {
    const action = normalizeAction(rc.change.actions);
    resources[rc.address] = {
      address: rc.address,
      mode: rc.mode,
      type: rc.type,
      name: rc.name,
      action,
      replacePaths: (rc.change.replace_paths ?? []).map((p: unknown[]) => p.join('.')),
      reason: rc.action_reason,
      before: rc.change.before,
      after: rc.change.after,
      afterUnknown: rc.change.after_unknown,
    };
    counts[action]++;
    const byType = (countsByType[rc.type] ??= {});
    byType[action] = (byType[action] ?? 0) + 1;
  }
  const changed = Object.values(resources)
    .filter((r) => r.action !== 'no-op')
    .map((r) => r.address)
    .sort();
  const byAction = Object.fromEntries(
    (Object.keys(counts) as PlanAction[]).map((a) => [
      a,
      Object.values(resources)
        .filter((r) => r.action === a)
        .map((r) => r.address)
        .sort(),
    ]),
  ) as Record<PlanAction, string[]>;
  return { resources, counts, countsByType, changed, byAction, json };
}

/**
 * Resource instances per type as a configuration declares them (a literal `count` expands), for
 * comparing a plan with the JSON it was made from. Throws on for_each or a computed count.
 */
export function declaredInstances(config: TerraformJson): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, byName] of Object.entries<Record<string, any>>(config.resource ?? {})) {
    for (const [name, r] of Object.entries<Record<string, any>>(byName)) {
      if (r.for_each !== undefined) throw new Error(`${type}.${name} uses for_each: count its instances explicitly`);
      const n = r.count === undefined ? 1 : Number(r.count);
      if (!Number.isInteger(n)) throw new Error(`${type}.${name} has a computed count`);
      out[type] = (out[type] ?? 0) + n;
    }
  }
  return out;
}

/**
 * Managed resource instances per type in a state document (`terraform.tfstate`, version 4), for
 * comparing what an apply recorded with {@link declaredInstances} of the JSON applied.
 */
export function instancesInState(state: any): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of state?.resources ?? []) {
    if (r.mode === 'managed') out[r.type] = (out[r.type] ?? 0) + (r.instances?.length ?? 0);
  }
  return out;
}

function relativeRange(range: any): string | undefined {
  return range?.filename ? `${range.filename}:${range.start?.line ?? 0}` : undefined;
}

/** A Terraform working directory with one configuration file and (by default) local state. */
export class Workspace {
  private config!: TerraformJson;
  private initialized: 'backend' | 'no-backend' | undefined;
  /** What `init` depends on (providers, backend, modules): a change makes the next command re-run init. */
  private initKey = '';
  /** What `init -backend=false` depends on: providers and modules (it does not read the backend block). */
  private noBackendInitKey = '';
  /** The init key (with its mode) this workspace's data dir was last initialized (or copied) for. */
  private dataDirKey: string | undefined;
  private vars: Record<string, string>;
  /** Every terraform command run here, with its duration. */
  readonly runs: TerraformRun[] = [];

  constructor(
    /** The working directory. */
    readonly dir: string,
    config: TerraformJson,
    private readonly env: Env,
    private readonly opts: WorkspaceOptions = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.vars = { ...(opts.vars ?? {}) };
    this.setConfig(config);
  }

  /** Sets input variable values for the following commands (e.g. a rotated secret); others keep theirs. */
  setVars(vars: Readonly<Record<string, string>>): void {
    this.vars = { ...this.vars, ...vars };
  }

  /** The local state file (backend `local`). */
  get stateFile(): string {
    return join(this.dir, 'terraform.tfstate');
  }

  /** The configuration as written to the working directory (backend replaced unless as-synthesized). */
  get configuration(): TerraformJson {
    return this.config;
  }

  /**
   * Replaces the configuration (e.g. version B of a stack after applying version A); state is kept.
   * A change of required providers, backend or modules makes the next command run `init` again.
   */
  setConfig(config: TerraformJson): void {
    const copy = structuredClone(config);
    if ((this.opts.backend ?? 'local') === 'local') {
      copy.terraform = { ...(copy.terraform ?? {}), backend: { local: { path: 'terraform.tfstate' } } };
    }
    this.config = copy;
    const key = JSON.stringify([copy.terraform?.required_providers, copy.terraform?.backend, copy.module]);
    if (key !== this.initKey) this.initialized = undefined;
    this.initKey = key;
    this.noBackendInitKey = JSON.stringify([copy.terraform?.required_providers, copy.module]);
    this.write(copy);
  }

  private write(config: TerraformJson): void {
    writeFileSync(join(this.dir, MAIN_FILE), `${JSON.stringify(config, null, 2)}\n`);
  }

  private variables(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, decl] of Object.entries<Record<string, any>>(this.config.variable ?? {})) {
      if (decl.default !== undefined) continue;
      const value = this.vars[name] ?? placeholder(name, decl);
      if (value !== undefined) out[`TF_VAR_${name}`] = value;
    }
    for (const [name, value] of Object.entries(this.vars)) out[`TF_VAR_${name}`] = value;
    return out;
  }

  /** Runs `terraform <args>` here (asynchronously: the stand-in answers on this process's event loop). */
  run(args: readonly string[], { timeoutMs = 120_000 } = {}): Promise<TerraformRun> {
    const env: NodeJS.ProcessEnv = {
      ...(this.opts.env ?? {}),
      PATH: process.env.PATH,
      HOME: this.env.home,
      TMPDIR: process.env.TMPDIR,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      TF_INPUT: '0',
      TF_CLI_CONFIG_FILE: this.env.cliConfig,
      TF_DATA_DIR: join(this.dir, '.terraform'),
      TF_REATTACH_PROVIDERS: this.env.reattach,
      // Go's collector at 4x the heap instead of 2x: about a quarter less CPU per plan of the
      // reference app (1.7 s -> 1.3 s measured), for a larger heap of a short-lived process.
      GOGC: process.env.GOGC ?? TERRAFORM_GOGC,
      ...this.variables(),
    };
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(TERRAFORM, args as string[], { cwd: this.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (status) => {
        clearTimeout(timer);
        const r: TerraformRun = { args, status, stdout, stderr, seconds: (Date.now() - started) / 1000 };
        this.runs.push(r);
        resolve(r);
      });
    });
  }

  private async must(args: readonly string[]): Promise<TerraformRun> {
    const r = await this.run(args);
    if (r.status !== 0) throw new TerraformError(r);
    return r;
  }

  /**
   * `terraform init`, once per workspace and mode (later calls return at once). With
   * `backend: false` the backend is not initialized (`-backend=false`), enough for validate.
   */
  async init({ backend = true }: { backend?: boolean } = {}): Promise<void> {
    const want = backend ? 'backend' : 'no-backend';
    if (this.initialized === want || (this.initialized === 'backend' && !backend)) return;
    // What init writes (the data dir: backend settings, module manifest; the lock file) depends only
    // on the providers, backend and modules (the init key; without the backend for -backend=false,
    // which does not read the backend block) and the stand-in: a workspace with the same key gets a
    // copy of an initialized one's instead of its own init (0.1-0.2 s of CPU each), also while that
    // init still runs (workspaces started together wait for the first one's).
    const key = backend ? `backend\n${this.initKey}` : `no-backend\n${this.noBackendInitKey}`;
    const pending = this.env.initialized.get(key);
    // No await unless there is one to wait for: a concurrent call on this workspace must find the
    // entry this call is about to make.
    let template: Workspace | undefined;
    if (pending !== undefined) template = await pending;
    if (template === this && this.dataDirKey === key) {
      // This workspace's own init for this key, run by a concurrent call (validate and plan at once).
    } else if (template !== undefined && template !== this && template.dataDirKey === key) {
      const from = template.dir;
      if (existsSync(join(from, '.terraform'))) cpSync(join(from, '.terraform'), join(this.dir, '.terraform'), { recursive: true });
      if (existsSync(join(from, LOCK_FILE))) copyFileSync(join(from, LOCK_FILE), join(this.dir, LOCK_FILE));
      this.dataDirKey = key;
    } else {
      // None yet, that one failed, or its data dir was initialized again since for another key: this
      // workspace's own init (its error is this caller's).
      this.dataDirKey = key;
      const run = this.must(['init', '-input=false', '-no-color', `-backend=${backend}`]);
      this.env.initialized.set(
        key,
        run.then(
          () => this,
          () => undefined,
        ),
      );
      await run;
    }
    this.initialized = want;
  }

  /**
   * `terraform validate -json`, after `init` if not initialized yet: with the local backend a full
   * init (what plan and apply need too, so a validated workspace is not initialized twice); with the
   * synthesized one `init -backend=false` (its server is not there).
   */
  async validate(): Promise<ValidateResult> {
    await this.init({ backend: (this.opts.backend ?? 'local') === 'local' });
    const r = await this.run(['validate', '-json', '-no-color']);
    let doc: any;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      throw new TerraformError(r);
    }
    const diags: Diagnostic[] = (doc.diagnostics ?? []).map((d: any) => ({ severity: d.severity, summary: d.summary, detail: d.detail, at: relativeRange(d.range) }));
    return {
      valid: doc.valid === true,
      errors: diags.filter((d) => d.severity === 'error'),
      warnings: diags.filter((d) => d.severity === 'warning'),
      messages: diags.map((d) => `${d.summary}: ${d.detail ?? ''}`),
    };
  }

  /**
   * `terraform plan -out` and `terraform show -json` of the saved plan, summarized. Throws
   * {@link TerraformError} (with Terraform's error text) when planning fails.
   */
  async plan(extraArgs: readonly string[] = []): Promise<PlanSummary> {
    await this.init();
    await this.must(['plan', '-input=false', '-no-color', '-lock=false', '-out=tfplan', ...extraArgs]);
    const shown = await this.must(['show', '-json', '-no-color', 'tfplan']);
    return summarizePlan(JSON.parse(shown.stdout));
  }

  /**
   * `terraform plan -detailed-exitcode`, not saved: `false` when the plan is empty (exit 0: no
   * resource instance and no output would change; hashicorp/terraform internal/command/plan.go
   * returns 2 unless the operation's PlanEmpty, which internal/backend/local/backend_plan.go sets
   * to `!plan.Applyable`), `true` when it has changes (exit 2). For cases that only ask "does
   * anything change": no plan file and no second `show -json` process. Throws
   * {@link TerraformError} when planning fails.
   */
  async planHasChanges(extraArgs: readonly string[] = []): Promise<boolean> {
    await this.init();
    const r = await this.run(['plan', '-input=false', '-no-color', '-lock=false', '-detailed-exitcode', ...extraArgs]);
    if (r.status === 0) return false;
    if (r.status === 2) return true;
    throw new TerraformError(r);
  }

  /** The local state file parsed (backend `local`, after an apply). */
  localState(): any {
    return JSON.parse(readFileSync(this.stateFile, 'utf8'));
  }

  /** `terraform apply -auto-approve` of the current configuration (see {@link ApplyOptions}). */
  async apply(opts: ApplyOptions = {}): Promise<TerraformRun> {
    await this.init();
    const ssh = stripSshProvisioners(this.config);
    if (ssh.removed > 0 && opts.stripSshProvisioners === false) {
      throw new Error(`the configuration has ${ssh.removed} file/remote-exec provisioners, which would connect to fake addresses; apply strips them by default`);
    }
    const { config, removed } = opts.stripLocalExec ? stripProvisioners(ssh.config, new Set(['local-exec'])) : { config: ssh.config, removed: 0 };
    if (ssh.removed + removed > 0) this.write(config);
    try {
      return await this.must(['apply', '-input=false', '-no-color', '-lock=false', '-auto-approve']);
    } finally {
      if (ssh.removed + removed > 0) this.write(this.config);
    }
  }

  /** `terraform show -json` of the current state (`values.root_module.resources`, ...). */
  async state(): Promise<any> {
    await this.init();
    const r = await this.must(['show', '-json', '-no-color']);
    return JSON.parse(r.stdout);
  }
}
