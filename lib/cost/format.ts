/**
 * Plain-text rendering of cost estimates (the `aiai-cost` table and the budget's breakdown).
 * Runtime-safe: no cdktf or constructs.
 */
import type { StackCostEstimate } from './estimate';

const eur = (n: number) => n.toFixed(2);

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** `~` marks an estimated figure. */
export const ESTIMATED_MARK = '~';

/**
 * One line per billable item (EUR per month, `~` if estimated, kind, quantity × unit price,
 * description, address) and the total.
 */
export function formatCostEstimate(e: StackCostEstimate): string {
  const rows = e.items.map((i) => [
    eur(i.monthlyEur),
    i.estimated ? ESTIMATED_MARK : ' ',
    i.kind,
    `${+i.quantity.toFixed(4)} ${i.unit} × ${i.unitPriceEur < 0.1 ? i.unitPriceEur.toFixed(4) : i.unitPriceEur.toFixed(2)}`,
    i.description,
    i.address,
  ]);
  const head = ['EUR/month', ' ', 'kind', 'quantity × unit price', 'item', 'address'];
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(head[c].length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    [pad(r[0], widths[0], true), r[1], pad(r[2], widths[2]), pad(r[3], widths[3]), pad(r[4], widths[4]), r[5]].join('  ').trimEnd();
  const header = `${e.stack ?? '(stack)'}: catalog ${e.catalog.id} (prices as of ${e.catalog.asOf})`;
  const body = rows.length > 0 ? rows.map(line) : ['  (nothing billable)'];
  const anyEstimated = e.items.some((i) => i.estimated);
  return [
    header,
    line(head),
    ...body,
    `${pad(eur(e.totalEur), widths[0], true)}  =  total per month${anyEstimated ? ` (${ESTIMATED_MARK} = estimated figure, see the catalog's basis)` : ''}`,
  ].join('\n');
}
