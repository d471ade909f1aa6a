/**
 * `sshd -t` / `sshd -T` on the sshd drop-in the reference app's servers install.
 *
 * The drop-in is checked twice: on its own (plus a throwaway host key), and inside a main config
 * shaped like Ubuntu 24.04's (Include of sshd_config.d/*.conf first, then the distribution's own
 * settings) next to a 50-cloud-init.conf that turns passwords on, to prove that our values win.
 * sshd refuses to run as root without its privilege separation directory /run/sshd, which
 * containers often lack: the test creates it (as the ssh package's unit would) when running as root.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_USER } from '../../lib/core/paths';
import { SSHD_DROP_IN_PATH } from '../../lib/host/hardening';
import { referenceServers } from '../support/synth';
import { tempDir } from '../support/tmp';
import { describeWithTool, run } from '../support/tools';

const SSHD = ['/usr/sbin/sshd', '/sbin/sshd'].find((p) => existsSync(p)) ?? 'sshd';

/** `sshd -T` output as keyword -> values (lower-case keywords, as sshd prints them). */
function effective(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (!m) continue;
    out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

describeWithTool(SSHD, 'openssh-server', 'sshd on the rendered sshd drop-in', () => {
  const servers = referenceServers();
  const dropIns = servers.map((s) => ({ server: s, file: s.files.find((f) => f.path === SSHD_DROP_IN_PATH) }));
  const dir = tempDir('sshd-');
  const hostKey = join(dir, 'ssh_host_ed25519_key');

  beforeAll(() => {
    if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
    const r = run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test host key', '-f', hostKey]);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  });

  /** Writes the configs for one drop-in; returns [standalone, ubuntu-like]. */
  function configs(name: string, dropIn: string): [string, string] {
    const base = join(dir, name);
    const confD = join(base, 'sshd_config.d');
    mkdirSync(confD, { recursive: true });
    const standalone = join(base, 'standalone_config');
    writeFileSync(standalone, `${dropIn}HostKey ${hostKey}\nPidFile none\n`);
    writeFileSync(join(confD, SSHD_DROP_IN_PATH.split('/').pop()!), dropIn);
    // What cloud-init writes with ssh_pwauth: true (ours sets false; the drop-in must win anyway).
    writeFileSync(join(confD, '50-cloud-init.conf'), 'PasswordAuthentication yes\n');
    const main = join(base, 'sshd_config');
    writeFileSync(
      main,
      [
        `Include ${confD}/*.conf`,
        `HostKey ${hostKey}`,
        'PidFile none',
        'KbdInteractiveAuthentication no',
        'UsePAM yes',
        'X11Forwarding yes',
        'PrintMotd no',
        'AcceptEnv LANG LC_*',
        'Subsystem sftp /usr/lib/openssh/sftp-server',
        '',
      ].join('\n'),
    );
    return [standalone, main];
  }

  test('every server installs the drop-in', () => {
    expect(servers.length).toBeGreaterThanOrEqual(2);
    for (const d of dropIns) expect(d.file).toBeDefined();
  });

  test.each(dropIns.map((d) => [d.server.constructPath, d] as const))('%s: sshd -t accepts it, alone and inside an Ubuntu-like config', (_path, d) => {
    const [standalone, main] = configs(d.server.resourceName, d.file!.content);
    for (const f of [standalone, main]) {
      const r = run(SSHD, ['-t', '-f', f]);
      expect({ status: r.status, output: (r.stdout + r.stderr).trim() }).toEqual({ status: 0, output: '' });
    }
  });

  test.each(dropIns.map((d) => [d.server.constructPath, d] as const))(`%s: sshd -T shows no root, no passwords, public keys only, AllowUsers ${SERVICE_USER}`, (_path, d) => {
    const [standalone, main] = configs(`${d.server.resourceName}-T`, d.file!.content);
    for (const f of [standalone, main]) {
      const r = run(SSHD, ['-T', '-f', f]);
      expect(r.status).toBe(0);
      const e = effective(r.stdout);
      expect(e.get('permitrootlogin')).toEqual(['no']);
      expect(e.get('passwordauthentication')).toEqual(['no']);
      expect(e.get('kbdinteractiveauthentication')).toEqual(['no']);
      expect(e.get('pubkeyauthentication')).toEqual(['yes']);
      expect(e.get('authenticationmethods')).toEqual(['publickey']);
      expect(e.get('permitemptypasswords')).toEqual(['no']);
      expect(e.get('allowusers')).toEqual([SERVICE_USER]);
      expect(e.get('x11forwarding')).toEqual(['no']);
      expect(e.get('allowagentforwarding')).toEqual(['no']);
      expect(e.get('allowtcpforwarding')).toEqual(['local']);
      expect(e.get('permittunnel')).toEqual(['no']);
      expect(Number(e.get('maxauthtries')![0])).toBe(6);
    }
  });

  test('the harness catches a bad directive', () => {
    const bad = join(dir, 'bad_config');
    writeFileSync(bad, `PermitRootLogin maybe\nHostKey ${hostKey}\nPidFile none\n`);
    const r = run(SSHD, ['-t', '-f', bad]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/unsupported option "maybe"|Bad yes\/no/i);
  });

  test('the harness reads 50-cloud-init.conf and the main config: without our drop-in their values would apply', () => {
    const [, main] = configs('without-drop-in', '# nothing\n');
    const e = effective(run(SSHD, ['-T', '-f', main]).stdout);
    expect(e.get('passwordauthentication')).toEqual(['yes']);
    expect(e.get('x11forwarding')).toEqual(['yes']);
    expect(e.get('allowusers')).toBeUndefined();
  });
});
