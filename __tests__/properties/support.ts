/**
 * The property-test runner: every generated case builds a construct in a fresh stack and must end
 * in exactly one of two ways:
 *
 * - all of its props were generated valid: the stack synthesizes, and the output passes a fast
 *   structural check ({@link checkOutput}); a sample of these goes through real `terraform validate`;
 * - some prop was generated bad: the constructor throws our `ValidationError`, whose message names
 *   the construct path, a property, its value and what is allowed, and which names (one of) the bad
 *   props.
 *
 * Anything else fails the property and fast-check prints the seed and the shrunk counterexample: a
 * TypeError or other crash, a valid case rejected, a bad case synthesized silently, or output with
 * `undefined`, `NaN`, unresolved tokens or missing resources.
 */
import * as fc from 'fast-check';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { showValue } from '../../lib/core/problems';
import { ValidationError } from '../../lib/core/validation-error';
import { DEFAULT_PROVIDERS, TerraformJson } from '../support/terraform';
import type { CtyType } from '../support/terraform/cty';
import { blockType, readProviderSchema } from '../support/terraform/schema';

/** The seed of every property in CI (reproducible); `FC_SEED=<int>` overrides it. */
export const DEFAULT_SEED = 20261201;

export function propertySeed(): number {
  const env = process.env.FC_SEED;
  if (env === undefined || env === '') return DEFAULT_SEED;
  const n = Number(env);
  if (!Number.isInteger(n)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(env)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Tagged values: each generated prop knows whether it is valid.

/**
 * A generated value and the props it makes bad (empty: valid). `loose` props got a value of the
 * wrong JavaScript type (`as any`): the construct may reject it (a ValidationError naming it) or
 * accept it, if its output is still valid (e.g. `null` for an optional prop means "not set").
 */
export interface Tagged<T> {
  readonly value: T;
  readonly bad: readonly string[];
  readonly loose?: readonly string[];
}

/** A value's kind: `null`, `array` or its `typeof`. */
function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/**
 * A prop that is `valid` or (less often) `bad`. A bad value of a kind no valid value has (a number
 * for a string prop, `null` for an optional one) is a loose prop: the construct may reject it, or
 * accept it if its output is still valid. Any other bad value must be rejected, naming `name`.
 * Without `bad` the prop is always generated valid.
 */
export function prop<T>(name: string, valid: fc.Arbitrary<T>, bad?: fc.Arbitrary<unknown>): PropGen {
  const v = valid.map((value) => ({ value, bad: [] as string[] }));
  if (!bad) return { name, valid: v, bad: v };
  const kinds = new Set(fc.sample(valid, { numRuns: 50, seed: 1 }).map(kindOf));
  return { name, valid: v, bad: bad.map((value) => (kinds.has(kindOf(value)) ? { value, bad: [name] } : { value, bad: [], loose: [name] })) };
}

/** A bad value of a group: must be rejected if it is a string or an array, else it is loose (wrong type). */
export function badIn(name: string, value: unknown): Tagged<Record<string, unknown>> {
  const k = kindOf(value);
  return k === 'string' || k === 'array' ? { value: { [name]: value }, bad: [name] } : { value: { [name]: value }, bad: [], loose: [name] };
}

/**
 * Coupled props generated together (e.g. a network plan): `valid` gives a coherent set, `bad` a set
 * and the names of the props it breaks. The values are spread into the props.
 */
export function group(valid: fc.Arbitrary<Record<string, unknown>>, bad: fc.Arbitrary<Tagged<Record<string, unknown>>>): PropGen {
  return { name: '', valid: valid.map((value) => ({ value, bad: [] })), bad };
}

export interface PropGen {
  /** The prop name, or '' for a group spread into the props. */
  readonly name: string;
  readonly valid: fc.Arbitrary<Tagged<unknown>>;
  readonly bad: fc.Arbitrary<Tagged<unknown>>;
}

/** Generated props of one case, and the props generated bad. */
export interface GeneratedProps<P = Record<string, any>> {
  readonly props: P;
  readonly bad: readonly string[];
  /** Props of a wrong type: rejecting them is allowed, accepting them too (with valid output). */
  readonly loose?: readonly string[];
}

/**
 * Props from `gens`: a third of the cases all valid, the rest with each prop bad at 1 in 4 (so most
 * bad cases have one bad prop, and the error must name it). An `undefined` value leaves the key out.
 */
export function propsOf<P = Record<string, any>>(gens: readonly PropGen[]): fc.Arbitrary<GeneratedProps<P>> {
  const build = (tagged: Tagged<unknown>[]): GeneratedProps<P> => {
    const props: Record<string, unknown> = {};
    const bad: string[] = [];
    const loose: string[] = [];
    gens.forEach((g, i) => {
      const t = tagged[i];
      if (g.name === '') Object.assign(props, t.value as object);
      else if (t.value !== undefined) props[g.name] = t.value;
      bad.push(...t.bad);
      loose.push(...(t.loose ?? []));
    });
    return { props: props as P, bad, loose };
  };
  const allValid = fc.tuple(...gens.map((g) => g.valid)).map(build);
  const mixed = fc.tuple(...gens.map((g) => fc.oneof({ arbitrary: g.valid, weight: 3 }, { arbitrary: g.bad, weight: 1 }))).map(build);
  return fc.oneof({ arbitrary: allValid, weight: 1 }, { arbitrary: mixed, weight: 2 });
}

// ---------------------------------------------------------------------------------------------
// Outcomes and their statistics.

export type Outcome = { readonly kind: 'valid'; readonly json: TerraformJson } | { readonly kind: 'validation-error'; readonly error: ValidationError };

interface ConstructStats {
  cases: number;
  valid: number;
  validationErrors: number;
  /** Problems reported, by top-level property. */
  byProperty: Record<string, number>;
}

const stats = new Map<string, ConstructStats>();

function statsOf(construct: string): ConstructStats {
  let s = stats.get(construct);
  if (!s) stats.set(construct, (s = { cases: 0, valid: 0, validationErrors: 0, byProperty: {} }));
  return s;
}

/** `adminCidrs[2]` -> `adminCidrs`, `labels.role` -> `labels`, `secrets.githubToken` -> `secrets`. */
export function topLevel(property: string): string {
  return property.split(/[.[]/)[0] || property;
}

/** What the cases of this test file ended in. */
export function outcomeSummary(): { seed: number; totalCases: number; valid: number; validationErrors: number; constructs: Record<string, ConstructStats> } {
  const constructs = Object.fromEntries([...stats.entries()].sort(([a], [b]) => a.localeCompare(b)));
  const all = [...stats.values()];
  return {
    seed: propertySeed(),
    totalCases: all.reduce((n, s) => n + s.cases, 0),
    valid: all.reduce((n, s) => n + s.valid, 0),
    validationErrors: all.reduce((n, s) => n + s.validationErrors, 0),
    constructs,
  };
}

/** The summary as a table (one row per construct, then the problems per property). */
export function summaryTable(summary: ReturnType<typeof outcomeSummary>): string {
  const rows = [`property-based cases (seed ${summary.seed}): ${summary.totalCases} (${summary.valid} valid synth, ${summary.validationErrors} ValidationError, 0 other)`];
  rows.push(`${'construct'.padEnd(24)} ${'cases'.padStart(6)} ${'valid'.padStart(6)} ${'rejected'.padStart(8)}  problems by property`);
  for (const [name, s] of Object.entries(summary.constructs)) {
    const props = Object.entries(s.byProperty)
      .sort(([, a], [, b]) => b - a)
      .map(([p, n]) => `${p} ${n}`)
      .join(', ');
    rows.push(`${name.padEnd(24)} ${String(s.cases).padStart(6)} ${String(s.valid).padStart(6)} ${String(s.validationErrors).padStart(8)}  ${props}`);
  }
  return rows.join('\n');
}

/** Writes the summary to `tmp/property-outcomes/<name>.json` in the project (git-ignored). */
export function writeSummary(name: string, summary: unknown): string {
  const dir = join(__dirname, '..', '..', 'tmp', 'property-outcomes');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// One case.

/** Passing outputs kept for `terraform validate` (in generation order, per construct). */
export const passingOutputs = new Map<string, TerraformJson[]>();
/** How many passing outputs per construct are kept for terraform. */
const KEEP_PER_CONSTRUCT = 4;

export interface CaseSpec<P> {
  /** Construct name in the statistics. */
  readonly construct: string;
  readonly generated: GeneratedProps<P>;
  /** A fresh stack with the providers the construct needs. */
  readonly stack: () => TerraformStack;
  /** Builds the construct(s) under `scope` from the props. */
  readonly build: (scope: Construct, props: P, stack: TerraformStack) => void;
  /** Resource types a valid synth must contain. */
  readonly expectResources: readonly string[];
  /**
   * Properties a ValidationError may name for a bad prop besides the prop itself (a bad `ipRange`
   * can make the default `subnetIpRange` the one reported).
   * @default none
   */
  readonly related?: Readonly<Record<string, readonly string[]>>;
}

let caseCounter = 0;

/**
 * Runs one case and asserts its outcome; throws (failing the property) on anything else. Each case
 * builds under its own scope (`Case<n>`), so the logical ids of passing cases never collide and
 * their outputs can be validated by terraform in one workspace.
 */
export function runCase<P>(spec: CaseSpec<P>): Outcome {
  const s = statsOf(spec.construct);
  s.cases++;
  const stack = spec.stack();
  const scope = new Construct(stack, `Case${caseCounter++}`);
  let outcome: Outcome;
  try {
    spec.build(scope, spec.generated.props, stack);
    outcome = { kind: 'valid', json: JSON.parse(synthText(stack)) };
  } catch (e) {
    if (!(e instanceof ValidationError)) {
      throw new Error(`${spec.construct}: crashed with ${(e as Error)?.constructor?.name ?? typeof e} instead of a ValidationError: ${(e as Error)?.stack ?? String(e)}`);
    }
    outcome = { kind: 'validation-error', error: e };
  }
  const bad = spec.generated.bad;
  const loose = spec.generated.loose ?? [];
  if (outcome.kind === 'valid') {
    if (bad.length > 0) throw new Error(`${spec.construct}: bad ${bad.join(', ')} synthesized without a ValidationError`);
    checkOutput(spec.construct, synthText(stack), outcome.json, spec.expectResources);
    checkTypes(spec.construct, outcome.json);
    s.valid++;
    const kept = passingOutputs.get(spec.construct) ?? [];
    if (kept.length < KEEP_PER_CONSTRUCT) kept.push(outcome.json);
    passingOutputs.set(spec.construct, kept);
  } else {
    checkValidationError(spec.construct, outcome.error, stack.node.path);
    if (bad.length === 0 && loose.length === 0) throw new Error(`${spec.construct}: valid props rejected:\n${outcome.error.message}`);
    const named = outcome.error.problems.map((p) => topLevel(p.property));
    const accepted = new Set([...bad, ...loose].flatMap((b) => [topLevel(b), ...(spec.related?.[topLevel(b)] ?? [])]));
    if (!named.some((n) => accepted.has(n))) {
      throw new Error(`${spec.construct}: bad ${[...bad, ...loose].join(', ')} but the ValidationError names only ${named.join(', ')}:\n${outcome.error.message}`);
    }
    s.validationErrors++;
    for (const p of new Set(named)) s.byProperty[p] = (s.byProperty[p] ?? 0) + 1;
  }
  return outcome;
}

const synthCache = new WeakMap<TerraformStack, string>();

/** The stack's Terraform JSON (cdktf's validations on), once per stack. */
function synthText(stack: TerraformStack): string {
  let text = synthCache.get(stack);
  if (text === undefined) {
    text = Testing.synth(stack, true);
    synthCache.set(stack, text);
  }
  return text;
}

/** The message names the construct path, and each problem a property, a value and what is allowed. */
export function checkValidationError(construct: string, e: ValidationError, stackPath: string): void {
  const fail = (why: string) => {
    throw new Error(`${construct}: ValidationError ${why}:\n${e.message}`);
  };
  if (!e.constructPath.startsWith(`${stackPath}/`)) fail(`names the path ${JSON.stringify(e.constructPath)}, not a construct in the stack`);
  if (!e.message.startsWith(`Invalid props for ${e.constructPath}:\n`)) fail('does not start with the construct path');
  if (e.problems.length === 0) fail('has no problems');
  for (const p of e.problems) {
    if (typeof p.property !== 'string' || p.property.trim() === '' || /undefined|\[object/.test(p.property)) fail(`has a bad property name ${JSON.stringify(p.property)}`);
    if (typeof p.allowed !== 'string' || p.allowed.trim().length < 3 || /\bundefined\b|\[object Object\]|NaN/.test(p.allowed)) fail(`says what is allowed badly: ${JSON.stringify(p.allowed)}`);
    const line = `  - ${p.property}: got ${showValue(p.value)}; allowed: ${p.allowed}`;
    if (!e.message.includes(line)) fail(`lacks the line ${JSON.stringify(line)}`);
  }
}

/** Strings that never belong in synthesized output (JS values leaking through templates). */
const LEAKS = [/\bundefined\b/, /\bNaN\b/, /\bInfinity\b/, /\[object Object\]/, /\$\{TfToken\[/, /\$\{Token\[/, /\bfunction\s*\(/];

/**
 * Fast structural check of a valid synth: parses, every expected resource type is there, no leaked
 * JS value in any string, no `null` or non-finite number anywhere (NaN becomes `null` in JSON),
 * every resource a non-empty object.
 */
export function checkOutput(construct: string, text: string, json: TerraformJson, expectResources: readonly string[]): void {
  const fail = (why: string) => {
    throw new Error(`${construct}: invalid output: ${why}`);
  };
  for (const type of expectResources) {
    if (Object.keys(json.resource?.[type] ?? {}).length === 0) fail(`no ${type} resource`);
  }
  const walk = (value: unknown, path: string): void => {
    if (value === null) fail(`null at ${path}`);
    if (typeof value === 'number' && !Number.isFinite(value)) fail(`${value} at ${path}`);
    if (typeof value === 'string') {
      // user_data and manifests hold shell and YAML: only leaks of JS values are flagged.
      for (const leak of LEAKS) if (leak.test(value)) fail(`${leak} in ${path}: ${value.slice(0, 200)}`);
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  walk(json, '$');
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, body] of Object.entries(byName as Record<string, unknown>)) {
      if (!body || typeof body !== 'object' || Object.keys(body).length === 0) fail(`empty resource ${type}.${name}`);
    }
  }
  if (!text.startsWith('{')) fail('not a JSON object');
}

// ---------------------------------------------------------------------------------------------
// Types against the provider schemas (what terraform validate would reject, per case, in microseconds).

interface SchemaTypes {
  resource: Map<string, CtyType>;
  data: Map<string, CtyType>;
  /** Required top-level arguments per resource type. */
  required: Map<string, string[]>;
}

let schemaTypes: SchemaTypes | undefined;

function schemas(): SchemaTypes {
  if (!schemaTypes) {
    schemaTypes = { resource: new Map(), data: new Map(), required: new Map() };
    for (const p of DEFAULT_PROVIDERS) {
      const s = readProviderSchema(p.schemaFile, p.source);
      for (const [t, r] of Object.entries(s.resource_schemas)) {
        schemaTypes.resource.set(t, blockType(r.block));
        schemaTypes.required.set(t, Object.entries(r.block.attributes ?? {}).filter(([, a]) => a.required).map(([k]) => k));
      }
      for (const [t, r] of Object.entries(s.data_source_schemas)) schemaTypes.data.set(t, blockType(r.block));
    }
  }
  return schemaTypes;
}

/** Meta-arguments and cdktf's keys, which are not in a resource's schema. */
const META = new Set(['depends_on', 'lifecycle', 'provider', 'provisioner', 'connection', 'count', 'for_each', '//']);

/**
 * A literal conforms to `type` as terraform converts it (numbers and bools to strings, numeric
 * strings to numbers); strings holding `${...}` are expressions and are not checked.
 */
function conforms(value: unknown, type: CtyType, path: string, problems: string[]): void {
  if (typeof value === 'string' && value.includes('${')) return;
  if (type === 'dynamic') return;
  const bad = (what: string): void => {
    problems.push(`${path}: ${what} (got ${JSON.stringify(value)?.slice(0, 80)})`);
  };
  if (type === 'string') {
    if (!['string', 'number', 'boolean'].includes(typeof value)) bad('a string');
  } else if (type === 'number') {
    if (!(typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))))) bad('a number');
  } else if (type === 'bool') {
    if (!(typeof value === 'boolean' || value === 'true' || value === 'false')) bad('a bool');
  } else if ('list' in type || 'set' in type) {
    const el = 'list' in type ? type.list : type.set;
    // Terraform JSON: a nested block may be one object instead of a list of them.
    if (!Array.isArray(value) && typeof el === 'object' && 'object' in el) return conforms(value, el, path, problems);
    if (!Array.isArray(value)) return bad('a list');
    value.forEach((v, i) => conforms(v, el, `${path}[${i}]`, problems));
  } else if ('map' in type) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return bad('a map');
    for (const [k, v] of Object.entries(value)) conforms(v, type.map, `${path}.${k}`, problems);
  } else if ('object' in type) {
    // A nested block may be written as one object or a list of them.
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) return bad('an object');
      for (const [k, v] of Object.entries(item)) {
        if (META.has(k)) continue;
        const t = type.object[k];
        if (!t) problems.push(`${path}.${k}: not an argument of the schema`);
        else conforms(v, t, `${path}.${k}`, problems);
      }
    }
  }
}

/** Every resource and data source literal conforms to its provider schema. */
export function checkTypes(construct: string, json: TerraformJson): void {
  const s = schemas();
  const problems: string[] = [];
  for (const [kind, map] of [['resource', s.resource], ['data', s.data]] as const) {
    for (const [type, byName] of Object.entries((json[kind] ?? {}) as Record<string, Record<string, unknown>>)) {
      if (type === 'terraform_data') continue; // built in, schemaless input
      const t = map.get(type);
      if (!t) {
        problems.push(`${kind}.${type}: no such type in the provider schemas`);
        continue;
      }
      for (const [name, body] of Object.entries(byName)) {
        conforms(body, t, `${kind}.${type}.${name}`, problems);
        if (kind === 'resource') {
          for (const req of s.required.get(type) ?? []) {
            if ((body as Record<string, unknown>)[req] === undefined) problems.push(`${kind}.${type}.${name}.${req}: required, missing`);
          }
        }
      }
    }
  }
  if (problems.length > 0) throw new Error(`${construct}: output terraform would reject:\n${problems.slice(0, 10).join('\n')}`);
}

// ---------------------------------------------------------------------------------------------
// Batching passing outputs into terraform workspaces.

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Deep-merges `next` into `into` (both Terraform JSON documents), returning false (and leaving
 * `into` unchanged) on a conflict: a key with a different value, or an array entry (provider
 * configurations) that is neither identical nor new.
 */
export function mergeInto(into: TerraformJson, next: TerraformJson): boolean {
  const copy = structuredClone(into);
  const merge = (a: any, b: any): boolean => {
    for (const [k, v] of Object.entries(b)) {
      if (!(k in a)) {
        a[k] = structuredClone(v);
      } else if (Array.isArray(a[k]) && Array.isArray(v)) {
        // provider blocks: identical entries once; different ones only if their aliases differ.
        for (const entry of v) {
          if (a[k].some((e: unknown) => sameJson(e, entry))) continue;
          const alias = (entry as any)?.alias;
          if (a[k].some((e: any) => e?.alias === alias)) return false;
          a[k].push(structuredClone(entry));
        }
      } else if (a[k] && v && typeof a[k] === 'object' && typeof v === 'object' && !Array.isArray(a[k]) && !Array.isArray(v)) {
        if (!merge(a[k], v)) return false;
      } else if (!sameJson(a[k], v)) {
        return false;
      }
    }
    return true;
  };
  if (!merge(copy, next)) return false;
  for (const k of Object.keys(into)) delete into[k];
  Object.assign(into, copy);
  return true;
}

/** Groups documents into as few merged documents as conflicts allow. */
export function batchDocuments(docs: readonly TerraformJson[]): TerraformJson[] {
  const batches: TerraformJson[] = [];
  for (const doc of docs) {
    if (!batches.some((b) => mergeInto(b, doc))) batches.push(structuredClone(doc));
  }
  return batches;
}

/**
 * `count` passing outputs spread over the constructs (round robin in name order, each construct's
 * outputs in generation order): deterministic for a seed.
 */
export function sampleOutputs(count: number): { construct: string; json: TerraformJson }[] {
  const names = [...passingOutputs.keys()].sort();
  const out: { construct: string; json: TerraformJson }[] = [];
  for (let round = 0; out.length < count && names.some((n) => passingOutputs.get(n)!.length > round); round++) {
    for (const n of names) {
      const j = passingOutputs.get(n)![round];
      if (j && out.length < count) out.push({ construct: n, json: j });
    }
  }
  return out;
}

/** fast-check parameters of every property: the seed, and how many cases. */
export function params(numRuns: number): fc.Parameters<unknown> {
  return { seed: propertySeed(), numRuns, endOnFailure: false };
}
