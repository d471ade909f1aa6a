import { renderSystemdUnit, serviceSandbox, SystemdUnit, systemdBytes } from '../../lib/render/systemd';
import { parseUnit } from './ini';

const service: SystemdUnit = {
  name: 'demo.service',
  sections: {
    Install: { WantedBy: 'multi-user.target' },
    Service: {
      Type: 'notify',
      ExecStart: '/usr/bin/demo --flag',
      Environment: ['A=1', 'B=two words'],
      WatchdogSec: 60,
      NoNewPrivileges: true,
      ProtectHome: false,
      CapabilityBoundingSet: '',
      Unused: undefined,
    },
    Unit: { Description: 'demo', After: 'network-online.target' },
  },
};

describe('renderSystemdUnit', () => {
  test('writes sections in systemd order with one directive per line', () => {
    const text = renderSystemdUnit(service);
    expect(text).toBe(
      [
        '[Unit]',
        'Description=demo',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=notify',
        'ExecStart=/usr/bin/demo --flag',
        'Environment=A=1',
        'Environment=B=two words',
        'WatchdogSec=60',
        'NoNewPrivileges=yes',
        'ProtectHome=no',
        'CapabilityBoundingSet=',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    );
  });

  test('parses back: arrays become repeated directives, booleans yes/no, undefined is left out', () => {
    const u = parseUnit(renderSystemdUnit(service));
    expect(u.sections).toEqual(['Unit', 'Service', 'Install']);
    expect(u.get('Service', 'Environment')).toEqual(['A=1', 'B=two words']);
    expect(u.one('Service', 'NoNewPrivileges')).toBe('yes');
    expect(u.one('Service', 'ProtectHome')).toBe('no');
    expect(u.one('Service', 'WatchdogSec')).toBe('60');
    expect(u.one('Service', 'CapabilityBoundingSet')).toBe('');
    expect(u.keys('Service')).not.toContain('Unused');
  });

  test('timers render their [Timer] section', () => {
    const u = parseUnit(
      renderSystemdUnit({ name: 'x.timer', sections: { Unit: { Description: 't' }, Timer: { OnCalendar: '*-*-* 00/6:00:00', Persistent: true }, Install: { WantedBy: 'timers.target' } } }),
    );
    expect(u.sections).toEqual(['Unit', 'Timer', 'Install']);
    expect(u.one('Timer', 'OnCalendar')).toBe('*-*-* 00/6:00:00');
    expect(u.one('Timer', 'Persistent')).toBe('yes');
  });

  test('is deterministic', () => {
    expect(renderSystemdUnit(service)).toBe(renderSystemdUnit(service));
  });

  test.each(['demo', 'demo.conf', 'a b.service', '../x.service', 'x.service/'])('fails if the unit name is %j', (name) => {
    expect(() => renderSystemdUnit({ ...service, name })).toThrow(new RegExp(`^Invalid props for renderSystemdUnit:\\n  - name: got ${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; allowed: a systemd unit name matching `));
  });

  test.each(['two\nlines', 'carriage\rreturn'])('fails if a value is multi-line (%j)', (v) => {
    expect(() => renderSystemdUnit({ name: 'x.service', sections: { Unit: { Description: v } } })).toThrow(/^Invalid props for renderSystemdUnit:\n  - directive: got .*; allowed: a single-line systemd directive value$/);
    expect(() => renderSystemdUnit({ name: 'x.service', sections: { Service: { Environment: ['A=1', v] } } })).toThrow(/single-line/);
  });

  test('fails if a value ends with a backslash (systemd would join the next line into it)', () => {
    expect(() => renderSystemdUnit({ name: 'x.service', sections: { Unit: { Description: 'ends with \\' }, Service: { ExecStart: '/bin/true' } } })).toThrow(
      /^Invalid props for renderSystemdUnit:\n  - directive: got "ends with \\\\"; allowed: a systemd directive value that does not end with a backslash$/,
    );
  });
});

describe('systemdBytes', () => {
  test.each([
    [6 * 1024 ** 3, '6G'],
    [512 * 1024 ** 2, '512M'],
    [8 * 1024 ** 3 * 0.65, '5324M'],
    [1.5 * 1024 ** 3, '1536M'],
    [1024 ** 2 + 5, '1M'],
  ])('%d bytes -> %s', (bytes, text) => {
    expect(systemdBytes(bytes)).toBe(text);
  });
});

describe('serviceSandbox', () => {
  test('strict file system, no privileges, only the given paths writable', () => {
    const s = serviceSandbox(['/opt/aiai', '/var/log/aiai']);
    expect(s).toMatchObject({
      NoNewPrivileges: true,
      ProtectSystem: 'strict',
      ProtectHome: true,
      ReadWritePaths: '/opt/aiai /var/log/aiai',
      PrivateTmp: true,
      PrivateDevices: true,
      ProtectKernelTunables: true,
      ProtectKernelModules: true,
      ProtectControlGroups: true,
      RestrictSUIDSGID: true,
      RestrictNamespaces: true,
      CapabilityBoundingSet: '',
    });
  });

  test('no ReadWritePaths directive when nothing is writable', () => {
    expect(serviceSandbox([])).not.toHaveProperty('ReadWritePaths');
  });
});
