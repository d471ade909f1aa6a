/**
 * renderCloudConfig renders a document's body (all but the hostname) once per distinct content:
 * the text must be exactly what rendering the whole document at once gives, for any hostname.
 */
import * as fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { bootstrapCloudConfig } from '../../lib/host/hardening';
import { CloudConfigSpec, renderCloudConfig } from '../../lib/render/cloud-config';

const OPTIONS = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

/** The whole document rendered in one piece (what renderCloudConfig rendered before its cache). */
function inOnePiece(text: string): string {
  expect(text.startsWith('#cloud-config\n')).toBe(true);
  return '#cloud-config\n' + stringify(parse(text.slice('#cloud-config\n'.length), { version: '1.1' }), OPTIONS);
}

const spec = (hostname: string): CloudConfigSpec => ({
  ...bootstrapCloudConfig(hostname, 'amd64'),
  files: [
    ...bootstrapCloudConfig(hostname, 'amd64').files,
    // A body with keep-chomping (trailing blank lines) last, and a YAML-1.1-looking value.
    { path: '/etc/aiai/last', content: 'yes\n\n\n' },
  ],
});

describe('renderCloudConfig with its body cache', () => {
  // Hostnames YAML 1.1 would read as a bool, an int, a float or null unless quoted.
  test.each(['web-1', 'yes', 'on', '123', '1e3', 'null', '0x1f'])('renders %p exactly as the whole document in one piece', (hostname) => {
    const text = renderCloudConfig(spec(hostname));
    expect(text).toBe(inOnePiece(text));
    expect(parse(text, { version: '1.1' }).hostname).toBe(hostname);
  });

  test('the hostname line is what the whole document rendered in one piece gives, for any value', () => {
    const minimal = (hostname: unknown): CloudConfigSpec => ({ hostname, packages: [], users: [], files: [], units: [], commands: [] }) as unknown as CloudConfigSpec;
    const hostnames = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('yes', 'No', 'off', '~', 'null', '1_000', '0o17', '1:20', '2024-01-01', '-', '- a', 'a: b', '#x', '"q"', "'", ' lead', 'trail ', 'a\nb', '\t'),
      fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
    );
    fc.assert(
      fc.property(hostnames, (hostname) => {
        const text = renderCloudConfig(minimal(hostname));
        expect(text).toBe('#cloud-config\n' + stringify({ ...parse(text.slice('#cloud-config\n'.length), { version: '1.1' }), hostname }, OPTIONS));
      }),
      { seed: 1302, numRuns: 400 },
    );
  });

  test('hosts differing in the hostname only share the body; other content renders its own', () => {
    const a = renderCloudConfig(spec('host-a'));
    const b = renderCloudConfig(spec('host-b'));
    expect(a.replace('host-a', 'host-b')).toBe(b);
    const arm = renderCloudConfig(bootstrapCloudConfig('host-a', 'arm64'));
    expect(arm).toContain('arm64');
    expect(arm).toBe(inOnePiece(arm));
  });

  test('many distinct documents stay correct past the cache bound', () => {
    for (let i = 0; i < 100; i++) {
      const s = { ...spec(`h${i}`), packages: [`pkg-${i}`] };
      const text = renderCloudConfig(s);
      expect(text).toContain(`- pkg-${i}\n`);
      expect(text).toBe(inOnePiece(text));
    }
  });
});
