/**
 * Terraform's value model (cty) as the stand-in provider needs it: types parsed from the schema's
 * JSON type notation, values as plain JS data plus {@link Unknown} and {@link Dynamic}, and the
 * msgpack encoding of plugin protocol 6 `DynamicValue`s (hashicorp/terraform
 * docs/plugin-protocol/object-wire-format.md; zclconf/go-cty cty/msgpack):
 *
 * - null is msgpack nil; strings, numbers, bools are msgpack primitives (a number too large for
 *   int64/float64 arrives as its decimal string);
 * - lists, sets and tuples are arrays; maps and objects are maps (object keys are attribute names);
 * - an unknown value is a msgpack extension: type 0 (no refinements) or type 12 (a refinement map
 *   such as "not null" or a string prefix). We keep the raw extension so that an unknown value we
 *   hand back is byte-identical to the one Terraform sent;
 * - a value whose schema type is DynamicPseudoType ("dynamic") is a 2-element array
 *   [JSON of its concrete type (msgpack bin), value], except a wholly unknown or null dynamic value.
 */
import { decode, encode, ExtensionCodec } from '@msgpack/msgpack';

/** A cty type: a primitive name, a collection/structural type, or "dynamic". */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | { readonly list: CtyType }
  | { readonly set: CtyType }
  | { readonly map: CtyType }
  | { readonly object: Readonly<Record<string, CtyType>> }
  | { readonly tuple: readonly CtyType[] };

/** An unknown value ("known after apply"), with the extension bytes Terraform encoded it with. */
export class Unknown {
  /** The totally unknown value: extension type 0 with one NUL byte, as cty writes it. */
  static readonly plain = new Unknown(0, new Uint8Array([0]));
  constructor(
    readonly extType: number,
    readonly data: Uint8Array,
  ) {}
}

/** A value of a DynamicPseudoType attribute, with its concrete type. */
export class Dynamic {
  constructor(
    readonly type: CtyType,
    readonly value: CtyValue,
  ) {}
}

export type CtyValue = null | string | number | boolean | Unknown | Dynamic | CtyValue[] | { [key: string]: CtyValue };

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

export function isObject(v: unknown): v is Record<string, CtyValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Unknown) && !(v instanceof Dynamic);
}

/** Parses the JSON type notation of `terraform providers schema -json` (`"string"`, `["list","string"]`, ...). */
export function parseType(json: unknown): CtyType {
  if (json === 'string' || json === 'number' || json === 'bool' || json === 'dynamic') return json;
  if (Array.isArray(json)) {
    const [kind, arg] = json as [string, unknown];
    switch (kind) {
      case 'list':
        return { list: parseType(arg) };
      case 'set':
        return { set: parseType(arg) };
      case 'map':
        return { map: parseType(arg) };
      case 'object':
        return { object: Object.fromEntries(Object.entries(arg as Record<string, unknown>).map(([k, t]) => [k, parseType(t)])) };
      case 'tuple':
        return { tuple: (arg as unknown[]).map(parseType) };
    }
  }
  throw new Error(`unsupported cty type ${JSON.stringify(json)}`);
}

/** The JSON type notation of a type (inverse of {@link parseType}). */
export function typeToJson(t: CtyType): unknown {
  if (typeof t === 'string') return t;
  if ('list' in t) return ['list', typeToJson(t.list)];
  if ('set' in t) return ['set', typeToJson(t.set)];
  if ('map' in t) return ['map', typeToJson(t.map)];
  if ('object' in t) return ['object', Object.fromEntries(Object.entries(t.object).map(([k, v]) => [k, typeToJson(v)]))];
  return ['tuple', t.tuple.map(typeToJson)];
}

/** Unknown values keep their exact extension bytes (types 0 and 12 are both "unknown"). */
const codec = new ExtensionCodec();
for (const type of [0, 12]) {
  codec.register({
    type,
    encode: (input: unknown) => (input instanceof Unknown && input.extType === type ? input.data : null),
    decode: (data: Uint8Array) => new Unknown(type, data.slice()),
  });
}

/** Decodes a msgpack `DynamicValue` as a value of type `t`. */
export function fromMsgpack(bytes: Uint8Array | undefined | null, t: CtyType): CtyValue {
  if (!bytes || bytes.length === 0) return null;
  return fromWire(decode(bytes, { extensionCodec: codec }), t);
}

/** Encodes a value of type `t` as a msgpack `DynamicValue`. */
export function toMsgpack(v: CtyValue, t: CtyType): Buffer {
  const bytes = encode(toWire(v, t), { extensionCodec: codec, ignoreUndefined: true, forceIntegerToFloat: false });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function fromWire(raw: unknown, t: CtyType): CtyValue {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof Unknown) return raw;
  if (t === 'dynamic') {
    const [typeJson, inner] = raw as [Uint8Array | string, unknown];
    const type = parseType(JSON.parse(typeof typeJson === 'string' ? typeJson : Buffer.from(typeJson).toString('utf8')));
    return new Dynamic(type, fromWire(inner, type));
  }
  if (t === 'string') return String(raw);
  if (t === 'number') return typeof raw === 'string' ? Number(raw) : (raw as number);
  if (t === 'bool') return raw as boolean;
  if ('list' in t || 'set' in t) {
    const et = 'list' in t ? t.list : t.set;
    return (raw as unknown[]).map((e) => fromWire(e, et));
  }
  if ('tuple' in t) return (raw as unknown[]).map((e, i) => fromWire(e, t.tuple[i]));
  if ('map' in t) return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, e]) => [k, fromWire(e, t.map)]));
  const obj = raw as Record<string, unknown>;
  return Object.fromEntries(Object.entries(t.object).map(([k, at]) => [k, fromWire(obj[k], at)]));
}

function toWire(v: CtyValue, t: CtyType): unknown {
  if (t === 'dynamic' && v instanceof Dynamic) return [Buffer.from(JSON.stringify(typeToJson(v.type))), toWire(v.value, v.type)];
  if (v === null || v instanceof Unknown) return v;
  if (v instanceof Dynamic) return toWire(v.value, v.type);
  if (typeof t === 'string') return v;
  if ('list' in t || 'set' in t) {
    const et = 'list' in t ? t.list : t.set;
    return (v as CtyValue[]).map((e) => toWire(e, et));
  }
  if ('tuple' in t) return (v as CtyValue[]).map((e, i) => toWire(e, t.tuple[i]));
  if ('map' in t) return Object.fromEntries(Object.entries(v as Record<string, CtyValue>).map(([k, e]) => [k, toWire(e, t.map)]));
  const obj = v as Record<string, CtyValue>;
  return Object.fromEntries(Object.entries(t.object).map(([k, at]) => [k, toWire(obj[k] ?? null, at)]));
}

/**
 * Decodes the JSON state Terraform stored (UpgradeResourceState's raw_state) as a value of type
 * `t`: absent attributes are null, attributes the schema no longer has are dropped, and a dynamic
 * value is `{"value": ..., "type": ...}` (go-cty cty/json).
 */
export function fromStateJson(raw: unknown, t: CtyType): CtyValue {
  if (raw === null || raw === undefined) return null;
  if (t === 'dynamic') {
    const { value, type } = raw as { value: unknown; type: unknown };
    const concrete = parseType(type);
    return new Dynamic(concrete, fromStateJson(value, concrete));
  }
  if (t === 'string') return String(raw);
  if (t === 'number') return typeof raw === 'string' ? Number(raw) : (raw as number);
  if (t === 'bool') return raw as boolean;
  if ('list' in t || 'set' in t) {
    const et = 'list' in t ? t.list : t.set;
    return (raw as unknown[]).map((e) => fromStateJson(e, et));
  }
  if ('tuple' in t) return (raw as unknown[]).map((e, i) => fromStateJson(e, t.tuple[i]));
  if ('map' in t) return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, e]) => [k, fromStateJson(e, t.map)]));
  const obj = raw as Record<string, unknown>;
  return Object.fromEntries(Object.entries(t.object).map(([k, at]) => [k, fromStateJson(obj[k], at)]));
}

/** Structural equality; an unknown value equals nothing (its change is not known to be none). */
export function ctyEqual(a: CtyValue | undefined, b: CtyValue | undefined): boolean {
  if (a instanceof Unknown || b instanceof Unknown) return false;
  if (a instanceof Dynamic || b instanceof Dynamic) {
    return a instanceof Dynamic && b instanceof Dynamic && JSON.stringify(typeToJson(a.type)) === JSON.stringify(typeToJson(b.type)) && ctyEqual(a.value, b.value);
  }
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((e, i) => ctyEqual(e, b[i]));
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => ctyEqual(a[k], b[k]));
}

/** A canonical text of a value (sorted keys; unknown values as a marker), for hashing. */
export function canonical(v: CtyValue): string {
  if (v instanceof Unknown) return '"<unknown>"';
  if (v instanceof Dynamic) return canonical(v.value);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
    .join(',')}}`;
}
