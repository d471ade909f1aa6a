/**
 * resolveValue (lib/core/resolve.ts), which AiaiStack resolves elements with: the same result as
 * cdktf's `Tokenization.resolve` with cdktf's stack resolver, on generated structures that mix
 * plain values with every kind of token, and the same errors; plain parts are returned as they are
 * (no copy) and the input is never changed.
 */
import * as fc from 'fast-check';
import { DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformStack, TerraformVariable, Testing, Token, Tokenization } from 'cdktf';
import { isTerraformExpression, ResolveCache, resolveValue } from '../../lib/core/resolve';

const app = Testing.app();
const stack = new TerraformStack(app, 'resolve');
const variable = new TerraformVariable(stack, 'v', { type: 'string' });
const numberVariable = new TerraformVariable(stack, 'n', { type: 'number' });
const listVariable = new TerraformVariable(stack, 'l', { type: 'list(string)' });

function cdktf(value: unknown, preparing: boolean): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/** The thrown message, or the value as JSON (undefined spelled out). */
function outcome(fn: () => unknown): { threw?: string; value?: string } {
  try {
    const v = fn();
    return { value: v === undefined ? 'undefined' : JSON.stringify(v) };
  } catch (e) {
    return { threw: (e as Error).message };
  }
}

/** Values cdktf treats specially: every kind of token, and texts that look like tokens. */
const special = fc.constantFrom<() => unknown>(
  () => variable.stringValue,
  () => `prefix-${variable.stringValue}-suffix`,
  () => numberVariable.numberValue,
  () => Token.asString(numberVariable.numberValue),
  () => `n=${numberVariable.numberValue}`,
  () => listVariable.listValue,
  () => [listVariable.listValue[0]],
  () => Lazy.stringValue({ produce: () => 'lazy text' }),
  () => Lazy.anyValue({ produce: () => ({ nested: ['a', undefined, 1] }) }),
  () => Lazy.anyValue({ produce: () => undefined }),
  () => Fn.join(',', ['a', variable.stringValue]),
  () => Fn.sha256(variable.stringValue),
  () => ({ [variable.stringValue]: 'token key' }),
  () => Token.asStringMap({ a: 'b' }),
  () => '${TfToken[NOT_A_TOKEN]}',
  () => '1e5 and -2.5e+3',
  () => '-e-',
  () => Token.STRING_MAP_TOKEN_VALUE,
  () => Token.NUMBER_MAP_TOKEN_VALUE,
  () => new Date(0),
  () => 'text with ${escape} and }',
);

/** Plain values and structures, with tokens inside at any depth. */
const valueArb: fc.Arbitrary<() => unknown> = fc.letrec<{ v: () => unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined)).map((x) => () => x),
    special,
    fc.array(tie('v'), { maxLength: 4 }).map((xs) => () => xs.map((x) => x())),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 }).map((d) => () => Object.fromEntries(Object.entries(d).map(([k, x]) => [k, x()]))),
  ),
})).v;

describe('resolveValue', () => {
  test('gives what cdktf gives (or throws what it throws), preparing or not', () => {
    fc.assert(
      fc.property(valueArb, fc.boolean(), (make, preparing) => {
        // Each side gets its own copy of the structure (tokens are shared, as in a stack).
        expect(outcome(() => resolveValue(stack, make(), preparing))).toEqual(outcome(() => cdktf(make(), preparing)));
      }),
      { numRuns: 400 },
    );
  });

  test('with a cache shared by many values (one pass), still gives what cdktf gives', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 6 }), fc.boolean(), (makes, preparing) => {
        const cache: ResolveCache = new Map();
        for (const make of makes) expect(outcome(() => resolveValue(stack, make(), preparing, cache))).toEqual(outcome(() => cdktf(make(), preparing)));
      }),
      { numRuns: 200 },
    );
  });

  test('caches whole tokens made only of Terraform expressions, never lazy values or what they feed', () => {
    const first = (s: string) => Tokenization.reverseString(s).firstToken;
    expect(isTerraformExpression(first(variable.stringValue))).toBe(true);
    expect(isTerraformExpression(first(Fn.join(',', ['a', variable.stringValue])))).toBe(true);
    expect(isTerraformExpression(first(Lazy.stringValue({ produce: () => 'x' })))).toBe(false);
    expect(isTerraformExpression(first(Token.asString({ a: 1 })))).toBe(false);

    const cache: ResolveCache = new Map();
    const ref = variable.stringValue;
    const call = Fn.upper(ref);
    expect(resolveValue(stack, { a: ref, b: call, c: `x-${ref}` }, false, cache)).toEqual({ a: '${var.v}', b: '${upper(var.v)}', c: 'x-${var.v}' });
    // Whole tokens only: the mixed string is resolved every time.
    expect([...cache.keys()].sort()).toEqual([call, ref].sort());

    // A lazy value that changes at each call, alone or inside a function call: resolved at every
    // occurrence, as cdktf resolves it.
    let n = 0;
    const impure = Lazy.stringValue({ produce: () => `v${++n}` });
    const wrapped = Fn.upper(impure);
    const ours = resolveValue(stack, { a: impure, b: impure, c: wrapped, d: wrapped }, false, cache);
    n = 0;
    expect(ours).toEqual(cdktf({ a: impure, b: impure, c: wrapped, d: wrapped }, false));
    expect(cache.has(impure)).toBe(false);
    expect(cache.has(wrapped)).toBe(false);
  });

  test('returns a plain structure as it is, and copies only the parts that change', () => {
    const plain = { a: ['x', 1, true, null, { b: 'y' }], c: { d: 'e' } };
    expect(resolveValue(stack, plain, false)).toBe(plain);
    const withToken = { keep: { same: ['x'] }, change: { t: variable.stringValue }, gone: undefined };
    const r = resolveValue(stack, withToken, false) as Record<string, unknown>;
    expect(r).not.toBe(withToken);
    expect(r.keep).toBe(withToken.keep);
    expect(r).toEqual({ keep: { same: ['x'] }, change: { t: '${var.v}' } });
    expect('gone' in r).toBe(false);
    // Arrays drop undefined elements and holes, as cdktf's do.
    // eslint-disable-next-line no-sparse-arrays
    expect(resolveValue(stack, ['a', , undefined, 'b'], false)).toEqual(['a', 'b']);
  });

  test('never changes its input', () => {
    fc.assert(
      fc.property(valueArb, (make) => {
        const input = make();
        const before = outcome(() => JSON.stringify(input));
        outcome(() => resolveValue(stack, input, false));
        expect(outcome(() => JSON.stringify(input))).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  test('the cases a plain walk could get wrong: __proto__ keys, toJSON, token numbers spelled without e+', () => {
    const polluting = JSON.parse('{"name":"x","__proto__":{"polluted":"yes"}}') as unknown;
    const hiddenToJson = Object.defineProperty({ k: 1 }, 'toJSON', { value: () => 'X', enumerable: false });
    const arrayToJson = Object.assign([1, 2], { toJSON: () => 'X' });
    const tokenNumber = String(numberVariable.numberValue);
    const spellings = [`x=${tokenNumber}`, `x=${tokenNumber.replace('e+', 'e')}`, 'x=-8.2e298', `-82${'0'.repeat(297)}e0`, 'sed -e-x 1e5'];
    for (const v of [polluting, { nested: polluting }, hiddenToJson, [hiddenToJson], arrayToJson, { a: arrayToJson }, ...spellings, { s: spellings }]) {
      expect(outcome(() => resolveValue(stack, v, false))).toEqual(outcome(() => cdktf(v, false)));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(resolveValue(stack, `x=${tokenNumber.replace('e+', 'e')}`, false)).toBe('x=${var.n}');
  });

  test('copies objects that are not plain (class instances), as cdktf does', () => {
    class Shape {
      public readonly side = 2;
    }
    const s = new Shape();
    const r = resolveValue(stack, s, false);
    expect(r).not.toBe(s);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(r).toEqual(cdktf(s, false));
  });

  test('fails as cdktf fails on a cycle, a function and a construct', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    for (const bad of [cycle, { f: () => 1 }, { c: stack }, [[() => 2]]]) {
      const ours = outcome(() => resolveValue(stack, bad, false));
      expect(ours.threw).toBeDefined();
      expect(ours).toEqual(outcome(() => cdktf(bad, false)));
    }
  });
});
