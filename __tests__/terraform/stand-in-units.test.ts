/**
 * The stand-in provider's pieces without terraform: the derived aws/github schemas are what the
 * script derives from the installed bindings (nobody edited them), the msgpack encoding follows
 * cty's wire format, and the planning helpers do what the README says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { CtyType, Dynamic, fromMsgpack, fromStateJson, toMsgpack, Unknown } from '../support/terraform/cty';
import { FORCE_NEW } from '../support/terraform/force-new';
import { blockType, readProviderSchema, SCHEMA_DIR } from '../support/terraform/schema';
import { carryPriorIntoSets, markComputedUnknown } from '../support/terraform/stand-in-provider';
import { DEFAULT_PROVIDERS } from '../support/terraform';
import { tempDir } from '../support/tmp';
import { run } from '../support/tools';

const root = join(__dirname, '..', '..');

describe('derived schemas', () => {
  test('scripts/derive-provider-schemas.mjs reproduces the committed aws and github schemas', () => {
    const out = tempDir('derived-schemas-');
    const r = run(process.execPath, [join(root, 'scripts', 'derive-provider-schemas.mjs'), out], { cwd: root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['aws-provider-schema.json', 'github-provider-schema.json']);
    for (const name of readdirSync(out)) {
      expect({ name, same: readFileSync(join(out, name), 'utf8') === readFileSync(join(SCHEMA_DIR, name), 'utf8') }).toEqual({ name, same: true });
    }
  });

  test('they cover every provider-aws/provider-github module the library imports', () => {
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/from '@cdktf\/provider-(aws|github)\/lib\/([a-z0-9-]+)'/g)) imported.add(`${m[1]}:${m[2]}`);
      }
    };
    walk(join(root, 'lib'));
    for (const m of readFileSync(join(root, 'main.ts'), 'utf8').matchAll(/from '@cdktf\/provider-(aws|github)\/lib\/([a-z0-9-]+)'/g)) imported.add(`${m[1]}:${m[2]}`);
    const served = new Set<string>();
    for (const p of DEFAULT_PROVIDERS.filter((x) => !x.source.includes('hcloud'))) {
      const kind = p.source.includes('/aws') ? 'aws' : 'github';
      const s = readProviderSchema(p.schemaFile, p.source);
      served.add(`${kind}:provider`);
      for (const type of Object.keys(s.resource_schemas)) served.add(`${kind}:${type.replace(/^(aws|github)_/, '').replace(/_/g, '-')}`);
    }
    expect([...imported].filter((m) => !served.has(m))).toEqual([]);
  });

  test('the force-new table names only attributes the schemas have', () => {
    const all = DEFAULT_PROVIDERS.map((p) => readProviderSchema(p.schemaFile, p.source));
    const missing: string[] = [];
    for (const [type, attrs] of Object.entries(FORCE_NEW)) {
      const schema = all.find((s) => s.resource_schemas[type])?.resource_schemas[type];
      if (!schema) {
        missing.push(type);
        continue;
      }
      for (const a of attrs) if (!schema.block.attributes?.[a]) missing.push(`${type}.${a}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('cty msgpack encoding', () => {
  const t: CtyType = { object: { a: 'string', n: 'number', l: { list: 'string' }, d: 'dynamic' } };

  test('an unknown value keeps its exact extension bytes, refinements included', () => {
    // {a, n, l, d}: a is unknown with refinements (ext type 12, payload {1: false} = "not null"),
    // n wholly unknown (ext type 0, one NUL byte), l and d null.
    const wire = Buffer.concat([Buffer.from([0x84]), enc('a'), Buffer.from([0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2]), enc('n'), Buffer.from([0xd4, 0x00, 0x00]), enc('l'), Buffer.from([0xc0]), enc('d'), Buffer.from([0xc0])]);
    const v = fromMsgpack(wire, t) as Record<string, unknown>;
    expect(v.a).toBeInstanceOf(Unknown);
    expect((v.a as Unknown).extType).toBe(12);
    expect(v.n).toBeInstanceOf(Unknown);
    expect(toMsgpack(v as any, t).equals(wire)).toBe(true);
  });

  test('a dynamic value is [type JSON, value]; absent object attributes decode as null', () => {
    const bytes = toMsgpack({ a: 'x', n: 3, d: new Dynamic({ list: 'number' }, [1, 2]) }, t);
    expect(decode(bytes)).toEqual({ a: 'x', n: 3, l: null, d: [new Uint8Array(Buffer.from('["list","number"]')), [1, 2]] });
    expect(fromMsgpack(bytes, t)).toEqual({ a: 'x', n: 3, l: null, d: new Dynamic({ list: 'number' }, [1, 2]) });
  });

  test('JSON state: attributes the schema lacks are dropped, absent ones null', () => {
    expect(fromStateJson({ a: 'x', gone: 1, d: { value: 'v', type: 'string' } }, t)).toEqual({ a: 'x', n: null, l: null, d: new Dynamic('string', 'v') });
  });

  function enc(s: string): Buffer {
    return Buffer.from(encode(s));
  }
});

describe('planning helpers', () => {
  const server = readProviderSchema(DEFAULT_PROVIDERS[0].schemaFile, DEFAULT_PROVIDERS[0].source).resource_schemas.hcloud_server.block;

  test('computed attributes that are null become unknown, in nested blocks too; configured ones stay', () => {
    const proposed = { name: 'web', id: null, ipv4_address: null, image: 'debian-12', network: [{ network_id: 1, ip: '10.0.1.2', mac_address: null, alias_ips: null, subnet_id: null }] };
    const planned = markComputedUnknown(server.attributes, server.block_types, proposed) as any;
    expect(planned.id).toBeInstanceOf(Unknown);
    expect(planned.ipv4_address).toBeInstanceOf(Unknown);
    expect(planned.image).toBe('debian-12');
    expect(planned.network[0].mac_address).toBeInstanceOf(Unknown);
    expect(planned.network[0].ip).toBe('10.0.1.2');
    expect(blockType(server)).toMatchObject({ object: { network: { set: { object: { ip: 'string', network_id: 'number' } } } } });
  });

  test('a set element that sets an optional+computed attribute gets its prior computed values back', () => {
    const prior = { network: [{ network_id: 1, ip: '10.0.1.2', mac_address: 'aa', alias_ips: [], subnet_id: '1-10.0.1.0/24' }] };
    const proposed = { network: [{ network_id: 1, ip: '10.0.1.2', mac_address: null, alias_ips: null, subnet_id: null }] };
    expect(carryPriorIntoSets(server.attributes, server.block_types, prior, proposed)).toEqual(prior);
    const moved = { network: [{ network_id: 1, ip: '10.0.1.3', mac_address: null, alias_ips: null, subnet_id: null }] };
    expect(carryPriorIntoSets(server.attributes, server.block_types, prior, moved)).toEqual(moved);
  });
});
