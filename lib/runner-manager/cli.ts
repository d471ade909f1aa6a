/**
 * `aiai-runner up | down | reap`: the command line around {@link up}, {@link down}, {@link reap}.
 * Settings and credentials come from the environment (the generated workflow maps the pool's
 * GitHub variables and secrets into it); results go to stdout (`--json`) and `$GITHUB_OUTPUT`.
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ExitCode, ExitCodeValue, RunnerError } from './errors';
import { GitHubClient } from './github-client';
import { HcloudClient } from './hcloud-client';
import { ApiError, Clock, RetryPolicy, realClock } from './http';
import { CleanupResult, Logger, ManagerContext, UpResult, down, reap, up } from './manager';
import { DEFAULT_TIMINGS, ManagerTimings } from '../runtime/timings';
import { packageInfo } from '../runtime/package-info';
import { DEFAULT_GITHUB_API_URL, DEFAULT_HCLOUD_ENDPOINT, RunnerEnv, SETTING_VARIABLE_SUFFIXES } from '../runtime/pool-names';
import { SettingsError } from '../runtime/pool-settings-check';
import { checkRunKey } from '../runtime/pool-labels';
import { Env, parsePoolSettings, parsePoolSettingsForCleanup } from '../runtime/pool-settings-env';

export interface CliIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown; readonly isTTY?: boolean };
}

/** Injection points for tests; production uses the defaults. */
export interface CliDeps {
  readonly clock?: Clock;
  readonly timings?: Partial<ManagerTimings>;
  readonly retry?: Partial<RetryPolicy>;
  readonly fetch?: typeof fetch;
  /** Aborts the command (the bin wires SIGINT/SIGTERM to it). */
  readonly signal?: AbortSignal;
}


const settingVars = Object.values(RunnerEnv.settings)
  .map((v) => `    ${v}`)
  .join('\n');

export function helpText(): string {
  const { name, version } = packageInfo();
  return `aiai-runner ${version} (${name}): per-job GitHub Actions runners on Hetzner Cloud

Usage:
  aiai-runner up   [--job <id>] [--run <key>] [--online-timeout <s>] [--slot-timeout <s>] [--json]
  aiai-runner down [--run <key> | --name <runner>] [--json]
  aiai-runner reap [--dry-run] [--json]
  aiai-runner --help | --version

Commands:
  up    Register a just-in-time runner for one job, create its Hetzner server (with the pool's
        labels and an expiry) that runs it once, and wait until it is online. Waits while the
        pool is at its max runners; tries the fallback server types/locations when Hetzner has
        no capacity. On failure or interruption it deletes what it created.
        Outputs: runner-name, runner-label (use it in runs-on), runner-id, server-id,
        server-type, location, ipv4, expires-at.
  down  Delete the servers and deregister the runners of one workflow run (default: this run)
        or of one runner (--name). Finds them by label, so it also cleans up after an up that
        died half way. Idempotent. Outputs: deleted-servers, deleted-runners.
  reap  Delete the pool's servers past their expiry and deregister its offline runners that
        have no server. Touches nothing without the pool's labels. Run it on a schedule.

Options:
  --job <id>             job the runner is for (default: $GITHUB_JOB)
  --run <key>            run key (default: $GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT)
  --name <runner>        down: only this runner and its server
  --repository <o/r>     repository (default: $GITHUB_REPOSITORY)
  --online-timeout <s>   up: seconds the runner may take to come online (default ${DEFAULT_TIMINGS.onlineTimeoutSeconds})
  --slot-timeout <s>     up: seconds to wait for a free slot in a full pool (default ${DEFAULT_TIMINGS.slotTimeoutSeconds})
  --dry-run              reap: only print what would be deleted
  --json                 print the result as JSON on stdout
  -h, --help             this text
  --version              the version

Environment:
  ${RunnerEnv.hcloudToken}               Hetzner Cloud API token (read & write) [required]
  ${RunnerEnv.githubToken}   GitHub token that may manage the repository's runners
                             (fine-grained: Administration read & write) [required]
  ${RunnerEnv.repository}          owner/repo (set by GitHub Actions)
  ${RunnerEnv.runId}, ${RunnerEnv.runAttempt}, ${RunnerEnv.job}, ${RunnerEnv.output}   (set by GitHub Actions)
  ${RunnerEnv.hcloudEndpoint}            default ${DEFAULT_HCLOUD_ENDPOINT}
  ${RunnerEnv.githubApiUrl}             default ${DEFAULT_GITHUB_API_URL}
  Pool settings (GitHub Actions variables of the pool; empty means default, "none" an empty list):
${settingVars}

Exit codes:
  0 ok   1 unexpected error   2 bad command line   3 missing/invalid settings or credentials
  4 pool stayed full   5 no capacity in any fallback   6 runner did not come online
  7 API error (auth, permissions, rate limit)   130 interrupted (what up created was deleted)
`;
}

function escapeCommand(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** stderr logger: a rewritten status line on a terminal, a line every so often in CI logs. */
export function createLogger(io: CliIo, env: Env, clock: Clock, progressEverySeconds: number): Logger & { end(): void } {
  const tty = io.stderr.isTTY === true;
  const actions = env[RunnerEnv.actions] === 'true';
  let open = false;
  let lastProgress = -Infinity;
  const end = () => {
    if (open) io.stderr.write('\n');
    open = false;
  };
  return {
    info: (m) => {
      end();
      io.stderr.write(`${m}\n`);
    },
    warn: (m) => {
      end();
      io.stderr.write(actions ? `::warning title=aiai-runner::${escapeCommand(m)}\n` : `warning: ${m}\n`);
    },
    progress: (m) => {
      if (tty) {
        io.stderr.write(`\r\x1b[K${m}`);
        open = true;
        return;
      }
      const now = clock.now();
      if (now - lastProgress >= progressEverySeconds * clock.secondMs) {
        lastProgress = now;
        io.stderr.write(`${m}\n`);
      }
    },
    end,
  };
}

function writeOutputs(env: Env, outputs: Record<string, string | number | undefined>): void {
  const file = env[RunnerEnv.output];
  if (!file) return;
  const lines = Object.entries(outputs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const s = String(v);
      if (/[\r\n]/.test(s)) throw new Error(`output ${k} is not single-line`);
      return `${k}=${s}\n`;
    });
  appendFileSync(file, lines.join(''));
}

function seconds(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new RunnerError(`--${flag} must be a whole number of seconds (>= 1), got ${JSON.stringify(raw)}`, ExitCode.usage);
  return Number(raw);
}

function required(env: Env, name: string, what: string): string {
  const v = env[name]?.trim();
  if (!v) throw new RunnerError(`${name} is not set: ${what}`, ExitCode.config);
  return v;
}

function defaultRunKey(env: Env): string | undefined {
  const id = env[RunnerEnv.runId]?.trim();
  if (!id) return undefined;
  const attempt = env[RunnerEnv.runAttempt]?.trim() || '1';
  return `${id}-${attempt}`;
}

function explainApiError(e: ApiError): string {
  let hint = '';
  if (e.status === 401) {
    hint = e.service.startsWith('Hetzner') ? ` Check the ${RunnerEnv.hcloudToken} secret.` : ` Check the ${RunnerEnv.githubToken} secret.`;
  } else if (e.status === 403 && e.service.startsWith('GitHub')) {
    hint = ` The GitHub credential needs the repository permission "Administration: read and write".`;
  } else if (e.code === 'forbidden' || e.code === 'token_readonly') {
    hint = ` The Hetzner token needs read & write permission.`;
  } else if (e.code === 'resource_limit_exceeded') {
    hint = ` The Hetzner project hit a resource limit (servers, cores or IPs): ask Hetzner to raise it or lower the pool's max runners.`;
  }
  return e.message + hint;
}

/** Runs the CLI; resolves to the exit code. Never calls process.exit. */
export async function main(argv: readonly string[], env: Env, io: CliIo, deps: CliDeps = {}): Promise<number> {
  const clock = deps.clock ?? realClock();
  const timings: ManagerTimings = { ...DEFAULT_TIMINGS, ...deps.timings };
  const log = createLogger(io, env, clock, timings.progressEverySeconds);
  let command: string | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          job: { type: 'string' },
          run: { type: 'string' },
          name: { type: 'string' },
          repository: { type: 'string' },
          'online-timeout': { type: 'string' },
          'slot-timeout': { type: 'string' },
          'dry-run': { type: 'boolean' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
          version: { type: 'boolean' },
        },
      });
    } catch (e) {
      throw new RunnerError(`${(e as Error).message}\nRun 'aiai-runner --help' for usage.`, ExitCode.usage);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(helpText());
      return ExitCode.ok;
    }
    if (values.version) {
      io.stdout.write(`${packageInfo().version}\n`);
      return ExitCode.ok;
    }
    command = positionals[0];
    if (positionals.length !== 1 || !['up', 'down', 'reap'].includes(command)) {
      throw new RunnerError(
        `${positionals.length === 0 ? 'no command given' : `unknown command ${JSON.stringify(positionals.join(' '))}`}: expected up, down or reap.\nRun 'aiai-runner --help' for usage.`,
        ExitCode.usage,
      );
    }
    const misplaced = (flag: string, allowed: string[]) => {
      if ((values as Record<string, unknown>)[flag] !== undefined && !allowed.includes(command!)) {
        throw new RunnerError(`--${flag} is not an option of ${command}`, ExitCode.usage);
      }
    };
    misplaced('job', ['up']);
    misplaced('online-timeout', ['up']);
    misplaced('slot-timeout', ['up']);
    misplaced('name', ['down']);
    misplaced('run', ['up', 'down']);
    misplaced('dry-run', ['reap']);
    const onlineTimeout = seconds('online-timeout', values['online-timeout']);
    const slotTimeout = seconds('slot-timeout', values['slot-timeout']);

    // Settings and credentials (exit 3), all problems at once.
    const missing: string[] = [];
    if (!env[RunnerEnv.hcloudToken]?.trim()) missing.push(`${RunnerEnv.hcloudToken} (Hetzner Cloud API token)`);
    if (!env[RunnerEnv.githubToken]?.trim()) missing.push(`${RunnerEnv.githubToken} (GitHub token that manages runners)`);
    const repository = values.repository ?? env[RunnerEnv.repository]?.trim();
    if (!repository) missing.push(`${RunnerEnv.repository} or --repository (owner/repo)`);
    let settings;
    try {
      if (command === 'up') {
        settings = parsePoolSettings(env);
      } else {
        const parsed = parsePoolSettingsForCleanup(env);
        settings = parsed.settings;
        for (const p of parsed.warnings) {
          log.warn(`ignoring invalid ${p.variable ? RunnerEnv.settings[p.variable] : p.property} for ${command} (${p.allowed})`);
        }
      }
    } catch (e) {
      if (!(e instanceof SettingsError)) throw e;
      throw new RunnerError(e.message + (missing.length ? `\nAlso not set: ${missing.join(', ')}` : ''), ExitCode.config);
    }
    if (missing.length > 0) throw new RunnerError(`not set: ${missing.join(', ')}`, ExitCode.config);

    const onRetry = (i: { method: string; path: string; attempt: number; waitSeconds: number; reason: string }) =>
      log.warn(`${i.method} ${i.path}: ${i.reason}; retry ${i.attempt} in ${i.waitSeconds.toFixed(1)} s`);
    let github: GitHubClient;
    try {
      github = new GitHubClient({
        token: required(env, RunnerEnv.githubToken, ''),
        repository: repository!,
        apiUrl: env[RunnerEnv.githubApiUrl]?.trim() || DEFAULT_GITHUB_API_URL,
        clock,
        retry: deps.retry,
        fetch: deps.fetch,
        onRetry,
      });
    } catch (e) {
      if (e instanceof RunnerError) throw e;
      throw new RunnerError((e as Error).message, ExitCode.config);
    }
    const hcloud = new HcloudClient({
      token: required(env, RunnerEnv.hcloudToken, ''),
      endpoint: env[RunnerEnv.hcloudEndpoint]?.trim() || DEFAULT_HCLOUD_ENDPOINT,
      clock,
      retry: deps.retry,
      fetch: deps.fetch,
      onRetry,
    });
    const ctx: ManagerContext = {
      settings,
      hcloud,
      github,
      clock,
      log,
      timings: {
        ...timings,
        ...(onlineTimeout !== undefined ? { onlineTimeoutSeconds: onlineTimeout } : {}),
        ...(slotTimeout !== undefined ? { slotTimeoutSeconds: slotTimeout } : {}),
      },
    };
    const runKey = values.run ?? defaultRunKey(env);
    const signal = deps.signal;

    if (command === 'up') {
      const job = values.job ?? env[RunnerEnv.job]?.trim();
      if (!job) throw new RunnerError(`up needs --job (or ${RunnerEnv.job}, set by GitHub Actions)`, ExitCode.usage);
      if (!runKey) throw new RunnerError(`up needs --run outside GitHub Actions (default: $${RunnerEnv.runId}-$${RunnerEnv.runAttempt})`, ExitCode.usage);
      checkRunKeyOrUsage(runKey);
      const result: UpResult = await up(ctx, { runKey, job, signal });
      writeOutputs(env, {
        'runner-name': result.runnerName,
        'runner-label': result.runnerLabel,
        'runner-id': result.runnerId,
        'server-id': result.serverId,
        'server-type': result.serverType,
        location: result.location,
        ipv4: result.ipv4,
        'expires-at': result.expiresAt,
      });
      if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      return ExitCode.ok;
    }

    let result: CleanupResult;
    if (command === 'down') {
      if (values.name === undefined && !runKey) {
        throw new RunnerError(`down needs --run or --name outside GitHub Actions (default: $${RunnerEnv.runId}-$${RunnerEnv.runAttempt})`, ExitCode.usage);
      }
      if (values.name === undefined) checkRunKeyOrUsage(runKey!);
      else if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(values.name)) {
        throw new RunnerError(`--name must be a runner name (lower-case letters, digits, inner hyphens), got ${JSON.stringify(values.name)}`, ExitCode.usage);
      }
      result = await down(ctx, values.name !== undefined ? { name: values.name, signal } : { runKey, signal });
    } else {
      result = await reap(ctx, { dryRun: values['dry-run'] ?? false, signal });
    }
    writeOutputs(env, { 'deleted-servers': result.deletedServers.length, 'deleted-runners': result.deletedRunners.length });
    if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
    return ExitCode.ok;
  } catch (e) {
    log.end();
    const { code, message } = classify(e, deps.signal);
    const prefix = command ? `aiai-runner ${command}` : 'aiai-runner';
    io.stderr.write(`${prefix}: error: ${message}\n`);
    if (env[RunnerEnv.actions] === 'true') io.stderr.write(`::error title=${prefix}::${escapeCommand(message)}\n`);
    return code;
  } finally {
    log.end();
  }
}

function checkRunKeyOrUsage(runKey: string): void {
  try {
    checkRunKey(runKey);
  } catch (e) {
    throw new RunnerError((e as Error).message, ExitCode.usage);
  }
}

function classify(e: unknown, signal?: AbortSignal): { code: ExitCodeValue; message: string } {
  if (signal?.aborted) return { code: ExitCode.interrupted, message: 'interrupted; what this command created was deleted' };
  if (e instanceof RunnerError) return { code: e.exitCode, message: e.message };
  if (e instanceof ApiError) return { code: ExitCode.api, message: explainApiError(e) };
  if (e instanceof SettingsError) return { code: ExitCode.config, message: e.message };
  const err = e as Error;
  return { code: ExitCode.failure, message: `unexpected: ${err?.stack ?? String(e)}` };
}

/** Names of the setting variables, for docs and tests. */
export const SETTING_ENV_NAMES: readonly string[] = Object.keys(SETTING_VARIABLE_SUFFIXES).map(
  (k) => RunnerEnv.settings[k as keyof typeof SETTING_VARIABLE_SUFFIXES],
);
