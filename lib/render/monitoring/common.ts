import { stringify } from 'yaml';
import { BoundedMemo } from '../../core/memo';
import { isUnresolved } from '../../core/tokens';
import { isValidLabelValue } from '../../core/labels';
import { PropValidator } from '../../core/validation-error';
import { DEFAULT_PROJECT } from '../../core/platform';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../../core/time';

/**
 * Small shared helpers of the monitoring renderers: duration parsing, quoting for PromQL and RE2,
 * Prometheus label-name sanitizing and YAML output.
 */

const DURATION_PART = /(\d+)(ms|y|w|d|h|m|s)/y;
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: SECOND_MS,
  m: MINUTE_MS,
  h: HOUR_MS,
  d: DAY_MS,
  w: 7 * DAY_MS,
  y: 365 * DAY_MS,
};
const UNIT_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/**
 * Parses a Prometheus duration (`15s`, `1h30m`, `30d`): units y, w, d, h, m, s, ms, each at most
 * once and from largest to smallest, as Prometheus' own parser demands. Returns milliseconds, or
 * `undefined` when the text is not a duration. `0s` parses to 0.
 */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  let total = 0;
  let lastUnit = -1;
  let pos = 0;
  while (pos < text.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(text);
    if (!m) return undefined;
    const unit = UNIT_ORDER.indexOf(m[2]);
    if (unit <= lastUnit) return undefined;
    lastUnit = unit;
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = DURATION_PART.lastIndex;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

export { DAY_MS, HOUR_MS };


/** Escapes RE2 metacharacters so that `value` matches itself literally inside a relabel regex. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/** Prometheus' label-name sanitizing of discovered names (every char outside `[a-zA-Z0-9_]` becomes `_`). */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Label names Prometheus, Loki and Alertmanager accept (and that are not reserved `__` names). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** YAML for Go consumers (go-yaml v2 reads YAML 1.1: `on`, `yes`, `no` must be quoted). */
export function toYaml(doc: unknown, header?: string): string {
  // The stacks of an app mostly render equal documents (the same rule pack, dashboards, configs):
  // each distinct one is rendered once. The key is the document's JSON, which names a YAML text
  // only for plain data (null, booleans, strings, finite numbers but -0, arrays, plain objects).
  const key = jsonKeyOfPlainData(doc);
  const render = () => stringify(doc, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
  const body = key === undefined ? render() : renderedYaml.get(key, render);
  return header ? `${header.replace(/^/gm, '# ')}\n${body}` : body;
}

/** YAML texts by the JSON of their document. */
const renderedYaml = new BoundedMemo<string, string>(64);

/** Thrown by the replacer below for a value whose JSON does not name its YAML. */
const NOT_PLAIN = new Error('not plain data');

/** The JSON of `doc` if it is plain data (see toYaml), else undefined. */
function jsonKeyOfPlainData(doc: unknown): string | undefined {
  try {
    return JSON.stringify(doc, function (this: Record<string, unknown>, key: string, value: unknown) {
      // A value with toJSON (a Date) reaches the replacer already converted.
      if (this[key] !== value) throw NOT_PLAIN;
      if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
      if (typeof value === 'number') {
        if (!Number.isFinite(value) || Object.is(value, -0)) throw NOT_PLAIN;
        return value;
      }
      if (typeof value === 'object' && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
        // JSON drops undefined members and turns undefined array elements into null: YAML may not.
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) if (!(i in value) || value[i] === undefined) throw NOT_PLAIN;
        } else if (Object.values(value).some((x) => x === undefined)) throw NOT_PLAIN;
        return value;
      }
      throw NOT_PLAIN;
    });
  } catch (e) {
    if (e === NOT_PLAIN) return undefined;
    throw e;
  }
}


const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

/** Host names we put into labels and configs: RFC 1123 labels, at most 63 characters. */
export const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Absolute, normalised path of safe characters (no `..`, no `//`, no trailing `/`). */
export function isSafeAbsolutePath(path: string): boolean {
  return /^(\/[A-Za-z0-9._@+-]+)+$/.test(path) && !path.split('/').some((p) => p === '.' || p === '..');
}

/** Checks that a value is a literal string (the renderers compute names and regexes from it). */
export function checkMustBeLiteral(v: PropValidator, property: string, value: unknown): boolean {
  return v.check(property, value, !isUnresolved(value), 'a literal value (not a Terraform token): it is parsed at synth time');
}

/** Common identity of the deployment, as Hetzner labels. */
export interface MonitoringIdentity {
  /** Value of the `project` label on every server of the platform. @default 'aiai' */
  readonly project?: string;
  /** Value of the `environment` label (e.g. `production`). */
  readonly environment: string;
}


export function validateIdentity(v: PropValidator, o: MonitoringIdentity): void {
  const project = o.project ?? DEFAULT_PROJECT;
  if (checkMustBeLiteral(v, 'project', project)) {
    v.check('project', project, project.length > 0 && isValidLabelValue(project), 'a non-empty Hetzner label value (letters, digits, `._-`, at most 63 chars)');
  }
  if (checkMustBeLiteral(v, 'environment', o.environment)) {
    v.check(
      'environment',
      o.environment,
      typeof o.environment === 'string' && o.environment.length > 0 && isValidLabelValue(o.environment),
      'a non-empty Hetzner label value (letters, digits, `._-`, at most 63 chars)',
    );
  }
}

/** Validates a duration prop: parseable, and within [min, max] when given. */
export function checkDuration(
  v: PropValidator,
  property: string,
  value: string | undefined,
  limits: { readonly min?: number; readonly max?: number; readonly minText?: string; readonly maxText?: string } = {},
): number | undefined {
  if (value === undefined) return undefined;
  if (isUnresolved(value)) return undefined;
  const ms = parseDuration(value);
  const range =
    limits.min !== undefined && limits.max !== undefined
      ? ` from ${limits.minText} to ${limits.maxText}`
      : limits.min !== undefined
        ? ` of at least ${limits.minText}`
        : limits.max !== undefined
          ? ` of at most ${limits.maxText}`
          : '';
  const allowed = `a Prometheus duration like '15s', '5m' or '1h30m' (units y w d h m s ms, largest first)${range}`;
  if (!v.check(property, value, ms !== undefined, allowed)) return undefined;
  const ok = (limits.min === undefined || ms! >= limits.min) && (limits.max === undefined || ms! <= limits.max);
  v.check(property, value, ok, allowed);
  return ok ? ms : undefined;
}

export { GENERATED_HEADER, quoteString } from './strings';
