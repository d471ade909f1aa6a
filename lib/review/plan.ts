/**
 * Plan summaries for the pull-request review, from `terraform show -json <planfile>` (contract 4 of
 * the review slice). Pure: no cdktf, no I/O.
 *
 * The JSON output format (terraform `internal/command/jsonplan`, documented in terraform's
 * `website/docs/internals/json-format.mdx`): `resource_changes[]` with `address`, `mode`, `type`,
 * `name`, `action_reason` and `change.actions`, one of `["no-op"]`, `["create"]`, `["read"]`,
 * `["update"]`, `["delete", "create"]` (replace, destroy first), `["create", "delete"]` (replace,
 * create before destroy), `["delete"]`, `["forget"]` (terraform 1.7+ `removed` blocks); plus
 * `change.replace_paths` (the attribute paths that force a replacement).
 */
import { STATEFUL_HCLOUD_RESOURCE_TYPES } from '../core/stateful-types';

/** What a plan does to one resource instance. */
export type ChangeAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'forget';

/** Every action, in the order the review lists them. */
export const CHANGE_ACTIONS: readonly ChangeAction[] = ['replace', 'delete', 'create', 'update', 'read', 'forget', 'no-op'];

/**
 * Resource types whose replacement or deletion loses data, an address or a disk: the review lists
 * their replacements and deletions before anything else. The protected Hetzner types
 * (lib/core/stateful-types.ts), servers (their root disk: databases, agents' work) and buckets.
 */
export const REVIEW_STATEFUL_TYPES: readonly string[] = [
  'hcloud_server',
  ...STATEFUL_HCLOUD_RESOURCE_TYPES,
  'aws_s3_bucket',
  'hcloud_network',
];

/** How a plan was made. */
export type PlanSource =
  /** A real `terraform plan` against the providers' APIs and the stack's backend. */
  | 'terraform'
  /** The offline harness: terraform core with stand-in providers, no real API and no real state. */
  | 'offline';

/** One resource instance the plan changes (anything but no-op). */
export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode: 'managed' | 'data';
  readonly action: ChangeAction;
  /** Attribute paths that force the replacement, e.g. `user_data`, `rule.0.port`. */
  readonly replacePaths: readonly string[];
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`. */
  readonly reason?: string;
  /** Whether its type is in {@link REVIEW_STATEFUL_TYPES}. */
  readonly stateful: boolean;
}

/** What the review shows of one stack's plan. */
export interface StackPlan {
  readonly stack: string;
  readonly source: PlanSource;
  /** Number of resource instances per action (every action present). */
  readonly counts: Readonly<Record<ChangeAction, number>>;
  /** Every change but no-op, in review order: stateful replacements and deletions first, then by action and address. */
  readonly changes: readonly ResourceChange[];
  /** The stateful replacements and deletions (a prefix of `changes`). */
  readonly dangerous: readonly ResourceChange[];
  /** Why a real plan was not made, when `source` is offline (e.g. the variables that were missing). */
  readonly note?: string;
}

/** The parts of `terraform show -json` this reads. */
export interface TerraformShowJson {
  readonly format_version?: string;
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly mode?: string;
    readonly type: string;
    readonly name?: string;
    readonly action_reason?: string;
    readonly change: { readonly actions: readonly string[]; readonly replace_paths?: readonly (readonly unknown[])[] };
  }[];
}

/** Maps terraform's `change.actions` to one action; throws on a combination terraform does not produce. */
export function actionOf(actions: readonly string[]): ChangeAction {
  const key = actions.join(',');
  if (key === 'delete,create' || key === 'create,delete') return 'replace';
  if ((CHANGE_ACTIONS as readonly string[]).includes(key)) return key as ChangeAction;
  throw new Error(`unexpected plan actions [${actions.join(', ')}]`);
}

function emptyCounts(): Record<ChangeAction, number> {
  return { create: 0, update: 0, delete: 0, replace: 0, read: 0, 'no-op': 0, forget: 0 };
}

function isDangerous(c: ResourceChange): boolean {
  return c.stateful && c.mode === 'managed' && (c.action === 'replace' || c.action === 'delete');
}

/** Review order: dangerous first, then by action (replace, delete, create, update, ...), then address. */
function compareChanges(a: ResourceChange, b: ResourceChange): number {
  const d = Number(isDangerous(b)) - Number(isDangerous(a));
  if (d !== 0) return d;
  const x = CHANGE_ACTIONS.indexOf(a.action) - CHANGE_ACTIONS.indexOf(b.action);
  if (x !== 0) return x;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

export interface SummarizeOptions {
  readonly stack: string;
  /** @default 'terraform' */
  readonly source?: PlanSource;
  /** @default undefined (no note) */
  readonly note?: string;
}

/** Summarizes one stack's `terraform show -json` plan for the review. */
export function summarizeStackPlan(json: TerraformShowJson, opts: SummarizeOptions): StackPlan {
  const counts = emptyCounts();
  const changes: ResourceChange[] = [];
  for (const rc of json.resource_changes ?? []) {
    const action = actionOf(rc.change.actions);
    counts[action]++;
    if (action === 'no-op') continue;
    changes.push({
      address: rc.address,
      type: rc.type,
      mode: rc.mode === 'data' ? 'data' : 'managed',
      action,
      replacePaths: (rc.change.replace_paths ?? []).map((p) => p.map(String).join('.')),
      reason: rc.action_reason,
      stateful: REVIEW_STATEFUL_TYPES.includes(rc.type),
    });
  }
  changes.sort(compareChanges);
  return { stack: opts.stack, source: opts.source ?? 'terraform', counts, changes, dangerous: changes.filter(isDangerous), note: opts.note };
}
