import { PropValidator } from './validation-error';

/** The JavaScript shape a prop must have (what TypeScript promises and a JavaScript caller may break). */
export type PropKind = 'string' | 'number' | 'boolean' | 'object' | 'string[]' | 'record<string>';

const ALLOWED: Record<PropKind, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  'string[]': 'an array of strings',
  'record<string>': 'an object of string values',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasKind(value: unknown, kind: PropKind): boolean {
  switch (kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value === kind;
    case 'object':
      return isPlainObject(value);
    case 'string[]':
      return Array.isArray(value) && value.every((e) => typeof e === 'string');
    case 'record<string>':
      return isPlainObject(value) && Object.values(value).every((e) => typeof e === 'string');
  }
}

/**
 * Records a problem for every prop in `kinds` whose value has the wrong JavaScript shape (`null`
 * included), and for each `required` prop that is missing. Returns true when all shapes are right:
 * constructs call it first and stop there otherwise, so their own checks never meet a wrong type
 * (a TypeError deep inside instead of a message naming the prop).
 */
export function checkPropKinds(v: PropValidator, props: object, kinds: Readonly<Record<string, PropKind>>, required: readonly string[] = []): boolean {
  let ok = true;
  const values = props as Record<string, unknown>;
  for (const [name, kind] of Object.entries(kinds)) {
    const value = values[name];
    if (value === undefined) {
      if (required.includes(name)) ok = v.check(name, value, false, `${ALLOWED[kind]} (required)`) && ok;
      continue;
    }
    ok = v.check(name, value, hasKind(value, kind), ALLOWED[kind]) && ok;
  }
  return ok;
}
