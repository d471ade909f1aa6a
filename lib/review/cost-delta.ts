/**
 * The monthly cost delta of a pull request: two `npm run cost -- --json` outputs (base and head
 * branch; contract 2 of the cost slice: `{ stacks: StackCostEstimate[] }`) compared per stack and
 * per item. Pure: the shapes are declared here structurally, so this reads the cost script's output
 * without importing lib/cost.
 */

/** One priced item of a stack (contract 2, `CostItem`). */
export interface CostItemJson {
  readonly address: string;
  readonly kind: string;
  readonly description: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceEur: number;
  readonly monthlyEur: number;
  readonly estimated: boolean;
}

/** One stack's estimate (contract 2, `StackCostEstimate`). */
export interface StackCostJson {
  readonly stack?: string;
  readonly catalog: { readonly id: string; readonly asOf: string; readonly source: string };
  readonly items: readonly CostItemJson[];
  readonly totalEur: number;
}

/** `npm run cost -- --json` output. */
export interface CostReportJson {
  readonly stacks: readonly StackCostJson[];
}

export type DeltaStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface CostItemDelta {
  readonly address: string;
  readonly kind: string;
  readonly description: string;
  readonly status: Exclude<DeltaStatus, 'unchanged'>;
  readonly baseEur: number;
  readonly headEur: number;
  readonly deltaEur: number;
}

export interface StackCostDelta {
  readonly stack: string;
  readonly status: DeltaStatus;
  readonly baseEur: number;
  readonly headEur: number;
  readonly deltaEur: number;
  /** Items whose monthly cost, quantity or description changed, or that were added or removed. */
  readonly items: readonly CostItemDelta[];
  /** Whether any head (or removed base) item is an estimate (usage-based: traffic, snapshots, runner hours). */
  readonly estimated: boolean;
}

export interface CostDelta {
  /** Why there is no base to compare with (e.g. the base branch has no cost script): all of head counts as new. */
  readonly baseMissing?: string;
  /** The price catalogs used (`id (as of date)`), head first; two when base and head differ. */
  readonly catalogs: readonly string[];
  readonly stacks: readonly StackCostDelta[];
  readonly baseEur: number;
  readonly headEur: number;
  readonly deltaEur: number;
}

/** Euro amounts are compared and summed in cents, so float noise never shows as a change. */
function cents(eur: number): number {
  return Math.round(eur * 100);
}

function eur(c: number): number {
  return c / 100;
}

function stackName(s: StackCostJson, i: number): string {
  return s.stack ?? `stack ${i + 1}`;
}

function catalogLabel(s: StackCostJson): string {
  return `${s.catalog.id} (as of ${s.catalog.asOf})`;
}

/** Compares the cost of base and head. `base` undefined: `baseMissing` says why and head is new. */
export function costDelta(base: CostReportJson | undefined, head: CostReportJson, baseMissing?: string): CostDelta {
  const baseStacks = new Map((base?.stacks ?? []).map((s, i) => [stackName(s, i), s]));
  const headStacks = new Map(head.stacks.map((s, i) => [stackName(s, i), s]));
  const names = [...new Set([...headStacks.keys(), ...baseStacks.keys()])].sort();
  const stacks: StackCostDelta[] = names.map((name) => stackDelta(name, baseStacks.get(name), headStacks.get(name)));
  const catalogs = [...new Set([...head.stacks.map(catalogLabel), ...(base?.stacks ?? []).map(catalogLabel)])];
  const baseC = stacks.reduce((s, x) => s + cents(x.baseEur), 0);
  const headC = stacks.reduce((s, x) => s + cents(x.headEur), 0);
  return {
    baseMissing: base === undefined ? (baseMissing ?? 'no cost data for base') : undefined,
    catalogs,
    stacks,
    baseEur: eur(baseC),
    headEur: eur(headC),
    deltaEur: eur(headC - baseC),
  };
}

function stackDelta(stack: string, base: StackCostJson | undefined, head: StackCostJson | undefined): StackCostDelta {
  const baseItems = new Map((base?.items ?? []).map((i) => [i.address + '\u0000' + i.kind, i]));
  const headItems = new Map((head?.items ?? []).map((i) => [i.address + '\u0000' + i.kind, i]));
  const items: CostItemDelta[] = [];
  for (const key of [...new Set([...headItems.keys(), ...baseItems.keys()])].sort()) {
    const b = baseItems.get(key);
    const h = headItems.get(key);
    const any = (h ?? b)!;
    const bC = b ? cents(b.monthlyEur) : 0;
    const hC = h ? cents(h.monthlyEur) : 0;
    const status = !b ? 'added' : !h ? 'removed' : bC !== hC || b.quantity !== h.quantity || b.description !== h.description ? 'changed' : undefined;
    if (!status) continue;
    items.push({ address: any.address, kind: any.kind, description: any.description, status, baseEur: eur(bC), headEur: eur(hC), deltaEur: eur(hC - bC) });
  }
  const baseC = base ? cents(base.totalEur) : 0;
  const headC = head ? cents(head.totalEur) : 0;
  const status: DeltaStatus = !base ? 'added' : !head ? 'removed' : items.length > 0 || baseC !== headC ? 'changed' : 'unchanged';
  const estimated = [...(head?.items ?? []), ...(head ? [] : (base?.items ?? []))].some((i) => i.estimated);
  return { stack, status, baseEur: eur(baseC), headEur: eur(headC), deltaEur: eur(headC - baseC), items, estimated };
}
