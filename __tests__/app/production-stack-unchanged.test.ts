/**
 * Day-2 guard: `aiai-production` is the stack existing deployments run. Whatever main.ts composes it
 * from, it must keep every Terraform address (resource, data source, variable, output, provider) and
 * every attribute, so `cdktf deploy aiai-production` after an upgrade plans zero changes. The fixture
 * was generated from main.ts before the stack was rebuilt on AiaiPlatform (commit ec97816); only
 * `"//"` comments (construct paths, cost hints), which Terraform ignores, may differ.
 *
 * A deliberate change of the production stack regenerates the fixture and says so in its commit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackNames } from '../../main';
import { canonicalJson, fingerprintDiff, stackFingerprint } from '../support/fingerprint';
import { referenceApp, StackJson } from '../support/synth';

const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'aiai-production-fingerprint.json'), 'utf8')) as {
  stack: string;
  addresses: Record<string, string>;
};

describe('the aiai-production stack keeps every address and attribute', () => {
  const json = referenceApp().stacks[StackNames.production];

  test('the fixture is the production stack’s', () => {
    expect(fixture.stack).toBe(StackNames.production);
    expect(StackNames.production).toBe('aiai-production');
    expect(Object.keys(fixture.addresses).length).toBeGreaterThan(80);
  });

  test('same addresses, same content (no resource added, removed, renamed or changed)', () => {
    // The stack writes shared texts once (locals); the fingerprint compares them as Terraform evaluates them.
    expect(Object.keys(json.locals ?? {}).filter((n) => n.startsWith('aiai_text_')).length).toBeGreaterThan(5);
    // ... and gives each SSH step's connection once per resource; compared per provisioner.
    expect(Object.values(json.resource!.terraform_data).filter((r) => r.connection !== undefined).length).toBeGreaterThan(5);
    expect(fingerprintDiff(fixture.addresses, stackFingerprint(json))).toEqual({ added: [], removed: [], changed: [] });
  });

  test('the comparison sees a one-attribute change and a renamed resource (so it can fail)', () => {
    const copy = JSON.parse(JSON.stringify(json)) as StackJson & { resource: Record<string, Record<string, Record<string, unknown>>> };
    const [name] = Object.keys(copy.resource.hcloud_server);
    copy.resource.hcloud_server[name].server_type = 'cx43';
    expect(fingerprintDiff(fixture.addresses, stackFingerprint(copy)).changed).toEqual([`hcloud_server.${name}`]);
    const [net] = Object.keys(copy.resource.hcloud_network);
    copy.resource.hcloud_network[`${net}x`] = copy.resource.hcloud_network[net];
    delete copy.resource.hcloud_network[net];
    const diff = fingerprintDiff(fixture.addresses, stackFingerprint(copy));
    expect({ added: diff.added, removed: diff.removed }).toEqual({ added: [`hcloud_network.${net}x`], removed: [`hcloud_network.${net}`] });
  });

  test('"//" comments are ignored, at any depth', () => {
    expect(canonicalJson({ b: 1, a: { '//': { metadata: 'x' }, c: [1, { '//': 2, d: 3 }] } })).toBe('{"a":{"c":[1,{"d":3}]},"b":1}');
  });
});
