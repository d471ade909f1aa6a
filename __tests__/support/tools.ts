import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp';

/**
 * Real validators are Debian packages. In CI (CI=true) a missing tool fails the test; elsewhere
 * the test is skipped with a message that names the package to install.
 */
export function hasTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Where terraform comes from (it is not a Debian package). */
export const TERRAFORM_SOURCE = 'terraform (HashiCorp binary, on this machine image)';

export interface ToolOptions {
  /** `false`: in CI too, a missing tool skips (loudly) instead of failing. @default true */
  readonly requiredInCi?: boolean;
  /**
   * Where the tool comes from when it is not a Debian package, named in the messages instead of
   * "the Debian package ...", e.g. `terraform (HashiCorp binary, on this machine image)`.
   * @default undefined (the tool is the Debian package given)
   */
  readonly source?: string;
}

/** `describe` when the tool exists; in CI a failing test when it does not; elsewhere a loud skip. */
export function describeWithTool(cmd: string, debianPackage: string, name: string, fn: () => void, opts: ToolOptions = {}): void {
  const from = opts.source ?? `the Debian package '${debianPackage}'`;
  if (hasTool(cmd)) {
    describe(name, fn);
  } else if (process.env.CI === 'true' && opts.requiredInCi !== false) {
    describe(name, () => {
      test(`${cmd} is installed`, () => {
        throw new Error(`${cmd} not found: install ${from}${opts.source ? '' : ' (.ci/run does this)'}`);
      });
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED ${name}: '${cmd}' not found; install ${from}`);
    describe.skip(`${name} (needs ${cmd}: ${from})`, fn);
  }
}

/** One test that needs a tool its suite does not: runs it, fails in CI without the tool, else skips loudly. */
export function testWithTool(cmd: string, debianPackage: string, name: string, fn: jest.ProvidesCallback, timeout?: number): void {
  if (hasTool(cmd)) {
    test(name, fn, timeout);
  } else if (process.env.CI === 'true') {
    test(name, () => {
      throw new Error(`${cmd} not found: install the Debian package '${debianPackage}' (.ci/run does this)`);
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED ${name}: '${cmd}' not found; install the Debian package '${debianPackage}'`);
    test.skip(`${name} (needs ${cmd} from Debian package ${debianPackage})`, fn);
  }
}

/** {@link describeWithTool} for a suite that needs several tools (command -> Debian package). */
export function describeWithTools(tools: Readonly<Record<string, string>>, name: string, fn: () => void, opts: ToolOptions = {}): void {
  const missing = Object.keys(tools).filter((cmd) => !hasTool(cmd));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const first = missing[0];
  describeWithTool(first, missing.map((c) => tools[c]).join(' '), name, fn, opts);
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(cmd, args as string[], { encoding: 'utf8', cwd: opts.cwd, input: opts.input, env: opts.env ?? process.env, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** A {@link RunResult} with the wall time it took. */
export interface TimedRunResult extends RunResult {
  readonly ms: number;
}

/**
 * Runs a command without blocking the event loop (for tests whose fake servers live in this
 * process, where spawnSync would deadlock, or to run several at once). Killed after `timeoutMs`;
 * `cwd` @default the test process's working directory.
 */
export function runAsync(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, cwd?: string): Promise<TimedRunResult> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(cmd, args as string[], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/**
 * What real terraform yields for a configuration of `locals` and `output` blocks (no providers):
 * `init` and `apply` in a fresh folder, then `output -json`; output name -> value. Throws, with
 * the command and its stderr, when a step fails or writes to stderr.
 */
export function terraformOutputValues(config: { locals?: unknown; output: unknown }, prefix = 'tf-outputs-'): Record<string, unknown> {
  const dir = tempDir(prefix);
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
  const env = { PATH: process.env.PATH, HOME: dir, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const step = (args: string[]): RunResult => {
    const r = run('terraform', [`-chdir=${dir}`, ...args, '-no-color'], { env });
    if (r.status !== 0 || r.stderr !== '') throw new Error(`terraform ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
    return r;
  };
  step(['init', '-input=false']);
  step(['apply', '-auto-approve', '-input=false']);
  const outputs = JSON.parse(step(['output', '-json']).stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]));
}
