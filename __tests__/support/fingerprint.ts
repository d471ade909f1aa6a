/**
 * A stack's Terraform identity, for the day-2 guard (__tests__/app/production-stack-unchanged.test.ts):
 * every address (resources, data sources, variables, outputs, providers, the terraform block) with
 * the SHA-256 of its content in canonical form (keys sorted) after removing every `"//"` key, the
 * comments Terraform ignores (cdktf's construct-path metadata, the cost hints). Two stacks with the
 * same fingerprint plan the same changes against the same state.
 *
 * Two spellings that change the JSON but not what Terraform does are compared as Terraform
 * applies them: shared texts (lib/core/shared-text.ts: literal text a stack writes once, as a
 * local, and interpolates where it is carried) are inlined where they are referenced, their locals
 * left out; and a resource-level `connection` block is the connection of each of its provisioners
 * that has none of its own.
 */
import { createHash } from 'node:crypto';
import { SHARED_TEXT_LOCAL_PREFIX } from '../../lib/core/shared-text';
import { inlineTemplateLocals } from '../../lib/core/terraform-template';
import type { StackJson } from './synth';

/** `json` with its shared-text locals inlined into every string that references them, and removed. */
export function withSharedTextsInlined(json: StackJson): StackJson {
  const shared = Object.fromEntries(Object.entries(json.locals ?? {}).filter(([name]) => name.startsWith(SHARED_TEXT_LOCAL_PREFIX)));
  if (Object.keys(shared).length === 0) return json;
  const inline = (v: unknown): unknown => {
    if (typeof v === 'string') return inlineTemplateLocals(v, shared);
    if (Array.isArray(v)) return v.map(inline);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, inline(x)]));
    return v;
  };
  const { locals, ...rest } = json;
  const others = Object.fromEntries(Object.entries(locals ?? {}).filter(([name]) => !name.startsWith(SHARED_TEXT_LOCAL_PREFIX)));
  return { ...(inline(rest) as StackJson), ...(Object.keys(others).length > 0 ? { locals: others } : {}) };
}

/** `value` as JSON with object keys sorted and every `"//"` key removed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => k !== '//').sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const digest = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');

/** Address -> digest of its content, for every block of the stack but the top-level `"//"`. */
/** `json` with each resource-level `connection` moved into every provisioner without its own. */
export function withConnectionsPerProvisioner(json: StackJson): StackJson {
  const resource: Record<string, Record<string, Record<string, any>>> = {};
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    resource[type] = {};
    for (const [name, config] of Object.entries(byName)) {
      const { connection, ...rest } = config;
      resource[type][name] =
        connection === undefined || !Array.isArray(rest.provisioner)
          ? config
          : {
              ...rest,
              provisioner: (rest.provisioner as Record<string, Record<string, unknown>>[]).map((p) =>
                Object.fromEntries(Object.entries(p).map(([kind, body]) => [kind, body.connection === undefined ? { ...body, connection } : body])),
              ),
            };
    }
  }
  return json.resource === undefined ? json : { ...json, resource };
}

export function stackFingerprint(stackJson: StackJson): Record<string, string> {
  const json = withConnectionsPerProvisioner(withSharedTextsInlined(stackJson));
  const out: Record<string, string> = {};
  for (const [type, byName] of Object.entries(json.resource ?? {})) for (const [name, c] of Object.entries(byName)) out[`${type}.${name}`] = digest(c);
  for (const [type, byName] of Object.entries(json.data ?? {})) for (const [name, c] of Object.entries(byName)) out[`data.${type}.${name}`] = digest(c);
  for (const block of ['variable', 'output', 'locals', 'module'] as const) {
    for (const [name, c] of Object.entries((json[block] ?? {}) as Record<string, unknown>)) out[`${block}.${name}`] = digest(c);
  }
  for (const [name, c] of Object.entries(json.provider ?? {})) out[`provider.${name}`] = digest(c);
  for (const [k, c] of Object.entries(json)) if (!['resource', 'data', 'variable', 'output', 'locals', 'module', 'provider', '//'].includes(k)) out[k] = digest(c);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What differs between two fingerprints: addresses only in one, and addresses whose content changed. */
export function fingerprintDiff(before: Record<string, string>, after: Record<string, string>): { added: string[]; removed: string[]; changed: string[] } {
  return {
    added: Object.keys(after).filter((a) => !(a in before)),
    removed: Object.keys(before).filter((a) => !(a in after)),
    changed: Object.keys(before).filter((a) => a in after && before[a] !== after[a]),
  };
}
