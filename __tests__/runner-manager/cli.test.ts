/** Command-line handling of `aiai-runner`, in-process (no API calls are reached). */
import { ExitCode } from '../../lib/runner-manager/errors';
import { main } from '../../lib/runner-manager/cli';
import { packageInfo } from '../../lib/runtime/package-info';

const env = {
  AIAI_RUNNER_POOL: 'ci',
  HCLOUD_TOKEN: 'x',
  AIAI_RUNNER_GITHUB_TOKEN: 'y',
  GITHUB_REPOSITORY: 'acme/app',
  HCLOUD_ENDPOINT: 'http://127.0.0.1:9/v1',
  GITHUB_API_URL: 'http://127.0.0.1:9',
};

async function cli(argv: string[], extra: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { ...env, ...extra }, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

test('--help lists the commands, the environment and the exit codes', async () => {
  const r = await cli(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/aiai-runner up /);
  expect(r.stdout).toMatch(/aiai-runner down /);
  expect(r.stdout).toMatch(/aiai-runner reap /);
  expect(r.stdout).toMatch(/HCLOUD_TOKEN/);
  expect(r.stdout).toMatch(/AIAI_RUNNER_MAX_RUNNERS/);
  expect(r.stdout).toMatch(/4 pool stayed full/);
});

test('fails if the environment is incomplete (exit 3, naming every gap, as an annotation in Actions)', async () => {
  let stderr = '';
  const code = await main(['reap'], { GITHUB_ACTIONS: 'true' }, { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } });
  expect(code).toBe(ExitCode.config);
  expect(stderr).toMatch(/AIAI_RUNNER_POOL: got nothing \(not set\)/);
  expect(stderr).toMatch(/HCLOUD_TOKEN .*AIAI_RUNNER_GITHUB_TOKEN .*GITHUB_REPOSITORY/);
  expect(stderr).toMatch(/^::error title=aiai-runner reap::Invalid runner pool settings:%0A/m);
});

test('--version prints the package version', async () => {
  expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${packageInfo().version}\n`, stderr: '' });
});

test('fails if the command is unknown or missing (exit 2)', async () => {
  const bad = await cli(['deploy']);
  expect(bad.code).toBe(ExitCode.usage);
  expect(bad.stderr).toMatch(/unknown command "deploy": expected up, down or reap\.\nRun 'aiai-runner --help' for usage\./);
  expect((await cli([])).stderr).toMatch(/no command given/);
});

test('fails if an option is unknown or belongs to another command (exit 2)', async () => {
  expect((await cli(['up', '--force'])).stderr).toMatch(/Unknown option '--force'/);
  const r = await cli(['reap', '--job', 'x']);
  expect(r.code).toBe(ExitCode.usage);
  expect(r.stderr).toMatch(/--job is not an option of reap/);
  expect((await cli(['down', '--dry-run'])).stderr).toMatch(/--dry-run is not an option of down/);
});

test('fails if a timeout is not a whole number of seconds (exit 2)', async () => {
  const r = await cli(['up', '--online-timeout', '5m']);
  expect(r.code).toBe(ExitCode.usage);
  expect(r.stderr).toMatch(/--online-timeout must be a whole number of seconds \(>= 1\), got "5m"/);
});

test('fails if up/down lack a run key or job outside GitHub Actions (exit 2)', async () => {
  expect((await cli(['up', '--job', 'build'])).stderr).toMatch(/up needs --run outside GitHub Actions/);
  expect((await cli(['up', '--run', '1-1'])).stderr).toMatch(/up needs --job/);
  expect((await cli(['down'])).stderr).toMatch(/down needs --run or --name outside GitHub Actions/);
  expect((await cli(['down', '--name', 'x,pool!=ci'])).stderr).toMatch(/--name must be a runner name/);
  const r = await cli(['down', '--run', 'Run 1']);
  expect(r.code).toBe(ExitCode.usage);
  expect(r.stderr).toMatch(/run key "Run 1" is invalid/);
});

test('fails if the repository is not owner/repo (exit 3)', async () => {
  const r = await cli(['reap', '--repository', 'just-a-name']);
  expect(r.code).toBe(ExitCode.config);
  expect(r.stderr).toMatch(/repository must be owner\/repo, got "just-a-name"/);
});

test('an unreachable API is an API error (exit 7) after the retries', async () => {
  const r = await main(['reap'], env, { stdout: { write: () => true }, stderr: { write: () => true } }, {
    clock: { now: Date.now, secondMs: 1, sleep: (ms) => new Promise((res) => setTimeout(res, ms)), random: () => 0.5 },
    retry: { maxAttempts: 2 },
  });
  expect(r).toBe(ExitCode.api);
});
