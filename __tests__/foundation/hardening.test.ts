import { HostPaths, SERVICE_USER } from '../../lib/core/paths';
import { Ports } from '../../lib/core/ports';
import { applyHardening, applyNodeExporter, AUTHORIZED_KEYS_PATH, bootstrapCloudConfig, renderSshdHardening, SECRET_INBOX_DIR, SSHD_DROP_IN_PATH } from '../../lib/host/hardening';
import { HostConfig } from '../../lib/host/host-config';
import { PortSources } from '../../lib/network/port-rule';
import { renderCloudConfig } from '../../lib/render/cloud-config';
import { parse } from 'yaml';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOsbTQigH4tHGtjCYMX5OdD1HLNPlzKVmeBauS5oRfGr alice@example';

/** sshd keywords (lower-cased) -> values, ignoring comments; throws on a repeated keyword. */
function sshdDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (!m) throw new Error(`not a directive: ${line}`);
    const key = m[1].toLowerCase();
    if (out.has(key)) throw new Error(`${m[1]} appears twice`);
    out.set(key, m[2]);
  }
  return out;
}

describe('sshd hardening drop-in', () => {
  test('no root, no passwords, public keys only, AllowUsers the service user', () => {
    const d = sshdDirectives(renderSshdHardening([SERVICE_USER]));
    expect(d.get('permitrootlogin')).toBe('no');
    expect(d.get('passwordauthentication')).toBe('no');
    expect(d.get('kbdinteractiveauthentication')).toBe('no');
    expect(d.get('pubkeyauthentication')).toBe('yes');
    expect(d.get('authenticationmethods')).toBe('publickey');
    expect(d.get('permitemptypasswords')).toBe('no');
    expect(d.get('x11forwarding')).toBe('no');
    expect(d.get('allowagentforwarding')).toBe('no');
    expect(d.get('permittunnel')).toBe('no');
    expect(d.get('allowusers')).toBe('aiai');
    // The OpenSSH default: Terraform offers every agent key in turn (3 locked out some operators).
    expect(Number(d.get('maxauthtries'))).toBe(6);
  });

  test('lists several users on one AllowUsers line', () => {
    expect(sshdDirectives(renderSshdHardening(['aiai', 'ops'])).get('allowusers')).toBe('aiai ops');
  });

  test('the drop-in sorts before cloud-init\'s 50-cloud-init.conf (sshd keeps the first value)', () => {
    expect(SSHD_DROP_IN_PATH.startsWith('/etc/ssh/sshd_config.d/')).toBe(true);
    const base = SSHD_DROP_IN_PATH.split('/').pop()!;
    expect(base.endsWith('.conf')).toBe(true);
    expect([base, '50-cloud-init.conf'].sort()[0]).toBe(base);
  });

  test.each(['root aiai', 'Aiai', '-x', 'a*', '', 'x'.repeat(33)])('fails if a user name is %j', (u) => {
    expect(() => renderSshdHardening([u])).toThrow(/^Invalid props for renderSshdHardening:\n  - allowUsers: got .*; allowed: a valid user name for AllowUsers/);
  });
});

describe('applyHardening', () => {
  function hardened(extraGroups?: string[]) {
    const h = new HostConfig();
    applyHardening(h, { sshPublicKeys: [KEY], extraGroups });
    return h;
  }

  test('the operator keys are the service user\'s authorized_keys (0600, owned by it), no docker group unless asked for', () => {
    const h = hardened();
    const keys = h.fileList.find((f) => f.path === AUTHORIZED_KEYS_PATH)!;
    expect(keys).toMatchObject({ content: `${KEY}\n`, permissions: '0600', owner: `${SERVICE_USER}:${SERVICE_USER}` });
    expect(h.toManifestSpec('h', SERVICE_USER).serviceUserGroups).toEqual([]);
    expect(hardened(['docker']).toManifestSpec('h', SERVICE_USER).serviceUserGroups).toEqual(['docker']);
  });

  test('installs ufw, fail2ban (with python3-systemd for its journal backend) and unattended-upgrades, and keeps them running', () => {
    const spec = hardened().toManifestSpec('h', SERVICE_USER);
    expect(spec.services).toEqual(['ssh.service', 'fail2ban.service', 'unattended-upgrades.service']);
    expect(spec.packages).toEqual(expect.arrayContaining(['ufw', 'fail2ban', 'python3-systemd', 'unattended-upgrades']));
  });

  test('writes the sshd drop-in and sysctl early, the package-owned configs late', () => {
    const files = Object.fromEntries(hardened().fileList.map((f) => [f.path, f]));
    expect(files[SSHD_DROP_IN_PATH].early).toBe(true);
    expect(files['/etc/sysctl.d/90-aiai-hardening.conf'].early).toBe(true);
    expect(files['/etc/fail2ban/jail.d/aiai-sshd.local'].early).toBeFalsy();
    expect(files['/etc/apt/apt.conf.d/52unattended-upgrades-aiai'].early).toBeFalsy();
    expect(files['/etc/apt/apt.conf.d/20auto-upgrades'].content).toMatch(/APT::Periodic::Unattended-Upgrade "1";/);
  });

  test('the fail2ban jail reads sshd from the journal', () => {
    const jail = hardened().fileList.find((f) => f.path === '/etc/fail2ban/jail.d/aiai-sshd.local')!.content;
    expect(jail).toMatch(/^\[sshd\]$/m);
    expect(jail).toMatch(/^enabled = true$/m);
    expect(jail).toMatch(/^backend = systemd$/m);
    expect(jail).not.toMatch(/logpath/);
  });

  test('sysctl disables forwarding and redirects', () => {
    const sysctl = hardened().fileList.find((f) => f.path === '/etc/sysctl.d/90-aiai-hardening.conf')!.content;
    for (const line of ['net.ipv4.ip_forward = 0', 'net.ipv4.tcp_syncookies = 1', 'net.ipv4.conf.all.accept_redirects = 0', 'net.ipv4.conf.all.send_redirects = 0', 'kernel.randomize_va_space = 2']) {
      expect(sysctl.split('\n')).toContain(line);
    }
  });

  test('unattended-upgrades never reboots automatically', () => {
    const uu = hardened().fileList.find((f) => f.path === '/etc/apt/apt.conf.d/52unattended-upgrades-aiai')!.content;
    expect(uu).toMatch(/Unattended-Upgrade::Automatic-Reboot "false";/);
    expect(uu).toMatch(/-security";/);
  });

  test('SSH is open to the admin sources only; the secret inbox and config dirs are created with tight modes', () => {
    const h = hardened();
    expect(h.ports).toEqual([{ port: Ports.ssh, from: PortSources.admin }]);
    const cmds = h.toManifestSpec('h', SERVICE_USER).commands.map((c) => (typeof c === 'string' ? c : c.join(' ')));
    expect(cmds).toContain(`install -d -m 0750 -o root -g ${SERVICE_USER} ${HostPaths.configDir} ${HostPaths.secretsDir}`);
    expect(cmds).toContain(`install -d -m 0700 -o ${SERVICE_USER} -g ${SERVICE_USER} ${SECRET_INBOX_DIR}`);
    expect(cmds).toContain('sysctl --system --quiet');
  });

  test('a changed sshd drop-in reloads ssh, a changed jail restarts fail2ban', () => {
    const files = Object.fromEntries(hardened().fileList.map((f) => [f.path, f]));
    expect(files[SSHD_DROP_IN_PATH].reloadUnits).toEqual(['ssh.service']);
    expect(files['/etc/fail2ban/jail.d/aiai-sshd.local'].restartUnits).toEqual(['fail2ban.service']);
  });
});

describe('bootstrapCloudConfig (user_data)', () => {
  const doc = (host = 'h') => parse(renderCloudConfig(bootstrapCloudConfig(host, 'amd64')), { version: '1.1' });

  test('the service user is cloud-init\'s default user (it gets the server\'s Hetzner ssh_keys); no key text', () => {
    const d = doc();
    expect(d.user).toEqual({ name: SERVICE_USER, groups: 'users', shell: '/bin/bash', sudo: 'ALL=(ALL) NOPASSWD:ALL', lock_passwd: true });
    expect(d.users).toEqual(['default']);
    expect(JSON.stringify(d)).not.toMatch(/ssh-ed25519|ssh_authorized_keys/);
    expect(d.ssh_pwauth).toBe(false);
    expect(d.disable_root).toBe(true);
  });

  test('hardens sshd and sysctl before the first login, closes ufw but for SSH, restarts sshd last', () => {
    const d = doc();
    expect(d.write_files.map((f: any) => [f.path, f.defer ?? false])).toEqual([
      [SSHD_DROP_IN_PATH, false],
      ['/etc/sysctl.d/90-aiai-hardening.conf', false],
      ['/etc/aiai/architecture', false],
    ]);
    expect(d.packages).toEqual(['ufw', 'jq']);
    const cmds = d.runcmd.map((c: string[]) => c.join(' '));
    expect(cmds).toEqual(
      expect.arrayContaining([`install -d -m 0700 -o ${SERVICE_USER} -g ${SERVICE_USER} ${SECRET_INBOX_DIR}`, 'ufw default deny incoming', 'ufw allow proto tcp to any port 22 comment ssh', 'ufw --force enable']),
    );
    expect(cmds.indexOf('ufw default deny incoming')).toBeLessThan(cmds.indexOf('ufw --force enable'));
    expect(cmds[cmds.length - 1]).toBe('systemctl restart ssh.service');
  });

  test('is the same for every host but the hostname, and small', () => {
    const a = renderCloudConfig(bootstrapCloudConfig('host-a', 'arm64'));
    const b = renderCloudConfig(bootstrapCloudConfig('host-b', 'arm64'));
    expect(a.replace(/host-a/g, 'X')).toBe(b.replace(/host-b/g, 'X'));
    expect(Buffer.byteLength(a)).toBeLessThan(4096);
  });

  test('names the CPU architecture, so a type change across architectures rebuilds the host (provider issue 853)', () => {
    const arm = renderCloudConfig(bootstrapCloudConfig('h', 'arm64'));
    const x86 = renderCloudConfig(bootstrapCloudConfig('h', 'amd64'));
    expect(arm).not.toBe(x86);
    expect(parse(arm, { version: '1.1' }).write_files.find((f: any) => f.path === '/etc/aiai/architecture').content).toBe('arm64\n');
  });
});

describe('applyNodeExporter', () => {
  test('installs the distribution package (its own architecture) and opens 9100 to the private range only', () => {
    const h = new HostConfig();
    applyNodeExporter(h);
    expect(h.toManifestSpec('h', SERVICE_USER).packages).toEqual(['prometheus-node-exporter']);
    expect(h.toManifestSpec('h', SERVICE_USER).services).toEqual(['prometheus-node-exporter.service']);
    expect(h.ports).toEqual([{ port: Ports.nodeExporter, from: PortSources.private }]);
  });
});
