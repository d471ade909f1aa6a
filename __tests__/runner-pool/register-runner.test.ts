/**
 * register-runner.sh for real (bash, curl, jq) against a stand-in of GitHub's
 * `POST /repos/{owner}/{repo}/actions/runners/registration-token` on 127.0.0.1, with a fake
 * config.sh that records who ran it, with which arguments and environment. Proves: the token
 * request, the hand-over through ACTIONS_RUNNER_INPUT_TOKEN, neither credential on a command line,
 * idempotence, clear failures, and (as root) that runuser works within the register unit's
 * capability bounding set and not without CAP_DAC_READ_SEARCH.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { asset } from '../../lib/core/assets';
import { REGISTER_CAPABILITIES, renderPersistentRunnerEnv } from '../../lib/runner-pool/persistent-runner-host';
import { SERVER_TYPES } from '../../lib/hetzner/catalog';
import { PINNED_ACTIONS_RUNNER } from '../../lib/runtime/pool-settings';
import { json, LoggedRequest, runAsync, startServer } from '../render/backup/fake-servers';
import { describeWithTools, hasTool, run } from '../support/tools';

const PAT = 'github_pat_MARKER0123456789abcdef';
const REGISTRATION_TOKEN = 'AABBREGISTRATIONMARKER42';

const FAKE_CONFIG = `#!/bin/bash
set -eu
{
  echo "user=$(id -un)"
  echo "token=\${ACTIONS_RUNNER_INPUT_TOKEN:-}"
  printf 'arg=%s\\n' "$@"
} > "$PWD/config.log"
echo '{"agentName":"test"}' > .runner
`;

interface Fixture {
  readonly base: string;
  readonly runnerDir: string;
  readonly tokenFile: string;
  readonly envFile: string;
  readonly script: string;
  readonly binDir: string;
}

const bases: string[] = [];
afterAll(() => {
  for (const b of bases) rmSync(b, { recursive: true, force: true });
});

/** A fake host tree in a world-traversable temp folder (the runner user must reach config.sh). */
function fixture(apiUrl: string, opts: { user?: string; group?: string; withToken?: boolean } = {}): Fixture {
  const base = mkdtempSync(join(tmpdir(), 'register-runner-'));
  bases.push(base);
  chmodSync(base, 0o755);
  const runnerDir = join(base, 'opt/actions-runner');
  mkdirSync(runnerDir, { recursive: true });
  writeFileSync(join(runnerDir, 'config.sh'), FAKE_CONFIG, { mode: 0o755 });
  const secrets = join(base, 'etc/aiai/secrets');
  mkdirSync(secrets, { recursive: true, mode: 0o750 });
  const tokenFile = join(secrets, 'github-runner-token');
  if (opts.withToken !== false) writeFileSync(tokenFile, `${PAT}\n`, { mode: 0o600 });
  const env = renderPersistentRunnerEnv({
    serverType: SERVER_TYPES.cpx32,
    architecture: 'x64',
    actionsRunner: PINNED_ACTIONS_RUNNER,
    repository: 'acme/aiai',
    name: 'aiai-test-runner-0',
    labels: ['aiai-persistent', 'hetzner'],
    runnerGroup: opts.group,
    docker: false,
  })
    .replace("RUNNER_API_URL='https://api.github.com'", `RUNNER_API_URL='${apiUrl}'`)
    .replace("RUNNER_USER='runner'", `RUNNER_USER='${opts.user ?? userInfo().username}'`)
    .replace("RUNNER_DIR='/opt/actions-runner'", `RUNNER_DIR='${runnerDir}'`)
    .replace("RUNNER_TOKEN_FILE='/etc/aiai/secrets/github-runner-token'", `RUNNER_TOKEN_FILE='${tokenFile}'`);
  const envFile = join(base, 'persistent.env');
  writeFileSync(envFile, env);
  const script = join(base, 'register-runner.sh');
  writeFileSync(script, asset('runner/register-runner.sh'), { mode: 0o755 });
  // curl through a wrapper that records its command line.
  const binDir = join(base, 'bin');
  mkdirSync(binDir);
  const realCurl = run('sh', ['-c', 'command -v curl']).stdout.trim();
  writeFileSync(join(binDir, 'curl'), `#!/bin/bash\nprintf '%s\\n' "$@" >> '${base}/curl-argv.log'\nexec '${realCurl}' "$@"\n`, { mode: 0o755 });
  return { base, runnerDir, tokenFile, envFile, script, binDir };
}

// /usr/bin:/bin last: the runner user (nobody) must find id and friends even when the caller's PATH dirs are not world-readable.
const envFor = (f: Fixture) => ({ PATH: `${f.binDir}:${process.env.PATH}:/usr/bin:/bin`, LC_ALL: 'C' });
const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');

async function github(status = 201, body: unknown = { token: REGISTRATION_TOKEN, expires_at: '2026-11-29T20:00:00Z' }) {
  return startServer((req: LoggedRequest, res) => {
    if (req.method === 'POST' && req.url === '/repos/acme/aiai/actions/runners/registration-token') return json(res, status, body);
    json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });
}

describeWithTools({ jq: 'jq', curl: 'curl' }, 'register-runner.sh', () => {
  test('asks GitHub for a registration token and runs config.sh with it, never on a command line', async () => {
    const gh = await github();
    try {
      const f = fixture(gh.url);
      const r = await runAsync('bash', [f.script, f.envFile], envFor(f));
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout).toContain('registered runner aiai-test-runner-0 for acme/aiai');
      expect(gh.requests).toHaveLength(1);
      const req = gh.requests[0];
      expect(req.headers.authorization).toBe(`Bearer ${PAT}`);
      expect(req.headers.accept).toBe('application/vnd.github+json');
      expect(req.headers['x-github-api-version']).toBe('2022-11-28');
      expect(read(join(f.runnerDir, 'config.log'))).toBe(
        [
          `user=${userInfo().username}`,
          `token=${REGISTRATION_TOKEN}`,
          ...['--unattended', '--replace', '--url', 'https://github.com/acme/aiai', '--name', 'aiai-test-runner-0', '--work', '_work', '--labels', 'aiai-persistent,hetzner'].map((a) => `arg=${a}`),
          '',
        ].join('\n'),
      );
      const curlArgv = read(join(f.base, 'curl-argv.log'));
      expect(curlArgv).toContain('@-');
      expect(curlArgv).not.toContain(PAT);
      expect(curlArgv).not.toContain('--location');
      expect(r.stdout + r.stderr).not.toContain(PAT);
      expect(existsSync(join(f.runnerDir, '.runner'))).toBe(true);
    } finally {
      await gh.close();
    }
  });

  test('passes the runner group when one is set', async () => {
    const gh = await github();
    try {
      const f = fixture(gh.url, { group: 'CI runners' });
      expect((await runAsync('bash', [f.script, f.envFile], envFor(f))).status).toBe(0);
      expect(read(join(f.runnerDir, 'config.log'))).toContain('arg=--runnergroup\narg=CI runners\n');
    } finally {
      await gh.close();
    }
  });

  test('does nothing when already registered (a new credential or a reboot)', async () => {
    const gh = await github();
    try {
      const f = fixture(gh.url);
      writeFileSync(join(f.runnerDir, '.runner'), '{}');
      const r = await runAsync('bash', [f.script, f.envFile], envFor(f));
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('already registered');
      expect(gh.requests).toHaveLength(0);
      expect(existsSync(join(f.runnerDir, 'config.log'))).toBe(false);
    } finally {
      await gh.close();
    }
  });

  test('fails clearly without a credential, asking nothing', async () => {
    const gh = await github();
    try {
      const f = fixture(gh.url, { withToken: false });
      const r = await runAsync('bash', [f.script, f.envFile], envFor(f));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/no GitHub credential in .*github-runner-token yet/);
      expect(gh.requests).toHaveLength(0);
    } finally {
      await gh.close();
    }
  });

  test('fails clearly when GitHub refuses the credential, and configures nothing', async () => {
    const gh = await github(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    try {
      const f = fixture(gh.url);
      const r = await runAsync('bash', [f.script, f.envFile], envFor(f));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/GitHub refused a registration token for acme\/aiai: .*Bad credentials/);
      expect(r.stderr).toContain('Administration: read and write');
      expect(r.stderr).not.toContain(PAT);
      expect(existsSync(join(f.runnerDir, 'config.log'))).toBe(false);
      expect(existsSync(join(f.runnerDir, '.runner'))).toBe(false);
    } finally {
      await gh.close();
    }
  });

  test('fails when the answer has no token', async () => {
    const gh = await github(201, { expires_at: 'x' });
    try {
      const f = fixture(gh.url);
      const r = await runAsync('bash', [f.script, f.envFile], envFor(f));
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('no registration token');
      expect(existsSync(join(f.runnerDir, 'config.log'))).toBe(false);
    } finally {
      await gh.close();
    }
  });
});

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 && hasTool('setpriv') && hasTool('runuser') && hasTool('jq');
if (!asRoot) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED register-runner.sh as root: needs root, setpriv and runuser (util-linux)');
}
(asRoot ? describe : describe.skip)('register-runner.sh as root, within the register unit\'s capabilities', () => {
  const bounding = (caps: readonly string[]) => `-all,${caps.map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`).join(',')}`;

  async function attempt(caps: readonly string[]) {
    const gh = await github();
    try {
      const f = fixture(gh.url, { user: 'nobody' });
      // The runner's directory belongs to the runner user, mode 0750, as install-runner.sh leaves it.
      const nobody = run('id', ['-u', 'nobody']).stdout.trim();
      const nogroup = run('id', ['-g', 'nobody']).stdout.trim();
      chownSync(f.runnerDir, Number(nobody), Number(nogroup));
      chownSync(join(f.runnerDir, 'config.sh'), Number(nobody), Number(nogroup));
      chmodSync(f.runnerDir, 0o750);
      const r = await runAsync('setpriv', ['--bounding-set', bounding(caps), '--inh-caps=-all', 'bash', f.script, f.envFile], envFor(f));
      return { r, f, gh };
    } finally {
      await gh.close();
    }
  }

  test('config.sh runs as the runner user through runuser, with the token in its environment', async () => {
    const { r, f } = await attempt(REGISTER_CAPABILITIES);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const log = read(join(f.runnerDir, 'config.log'));
    expect(log).toMatch(/^user=nobody\ntoken=AABBREGISTRATIONMARKER42\n/);
    expect(log).not.toContain(PAT);
  });

  test('without CAP_DAC_READ_SEARCH it cannot look into the runner directory (the capability is needed)', async () => {
    const { r, f } = await attempt(REGISTER_CAPABILITIES.filter((c) => c !== 'CAP_DAC_READ_SEARCH'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cd: .*actions-runner: Permission denied/);
    expect(read(join(f.runnerDir, 'config.log'))).toBe('');
  });
});
