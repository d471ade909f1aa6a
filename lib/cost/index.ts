// Cost estimates of synthesized stacks: dated price catalogs, the estimator, cost hints, a budget.
export { CostBudget } from './budget';
export type { CostBudgetProps } from './budget';
export { COST_HINT_KEY, DEFAULT_SNAPSHOT_GB } from './cost-hints';
export type { CostHint, RunnerPoolCostHint, SnapshotsCostHint } from './cost-hints';
export { DEFAULT_RUNNER_HOURS, estimateStackCost } from './estimate';
export type { CostItem, CostItemKind, EstimateOptions, StackCostEstimate } from './estimate';
export { formatCostEstimate } from './format';
export {
  CURRENT_PRICE_CATALOG,
  HOURS_PER_MONTH,
  HOURS_TO_MONTHLY_CAP,
  PRICE_CATALOGS,
  priceCatalog,
  RESEARCH_DOC_PRICE_CATALOG,
  serverTypePrice,
} from './price-catalog';
export type { PerGbPrice, Price, PriceCatalog } from './price-catalog';
export { costHintName, recordCostHint } from './record-cost-hint';
