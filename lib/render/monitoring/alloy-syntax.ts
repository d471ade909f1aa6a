import { quoteString } from './strings';
import { invalid } from '../../core/validation-error';

/**
 * A small writer for the Grafana Alloy configuration syntax (formerly River): blocks, attributes
 * and expressions built as data, so no value is ever spliced into the text. Strings are quoted
 * with Go escapes; identifiers and references are validated; anything else throws a ValidationError.
 */

const REF = Symbol('alloy.reference');

/** A reference to another component's export, e.g. `loki.write.default.receiver`. */
export interface AlloyReference {
  readonly [REF]: string;
}

export type AlloyValue =
  | string
  | number
  | boolean
  | null
  | AlloyReference
  | readonly AlloyValue[]
  | { readonly [key: string]: AlloyValue };

export interface AlloyAttribute {
  readonly kind: 'attribute';
  readonly name: string;
  readonly value: AlloyValue;
}

export interface AlloyBlock {
  readonly kind: 'block';
  /** Block name: one or more identifiers joined by dots (`loki.source.journal`, `endpoint`). */
  readonly name: string;
  /** Component label (an identifier), written quoted after the name. */
  readonly label?: string;
  readonly body: readonly AlloyStatement[];
}

export type AlloyStatement = AlloyAttribute | AlloyBlock;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(['true', 'false', 'null']);

export function isAlloyIdentifier(s: string): boolean {
  return typeof s === 'string' && IDENTIFIER.test(s) && !KEYWORDS.has(s);
}

function checkIdentifier(s: string, what: string): void {
  if (!isAlloyIdentifier(s)) invalid('Alloy syntax', what, s, 'a valid Alloy identifier: letters, digits and _ (not starting with a digit, not true/false/null)');
}

function checkDotted(s: string, what: string): void {
  if (typeof s !== 'string' || s.length === 0) invalid('Alloy syntax', what, s, 'a valid Alloy name: identifiers joined by dots');
  for (const part of s.split('.')) checkIdentifier(part, what);
}

/** A reference expression; every dotted part must be an identifier. */
export function ref(path: string): AlloyReference {
  checkDotted(path, 'reference');
  return { [REF]: path };
}

export function isReference(v: unknown): v is AlloyReference {
  return typeof v === 'object' && v !== null && REF in v;
}

export function attr(name: string, value: AlloyValue): AlloyAttribute {
  checkIdentifier(name, 'attribute name');
  return { kind: 'attribute', name, value };
}

export function block(name: string, label: string | undefined, body: readonly AlloyStatement[]): AlloyBlock {
  checkDotted(name, 'block name');
  if (label !== undefined) checkIdentifier(label, 'block label');
  return { kind: 'block', name, label, body };
}

const INDENT = '  ';

function renderValue(value: AlloyValue, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid('Alloy syntax', 'number', value, 'a finite number');
    return String(value);
  }
  if (isReference(value)) return value[REF];
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((x) => renderValue(x, depth + 1));
    const oneLine = `[${items.join(', ')}]`;
    if (!oneLine.includes('\n') && oneLine.length <= 80) return oneLine;
    const pad = INDENT.repeat(depth + 1);
    return `[\n${items.map((i) => `${pad}${i},`).join('\n')}\n${INDENT.repeat(depth)}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, AlloyValue>);
    if (entries.length === 0) return '{}';
    const pad = INDENT.repeat(depth + 1);
    const lines = entries.map(([k, v]) => `${pad}${isAlloyIdentifier(k) ? k : quoteString(k)} = ${renderValue(v, depth + 1)},`);
    return `{\n${lines.join('\n')}\n${INDENT.repeat(depth)}}`;
  }
  return invalid('Alloy syntax', 'value', String(value), 'a supported Alloy value: string, number, boolean, null, reference, array or object');
}

function renderStatements(statements: readonly AlloyStatement[], depth: number): string[] {
  const pad = INDENT.repeat(depth);
  const out: string[] = [];
  statements.forEach((s, i) => {
    if (s.kind === 'attribute') {
      out.push(`${pad}${s.name} = ${renderValue(s.value, depth)}`);
    } else {
      if (depth === 0 && i > 0) out.push('');
      const head = s.label !== undefined ? `${s.name} ${quoteString(s.label)}` : s.name;
      if (s.body.length === 0) {
        out.push(`${pad}${head} { }`);
      } else {
        out.push(`${pad}${head} {`, ...renderStatements(s.body, depth + 1), `${pad}}`);
      }
    }
  });
  return out;
}

/** Renders a whole Alloy file. `comment` lines are written as `//` comments on top. */
export function renderAlloy(statements: readonly AlloyStatement[], comment?: string): string {
  const head = comment ? comment.split(/\r\n|\r|\n/).map((l) => `// ${l}`.trimEnd()) : [];
  return [...head, ...(head.length ? [''] : []), ...renderStatements(statements, 0)].join('\n') + '\n';
}
