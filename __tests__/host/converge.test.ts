/**
 * cloud-init/host/aiai-converge.sh, the script the HostConfiguration resource runs on a host, against
 * a stand-in host: a temp root for every file (AIAI_CONVERGE_ROOT) and stand-ins on PATH for the
 * system tools it drives (systemctl, apt-get, dpkg-query, useradd, ...), which record every call and
 * keep the state a real host would (installed packages, unit states). Real bash and jq run the script.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asset } from '../../lib/core/assets';
import { HostManifestSpec, manifestJson, renderHostManifest } from '../../lib/render/host-manifest';
import { tempDir } from '../support/tmp';
import { describeWithTools, run, RunResult } from '../support/tools';

const SHIMS: Record<string, string> = {
  // systemctl: units' states live in $FAKE/state/<unit>; a unit listed in $FAKE/fail fails to start.
  systemctl: `#!/bin/bash
echo "systemctl $*" >> "$FAKE/calls"
cmd=$1; shift
case "$cmd" in
  start|restart|reload-or-restart)
    u=$1
    if grep -qx "$u" "$FAKE/fail" 2>/dev/null; then echo failed > "$FAKE/state/$u"; exit 1; fi
    echo active > "$FAKE/state/$u" ;;
  is-active)
    s=$(cat "$FAKE/state/$1" 2>/dev/null || echo inactive); echo "$s"; [ "$s" = active ] ;;
  status) echo "● $2 - failed (stand-in status)" ;;
  *) ;;
esac
exit 0`,
  journalctl: '#!/bin/sh\necho "journalctl $*" >> "$FAKE/calls"\necho "stand-in journal: boom in $4"\n',
  'apt-get': '#!/bin/sh\necho "apt-get $*" >> "$FAKE/calls"\nif [ "$3" = install ]; then shift 5; for p in "$@"; do echo "$p" >> "$FAKE/installed"; done; fi\n',
  'dpkg-query': '#!/bin/sh\np=$3\ngrep -qx "$p" "$FAKE/installed" 2>/dev/null && printf "install ok installed" && exit 0\nexit 1\n',
  getent: '#!/bin/sh\ngrep -qx "$2" "$FAKE/$1" 2>/dev/null\n',
  groupadd: '#!/bin/sh\necho "groupadd $*" >> "$FAKE/calls"\nfor a; do last=$a; done\necho "$last" >> "$FAKE/group"\n',
  useradd: '#!/bin/sh\necho "useradd $*" >> "$FAKE/calls"\nfor a; do last=$a; done\necho "$last" >> "$FAKE/passwd"\n',
  usermod: '#!/bin/sh\necho "usermod $*" >> "$FAKE/calls"\necho "$3" >> "$FAKE/groups-of-user"\n',
  id: '#!/bin/sh\ncat "$FAKE/groups-of-user" 2>/dev/null | tr "\\n" " "; echo\n',
  chown: '#!/bin/sh\necho "chown $*" >> "$FAKE/chowns"\n',
  gpg: '#!/bin/sh\necho "gpg $*" >> "$FAKE/calls"\ncat > /dev/null\nfor a; do case "$prev" in -o) : > "$a";; esac; prev=$a; done\n',
};

interface StandInHost {
  readonly root: string;
  readonly fake: string;
  converge(spec: HostManifestSpec): RunResult;
  calls(): string[];
  resetCalls(): void;
}

function standInHost(): StandInHost {
  const dir = tempDir('converge-');
  const root = join(dir, 'root');
  const fake = join(dir, 'fake');
  const bin = join(dir, 'bin');
  for (const d of [root, fake, join(fake, 'state'), bin]) mkdirSync(d, { recursive: true });
  for (const [name, body] of Object.entries(SHIMS)) {
    writeFileSync(join(bin, name), body);
    chmodSync(join(bin, name), 0o755);
  }
  const script = join(dir, 'aiai-converge');
  writeFileSync(script, asset('host/aiai-converge.sh'));
  let n = 0;
  return {
    root,
    fake,
    converge(spec) {
      const m = join(dir, `manifest-${n++}.json`);
      writeFileSync(m, manifestJson(renderHostManifest(spec)));
      return run('bash', [script, m], {
        env: { PATH: `${bin}:${process.env.PATH}`, FAKE: fake, AIAI_CONVERGE_ROOT: root, AIAI_CONVERGE_SETTLE_SECONDS: '2' },
      });
    },
    calls: () => (existsSync(join(fake, 'calls')) ? readFileSync(join(fake, 'calls'), 'utf8').trim().split('\n') : []),
    resetCalls: () => writeFileSync(join(fake, 'calls'), ''),
  };
}

function spec(overrides: Partial<HostManifestSpec> = {}): HostManifestSpec {
  return {
    hostname: 'mon',
    serviceUser: 'aiai',
    serviceUserGroups: [],
    groups: [],
    users: [],
    aptSources: [],
    packages: ['prometheus', 'jq'],
    files: [
      { path: '/etc/prometheus/prometheus.yml', content: 'global: {}\n', reloadUnits: ['prometheus.service'] },
      { path: '/etc/prometheus/rules/aiai.yml', content: 'groups: []\n', reloadUnits: ['prometheus.service'] },
      { path: '/etc/loki/config.yml', content: 'loki: 1\n', restartUnits: ['loki.service'] },
      { path: '/home/aiai/.ssh/authorized_keys', content: 'ssh-ed25519 AAAA alice\n', permissions: '0600', owner: 'aiai:aiai' },
      { path: '/usr/local/lib/aiai/aiai-firewall', content: `#!/bin/sh\necho fw >> "$FAKE/firewall-runs"\n`, permissions: '0755', exec: true },
      { path: '/etc/systemd/system/prometheus.service.d/aiai.conf', content: '[Service]\nNice=5\n' },
    ],
    units: [{ name: 'aiai-backup.timer', sections: { Unit: { Description: 'backup' }, Timer: { OnCalendar: 'daily' }, Install: { WantedBy: 'timers.target' } } }],
    services: ['prometheus.service', 'loki.service'],
    commands: [['install', '-d', '/tmp/x-converge-test']],
    ...overrides,
  };
}

const firewallRuns = (h: StandInHost) => (existsSync(join(h.fake, 'firewall-runs')) ? readFileSync(join(h.fake, 'firewall-runs'), 'utf8').trim().split('\n').length : 0);

describeWithTools({ jq: 'jq', bash: 'bash' }, 'aiai-converge on a stand-in host', () => {
  test('a blank host gets every file, its missing packages, and every service started', () => {
    const h = standInHost();
    const r = h.converge(spec());
    expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 0 });
    expect(readFileSync(join(h.root, 'etc/prometheus/rules/aiai.yml'), 'utf8')).toBe('groups: []\n');
    expect(statSync(join(h.root, 'home/aiai/.ssh/authorized_keys')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(h.fake, 'chowns'), 'utf8')).toMatch(/chown aiai:aiai .*\.aiai-converge/);
    const calls = h.calls();
    expect(calls).toContain('apt-get -o DPkg::Lock::Timeout=600 install -y -qq prometheus jq');
    expect(calls).toContain('systemctl daemon-reload');
    // The packages' services too: grafana-server's package, for one, enables nothing.
    expect(calls).toContain('systemctl enable --quiet aiai-backup.timer prometheus.service loki.service');
    // Changed files ask for their units: the drop-in restarts prometheus (restart wins over reload).
    expect(calls).toContain('systemctl restart prometheus.service');
    expect(calls).toContain('systemctl restart loki.service');
    expect(calls).toContain('systemctl restart aiai-backup.timer');
    expect(firewallRuns(h)).toBe(1);
    expect(r.stderr).toMatch(/aiai-converge\[mon\]: converged/);
  });

  test('a second run with the same manifest writes nothing, installs nothing and restarts nothing', () => {
    const h = standInHost();
    expect(h.converge(spec()).status).toBe(0);
    h.resetCalls();
    const r = h.converge(spec());
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/wrote|installing|restarting|reloading/);
    const calls = h.calls();
    expect(calls.filter((c) => /^apt-get|restart|reload|daemon-reload|useradd|groupadd/.test(c))).toEqual([]);
    expect(firewallRuns(h)).toBe(1);
  });

  test('a changed alert rule reloads Prometheus only', () => {
    const h = standInHost();
    expect(h.converge(spec()).status).toBe(0);
    h.resetCalls();
    const base = spec();
    const changed = spec({ files: base.files.map((f) => (f.path.endsWith('aiai.yml') ? { ...f, content: 'groups: [{name: x, rules: []}]\n' } : f)) });
    const r = h.converge(changed);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/wrote \/etc\/prometheus\/rules\/aiai.yml/);
    const touched = h.calls().filter((c) => /restart|reload/.test(c));
    expect(touched).toEqual(['systemctl reload-or-restart prometheus.service']);
  });

  test('a changed mode alone rewrites the file', () => {
    const h = standInHost();
    expect(h.converge(spec()).status).toBe(0);
    const base = spec();
    const r = h.converge(spec({ files: base.files.map((f) => (f.path.endsWith('config.yml') ? { ...f, permissions: '0640' } : f)) }));
    expect(r.stderr).toMatch(/wrote \/etc\/loki\/config.yml/);
    expect(statSync(join(h.root, 'etc/loki/config.yml')).mode & 0o777).toBe(0o640);
  });

  test('fails if a service does not come up, with its status and journal, naming the host', () => {
    const h = standInHost();
    writeFileSync(join(h.fake, 'fail'), 'loki.service\n');
    const r = h.converge(spec());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/aiai-converge\[mon\]: unit loki.service is failed/);
    expect(r.stdout + r.stderr).toMatch(/stand-in journal: boom in loki.service/);
    expect(r.stderr).toMatch(/FAILED: units not running: loki.service:failed/);
  });

  test('a file or unit dropped from the manifest is removed from the host (unit disabled first)', () => {
    const h = standInHost();
    expect(h.converge(spec()).status).toBe(0);
    h.resetCalls();
    const base = spec();
    const r = h.converge(spec({ files: base.files.filter((f) => !f.path.startsWith('/etc/loki')), units: [], services: ['prometheus.service'] }));
    expect(r.status).toBe(0);
    expect(existsSync(join(h.root, 'etc/loki/config.yml'))).toBe(false);
    expect(existsSync(join(h.root, 'etc/systemd/system/aiai-backup.timer'))).toBe(false);
    expect(h.calls()).toEqual(expect.arrayContaining(['systemctl disable --now aiai-backup.timer', 'systemctl daemon-reload']));
  });

  test('groups, users and the service user\'s extra groups are created once', () => {
    const h = standInHost();
    const s = spec({ groups: ['runners'], users: [{ name: 'runner', system: true, homedir: '/opt/runner', groups: ['runners'] }], serviceUserGroups: ['docker'] });
    expect(h.converge(s).status).toBe(0);
    expect(h.calls()).toEqual(
      expect.arrayContaining([
        'groupadd --system runners',
        'useradd --create-home --home-dir /opt/runner --shell /usr/sbin/nologin --user-group --system --groups runners runner',
        'usermod --append --groups docker aiai',
      ]),
    );
    h.resetCalls();
    expect(h.converge(s).status).toBe(0);
    expect(h.calls().filter((c) => /groupadd|useradd|usermod/.test(c))).toEqual([]);
  });

  test('fails if the manifest is not one it understands', () => {
    const h = standInHost();
    const bad = join(h.root, '..', 'bad.json');
    writeFileSync(bad, '{"version": 2}');
    const r = run('bash', [join(h.root, '..', 'aiai-converge'), bad], { env: { PATH: process.env.PATH, AIAI_CONVERGE_ROOT: h.root } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a version 1 manifest/);
  });
});
