/**
 * Monthly cost of a synthesized stack (`cdktf.out/stacks/<stack>/cdk.tf.json`), item by item, from
 * a dated price catalog. Reads only the JSON: Terraform attributes plus the cost hints the
 * constructs record (`cost-hints.ts`).
 *
 * Runtime-safe: no cdktf or constructs (the `aiai-cost` CLI loads this file).
 */
import { LabelKeys, RunnerModes } from '../core/labels';
import { invalid } from '../core/validation-error';
import { OBJECT_STORAGE_DOMAIN } from '../hetzner/catalog';
import { COST_HINT_KEY, CostHint, DEFAULT_SNAPSHOT_GB, RunnerPoolCostHint, SnapshotsCostHint } from './cost-hints';
import { HOURS_PER_MONTH, Price, PriceCatalog, priceCatalog } from './price-catalog';

export type CostItemKind = 'server' | 'server-backup' | 'volume' | 'load-balancer' | 'primary-ipv4' | 'object-storage' | 'snapshots' | 'runner-hours';

export interface CostItem {
  /** Terraform address (`hcloud_server.x`), or `aiai_cost.<hint>` for what a cost hint describes. */
  readonly address: string;
  readonly kind: CostItemKind;
  readonly description: string;
  readonly quantity: number;
  /** `month`, `GB-month` or `h`. */
  readonly unit: string;
  readonly unitPriceEur: number;
  /** quantity × unitPriceEur (4 decimals; the total is rounded to cents). */
  readonly monthlyEur: number;
  /** True when the price is an estimate or the quantity an assumption (see the catalog's basis). */
  readonly estimated: boolean;
}

export interface StackCostEstimate {
  /** `//.metadata.stackName` of the JSON. */
  readonly stack?: string;
  readonly catalog: { readonly id: string; readonly asOf: string; readonly source: string };
  readonly items: CostItem[];
  /** Sum of the items, rounded to cents. */
  readonly totalEur: number;
}

export interface EstimateOptions {
  /** Price catalog id (`PRICE_CATALOGS`). @default CURRENT_PRICE_CATALOG ('2026-04') */
  readonly catalog?: string;
  /**
   * Billed runner hours per month of each per-job runner pool: the sum over its jobs of each job's
   * runner lifetime rounded up to whole hours (Hetzner bills every started hour; a 10-minute job
   * is one hour). Capped at the pool's capacity, `maxRunners` × 730 h.
   * @default DEFAULT_RUNNER_HOURS (200: the research doc's busiest CI row, section 4)
   */
  readonly runnerHours?: number;
}

/** Runner hours a month unless told: the research doc's "200 hours/month CI" row (section 4). */
export const DEFAULT_RUNNER_HOURS = 200;

type Json = Record<string, any>;

const round4 = (n: number) => Math.round(n * 1e4) / 1e4;
const cents = (n: number) => Math.round(n * 100) / 100;
const isToken = (v: unknown) => typeof v === 'string' && v.includes('${');

/** The estimate of one synthesized stack. Throws a ValidationError for what it cannot price. */
export function estimateStackCost(stackJson: object, opts: EstimateOptions = {}): StackCostEstimate {
  const catalog = priceCatalog(opts.catalog);
  const runnerHours = opts.runnerHours ?? DEFAULT_RUNNER_HOURS;
  if (!(typeof runnerHours === 'number' && Number.isFinite(runnerHours) && runnerHours >= 0)) {
    invalid('estimateStackCost', 'runnerHours', runnerHours, 'a number of hours from 0 up');
  }
  const json = stackJson as Json;
  const stack: string | undefined = json['//']?.metadata?.stackName;
  const items: CostItem[] = [];
  const resources: Json = json.resource ?? {};

  const servers = serverItems(catalog, resources, items);
  for (const [name, ip] of entries(resources.hcloud_primary_ip)) {
    if (ip.type !== 'ipv4') continue; // Primary IPv6 addresses are free (Hetzner docs "Primary IPs").
    const n = countOf(`hcloud_primary_ip.${name}`, ip);
    items.push(item(`hcloud_primary_ip.${name}`, 'primary-ipv4', `primary IPv4 ${ip.name ?? name}`, n, 'month', catalog.primaryIpv4.monthlyEur, catalog.primaryIpv4.estimated));
  }
  for (const [name, vol] of entries(resources.hcloud_volume)) {
    const address = `hcloud_volume.${name}`;
    const size = literalNumber(address, 'size', vol.size);
    const n = countOf(address, vol);
    items.push(item(address, 'volume', `volume ${vol.name ?? name} (${size} GB)`, size * n, 'GB-month', catalog.volume.eurPerGbMonth, catalog.volume.estimated));
  }
  for (const [name, lb] of entries(resources.hcloud_load_balancer)) {
    const address = `hcloud_load_balancer.${name}`;
    const type = literalString(address, 'load_balancer_type', lb.load_balancer_type);
    const p = catalog.loadBalancerTypes[type] ?? invalid('estimateStackCost', `${address}.load_balancer_type`, type, `a load balancer type of catalog ${catalog.id}: ${Object.keys(catalog.loadBalancerTypes).join(', ')}`);
    items.push(item(address, 'load-balancer', `load balancer ${lb.name ?? name} (${type})`, countOf(address, lb), 'month', p.monthlyEur, p.estimated));
  }
  objectStorageItem(catalog, json, items);

  const hints: Record<string, CostHint> = json['//']?.[COST_HINT_KEY] ?? {};
  for (const [name, hint] of Object.entries(hints)) {
    if (hint.kind === 'runner-pool') runnerPoolItems(catalog, name, hint, runnerHours, items);
    else if (hint.kind === 'snapshots') items.push(snapshotItem(catalog, name, hint, servers));
    else invalid('estimateStackCost', `//.${COST_HINT_KEY}.${name}.kind`, (hint as { kind?: unknown }).kind, 'runner-pool or snapshots');
  }

  return {
    stack,
    catalog: { id: catalog.id, asOf: catalog.asOf, source: catalog.source },
    items,
    totalEur: cents(items.reduce((sum, i) => sum + i.monthlyEur, 0)),
  };
}

/** An hcloud_server as the snapshot hint matches it. */
interface ServerFact {
  readonly labels: Readonly<Record<string, string>>;
  readonly count: number;
}

function serverItems(catalog: PriceCatalog, resources: Json, items: CostItem[]): ServerFact[] {
  const facts: ServerFact[] = [];
  for (const [name, s] of entries(resources.hcloud_server)) {
    const address = `hcloud_server.${name}`;
    const type = literalString(address, 'server_type', s.server_type);
    const p = serverPrice(catalog, `${address}.server_type`, type);
    const n = countOf(address, s);
    const labels: Record<string, string> = s.labels ?? {};
    facts.push({ labels, count: n });
    const persistentRunner = labels[LabelKeys.runnerMode] === RunnerModes.persistent;
    const what = persistentRunner ? 'always-on CI runner' : 'server';
    items.push(item(address, 'server', `${what} ${s.name ?? name} (${type})`, n, 'month', p.monthlyEur, p.estimated));
    if (s.backups === true) {
      const fraction = catalog.serverBackupFraction.value;
      items.push(item(address, 'server-backup', `automated backups of ${s.name ?? name} (${fraction * 100} % of ${type})`, n, 'month', p.monthlyEur * fraction, p.estimated));
    }
    // The provider's public_net block: ipv4_enabled defaults to true; with `ipv4` (a primary IP's id)
    // the address is an hcloud_primary_ip, priced as that resource (terraform-provider-hcloud,
    // internal/server/resource.go, schema of "public_net"). Without the block the server gets one.
    const net: Json | undefined = Array.isArray(s.public_net) ? s.public_net[0] : s.public_net;
    const ipv4 = net === undefined || (net.ipv4_enabled !== false && net.ipv4 === undefined);
    if (ipv4) {
      items.push(item(address, 'primary-ipv4', `primary IPv4 of ${s.name ?? name}`, n, 'month', catalog.primaryIpv4.monthlyEur, catalog.primaryIpv4.estimated));
    }
  }
  return facts;
}

function serverPrice(catalog: PriceCatalog, where: string, type: string): Price {
  return catalog.serverTypes[type] ?? invalid('estimateStackCost', where, type, `a server type of catalog ${catalog.id}: ${Object.keys(catalog.serverTypes).join(', ')}`);
}

/**
 * Hetzner bills Object Storage's base price once per project, "regardless of how many Buckets you
 * have" and in which location (Hetzner docs "Object Storage: overview", Pricing): one item for a
 * stack with any bucket behind a Hetzner Object Storage endpoint. Stacks deployed into the same
 * project pay it once between them (the CLI says so).
 */
function objectStorageItem(catalog: PriceCatalog, json: Json, items: CostItem[]): void {
  const hetznerAliases = new Set<string>();
  for (const p of asArray(json.provider?.aws)) {
    const endpoints = asArray(p.endpoints).flatMap((e: Json) => Object.values(e ?? {}));
    if (endpoints.some((e) => typeof e === 'string' && e.includes(OBJECT_STORAGE_DOMAIN))) hetznerAliases.add(p.alias ? `aws.${p.alias}` : 'aws');
  }
  const buckets = entries(json.resource?.aws_s3_bucket).filter(([, b]) => hetznerAliases.has(b.provider ?? 'aws'));
  if (buckets.length === 0) return;
  const p = catalog.objectStorageBase;
  const more = buckets.length > 1 ? ` (+${buckets.length - 1} more)` : '';
  items.push(
    item(
      `aws_s3_bucket.${buckets[0][0]}${more}`,
      'object-storage',
      `Object Storage base price, once per Hetzner project (${buckets.length} bucket${buckets.length > 1 ? 's' : ''}; 1 TB storage and 1 TB egress included)`,
      1,
      'month',
      p.monthlyEur,
      p.estimated,
    ),
  );
}

function runnerPoolItems(catalog: PriceCatalog, name: string, hint: RunnerPoolCostHint, runnerHours: number, items: CostItem[]): void {
  const address = `${COST_HINT_KEY}.${name}`;
  const p = serverPrice(catalog, `//.${address}.serverType`, hint.serverType);
  const capacity = hint.maxRunners * HOURS_PER_MONTH;
  const hours = Math.min(Math.ceil(runnerHours), capacity);
  const capped = hours < Math.ceil(runnerHours) ? `, capped at ${hint.maxRunners} runners × ${HOURS_PER_MONTH} h` : '';
  items.push(
    item(address, 'runner-hours', `per-job runners of pool ${hint.pool} (${hint.serverType}, up to ${hint.maxRunners} at a time): ${hours} started hours${capped}`, hours, 'h', p.hourlyEur, p.estimated || p.hourlyEstimated),
  );
  if (hint.ipv4) {
    const ip = catalog.primaryIpv4;
    items.push(item(address, 'primary-ipv4', `primary IPv4 of pool ${hint.pool}'s runners: ${hours} started hours`, hours, 'h', ip.hourlyEur, ip.estimated || ip.hourlyEstimated));
  }
}

function snapshotItem(catalog: PriceCatalog, name: string, hint: SnapshotsCostHint, servers: readonly ServerFact[]): CostItem {
  const address = `${COST_HINT_KEY}.${name}`;
  let gb: number;
  let what: string;
  let assumed: boolean;
  if (hint.gb !== undefined) {
    gb = hint.gb;
    what = `snapshots, ${gb} GB expected`;
    assumed = false;
  } else {
    const keep = hint.keepPerServer ?? invalid('estimateStackCost', `//.${address}.keepPerServer`, undefined, 'a number of snapshots per server (or gb)');
    const perSnapshot = hint.gbPerSnapshot ?? DEFAULT_SNAPSHOT_GB;
    const matching = servers
      .filter((s) => Object.entries(hint.labels ?? {}).every(([k, v]) => s.labels[k] === v))
      .filter((s) => hint.roles === undefined || hint.roles.includes(s.labels[LabelKeys.role]))
      .reduce((n, s) => n + s.count, 0);
    gb = matching * keep * perSnapshot;
    what = `snapshots: ${keep} per server × ${matching} server(s) × ${perSnapshot} GB`;
    assumed = hint.gbPerSnapshot === undefined;
  }
  return item(address, 'snapshots', what, gb, 'GB-month', catalog.snapshot.eurPerGbMonth, catalog.snapshot.estimated || assumed);
}

function item(address: string, kind: CostItemKind, description: string, quantity: number, unit: string, unitPriceEur: number, estimated: boolean): CostItem {
  return { address, kind, description, quantity, unit, unitPriceEur: round4(unitPriceEur), monthlyEur: round4(quantity * unitPriceEur), estimated };
}

function entries(block: unknown): [string, Json][] {
  return block && typeof block === 'object' ? (Object.entries(block) as [string, Json][]) : [];
}

function asArray(v: unknown): Json[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as Json[];
}

function countOf(address: string, r: Json): number {
  if (r.for_each !== undefined) invalid('estimateStackCost', `${address}.for_each`, r.for_each, 'resources without for_each (the estimate counts instances from literal counts)');
  if (r.count === undefined) return 1;
  return literalNumber(address, 'count', r.count);
}

function literalNumber(address: string, attribute: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  return invalid('estimateStackCost', `${address}.${attribute}`, v, 'a literal number (the estimate reads the synthesized JSON; a value known only at plan time cannot be priced)');
}

function literalString(address: string, attribute: string, v: unknown): string {
  if (typeof v === 'string' && !isToken(v)) return v;
  return invalid('estimateStackCost', `${address}.${attribute}`, v, 'a literal string (the estimate reads the synthesized JSON; a value known only at plan time cannot be priced)');
}
