/**
 * A local stand-in of an orchestrator host for `aiai-release` (cloud-init/orchestrator/aiai-release.sh):
 *  - a temp root holding everything the script writes (repo.git, releases/, current, previous, lock),
 *    pointed at by a settings file rendered with the construct's own `releaseSettings()`;
 *  - a local git repository as the remote, with commits, tags and a branch made by the test; each
 *    commit has a `health` file (`<status> <body>`) that decides how the app of that release answers;
 *  - on PATH: a fake `systemctl` whose `restart aiai-orchestrator.service` (re)starts a small node
 *    HTTP server in the directory `current` points at (like systemd resolving WorkingDirectory=), and
 *    returns once it listens (like Type=notify waiting for READY=1), or fails when it exits at start;
 *    and a fake `python3` whose `-m venv` makes a venv with a recording `pip`.
 * git, curl, flock are the real programs. By default the script's service user is the current user
 * (so no runuser); with `serviceUser` it is another account (run as root only): git, venv and pip then
 * go through the real runuser, and the stand-in's folders are opened up for that account.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { RELEASE_UNITS } from '../../lib/orchestrator/orchestrator-host';
import { releaseSettings, renderReleaseSettings } from '../../lib/orchestrator/release-config';
import { run, RunResult } from '../support/tools';
import { tempDir } from '../support/tmp';

export const RELEASE_SCRIPT = join(__dirname, '..', '..', 'cloud-init', 'orchestrator', 'aiai-release.sh');
export const HOST_NAME = 'aiai-test-orchestrator-standby';

const SERVER_JS = `
const fs = require('fs');
const http = require('http');
const [code, ...rest] = fs.readFileSync('health', 'utf8').trim().split(' ');
if (code === 'crash') { console.error('crashing at start'); process.exit(3); }
const body = rest.join(' ');
const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/health' ? Number(code) : 404, { 'content-type': 'text/plain' });
  res.end(body);
});
process.on('SIGTERM', () => process.exit(0));
server.listen(Number(process.env.FAKE_PORT), '127.0.0.1', () => fs.writeFileSync(process.env.FAKE_RUN + '/app.ready', String(process.pid)));
`;

const SYSTEMCTL = `#!/bin/sh
echo "systemctl $*" >> "$FAKE_RUN/calls.log"
cmd=$1
shift
case $cmd in
  reset-failed) exit 0 ;;
  stop | restart) ;;
  *) echo "fake systemctl: $cmd not supported" >&2; exit 1 ;;
esac
for unit in "$@"; do
  [ "$unit" = aiai-orchestrator.service ] || continue
  if [ -f "$FAKE_RUN/app.pid" ]; then
    pid=$(cat "$FAKE_RUN/app.pid")
    kill "$pid" 2> /dev/null
    i=0
    # Until it is gone (or a zombie: its socket is closed then).
    while [ -e "/proc/$pid" ] && ! grep -q ') Z ' "/proc/$pid/stat" 2> /dev/null && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
    rm -f "$FAKE_RUN/app.pid"
  fi
  [ "$cmd" = stop ] && continue
  dir=$(readlink -f "$FAKE_CURRENT") || { echo "fake systemctl: no current release" >&2; exit 1; }
  rm -f "$FAKE_RUN/app.ready"
  (cd "$dir" && exec "$FAKE_NODE" "$FAKE_RUN/server.js" < /dev/null >> "$FAKE_RUN/app.log" 2>&1 9>&-) &
  pid=$!
  echo "$pid" > "$FAKE_RUN/app.pid"
  i=0
  while [ ! -e "$FAKE_RUN/app.ready" ]; do
    if ! kill -0 "$pid" 2> /dev/null || grep -q ') Z ' "/proc/$pid/stat" 2> /dev/null; then
      echo "Job for $unit failed because the control process exited with error code." >&2
      rm -f "$FAKE_RUN/app.pid"
      exit 1
    fi
    [ $i -lt 250 ] || { echo "fake systemctl: $unit did not become ready" >&2; exit 1; }
    sleep 0.02
    i=$((i + 1))
  done
done
exit 0
`;

// python3 -m venv <dir>: a venv whose pip records its arguments; a requirements.txt containing
// "fail" makes pip fail, "block" makes it wait for $FAKE_RUN/pip.go (after creating pip.started).
const PYTHON3 = `#!/bin/sh
[ "$1" = -m ] && [ "$2" = venv ] || { echo "fake python3: only -m venv" >&2; exit 1; }
mkdir -p "$3/bin"
printf '#!/bin/sh\\nexit 0\\n' > "$3/bin/python"
cat > "$3/bin/pip" << 'EOF'
#!/bin/sh
echo "pip $*" >> "$FAKE_RUN/calls.log"
for last in "$@"; do :; done
if grep -q fail "$last"; then echo "ERROR: No matching distribution found for fail" >&2; exit 1; fi
if grep -q block "$last"; then
  touch "$FAKE_RUN/pip.started"
  i=0
  while [ ! -e "$FAKE_RUN/pip.go" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
fi
exit 0
EOF
chmod 755 "$3/bin/python" "$3/bin/pip"
`;

function executable(path: string, body: string): void {
  writeFileSync(path, body);
  chmodSync(path, 0o755);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Commit {
  readonly sha: string;
}

export class ReleaseHost {
  public readonly root: string;
  public readonly remote: string;
  public readonly runDir: string;
  public readonly settingsFile: string;
  public readonly paths: { readonly repo: string; readonly releases: string; readonly current: string; readonly previous: string; readonly lock: string };
  private readonly bin: string;

  private readonly serviceUser?: string;

  constructor(
    public readonly port: number,
    settingsOverride: Readonly<Record<string, string>> = {},
    opts: { serviceUser?: string } = {},
  ) {
    this.serviceUser = opts.serviceUser;
    this.root = tempDir('release-host-');
    this.remote = join(this.root, 'remote');
    this.runDir = join(this.root, 'run');
    this.bin = join(this.root, 'bin');
    for (const d of [this.remote, this.runDir, this.bin, join(this.root, 'etc')]) mkdirSync(d, { recursive: true });
    const app = join(this.root, 'opt', 'aiai');
    this.paths = {
      repo: join(app, 'repo.git'),
      releases: join(app, 'releases'),
      current: join(app, 'current'),
      previous: join(app, 'previous'),
      lock: join(this.root, 'run', 'lock', 'aiai-release.lock'),
    };
    this.settingsFile = join(this.root, 'etc', 'release.conf');
    writeFileSync(
      this.settingsFile,
      renderReleaseSettings({
        ...releaseSettings({ hostName: HOST_NAME, repositoryUrl: this.remote, privateIp: '127.0.0.1', units: RELEASE_UNITS }),
        AIAI_SERVICE_USER: opts.serviceUser ?? userInfo().username,
        AIAI_RELEASE_REPO: this.paths.repo,
        AIAI_RELEASES_DIR: this.paths.releases,
        AIAI_CURRENT_LINK: this.paths.current,
        AIAI_PREVIOUS_LINK: this.paths.previous,
        AIAI_RELEASE_LOCK: this.paths.lock,
        AIAI_HEALTH_URL: `http://127.0.0.1:${port}/health`,
        AIAI_HEALTH_TIMEOUT_SEC: '1',
        AIAI_HEALTH_INTERVAL_SEC: '0.05',
        AIAI_HEALTH_PROBE_SEC: '1',
        AIAI_RELEASES_KEEP: '3',
        ...settingsOverride,
      }),
    );
    writeFileSync(join(this.runDir, 'server.js'), SERVER_JS);
    writeFileSync(join(this.runDir, 'calls.log'), '');
    executable(join(this.bin, 'systemctl'), SYSTEMCTL);
    executable(join(this.bin, 'python3'), PYTHON3);
    this.git('init', '--quiet', '--initial-branch=main');
    if (opts.serviceUser) {
      // The other account must reach the stand-in (mkdtemp makes 0700 folders) and record its pip calls.
      for (const d of [this.root, this.runDir, this.bin, join(this.root, 'etc')]) chmodSync(d, 0o755);
      chmodSync(join(this.runDir, 'calls.log'), 0o666);
      this.chownRemote();
    }
  }

  /** git refuses to serve a repository its user does not own: the remote belongs to the service user. */
  private chownRemote(): void {
    if (!this.serviceUser) return;
    const r = spawnSync('chown', ['-R', this.serviceUser, this.remote], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chown: ${r.stderr}`);
  }

  /** Runs git in the remote repository. */
  public git(...args: string[]): string {
    const r = spawnSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'safe.directory=*', '-C', this.remote, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** Commits a release of the app whose /health answers `health` (`<status> <body>`), optionally tagged. */
  public commit(health: string, opts: { tag?: string; requirements?: string } = {}): Commit {
    writeFileSync(join(this.remote, 'health'), `${health}\n`);
    if (opts.requirements !== undefined) writeFileSync(join(this.remote, 'requirements.txt'), `${opts.requirements}\n`);
    this.git('add', '-A');
    this.git('commit', '--quiet', '-m', health);
    if (opts.tag) this.git('tag', opts.tag);
    this.chownRemote();
    return { sha: this.git('rev-parse', 'HEAD') };
  }

  public env(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
      HOME: this.root,
      LC_ALL: 'C',
      AIAI_RELEASE_CONFIG: this.settingsFile,
      FAKE_RUN: this.runDir,
      FAKE_PORT: String(this.port),
      FAKE_NODE: process.execPath,
      FAKE_CURRENT: this.paths.current,
      GIT_CONFIG_NOSYSTEM: '1',
      ...extra,
    };
  }

  /** `aiai-release <args>` on the stand-in host. */
  public release(args: string[], extra: Readonly<Record<string, string>> = {}): RunResult {
    return run('bash', [RELEASE_SCRIPT, ...args], { env: this.env(extra) });
  }

  /** The same, without waiting: resolves when it exits. */
  public releaseAsync(args: string[]): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = spawn('bash', [RELEASE_SCRIPT, ...args], { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  /** The commit `current` (or `previous`) points at, or undefined. */
  public link(name: 'current' | 'previous'): string | undefined {
    const p = this.paths[name];
    try {
      return readlinkSync(p).split('/').pop();
    } catch {
      return undefined;
    }
  }

  /** What the running app answers on /health (`<status> <body>`), or `down`. */
  public answer(): string {
    const r = run('curl', ['-sS', '--max-time', '2', '-o', '-', '-w', ' %{http_code}', `http://127.0.0.1:${this.port}/health`]);
    if (r.status !== 0) return 'down';
    const m = /^(.*) (\d{3})$/s.exec(r.stdout);
    return m ? `${m[2]} ${m[1]}` : r.stdout;
  }

  /** Recorded calls of the fake systemctl and pip. */
  public calls(): string[] {
    return readFileSync(join(this.runDir, 'calls.log'), 'utf8').split('\n').filter((l) => l !== '');
  }

  public restarts(): number {
    return this.calls().filter((c) => c === 'systemctl restart aiai-orchestrator.service').length;
  }

  public releaseDirs(): string[] {
    if (!existsSync(this.paths.releases)) return [];
    return require('node:fs').readdirSync(this.paths.releases).sort();
  }

  /** Stops the app server (the stand-in of the unit), if it runs. */
  public stopApp(): void {
    const pidFile = join(this.runDir, 'app.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    require('node:fs').rmSync(pidFile, { force: true });
  }

  public file(...parts: string[]): string {
    return join(this.runDir, ...parts);
  }
}
