/**
 * scripts/synth/stable-stringify.cjs, which the fast synth bundles in place of cdktf's
 * json-stable-stringify: the same text as the package for every value and `space`, the same
 * errors, and no silently ignored options.
 */
import * as fc from 'fast-check';

type Stringify = (value: unknown, opts?: unknown) => string | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ours = require('../../scripts/synth/stable-stringify.cjs') as Stringify;
// The copy cdktf writes stacks with (cdktf/lib/synthesize/synthesizer.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const original = require(require.resolve('json-stable-stringify', { paths: [require.resolve('cdktf')] })) as Stringify;

function outcome(fn: () => unknown): { threw?: string; value?: unknown } {
  try {
    return { value: fn() };
  } catch (e) {
    return { threw: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

const spaces = fc.constantFrom<unknown>(2, 0, 4, 2.5, -1, '\t', '', 'ab', undefined);

/** JSON-like values plus what JSON drops or changes: undefined, functions, symbols, dates, toJSON, empty containers, non-ASCII. */
const valueArb = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
    fc.constantFrom<unknown>(undefined, () => 1, Symbol('s'), new Date(0), { toJSON: () => 'from toJSON' }, { toJSON: () => undefined }, [], {}, '€ ∑ 😀', NaN, -0),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 5 }),
  ),
})).v;

describe('stable-stringify (fast synth)', () => {
  test('writes what json-stable-stringify writes, for any value and space', () => {
    fc.assert(
      fc.property(valueArb, spaces, (value, space) => {
        const opts = space === undefined ? undefined : { space };
        expect(outcome(() => ours(value, opts))).toEqual(outcome(() => original(value, opts)));
      }),
      { numRuns: 1000 },
    );
  });

  test('a document larger than its buffers (several MiB, non-ASCII) comes out whole', () => {
    const doc: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) doc[`r${i}`] = { body: `${'x'.repeat(500)}-€-😀-${i}`, list: [i, { n: null }, []], empty: {} };
    doc.big = 'ü'.repeat(3 * 1024 * 1024);
    const text = ours(doc, { space: 2 });
    expect(text?.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(text).toBe(original(doc, { space: 2 }));
  });

  test('the quirks: empty containers span two lines, keys in code-unit order, undefined is null in arrays', () => {
    expect(ours({ b: [], a: {}, c: [undefined, () => 1], B: 1 }, { space: 2 })).toBe('{\n  "B": 1,\n  "a": {\n  },\n  "b": [\n  ],\n  "c": [\n    null,\n    null\n  ]\n}');
    expect(ours(undefined)).toBeUndefined();
    expect(ours({ a: 1 }, null)).toBe('{"a":1}');
  });

  test('fails as the package fails on a cycle and a bigint', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const bad of [cycle, { n: BigInt(1) }]) {
      const r = outcome(() => ours(bad, { space: 2 }));
      expect(r.threw).toBeDefined();
      expect(r).toEqual(outcome(() => original(bad, { space: 2 })));
    }
  });

  test('fails if given an option other than space (cmp, replacer, cycles, a compare function)', () => {
    expect(() => ours({}, { cmp: () => 0 })).toThrow('only the "space" option is supported, got cmp');
    expect(() => ours({}, { space: 2, replacer: (_k: string, v: unknown) => v, cycles: true })).toThrow('got replacer, cycles');
    expect(() => ours({}, () => 0)).toThrow('got function');
  });
});
