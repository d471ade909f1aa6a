/**
 * Both stand-ins wired together like the real world: a server that is powered on "boots" after
 * `bootMs` and starts the runner with the JIT config found in its user_data (so a runner only
 * comes online if `up` delivered the right config); a deleted server takes its runner offline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CliDeps, main } from '../../../lib/runner-manager/cli';
import { realClock } from '../../../lib/runner-manager/http';
import { ManagerTimings } from '../../../lib/runtime/timings';
import { RUNNER_JIT_FILE } from '../../../lib/runner-manager/user-data';
import { tempDir } from '../../support/tmp';
import { FakeGitHub } from './fake-github';
import { FakeHetzner, FakeServer } from './fake-hetzner';

export const HCLOUD_TOKEN = 'hc-test-token-0123456789abcdef';
export const GITHUB_TOKEN = 'ghp-test-token-fedcba9876543210';
export const REPOSITORY = 'acme/app';

/** One policy second = 1 ms: the real waits and backoffs, a thousand times faster. */
export const SECOND_MS = 1;

/** Every wait in policy seconds (scaled by SECOND_MS). */
export const TEST_TIMINGS: Partial<ManagerTimings> = {
  onlineTimeoutSeconds: 2000,
  onlinePollSeconds: 5,
  slotTimeoutSeconds: 5000,
  slotPollSeconds: 20,
  claimBackoffSeconds: 5,
  claimBackoffMaxSeconds: 40,
  powerOnTimeoutSeconds: 2000,
  powerOnPollSeconds: 3,
  runnerDeleteAttempts: 6,
  runnerDeleteRetrySeconds: 10,
  orphanGraceSeconds: 20,
  progressEverySeconds: 100,
};

export function jitFromUserData(userData: string): string | undefined {
  const doc = parse(userData.replace(/^#cloud-config\n/, '')) as { write_files?: { path: string; content: string }[] };
  const file = doc.write_files?.find((f) => f.path === RUNNER_JIT_FILE);
  return file?.content.match(/^AIAI_RUNNER_JITCONFIG=(\S+)$/m)?.[1];
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Parsed `$GITHUB_OUTPUT`. */
  readonly outputs: Record<string, string>;
}

export class World {
  public readonly hetzner = new FakeHetzner({ token: HCLOUD_TOKEN, lockMs: 4 });
  public readonly github = new FakeGitHub({ token: GITHUB_TOKEN, repository: REPOSITORY });
  /** Servers boot and start their runner this long after power-on (real ms). */
  public bootMs = 10;
  /** Whether booted servers start their runner at all. */
  public runnersStart = true;
  private readonly dir = tempDir('runner-world-');
  private outputs = 0;

  public async start(): Promise<this> {
    await Promise.all([this.hetzner.start(), this.github.start()]);
    this.hetzner.onPowerOn = (s: FakeServer) => {
      setTimeout(() => {
        if (!this.runnersStart || !this.hetzner.servers.has(s.id)) return;
        const jit = jitFromUserData(s.userData);
        if (jit) this.github.connect(jit);
      }, this.bootMs);
    };
    this.hetzner.onDelete = (s) => this.github.disconnect(s.name);
    return this;
  }

  public async close(): Promise<void> {
    await Promise.all([this.hetzner.close(), this.github.close()]);
  }

  /** The environment a workflow step would have (vars and secrets mapped in). */
  public env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      HCLOUD_TOKEN,
      AIAI_RUNNER_GITHUB_TOKEN: GITHUB_TOKEN,
      HCLOUD_ENDPOINT: `${this.hetzner.url}/v1`,
      GITHUB_API_URL: this.github.url,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_RUN_ID: '9001',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'runner-up-build',
      AIAI_RUNNER_POOL: 'ci',
      AIAI_RUNNER_FIREWALL_IDS: '51',
      AIAI_RUNNER_SERVER_LABELS: 'project=aiai,environment=test',
      ...extra,
    };
  }

  /** Runs the CLI in-process with the test clock. */
  public async run(argv: string[], extraEnv: Record<string, string | undefined> = {}, deps: CliDeps = {}): Promise<RunResult> {
    const outputFile = join(this.dir, `output-${this.outputs++}`);
    let stdout = '';
    let stderr = '';
    const code = await main(
      argv,
      this.env({ GITHUB_OUTPUT: outputFile, ...extraEnv }),
      { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
      { clock: realClock(SECOND_MS), timings: TEST_TIMINGS, retry: { baseDelaySeconds: 2, maxDelaySeconds: 50 }, ...deps },
    );
    let outputs: Record<string, string> = {};
    try {
      outputs = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    } catch {
      // no outputs written
    }
    return { code, stdout, stderr, outputs };
  }
}
