/**
 * Reads the state of systemd units on a host. The CLI uses {@link SshUnitProbe}: one `ssh` per host
 * as the service user, non-interactive and time-bounded, running
 * `systemctl show --property=Id,LoadState,ActiveState,SubState -- <units>`.
 *
 * `show` rather than `systemctl is-active`: is-active prints `inactive` both for a stopped unit
 * and for one that is not installed, and some units exist only with some props (log shipping,
 * backups), so the load state is needed to tell "not installed" from "stopped". Reading state
 * needs no privileges (systemd answers unprivileged clients on the system bus).
 */
import { spawn } from 'node:child_process';
import { SERVICE_USER } from '../core/paths';

/** The state of one unit, as systemd reports it. */
export interface UnitState {
  /** The unit asked for. */
  readonly unit: string;
  /** `loaded`, `not-found`, `masked`, `error`, ... */
  readonly load: string;
  /** `active`, `inactive`, `failed`, `activating`, `deactivating`, `reloading`, ... */
  readonly active: string;
  /** `running`, `exited`, `waiting`, `mounted`, `dead`, `auto-restart`, ... */
  readonly sub: string;
}

export interface ProbeTarget {
  /** Server name (for messages). */
  readonly name: string;
  /** Address to connect to (public IPv4). */
  readonly address: string;
}

export type ProbeOutcome = { readonly ok: true; readonly units: readonly UnitState[] } | { readonly ok: false; readonly error: string };

/** Reads unit states on a host; never throws for a host problem (returns `ok: false`). */
export interface UnitProbe {
  probe(target: ProbeTarget, units: readonly string[], signal?: AbortSignal): Promise<ProbeOutcome>;
}

/** Unit names we pass to a remote shell: systemd's own characters, nothing a shell would expand. */
const UNIT_NAME = /^[A-Za-z0-9:_.@-]+\.(service|timer|socket|mount|path|target)$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export const SYSTEMCTL_PROPERTIES = ['Id', 'LoadState', 'ActiveState', 'SubState'] as const;

/** The command run on the host. */
export function remoteCommand(units: readonly string[]): string[] {
  for (const u of units) if (!UNIT_NAME.test(u)) throw new Error(`not a unit name: ${JSON.stringify(u)}`);
  return ['systemctl', 'show', `--property=${SYSTEMCTL_PROPERTIES.join(',')}`, '--', ...units];
}

/**
 * Parses `systemctl show` output for `units`: one block of `Key=value` lines per unit, in the
 * order asked, separated by blank lines. Throws when the blocks do not match the units.
 */
export function parseSystemctlShow(stdout: string, units: readonly string[]): UnitState[] {
  const blocks = stdout
    .replace(/\r/g, '')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter((b) => b.length > 0)
    .map((b) => Object.fromEntries(b.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const)));
  if (blocks.length !== units.length) {
    throw new Error(`systemctl show printed ${blocks.length} unit(s) for ${units.length} asked`);
  }
  return units.map((unit, i) => {
    const b = blocks[i];
    if (b.LoadState === undefined || b.ActiveState === undefined) throw new Error(`systemctl show printed no LoadState/ActiveState for ${unit}`);
    return { unit, load: b.LoadState, active: b.ActiveState, sub: b.SubState ?? '' };
  });
}

export interface SshUnitProbeOptions {
  /** Login user. @default SERVICE_USER (`aiai`, the only account sshd lets in) */
  readonly user?: string;
  /** ssh's `ConnectTimeout`, seconds. */
  readonly connectTimeoutSeconds: number;
  /** Hard limit for the whole ssh process (connect + command), milliseconds; it is killed then. */
  readonly deadlineMs: number;
  /**
   * Environment of the ssh process; `PATH` decides which `ssh` runs (tests put a fake one first),
   * `SSH_AUTH_SOCK` and `HOME` let it use the operator's agent, keys and known_hosts.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The ssh program. @default 'ssh' (looked up on `env.PATH`) */
  readonly program?: string;
}

/** Options every connection gets: no prompts (BatchMode), bounded connect, trust-on-first-use host keys. */
export function sshArguments(o: { user: string; connectTimeoutSeconds: number }, address: string, units: readonly string[]): string[] {
  if (!IPV4.test(address)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  return [
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${Math.max(1, Math.round(o.connectTimeoutSeconds))}`,
    // New servers have new host keys: record them on first contact, refuse a changed one.
    '-o', 'StrictHostKeyChecking=accept-new',
    '-o', 'LogLevel=ERROR',
    '-T',
    `${o.user}@${address}`,
    ...remoteCommand(units),
  ];
}

/** The last meaningful line ssh printed (its error), or a fallback. */
function lastLine(s: string, fallback: string): string {
  const lines = s.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length > 0 ? lines[lines.length - 1] : fallback;
}

export class SshUnitProbe implements UnitProbe {
  private readonly user: string;

  constructor(private readonly options: SshUnitProbeOptions) {
    this.user = options.user ?? SERVICE_USER;
  }

  public probe(target: ProbeTarget, units: readonly string[], signal?: AbortSignal): Promise<ProbeOutcome> {
    let args: string[];
    try {
      args = sshArguments({ user: this.user, connectTimeoutSeconds: this.options.connectTimeoutSeconds }, target.address, units);
    } catch (e) {
      return Promise.resolve({ ok: false, error: (e as Error).message });
    }
    const program = this.options.program ?? 'ssh';
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let settled = false;
      const done = (o: ProbeOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const child = spawn(program, args, { env: { ...this.options.env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.options.deadlineMs);
      const onAbort = () => child.kill('SIGKILL');
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', (e: NodeJS.ErrnoException) => {
        done({
          ok: false,
          error: e.code === 'ENOENT' ? `${program} not found on PATH (install openssh-client, or pass --no-ssh)` : `could not run ${program}: ${e.message}`,
        });
      });
      child.on('close', (code) => {
        if (timedOut) return done({ ok: false, error: `ssh ${this.user}@${target.address} timed out after ${Number((this.options.deadlineMs / 1000).toFixed(1))} s` });
        if (signal?.aborted) return done({ ok: false, error: 'interrupted' });
        // 255: ssh itself failed (connection, authentication, host key); anything else is systemctl's.
        if (code === 255) return done({ ok: false, error: `ssh ${this.user}@${target.address} failed: ${lastLine(stderr, 'exit 255')}` });
        if (code !== 0) return done({ ok: false, error: `systemctl show on ${target.name} exited ${code}: ${lastLine(stderr, 'no message')}` });
        try {
          done({ ok: true, units: parseSystemctlShow(stdout, units) });
        } catch (e) {
          done({ ok: false, error: `${target.name}: ${(e as Error).message}` });
        }
      });
    });
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
