/**
 * CPU architecture of the install steps, read from what reaches the host as synthesized: the
 * decoded bootstrap (user_data) and the manifest its configuration resource delivers (APT sources,
 * packages, files, commands): arm64 APT sources on cax*, amd64 on cx/cpx/ccx; packages by name
 * only (APT picks the host's build); and nothing that downloads a binary (tarball, zip, .deb,
 * release asset) for any architecture.
 */
import { debianArch, serverType as lookup } from '../../lib/hetzner/catalog';
import { monitoringFixture, unpackHost, UnpackedHost } from './support';

const TYPES: Record<string, 'arm64' | 'amd64'> = {
  cax11: 'arm64',
  cax21: 'arm64',
  cax41: 'arm64',
  cx23: 'amd64',
  cx33: 'amd64',
  cpx32: 'amd64',
  ccx13: 'amd64',
};
const hosts: Record<string, UnpackedHost> = Object.fromEntries(
  Object.keys(TYPES).map((t) => [t, unpackHost(monitoringFixture({ dr: 'offsite', props: { serverType: t } }).json)]),
);
const ARCH_WORDS = /\b(amd64|arm64|x86_64|x86-64|aarch64|armhf|i386)\b/g;
const other = (arch: string) => (arch === 'arm64' ? 'amd64' : 'arm64');

/** Every deb line of the host's APT sources (the bootstrap adds none; the manifest carries them). */
const debLines = (h: UnpackedHost) => [
  ...Object.values((h.cloudConfig.apt?.sources ?? {}) as Record<string, { source: string }>).map((s) => s.source),
  ...h.manifest.aptSources.map((s) => s.source),
];

describe.each(Object.entries(TYPES))('%s -> %s', (type, arch) => {
  const h = hosts[type];

  test('the catalog agrees on the architecture', () => {
    expect(debianArch(lookup(type).architecture)).toBe(arch);
  });

  test('every APT source is restricted to the host architecture', () => {
    const lines = debLines(h);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(new RegExp(`^deb \\[arch=${arch} signed-by=\\$KEY_FILE\\] https://`));
    expect(lines).toContain(`deb [arch=${arch} signed-by=$KEY_FILE] https://apt.grafana.com stable main`);
  });

  test('the other architecture appears nowhere in user_data or the manifest (sources, files, commands)', () => {
    const words = [...new Set(h.text.match(ARCH_WORDS) ?? [])];
    expect(words).toEqual([arch]);
    expect(h.text).not.toContain(other(arch));
    // The bootstrap names the architecture once (so a change of architecture rebuilds the host), nothing else.
    expect(h.userData.match(ARCH_WORDS)).toEqual([arch]);
    expect(h.userData).toContain(`- path: /etc/aiai/architecture\n    content: |\n      ${arch}\n`);
  });

  test('packages are plain names (no :arch qualifiers); Grafana, Loki and Alloy come from the architecture-restricted repository', () => {
    const packages = [...(h.cloudConfig.packages as string[]), ...h.manifest.packages];
    for (const p of packages) expect(p).toMatch(/^[a-z0-9][a-z0-9+.-]*$/);
    expect(h.manifest.packages).toEqual(expect.arrayContaining(['prometheus', 'prometheus-alertmanager', 'prometheus-node-exporter', 'grafana', 'loki', 'alloy']));
  });

  test('nothing downloads a binary: no tarball, zip, .deb or release asset URL, no dpkg -i, no curl|wget into a bin dir', () => {
    expect(h.text).not.toMatch(/https?:\/\/\S+\.(tar\.gz|tgz|tar\.xz|tar\.bz2|zip|deb)\b/);
    expect(h.text).not.toMatch(/releases\/download|github\.com\/[^/\s]+\/[^/\s]+\/releases/);
    expect(h.text).not.toMatch(/\bdpkg\s+-i\b/);
    for (const cmd of [...h.runcmd, ...h.commands]) expect(cmd).not.toMatch(/\b(curl|wget)\b/);
    // Only the APT repository is fetched from the internet at install time.
    const urls = [...new Set(h.text.match(/https?:\/\/[^\s"'<>]+/g) ?? [])].filter((u) => !/^https?:\/\/(127\.0\.0\.1|10\.)/.test(u));
    expect(urls.sort()).toEqual(['https://apt.grafana.com', 'https://fsn1.your-objectstorage.com']);
  });
});

test('arm64 and amd64 hosts install the same package set (only the source arch differs)', () => {
  const sets = Object.values(hosts).map((h) => JSON.stringify([...(h.cloudConfig.packages as string[]), ...h.manifest.packages].sort()));
  expect(new Set(sets).size).toBe(1);
  const strip = (h: UnpackedHost) => debLines(h).map((l) => l.replace(/arch=(amd64|arm64)/, 'arch=X'));
  expect(strip(hosts.cax21)).toEqual(strip(hosts.cx33));
});
