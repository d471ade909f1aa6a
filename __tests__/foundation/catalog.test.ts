import { ValidationError } from '../../lib/core/validation-error';
import {
  checkServerTypeInLocation,
  debianArch,
  DEPRECATED_SERVER_TYPES,
  EU_ONLY_FAMILIES,
  HetznerLimits,
  location,
  LOCATIONS,
  LOCATIONS_AS_OF,
  SERVER_TYPES,
  SERVER_TYPES_AS_OF,
  serverType,
} from '../../lib/hetzner/catalog';

describe('Hetzner catalog', () => {
  test('lists the current server type families of the issue, each with sane specs', () => {
    const names = Object.keys(SERVER_TYPES).sort();
    expect(names).toEqual(
      [
        'cx23', 'cx33', 'cx43', 'cx53',
        'cax11', 'cax21', 'cax31', 'cax41',
        'cpx12', 'cpx22', 'cpx32', 'cpx42', 'cpx52', 'cpx62',
        'ccx13', 'ccx23', 'ccx33', 'ccx43', 'ccx53', 'ccx63',
      ].sort(),
    );
    for (const t of Object.values(SERVER_TYPES)) {
      expect(t.name.startsWith(t.family)).toBe(true);
      expect(t.vcpus).toBeGreaterThan(0);
      expect(t.memoryGb).toBeGreaterThanOrEqual(t.vcpus);
      expect(t.diskGb).toBeGreaterThanOrEqual(40);
      expect(t.architecture).toBe(t.family === 'cax' ? 'arm' : 'x86');
      expect(t.dedicated).toBe(t.family === 'ccx');
    }
  });

  test('the orchestrator defaults have the sizes the limits are derived from', () => {
    expect(SERVER_TYPES.cx33).toMatchObject({ vcpus: 4, memoryGb: 8, architecture: 'x86' });
    expect(SERVER_TYPES.cx23).toMatchObject({ vcpus: 2, memoryGb: 4, architecture: 'x86' });
  });

  test('deprecated types name an orderable replacement of the same family', () => {
    expect(Object.keys(DEPRECATED_SERVER_TYPES).sort()).toEqual(
      ['cx22', 'cx32', 'cx42', 'cx52', 'cpx11', 'cpx21', 'cpx31', 'cpx41', 'cpx51'].sort(),
    );
    for (const d of Object.values(DEPRECATED_SERVER_TYPES)) {
      expect(SERVER_TYPES[d.replacement]).toBeDefined();
      expect(SERVER_TYPES[d.name]).toBeUndefined();
      expect(d.replacement.replace(/\d+$/, '')).toBe(d.name.replace(/\d+$/, ''));
    }
  });

  test('serverType returns the orderable type', () => {
    expect(serverType('cax21')).toBe(SERVER_TYPES.cax21);
  });

  test('fails if a deprecated type is asked for, naming its replacement (cpx31 -> cpx32)', () => {
    expect(() => serverType('cpx31')).toThrow(/cpx31 is deprecated .*use cpx32/);
    expect(() => serverType('cx22')).toThrow(/cx22 is deprecated .*use cx23/);
  });

  test('fails if the type is unknown, listing the allowed types', () => {
    expect(() => serverType('cx99')).toThrow(/^ {2}- serverType: got "cx99"; allowed: one of cx23, cx33, .*ccx63$/m);
    expect(() => serverType('cx99')).toThrow(ValidationError);
  });

  test('locations map to network zones; only EU offers object storage', () => {
    expect(Object.keys(LOCATIONS).sort()).toEqual(['ash', 'fsn1', 'hel1', 'hil', 'nbg1', 'sin']);
    expect(['fsn1', 'nbg1', 'hel1'].map((l) => LOCATIONS[l].networkZone)).toEqual(['eu-central', 'eu-central', 'eu-central']);
    expect(LOCATIONS.ash.networkZone).toBe('us-east');
    expect(LOCATIONS.hil.networkZone).toBe('us-west');
    expect(LOCATIONS.sin.networkZone).toBe('ap-southeast');
    expect(location('nbg1')).toBe(LOCATIONS.nbg1);
  });

  test('fails if the location is unknown', () => {
    expect(() => location('fra1')).toThrow(/^ {2}- location: got "fra1"; allowed: one of fsn1, nbg1, hel1, ash, hil, sin$/m);
  });

  test('cx and cax are EU-only; cpx and ccx are orderable everywhere', () => {
    expect([...EU_ONLY_FAMILIES].sort()).toEqual(['cax', 'cx']);
    expect(() => checkServerTypeInLocation(SERVER_TYPES.cx33, LOCATIONS.fsn1)).not.toThrow();
    expect(() => checkServerTypeInLocation(SERVER_TYPES.cpx32, LOCATIONS.ash)).not.toThrow();
    expect(() => checkServerTypeInLocation(SERVER_TYPES.ccx13, LOCATIONS.sin)).not.toThrow();
  });

  test.each([
    ['cx33', 'ash'],
    ['cax11', 'hil'],
    ['cx23', 'sin'],
  ])('fails if %s is placed outside eu-central (%s)', (type, loc) => {
    expect(() => checkServerTypeInLocation(SERVER_TYPES[type], LOCATIONS[loc])).toThrow(
      new RegExp(`^ {2}- location: got "${loc}"; allowed: c[a-z]+\\* types are only offered in eu-central locations \\(fsn1, nbg1, hel1\\)$`, 'm'),
    );
  });

  test('limits are the documented Hetzner values', () => {
    expect(HetznerLimits.userDataBytes).toBe(32768);
    expect(HetznerLimits.spreadPlacementGroupServers).toBe(10);
    expect(HetznerLimits.firewallRules).toBe(50);
    expect(HetznerLimits.labelValueLength).toBe(63);
  });

  test('each fact list carries its source date', () => {
    expect(SERVER_TYPES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2} /);
    expect(LOCATIONS_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2} /);
  });

  test('debianArch maps architectures to Debian names', () => {
    expect(debianArch('arm')).toBe('arm64');
    expect(debianArch('x86')).toBe('amd64');
  });
});
