/**
 * A local stand-in of an orchestrator host for `aiai-release` (cloud-init/orchestrator/aiai-release.sh):
 *  - a temp root holding everything the script writes (repo.git, releases/, current, previous, lock),
 *    pointed at by a settings file rendered with the construct's own `releaseSettings()`;
 *  - a local git repository as the remote, with commits, tags and a branch made by the test; each
 *    commit has a `health` file (`<status> <body>`) that decides how the app of that release answers;
 *  - on PATH: a fake `systemctl` whose `restart aiai-orchestrator.service` (re)starts a small HTTP
 *    server (perl, from the Essential perl-base package: a small fraction of node's start-up CPU) in the
 *    directory `current` points at (like systemd resolving WorkingDirectory=), and returns once it
 *    listens (like Type=notify waiting for READY=1), or fails when it exits at start; and a fake
 *    `python3` whose `-m venv` makes a venv with a recording `pip`.
 * git, curl, flock are the real programs. By default the script's service user is the current user
 * (so no runuser); with `serviceUser` it is another account (run as root only): git, venv and pip then
 * go through the real runuser, and the stand-in's folders are opened up for that account.
 * Everything the test waits for is asynchronous (tests of one file run side by side).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { RELEASE_UNITS } from '../../lib/orchestrator/orchestrator-host';
import { releaseSettings, renderReleaseSettings } from '../../lib/orchestrator/release-config';
import { runAsync, RunResult } from '../support/tools';
import { tempDir } from '../support/tmp';

export const RELEASE_SCRIPT = join(__dirname, '..', '..', 'cloud-init', 'orchestrator', 'aiai-release.sh');
export const HOST_NAME = 'aiai-test-orchestrator-standby';

// The app of a release: answers GET /health with the status and body of the release's `health`
// file (404 elsewhere); `crash` exits at start. Once it listens it holds a lock on app.alive (until
// it is gone, socket closed: what the fake systemctl waits for after a kill) and writes `ready` to
// fd 3 (what it waits for after a start; end of file there means the app exited first).
const SERVER_PL = String.raw`use strict;
use warnings;
use Fcntl qw(:flock);
use Socket qw(PF_INET SOCK_STREAM SOL_SOCKET SO_REUSEADDR inet_aton pack_sockaddr_in);
open(my $h, '<', 'health') or die "fake app: no health file: $!\n";
my $line = <$h> // '';
close $h;
$line =~ s/^\s+|\s+$//g;
my ($code, $body) = split / /, $line, 2;
$body //= '';
if ($code eq 'crash') { print STDERR "crashing at start\n"; exit 3; }
$SIG{TERM} = sub { exit 0 };
socket(my $server, PF_INET, SOCK_STREAM, 0) or die "fake app: socket: $!\n";
setsockopt($server, SOL_SOCKET, SO_REUSEADDR, 1) or die "fake app: setsockopt: $!\n";
bind($server, pack_sockaddr_in($ENV{FAKE_PORT}, inet_aton('127.0.0.1'))) or die "fake app: bind: $!\n";
listen($server, 64) or die "fake app: listen: $!\n";
open(my $alive, '>', "$ENV{FAKE_RUN}/app.alive") or die "fake app: app.alive: $!\n";
flock($alive, LOCK_EX) or die "fake app: flock: $!\n";
open(my $ready, '>&=', 3) or die "fake app: fd 3: $!\n";
print $ready "ready\n";
close $ready;
while (accept(my $client, $server)) {
  my $request = <$client> // '';
  while (my $header = <$client>) { last if $header =~ /^\r?\n\z/; }
  my ($path) = $request =~ m{^[A-Z]+ (\S+)};
  my $status = defined $path && $path eq '/health' ? $code : 404;
  print $client "HTTP/1.1 $status Fake\r\nContent-Type: text/plain\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n\r\n$body";
  close $client;
}
`;

// No polling: a stop waits for the app's lock on app.alive, a start reads the app's `ready` line
// from a FIFO (end of file: it exited at start).
const SYSTEMCTL = `#!/bin/bash
echo "systemctl $*" >> "$FAKE_RUN/calls.log"
cmd=$1
shift
case $cmd in
  reset-failed) exit 0 ;;
  stop | restart) ;;
  *) echo "fake systemctl: $cmd not supported" >&2; exit 1 ;;
esac
for unit in "$@"; do
  [[ $unit == aiai-orchestrator.service ]] || continue
  if [[ -f $FAKE_RUN/app.pid ]]; then
    kill "$(< "$FAKE_RUN/app.pid")" 2> /dev/null
    flock -w 5 "$FAKE_RUN/app.alive" true || { echo "fake systemctl: $unit did not stop" >&2; exit 1; }
    rm -f "$FAKE_RUN/app.pid"
  fi
  [[ $cmd == stop ]] && continue
  dir=$(readlink -f "$FAKE_CURRENT") || { echo "fake systemctl: no current release" >&2; exit 1; }
  [[ -p $FAKE_RUN/ready.fifo ]] || mkfifo "$FAKE_RUN/ready.fifo"
  (cd "$dir" && exec perl "$FAKE_RUN/server.pl" < /dev/null >> "$FAKE_RUN/app.log" 2>&1 9>&-) 3> "$FAKE_RUN/ready.fifo" &
  echo "$!" > "$FAKE_RUN/app.pid"
  if ! read -r -t 5 ready < "$FAKE_RUN/ready.fifo" || [[ $ready != ready ]]; then
    echo "Job for $unit failed because the control process exited with error code." >&2
    rm -f "$FAKE_RUN/app.pid"
    exit 1
  fi
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

/** Ports handed out by this file: tests run side by side, each stand-in needs its own. */
const handedOut = new Set<number>();

/** A free TCP port on 127.0.0.1, never one handed out before in this test file. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.on('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Alive and not a zombie (a zombie's sockets are closed). */
function running(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export interface Commit {
  readonly sha: string;
}

/**
 * The stand-in host's git, as the tests' own git calls: no automatic maintenance (it would run
 * after every commit and fetch; it changes nothing the script reads).
 */
const GIT_ENV = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'maintenance.auto', GIT_CONFIG_VALUE_0: 'false' };

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
    writeFileSync(join(this.runDir, 'server.pl'), SERVER_PL);
    writeFileSync(join(this.runDir, 'calls.log'), '');
    executable(join(this.bin, 'systemctl'), SYSTEMCTL);
    executable(join(this.bin, 'python3'), PYTHON3);
    this.git(['init', '--quiet', '--initial-branch=main']);
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

  /** Runs git in the remote repository (`input` on its stdin). */
  public git(args: readonly string[], input?: string): string {
    const r = spawnSync(
      'git',
      ['-c', 'user.name=dev', '-c', 'user.email=dev@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'safe.directory=*', '-c', 'maintenance.auto=false', '-C', this.remote, ...args],
      { encoding: 'utf8', input },
    );
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** Commits made by {@link commit} and not yet written. */
  private pending: { readonly health: string; readonly tag?: string; readonly requirements?: string; readonly mark: number }[] = [];
  private readonly shas = new Map<number, string>();
  private marks = 0;
  /** The tip of main in the remote, once it has one. */
  private main?: string;

  /**
   * Commits a release of the app whose /health answers `health` (`<status> <body>`), optionally
   * tagged; `requirements` writes requirements.txt (it stays in later commits). The commits of a
   * test are written together by one `git fast-import` when a release runs or a commit id is first
   * read: the same history as `git add -A && git commit && git tag` each, in one process.
   */
  public commit(health: string, opts: { tag?: string; requirements?: string } = {}): Commit {
    const mark = ++this.marks;
    this.pending.push({ health, ...opts, mark });
    const shas = this.shas;
    const flush = () => this.flush();
    return {
      get sha(): string {
        flush();
        return shas.get(mark)!;
      },
    };
  }

  /** Writes the pending commits to the remote. */
  public flush(): void {
    if (this.pending.length === 0) return;
    const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
    let stream = '';
    for (const c of this.pending) {
      stream += `commit refs/heads/main\nmark :${c.mark}\ncommitter dev <dev@example.invalid> now\n${data(c.health)}`;
      if (this.main !== undefined) stream += `from ${this.main}\n`;
      stream += `M 100644 inline health\n${data(`${c.health}\n`)}`;
      if (c.requirements !== undefined) stream += `M 100644 inline requirements.txt\n${data(`${c.requirements}\n`)}`;
      if (c.tag) stream += `reset refs/tags/${c.tag}\nfrom :${c.mark}\n`;
      this.main = `:${c.mark}`;
    }
    const marksFile = join(this.root, 'marks');
    this.git(['fast-import', '--quiet', '--date-format=now', `--export-marks=${marksFile}`], stream);
    for (const line of readFileSync(marksFile, 'utf8').split('\n')) {
      const m = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
      if (m) this.shas.set(Number(m[1]), m[2]);
    }
    this.main = this.shas.get(this.pending[this.pending.length - 1].mark);
    this.pending = [];
    this.chownRemote();
  }

  public env(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
      HOME: this.root,
      LC_ALL: 'C',
      AIAI_RELEASE_CONFIG: this.settingsFile,
      FAKE_RUN: this.runDir,
      FAKE_PORT: String(this.port),
      FAKE_CURRENT: this.paths.current,
      GIT_CONFIG_NOSYSTEM: '1',
      ...GIT_ENV,
      ...extra,
    };
  }

  /** `aiai-release <args>` on the stand-in host: resolves when it exits. */
  public release(args: string[], extra: Readonly<Record<string, string>> = {}): Promise<RunResult> {
    this.flush();
    return runAsync('bash', [RELEASE_SCRIPT, ...args], this.env(extra), 120_000);
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
  public answer(): Promise<string> {
    return new Promise((resolve) => {
      const req = get({ host: '127.0.0.1', port: this.port, path: '/health', agent: false, timeout: 2000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
        res.on('error', () => resolve('down'));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', () => resolve('down'));
    });
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
    return readdirSync(this.paths.releases).sort();
  }

  /** Stops the app server (the stand-in of the unit), if it runs, and waits until it is gone. */
  public async stopApp(): Promise<void> {
    const pidFile = join(this.runDir, 'app.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    rmSync(pidFile, { force: true });
    for (let i = 0; i < 500 && running(pid); i++) await sleep(10);
  }

  public file(...parts: string[]): string {
    return join(this.runDir, ...parts);
  }
}

/** Runs `fn` on a fresh stand-in host (its own port and root), stopping its app afterwards. */
export async function withHost(fn: (host: ReleaseHost) => Promise<void>, opts: { serviceUser?: string } = {}): Promise<void> {
  const host = new ReleaseHost(await freePort(), {}, opts);
  try {
    await fn(host);
  } finally {
    await host.stopApp();
  }
}
