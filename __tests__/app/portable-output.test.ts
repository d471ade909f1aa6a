/**
 * Synth output must be byte-identical whatever machine, OS or Node version writes it: hcloud_server
 * `user_data` is force-new (its SHA-1 is in state), so one differing byte would replace a server.
 * Node's gzip header carries the OS (3 on Linux, 19 on macOS; nodejs/node issue 48690) and zlib's
 * output is not promised stable across versions, so nothing synthesized may be compressed.
 */
import { referenceApp, resourcesOfType, allStrings } from '../support/synth';

/** base64 of a gzip stream starts with H4sI (1f 8b 08). */
const BASE64_GZIP = /H4sI[A-Za-z0-9+/]{8}/;

describe('synth output carries nothing machine-dependent', () => {
  const app = referenceApp();

  test('every server\'s user_data is plain #cloud-config text', () => {
    const servers = resourcesOfType(app, 'hcloud_server');
    expect(servers.length).toBeGreaterThanOrEqual(3);
    for (const s of servers) expect({ server: s.name, plain: s.config.user_data.startsWith('#cloud-config\n') }).toEqual({ server: s.name, plain: true });
  });

  test('no gzip anywhere in the synthesized JSON (user_data, delivered manifests, workflows)', () => {
    for (const [stack, raw] of Object.entries(app.rawStacks)) {
      expect({ stack, gzip: BASE64_GZIP.test(raw) }).toEqual({ stack, gzip: false });
      expect(raw).not.toMatch(/gz\+b64|gzip\+base64/);
    }
  });

  test('no absolute path of this machine and no timestamp of this run', () => {
    const strings = Object.values(app.stacks).flatMap((s) => allStrings(s));
    const here = process.cwd();
    expect(strings.filter((s) => s.includes(here))).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect(strings.filter((s) => s.includes(today))).toEqual([]);
  });
});
