import { parse } from 'yaml';
import { HetznerLimits } from '../../lib/hetzner/catalog';
import { CloudConfigSpec, renderCloudConfig } from '../../lib/render/cloud-config';
import { SystemdUnit } from '../../lib/render/systemd';

const unit = (name: string, extra: Partial<SystemdUnit> = {}): SystemdUnit => ({
  name,
  sections: { Unit: { Description: name }, Service: { ExecStart: '/bin/true' }, Install: { WantedBy: 'multi-user.target' } },
  ...extra,
});

function spec(over: Partial<CloudConfigSpec> = {}): CloudConfigSpec {
  return {
    hostname: 'host-1',
    packages: ['ufw', 'git', 'ufw'],
    users: [{ name: 'aiai', groups: ['docker', 'adm'], sudo: 'ALL=(ALL) NOPASSWD:ALL', sshAuthorizedKeys: ['ssh-ed25519 AAAA alice'] }, { name: 'svc', system: true, homedir: '/var/lib/svc' }],
    files: [
      { path: '/etc/early.conf', content: 'early=1\n', early: true },
      { path: '/etc/late.conf', content: 'late=1\n', permissions: '0600', owner: 'root:aiai' },
    ],
    units: [unit('a.service'), unit('b.service', { start: false }), unit('c.service', { enable: false, start: false })],
    commands: [['echo', 'setup'], 'echo shell line'],
    finalCommands: [['systemctl', 'restart', 'ssh.service']],
    ...over,
  };
}

/** Parses like cloud-init does (PyYAML is a YAML 1.1 parser). */
function parse11(text: string): any {
  return parse(text, { version: '1.1' });
}

describe('renderCloudConfig', () => {
  test('starts with #cloud-config and parses as YAML with the base settings', () => {
    const text = renderCloudConfig(spec());
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const doc = parse(text);
    expect(doc).toMatchObject({
      hostname: 'host-1',
      preserve_hostname: false,
      timezone: 'Etc/UTC',
      ssh_pwauth: false,
      disable_root: true,
      package_update: true,
      package_upgrade: true,
    });
    expect(doc.packages).toEqual(['ufw', 'git']);
    expect(doc.apt).toBeUndefined();
  });

  test('users: locked passwords, groups as a list string, nologin for system users', () => {
    const doc = parse(renderCloudConfig(spec()));
    expect(doc.users).toEqual([
      { name: 'aiai', groups: 'docker, adm', shell: '/bin/bash', sudo: 'ALL=(ALL) NOPASSWD:ALL', lock_passwd: true, ssh_authorized_keys: ['ssh-ed25519 AAAA alice'] },
      { name: 'svc', system: true, homedir: '/var/lib/svc', shell: '/usr/sbin/nologin', lock_passwd: true },
    ]);
  });

  test('write_files: early files are written in the init stage, the rest deferred; defaults root:root 0644', () => {
    const doc = parse(renderCloudConfig(spec()));
    const byPath = Object.fromEntries(doc.write_files.map((f: any) => [f.path, f]));
    expect(byPath['/etc/early.conf']).toEqual({ path: '/etc/early.conf', content: 'early=1\n', owner: 'root:root', permissions: '0644' });
    expect(byPath['/etc/late.conf']).toEqual({ path: '/etc/late.conf', content: 'late=1\n', owner: 'root:aiai', permissions: '0600', defer: true });
  });

  test('units land in /etc/systemd/system; enable/start flags decide the systemctl calls; order is setup, units, final', () => {
    const doc = parse(renderCloudConfig(spec()));
    const unitFiles = doc.write_files.filter((f: any) => f.path.startsWith('/etc/systemd/system/')).map((f: any) => f.path);
    expect(unitFiles).toEqual(['/etc/systemd/system/a.service', '/etc/systemd/system/b.service', '/etc/systemd/system/c.service']);
    expect(doc.write_files.find((f: any) => f.path === '/etc/systemd/system/a.service').content).toBe(
      '[Unit]\nDescription=a.service\n\n[Service]\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n',
    );
    expect(doc.runcmd).toEqual([
      ['echo', 'setup'],
      'echo shell line',
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'b.service'],
      ['systemctl', 'enable', '--now', 'a.service'],
      ['systemctl', 'restart', 'ssh.service'],
    ]);
  });

  test('apt sources with embedded keys or key ids', () => {
    const doc = parse(
      renderCloudConfig(
        spec({
          aptSources: [
            { name: 'grafana', source: 'deb [signed-by=$KEY_FILE] https://apt.grafana.com stable main', key: '-----BEGIN PGP PUBLIC KEY BLOCK-----\nabc\n-----END PGP PUBLIC KEY BLOCK-----\n' },
            { name: 'other', source: 'deb https://example.org stable main', keyid: 'ABCDEF0123456789', keyserver: 'keyserver.ubuntu.com' },
          ],
        }),
      ),
    );
    expect(doc.apt.sources['grafana.list'].source).toBe('deb [signed-by=$KEY_FILE] https://apt.grafana.com stable main');
    expect(doc.apt.sources['grafana.list'].key).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\nabc\n/);
    expect(doc.apt.sources['other.list']).toEqual({ source: 'deb https://example.org stable main', keyid: 'ABCDEF0123456789', keyserver: 'keyserver.ubuntu.com' });
  });

  test('is deterministic', () => {
    expect(renderCloudConfig(spec())).toBe(renderCloudConfig(spec()));
  });

  describe('file bodies are plain text (no gz+b64: a gzip header carries the OS)', () => {
    test('a large body stays plain past 3/4 of the 32 KiB limit', () => {
      const huge = Array.from({ length: 2000 }, (_, i) => `setting_${i} = value ${i}`).join('\n') + '\n';
      expect(Buffer.byteLength(huge)).toBeGreaterThan((HetznerLimits.userDataBytes * 3) / 4);
      const entry = parse(renderCloudConfig(spec({ files: [{ path: '/etc/huge.conf', content: huge }] }))).write_files.find((f: any) => f.path === '/etc/huge.conf');
      expect(entry.encoding).toBeUndefined();
      expect(entry.content).toBe(huge);
    });

    test('plain even when over the limit (the size check is the caller\'s)', () => {
      const huge = 'y'.repeat(40_000) + '\n';
      const text = renderCloudConfig(spec({ files: [{ path: '/etc/huge.conf', content: huge }] }));
      expect(Buffer.byteLength(text)).toBeGreaterThan(HetznerLimits.userDataBytes);
      expect(parse(text).write_files.find((f: any) => f.path === '/etc/huge.conf').content).toBe(huge);
    });
  });

  describe('hostile values survive a YAML 1.1 parser (cloud-init uses PyYAML)', () => {
    // Plain scalars that YAML 1.2 reads as strings but YAML 1.1 reads as booleans, numbers or dates.
    const tricky = ['yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO', '1_000', '1:20', '0755', '0o17', '0x1F', '2024-01-01', '~', 'null', '1e3', '.inf', '- item', 'key: value', '#comment', '*alias', '&anchor', '!tag', '|', "'quoted'", '"dq"', '@at', '`tick`', '%pct'];

    test.each(tricky)('runcmd argument %j stays the same string', (value) => {
      const text = renderCloudConfig(spec({ commands: [['/usr/local/bin/tool', value]] }));
      expect(parse11(text).runcmd[0]).toEqual(['/usr/local/bin/tool', value]);
    });

    test('file contents with trailing spaces, tabs, no final newline, leading blank lines and unicode round-trip', () => {
      const contents = ['no final newline', 'trailing spaces   \nnext\n', '\tindented with tab\n', '\n\nleading blank lines\n', 'unicode: äöü ✓ \u00a0nbsp\n', 'ends with blank lines\n\n\n', '  leading spaces\n', 'yes', '0644'];
      const text = renderCloudConfig(spec({ files: contents.map((content, i) => ({ path: `/etc/f${i}`, content })) }));
      const files = parse11(text).write_files.slice(0, contents.length).map((f: any) => f.content);
      expect(files).toEqual(contents);
    });

    test('permissions stay strings (never octal numbers)', () => {
      const doc = parse11(renderCloudConfig(spec()));
      expect(doc.write_files.every((f: any) => typeof f.permissions === 'string' && /^0[0-7]{3}$/.test(f.permissions))).toBe(true);
    });
  });

  test('fails if a file path is relative', () => {
    expect(() => renderCloudConfig(spec({ files: [{ path: 'etc/x', content: '' }] }))).toThrow(/^Invalid props for renderCloudConfig:\n  - files: got "etc\/x"; allowed: absolute file paths$/);
  });

  test('fails if a file is written twice (also a unit that clashes with a file)', () => {
    expect(() => renderCloudConfig(spec({ files: [{ path: '/etc/x', content: '' }, { path: '/etc/x', content: '' }] }))).toThrow(/^Invalid props for renderCloudConfig:\n  - files: got "\/etc\/x"; allowed: a path not written twice on one host$/);
    expect(() => renderCloudConfig(spec({ files: [{ path: '/etc/systemd/system/a.service', content: '' }] }))).toThrow(/a\.service"; allowed: a path not written twice/);
  });

  test.each(['644', '0o644', '0844', 'rw-r--r--'])('fails if permissions are %j', (permissions) => {
    expect(() => renderCloudConfig(spec({ files: [{ path: '/etc/x', content: '', permissions }] }))).toThrow(
      new RegExp(`^Invalid props for renderCloudConfig:\n  - files\\[/etc/x\\]\\.permissions: got "${permissions}"; allowed: an octal mode like '0644'$`),
    );
  });
});
