/**
 * `aiai-ops status | health`: what the platform's Hetzner resources and services are doing, for
 * an operator. Reads the Hetzner Cloud API (token from `HCLOUD_TOKEN`, read-only is enough) and
 * each host's systemd units over SSH as the service user. Never changes anything.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PROJECT } from '../core/platform';
import { SERVICE_USER } from '../core/paths';
import { HcloudClient } from '../runner-manager/hcloud-client';
import { ApiError, Clock, RetryPolicy, realClock } from '../runner-manager/http';
import { packageInfo } from '../runtime/package-info';
import { DEFAULT_HCLOUD_ENDPOINT, RunnerEnv } from '../runtime/pool-names';
import type { Env } from '../runtime/pool-settings-env';
import { OpsError, OpsExitCode, OpsExitCodeValue } from './errors';
import { formatHealth, formatStatus } from './format';
import { collectStatus, selectorProblem } from './inventory';
import { HEALTH_SCHEMA, HealthReport, StatusReport } from './model';
import { SshUnitProbe, UnitProbe } from './unit-probe';

export interface OpsIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
}

/** Injection points for tests; production uses the defaults. */
export interface OpsDeps {
  readonly clock?: Clock;
  readonly retry?: Partial<RetryPolicy>;
  readonly fetch?: typeof fetch;
  /** Replaces the SSH probe (the default runs `ssh` from `PATH`). */
  readonly probe?: UnitProbe;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}


/** The environment variables `aiai-ops` reads. */
export const OpsEnv = {
  /** Hetzner Cloud API token of the project (read-only is enough). Same name as the hcloud CLI's. */
  hcloudToken: RunnerEnv.hcloudToken,
  /** Hetzner Cloud API base URL. @default https://api.hetzner.cloud/v1 */
  hcloudEndpoint: RunnerEnv.hcloudEndpoint,
} as const;

export const OpsDefaults = {
  /** ssh `ConnectTimeout`, seconds (`--ssh-timeout`). */
  sshTimeoutSeconds: 10,
  /** Seconds an ssh process may run past its connect timeout before it is killed. */
  sshGraceSeconds: 5,
  /** Hosts checked over SSH at the same time. */
  sshConcurrency: 8,
  /**
   * An interactive command gives up sooner than the runner manager: 4 attempts, at most 60 s
   * waiting for the rate limit, 20 s per request.
   */
  retry: { maxAttempts: 4, maxRateLimitWaitSeconds: 60, requestTimeoutSeconds: 20 } satisfies Partial<RetryPolicy>,
} as const;

export function helpText(): string {
  const { name, version } = packageInfo();
  return `aiai-ops ${version} (${name}): status and health of an aiai platform on Hetzner Cloud

Usage:
  aiai-ops status --environment <env> [--project <project>] [--json] [--no-ssh] [--ssh-timeout <s>]
  aiai-ops health --environment <env> [--project <project>] [--json] [--no-ssh] [--ssh-timeout <s>] [--quiet]
  aiai-ops --help | --version

Commands:
  status  The platform's servers (role, type, location, status, public IPv4, private IP), load
          balancers with each target's health per service, volumes (size, server, protection),
          firewalls (what they are applied to) and each host's systemd units. Exits 0 once the
          report is printed, healthy or not.
  health  The same checks as one ok/FAIL line each (check name, host or resource, what was
          found). Exits 4 if any check failed.

Resources are found by the platform's labels: project=<project>,environment=<env>. Nothing is
changed. Units are read with 'ssh ${SERVICE_USER}@<public IPv4> systemctl show ...' (BatchMode, no
prompts; new host keys are accepted and recorded, changed ones refused): run it from a machine in
the admin CIDRs with your SSH agent or key. Ephemeral CI runners are not checked over SSH.

Options:
  --environment <env>   environment label (required)
  --project <project>   project label (default ${DEFAULT_PROJECT})
  --json                print the report as JSON (schemas aiai-ops/status/v1, aiai-ops/health/v1)
  --no-ssh              do not check units over SSH (API checks only)
  --ssh-timeout <s>     ssh connect timeout in seconds (default ${OpsDefaults.sshTimeoutSeconds}; a host gets ${OpsDefaults.sshGraceSeconds} s more in total)
  --quiet               health: print only the failed checks and the summary
  -h, --help            this text
  --version             the version

Environment:
  ${OpsEnv.hcloudToken}      Hetzner Cloud API token of the project (read-only is enough) [required]
  ${OpsEnv.hcloudEndpoint}   default ${DEFAULT_HCLOUD_ENDPOINT}

Exit codes:
  0 ok (health: all checks passed)   1 unexpected error   2 bad command line
  3 missing/invalid token or setting   4 health: a check failed   7 Hetzner API error   130 interrupted
`;
}

function usage(message: string): OpsError {
  return new OpsError(`${message}\nRun 'aiai-ops --help' for usage.`, OpsExitCode.usage);
}

function explainApiError(e: ApiError): string {
  if (e.status === 401) return `${e.message}. Check ${OpsEnv.hcloudToken}: it must be an API token of the project the platform runs in.`;
  if (e.status === 403) return `${e.message}. The token lacks permission to read this.`;
  return e.message;
}

function classify(e: unknown, signal?: AbortSignal): { code: OpsExitCodeValue; message: string } {
  if (signal?.aborted) return { code: OpsExitCode.interrupted, message: 'interrupted' };
  if (e instanceof OpsError) return { code: e.exitCode, message: e.message };
  if (e instanceof ApiError) return { code: OpsExitCode.api, message: explainApiError(e) };
  const err = e as Error;
  return { code: OpsExitCode.failure, message: `unexpected: ${err?.stack ?? String(e)}` };
}

/** The environment ssh runs with: the caller's, without the API token. */
function sshEnv(env: Env): Env {
  const { [OpsEnv.hcloudToken]: _token, ...rest } = env;
  return rest;
}

/** Runs the CLI; resolves to the exit code. Never calls process.exit; never prints the token. */
export async function main(argv: readonly string[], env: Env, io: OpsIo, deps: OpsDeps = {}): Promise<number> {
  let command: string | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          project: { type: 'string' },
          environment: { type: 'string' },
          json: { type: 'boolean' },
          'no-ssh': { type: 'boolean' },
          'ssh-timeout': { type: 'string' },
          quiet: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
          version: { type: 'boolean' },
        },
      });
    } catch (e) {
      throw usage((e as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(helpText());
      return OpsExitCode.ok;
    }
    if (values.version) {
      io.stdout.write(`${packageInfo().version}\n`);
      return OpsExitCode.ok;
    }
    command = positionals[0];
    if (positionals.length !== 1 || (command !== 'status' && command !== 'health')) {
      command = undefined;
      throw usage(`${positionals.length === 0 ? 'no command given' : `unknown command ${JSON.stringify(positionals.join(' '))}`}: expected status or health.`);
    }
    if (values.quiet && command !== 'health') throw usage('--quiet is an option of health only');
    const environment = values.environment;
    if (environment === undefined) throw usage(`${command} needs --environment (the platform's environment label, e.g. production)`);
    const project = values.project ?? DEFAULT_PROJECT;
    for (const [what, v] of [['--project', project], ['--environment', environment]] as const) {
      const p = selectorProblem(what, v);
      if (p) throw usage(p);
    }
    let sshTimeout: number = OpsDefaults.sshTimeoutSeconds;
    if (values['ssh-timeout'] !== undefined) {
      const raw = values['ssh-timeout'];
      if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 600) throw usage(`--ssh-timeout must be whole seconds from 1 to 600, got ${JSON.stringify(raw)}`);
      if (values['no-ssh']) throw usage('--ssh-timeout and --no-ssh exclude each other');
      sshTimeout = Number(raw);
    }

    const token = env[OpsEnv.hcloudToken]?.trim();
    if (!token) throw new OpsError(`${OpsEnv.hcloudToken} is not set: export a Hetzner Cloud API token of the project (read-only is enough)`, OpsExitCode.config);
    const endpoint = env[OpsEnv.hcloudEndpoint]?.trim() || DEFAULT_HCLOUD_ENDPOINT;
    let hcloud: HcloudClient;
    try {
      hcloud = new HcloudClient({
        token,
        endpoint,
        clock: deps.clock ?? realClock(),
        retry: { ...OpsDefaults.retry, ...deps.retry },
        fetch: deps.fetch,
        userAgent: `aiai-ops/${packageInfo().version}`,
        onRetry: (i) => io.stderr.write(`aiai-ops: ${i.method} ${i.path}: ${i.reason}; retry ${i.attempt} in ${i.waitSeconds.toFixed(1)} s\n`),
      });
    } catch (e) {
      throw new OpsError(`${OpsEnv.hcloudEndpoint}: ${(e as Error).message}`, OpsExitCode.config);
    }
    const probe: UnitProbe | undefined = values['no-ssh']
      ? undefined
      : (deps.probe ??
        new SshUnitProbe({
          user: SERVICE_USER,
          connectTimeoutSeconds: sshTimeout,
          deadlineMs: (sshTimeout + OpsDefaults.sshGraceSeconds) * 1000,
          env: sshEnv(env),
        }));

    const report: StatusReport = await collectStatus({
      hcloud,
      selector: { project, environment },
      probe,
      sshConcurrency: OpsDefaults.sshConcurrency,
      signal: deps.signal,
      now: deps.now,
    });
    if (deps.signal?.aborted) throw deps.signal.reason;

    if (command === 'status') {
      io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      return OpsExitCode.ok;
    }
    const health: HealthReport = {
      schema: HEALTH_SCHEMA,
      project: report.project,
      environment: report.environment,
      labelSelector: report.labelSelector,
      generatedAt: report.generatedAt,
      healthy: report.healthy,
      failed: report.checks.filter((c) => !c.healthy).length,
      checks: report.checks,
    };
    io.stdout.write(values.json ? `${JSON.stringify(health, null, 2)}\n` : formatHealth(health, { quiet: values.quiet }));
    return health.healthy ? OpsExitCode.ok : OpsExitCode.unhealthy;
  } catch (e) {
    const { code, message } = classify(e, deps.signal);
    io.stderr.write(`${command ? `aiai-ops ${command}` : 'aiai-ops'}: error: ${message}\n`);
    return code;
  }
}
