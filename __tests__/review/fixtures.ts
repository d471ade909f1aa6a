/** Small builders of `terraform show -json`, cost and policy documents for the review tests. */
import type { CostItemJson, CostReportJson, PolicyReportJson, TerraformShowJson } from '../../lib/review';

type Actions = readonly string[];

export const A = {
  create: ['create'],
  update: ['update'],
  delete: ['delete'],
  replace: ['delete', 'create'],
  replaceCbd: ['create', 'delete'],
  noop: ['no-op'],
  read: ['read'],
} as const satisfies Record<string, Actions>;

export function rc(address: string, actions: Actions, replacePaths: string[][] = []): NonNullable<TerraformShowJson['resource_changes']>[number] {
  const dot = address.lastIndexOf('.', address.indexOf('[') >= 0 ? address.indexOf('[') : address.length);
  const data = address.startsWith('data.');
  const type = (data ? address.slice(5) : address).split('.')[0];
  return {
    address,
    mode: data ? 'data' : 'managed',
    type,
    name: address.slice(dot + 1),
    change: { actions, replace_paths: replacePaths.length ? replacePaths : undefined },
    action_reason: replacePaths.length ? 'replace_because_cannot_update' : undefined,
  };
}

export function show(...changes: ReturnType<typeof rc>[]): TerraformShowJson {
  return { format_version: '1.2', resource_changes: changes };
}

export function item(address: string, monthlyEur: number, over: Partial<CostItemJson> = {}): CostItemJson {
  return { address, kind: 'server', description: 'cx23 server', quantity: 1, unit: 'month', unitPriceEur: monthlyEur, monthlyEur, estimated: false, ...over };
}

export function costReport(stacks: Record<string, CostItemJson[]>): CostReportJson {
  return {
    stacks: Object.entries(stacks).map(([stack, items]) => ({
      stack,
      catalog: { id: 'hetzner-2026-01', asOf: '2026-01-15', source: 'https://www.hetzner.com/cloud' },
      items,
      totalEur: items.reduce((s, i) => s + i.monthlyEur, 0),
    })),
  };
}

export function policyReport(stack: string, findings: PolicyReportJson['findings'], suppressed: PolicyReportJson['suppressed'] = []): PolicyReportJson {
  return { stack, rulePack: 'aiai-hetzner', findings, suppressed };
}
