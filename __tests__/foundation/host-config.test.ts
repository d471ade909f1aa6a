import { Ports } from '../../lib/core/ports';
import { HostConfig } from '../../lib/host/host-config';
import { PortSources } from '../../lib/network/port-rule';

describe('HostConfig', () => {
  test('merges fragments into one spec; firewall commands run first', () => {
    const h = new HostConfig()
      .addPackages('git', 'curl')
      .addPackages('git', 'jq')
      .addAptSource({ name: 'repo', source: 'deb https://example.org stable main', keyid: 'ABC' })
      .addAptSource({ name: 'repo', source: 'ignored duplicate' })
      .addUser({ name: 'aiai' })
      .addGroup('docker')
      .addGroup('docker')
      .addFile({ path: '/etc/a', content: 'a\n' })
      .addUnit({ name: 'a.service', sections: { Service: { ExecStart: '/bin/true' } } })
      .addSetupCommand(['echo', 'setup'])
      .addService('fail2ban.service', 'fail2ban.service')
      .addServiceUserGroup('docker')
      .allowPort({ port: Ports.ssh, from: PortSources.admin });
    const spec = h.toManifestSpec('host-1', 'aiai');
    expect(spec.hostname).toBe('host-1');
    expect(spec.serviceUser).toBe('aiai');
    expect(spec.serviceUserGroups).toEqual(['docker']);
    expect(spec.services).toEqual(['fail2ban.service']);
    expect(spec.packages).toEqual(['git', 'curl', 'jq']);
    expect(spec.aptSources).toEqual([{ name: 'repo', source: 'deb https://example.org stable main', keyid: 'ABC' }]);
    expect(spec.users.map((u) => u.name)).toEqual(['aiai']);
    expect(spec.groups).toEqual(['docker']);
    expect(spec.files.map((f) => f.path)).toEqual(['/etc/a']);
    expect(spec.units.map((u) => u.name)).toEqual(['a.service']);
    expect(spec.commands).toEqual([['echo', 'setup']]);
    expect(h.ports).toEqual([{ port: Ports.ssh, from: PortSources.admin }]);
    expect(h.fileList).toHaveLength(1);
    expect(h.unitList).toHaveLength(1);
  });

  test('toManifestSpec returns copies: later additions do not change an earlier spec', () => {
    const h = new HostConfig().addPackages('git');
    const spec = h.toManifestSpec('h', 'aiai');
    h.addPackages('curl').addFile({ path: '/etc/x', content: '' });
    expect(spec.packages).toEqual(['git']);
    expect(spec.files).toEqual([]);
  });

  test('fails if a user is added twice', () => {
    expect(() => new HostConfig().addUser({ name: 'aiai' }).addUser({ name: 'aiai' })).toThrow(/^Invalid props for HostConfig:\n  - users: got "aiai"; allowed: a user not added twice$/);
  });

  test('fails if a file is added twice', () => {
    expect(() => new HostConfig().addFile({ path: '/etc/x', content: '' }).addFile({ path: '/etc/x', content: 'other' })).toThrow(/^Invalid props for HostConfig:\n  - files: got "\/etc\/x"; allowed: a file path not added twice$/);
  });

  test('fails if a unit is added twice', () => {
    const u = { name: 'a.service', sections: {} };
    expect(() => new HostConfig().addUnit(u).addUnit(u)).toThrow(/^Invalid props for HostConfig:\n  - units: got "a\.service"; allowed: a unit not added twice$/);
  });
});
