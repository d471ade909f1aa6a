/**
 * Value pools for the property tests: valid values of each kind of prop, and bad ones (wrong types
 * cast through `any`, empty and huge strings, non-finite and negative numbers, malformed CIDRs and
 * IPs, names and labels Hetzner rejects, deprecated server types, unknown locations).
 */
import * as fc from 'fast-check';
import { DEPRECATED_SERVER_TYPES, LOCATIONS, SERVER_TYPES } from '../../lib/hetzner/catalog';

/** Values of the wrong JavaScript type for any prop (what a JavaScript or `as any` caller can pass). */
export const wrongType: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(null, 42, -1, 0, true, false, {}, [], [{}], { a: 1 }, NaN, () => 'x');

/** Strings that are bad for any name-like prop. */
export const badNameString: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('', ' ', '-', 'UPPER', 'has space', 'tab\there', 'line\nbreak', 'ümlaut', 'semi;colon', '$(rm -rf /)', '${var.x}', '%{ if }', 'a/b', 'dot.', '-lead', 'trail-', 'x'.repeat(64), 'y'.repeat(300)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).map((s) => `${s}\u0000`),
);

/** Non-string, wrong-typed values or bad strings. */
export const badName: fc.Arbitrary<unknown> = fc.oneof(badNameString, wrongType);

/** Numbers no integer-valued prop accepts (and wrong types). */
export const badNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(NaN, Infinity, -Infinity, -1, -0.5, 0.5, 1.5, 1e21, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, '10', '', null, true, {}, []),
  fc.double({ noNaN: true, min: -1e6, max: -1 }),
);

/** A DNS-label-like name of `max` chars at most: lowercase letters and digits, inner `-`. */
export function dnsLabel(max = 20): fc.Arbitrary<string> {
  return fc.stringMatching(new RegExp(`^[a-z][a-z0-9-]{0,${max - 2}}[a-z0-9]$`));
}

export const environment: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('production', 'staging', 'test', 'dev'), dnsLabel(12));
export const badEnvironment: fc.Arbitrary<unknown> = fc.oneof(badName, fc.constant('e'.repeat(23)), fc.constant('Prod'));

/** Label keys and values Hetzner accepts. */
export const labelKey: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}[a-z0-9]$/),
  fc.constantFrom('team', 'cost-center', 'example.com/owner', 'a'),
);
export const labelValue: fc.Arbitrary<string> = fc.oneof(fc.constant(''), fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,30}[a-zA-Z0-9])?$/), fc.constant('v'.repeat(63)));

/** Labels that must not collide with a construct's own keys (`reserved`). */
export function labels(reserved: readonly string[] = []): fc.Arbitrary<Record<string, string>> {
  return fc.dictionary(labelKey.filter((k) => !reserved.includes(k)), labelValue, { maxKeys: 4 });
}

/** Labels with at least one bad key or value, or a labels prop of the wrong type. */
export const badLabels: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(labels(), fc.constantFrom('', 'has space', 'x'.repeat(64), 'a/b/c', '-lead', 'UP/x', '/x', 'ümlaut'), labelValue).map(([l, k, v]) => ({ ...l, [k]: v })),
  fc.tuple(labels(), labelKey, fc.constantFrom<unknown>('x'.repeat(64), 'has space', '-lead', 'trail.', 'line\nbreak', 42, null, true, {}, ['a'])).map(([l, k, v]) => ({ ...l, [k]: v })),
  fc.constantFrom<unknown>('labels', 42, true, ['a', 'b']),
);

// --- network values ---------------------------------------------------------------------------

/** Strings that are not canonical IPv4 CIDRs, or not CIDRs at all. */
export const badCidr: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '10.0.0.0',
    '10.0.0.0/',
    '10.0.0.0/33',
    '10.0.0.0/-1',
    '10.0.0.1/16',
    '256.0.0.0/8',
    '10.0.0.0/8/8',
    ' 10.0.0.0/16',
    '10.0.0.0/16 ',
    '010.0.0.0/16',
    '10.0.0/16',
    'a.b.c.d/8',
    '::/129',
    ':::/200',
    'not-a-cidr',
    '10.0.0.0\n/16',
  ),
  wrongType,
);

/** A random public IPv4 /32 in documentation ranges, or a valid IPv6 prefix. */
export const adminCidr: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('192.0.2', '198.51.100', '203.0.113'), fc.integer({ min: 0, max: 255 })).map(([n, h]) => `${n}.${h}/32`),
  fc.constantFrom('203.0.113.0/24', '2001:db8::/32', '2001:db8:1::/48', '198.51.100.0/24'),
);

/** Strings that are not IPv4 addresses. */
export const badIp: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('', '10.0.1', '10.0.1.256', '10.0.1.-1', '10.0.1.10/32', '010.0.1.10', '10.0.1.10 ', 'localhost', '::1', '10.0.1.0', '10.0.1.255', '10.0.1.1', '10.0.9.10', '8.8.8.8'),
  wrongType,
);

// --- catalog values ---------------------------------------------------------------------------

export const serverTypeName: fc.Arbitrary<string> = fc.constantFrom(...Object.keys(SERVER_TYPES));
export const x86ServerType: fc.Arbitrary<string> = fc.constantFrom(...Object.values(SERVER_TYPES).filter((t) => t.architecture === 'x86').map((t) => t.name));
export const euLocation: fc.Arbitrary<string> = fc.constantFrom(...Object.values(LOCATIONS).filter((l) => l.networkZone === 'eu-central').map((l) => l.name));

/** Deprecated, unknown or wrong-typed server types. */
export const badServerType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...Object.keys(DEPRECATED_SERVER_TYPES)),
  fc.constantFrom('', 'cx11', 'cx21', 'CX23', 'cx23 ', 'cx999', 'm5.large', 'cax'),
  wrongType,
);

/** Unknown or wrong-typed locations (`ash` etc. are valid but outside eu-central: see the tests). */
export const badLocation: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom('', 'fsn', 'FSN1', 'fsn1 ', 'eu-central', 'nbg2', 'us-east-1', 'fra1'), wrongType);

/** Retention in days: valid range and bad values. */
export const retentionDays: fc.Arbitrary<number> = fc.integer({ min: 1, max: 3650 });
