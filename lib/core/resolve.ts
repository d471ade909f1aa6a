import { DefaultTokenResolver, ITokenResolver, StringConcat, Token } from 'cdktf';
import { IConstruct } from 'constructs';
// cdktf's Terraform expressions (references, function calls, operators, conditionals, property
// access, for expressions) share one base class that cdktf does not export; OperatorExpression is
// exported and extends it directly.
import { OperatorExpression } from 'cdktf/lib/tfExpression';
// cdktf's own resolve (what `Tokenization.resolve` calls), for its `prefix` option: the parts handed
// to it below are resolved as if cdktf had walked down to them itself.
import { resolve as cdktfResolve } from 'cdktf/lib/tokens/private/resolve';

/** The resolver cdktf resolves stacks with (cdktf/lib/_tokens.js). */
const RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * cdktf's pattern for numbers inside strings (cdktf/lib/tokens/private/encoding.js
 * NUMBER_TOKEN_REGEX). cdktf splits a string at its matches and looks each one up as a number token
 * (`lookupNumberToken(parseFloat(match))`, which throws for an unknown token number).
 */
const NUMBER_IN_STRING = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/g;

/**
 * Token numbers are doubles whose top 16 bits are 0xfdff or 0xfbff (cdktf encoding.js
 * createTokenDouble): negative, of magnitude about 1e289 or more. No number below this bound is one.
 */
const TOKEN_DOUBLE_BOUND = 1e280;

/** The top 16 bits of a string-token number (cdktf encoding.js DOUBLE_TOKEN_MARKER_BITS). */
const DOUBLE_TOKEN_MARKER = 0xfdff;
const double = new Float64Array(1);
const doubleWords = new Uint32Array(double.buffer);

/**
 * True when cdktf's number pass would look up something in `s`: some match of its pattern parses
 * to a double carrying the token marker (whatever the spelling: `-1.88e+289`, `-1.88e289`, digits).
 * Other matches (`1e5`, `sed -e-`) come back from that pass as they were.
 */
function holdsTokenNumber(s: string): boolean {
  NUMBER_IN_STRING.lastIndex = 0;
  for (let m = NUMBER_IN_STRING.exec(s); m !== null; m = NUMBER_IN_STRING.exec(s)) {
    double[0] = parseFloat(m[0]);
    if (doubleWords[1] >>> 16 === DOUBLE_TOKEN_MARKER) return true;
  }
  return false;
}

/** The prototype of cdktf's TFExpression (see the import above). */
const TF_EXPRESSION: object = Object.getPrototypeOf(OperatorExpression.prototype);

/** True when `token` is one of cdktf's Terraform expressions. */
export function isTerraformExpression(token: unknown): boolean {
  return typeof token === 'object' && token !== null && TF_EXPRESSION.isPrototypeOf(token);
}

/**
 * cdktf's stack resolver, noting whether every token it resolved was a Terraform expression:
 * those resolve to the same text wherever they occur in a stack (given the same context: see
 * {@link ResolveCache}); lazy values and other tokens may not. (cdktf hands the resolver down to
 * every nested resolution, so each token reaches `resolveToken`.)
 */
interface ExpressionTracker extends ITokenResolver {
  onlyExpressions: boolean;
}
function expressionTracker(): ExpressionTracker {
  const tracker: ExpressionTracker = {
    onlyExpressions: true,
    resolveToken: (t, context, postProcessor) => {
      if (!isTerraformExpression(t)) tracker.onlyExpressions = false;
      return RESOLVER.resolveToken(t, context, postProcessor);
    },
    resolveString: (fragments, context) => RESOLVER.resolveString(fragments, context),
    resolveList: (l, context) => RESOLVER.resolveList(l, context),
    resolveNumberList: (l, context) => RESOLVER.resolveNumberList(l, context),
    resolveMap: (m, context) => RESOLVER.resolveMap(m, context),
  };
  return tracker;
}

/** A string that is exactly one string token (cdktf encoding.js BEGIN_STRING_TOKEN_MARKER ... END_TOKEN_MARKER). */
const WHOLE_STRING_TOKEN = /^\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}$/;

/**
 * Results of whole-token strings made only of Terraform expressions, for one resolution pass of
 * one stack (one scope, one value of `preparing`). Such a token resolves to the same text at every
 * occurrence that cdktf reaches without an enclosing context (all this walk hands it): a reference
 * names the same address (a cross-stack one is registered at its first resolution and read after),
 * a function call serializes the same arguments. Stacks of many hosts repeat them: the shared
 * secret variable in every runner's files, the network of a group, one digest expression per
 * credential set. The assumption: nothing changes the plain values an expression holds (a list
 * given to `Fn.join`) while the stack is resolved, e.g. from a lazy value's `produce`; cdktf would
 * show such a change at later occurrences. cdktf's warning about escapes inside function
 * arguments is then printed once per expression, not once per occurrence.
 */
export type ResolveCache = Map<string, string>;

/** cdktf's depth limit (resolve.js: a path longer than this is taken for a cycle). */
const MAX_DEPTH = 200;

/** True when cdktf would treat `s` as plain text (no token marker, no number that may be a token). */
function plainString(s: string): boolean {
  return !s.includes('TfToken[') && s !== Token.STRING_MAP_TOKEN_VALUE && s !== Token.ANY_MAP_TOKEN_VALUE && !holdsTokenNumber(s);
}

/** `__proto__` as an own key: cdktf's copy (`result[key] = value`) sets the copy's prototype instead. */
const PROTO_KEY = '__proto__';

function plainNumber(n: number): boolean {
  return n !== Token.NUMBER_MAP_TOKEN_VALUE && Math.abs(n) < TOKEN_DOUBLE_BOUND;
}

/**
 * `Tokenization.resolve(value, { scope, preparing, resolver })` as cdktf's stacks call it: the same
 * result and the same errors, faster on large plain structures. cdktf's `resolve` builds a
 * resolution context (two closures, a prefix array and its joined path) for every node of the
 * structure, tokens or not, and copies every array and object; the converge scripts and manifests
 * of a few hundred hosts are millions of plain nodes.
 *
 * Here the structure is walked in cdktf's order, and every part cdktf treats specially is handed to
 * cdktf's own resolve with the path cdktf would have reached it by (so its results, error messages
 * and depth limit are cdktf's):
 * - a string holding a token marker (`TfToken[`), a map-token value or anything cdktf's number-token
 *   pattern matches;
 * - a number that may be a token (or the map-token number), a function;
 * - an array with such a string or number among its elements (cdktf resolves list tokens per array);
 * - an object that is resolvable (has `resolve()`), a construct, or has a key that is not plain;
 * - anything deeper than cdktf's depth limit.
 *
 * Everything else is plain, and resolves to itself: strings, other numbers, booleans, null, dates,
 * and arrays and objects whose members all resolve to themselves are returned as they are, not
 * copied (cdktf would copy them, equal). An array or object with a member that resolves to
 * something else, or to `undefined` (dropped, as cdktf drops it), an object that is not plain (a
 * class instance) and one with a `toJSON` are copied; an object with a `__proto__` key is cdktf's.
 * The result may therefore share parts with the input: callers must not change either, and an
 * enumerable getter is read again by whoever reads the result. With a `cache`, a string that is one
 * token made only of Terraform expressions is resolved once per cache (see {@link ResolveCache}).
 * `__tests__/foundation/resolve.test.ts` compares the two on generated structures.
 */
export function resolveValue(scope: IConstruct, value: unknown, preparing: boolean, cache?: ResolveCache): unknown {
  const path: string[] = [];
  const cdktf = (v: unknown): unknown => cdktfResolve(v, { scope, preparing, resolver: RESOLVER, prefix: path.slice() });
  const token = (v: string): unknown => {
    if (cache === undefined || !WHOLE_STRING_TOKEN.test(v)) return cdktf(v);
    const hit = cache.get(v);
    if (hit !== undefined) return hit;
    const tracker = expressionTracker();
    const r = cdktfResolve(v, { scope, preparing, resolver: tracker, prefix: path.slice() });
    if (tracker.onlyExpressions && typeof r === 'string') cache.set(v, r);
    return r;
  };
  const walk = (v: unknown): unknown => {
    if (path.length > MAX_DEPTH) return cdktf(v);
    switch (typeof v) {
      case 'undefined':
      case 'boolean':
      case 'bigint':
      case 'symbol':
        return v;
      case 'string':
        return plainString(v) ? v : token(v);
      case 'number':
        return plainNumber(v) ? v : cdktf(v);
      case 'function':
        return cdktf(v);
    }
    if (v === null || v instanceof Date) return v;
    if (Array.isArray(v)) {
      for (const x of v) if ((typeof x === 'string' && x.includes('TfToken[')) || (typeof x === 'number' && !plainNumber(x))) return cdktf(v);
      // Until a member resolves to something else, the array is its own result (unless it carries
      // a toJSON, which cdktf's copy drops).
      let out: unknown[] | undefined = (v as { toJSON?: unknown }).toJSON === undefined ? undefined : [];
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        path.push(`${i}`);
        const r = walk(x);
        path.pop();
        if (out === undefined && (r !== x || r === undefined || !(i in v))) out = v.slice(0, i);
        if (out !== undefined && r !== undefined) out.push(r);
      }
      return out ?? v;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.resolve === 'function' || (o._children !== undefined && o._metadata !== undefined)) return cdktf(v);
    const keys = Object.keys(o);
    for (const k of keys) if (!plainString(k) || k === PROTO_KEY) return cdktf(v);
    // Until a member resolves to something else, a plain object is its own result: not a class
    // instance, and without a toJSON of its own (cdktf's copy keeps only the enumerable members).
    let out: Record<string, unknown> | undefined = Object.getPrototypeOf(o) === Object.prototype && o.toJSON === undefined ? undefined : {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const x = o[k];
      path.push(k);
      const r = walk(x);
      path.pop();
      if (out === undefined && (r !== x || r === undefined)) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]] = o[keys[j]];
      }
      if (out !== undefined && r !== undefined) out[k] = r;
    }
    return out ?? o;
  };
  return walk(value);
}
