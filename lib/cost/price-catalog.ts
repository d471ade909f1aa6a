/**
 * Dated Hetzner Cloud price lists (EUR, excl. VAT, Germany/Finland locations), each figure with
 * where it comes from. The one source of truth for prices: the estimator (`estimate.ts`), the budget
 * and the automated-backups helper read them here.
 *
 * Runtime-safe: no cdktf or constructs (the `aiai-cost` CLI loads this file).
 */
import { invalid } from '../core/validation-error';

/** One price: the monthly cap and the hourly rate, and how sure we are of them. */
export interface Price {
  /** Price per month (for a server: the monthly cap, what an always-on server costs). */
  readonly monthlyEur: number;
  /** Price per started hour (Hetzner bills hourly up to the monthly cap). */
  readonly hourlyEur: number;
  /** True when the monthly figure is not taken from a source as it stands (see `basis`). */
  readonly estimated: boolean;
  /** True when the hourly figure is derived rather than published (see `basis`). */
  readonly hourlyEstimated: boolean;
  /** Where the figure comes from, or how it was estimated. */
  readonly basis: string;
}

/** A per-GB-and-month price (volumes, snapshots). */
export interface PerGbPrice {
  readonly eurPerGbMonth: number;
  readonly estimated: boolean;
  readonly basis: string;
}

export interface PriceCatalog {
  /** Catalog id, e.g. `2026-02`. */
  readonly id: string;
  /** Date the prices apply from / were taken. */
  readonly asOf: string;
  /** The main source. */
  readonly source: string;
  /** Server types by name (orderable and, where a source lists them, deprecated ones). */
  readonly serverTypes: Readonly<Record<string, Price>>;
  readonly loadBalancerTypes: Readonly<Record<string, Price>>;
  /** One primary IPv4 address (IPv6 is free). */
  readonly primaryIpv4: Price;
  readonly volume: PerGbPrice;
  /** Snapshots, billed per GB of (compressed) image and month. */
  readonly snapshot: PerGbPrice;
  /** Object Storage base price: once per Hetzner project, however many buckets (includes 1 TB storage + 1 TB egress). */
  readonly objectStorageBase: Price;
  /** Automated server backups cost this fraction of the server price. */
  readonly serverBackupFraction: { readonly value: number; readonly basis: string };
}

/**
 * Hetzner's published hourly rates are the monthly cap divided by about 624 hours, rounded to four
 * decimals: cx33 0.0104/h for 6.49/month (Hetzner pricing API, quoted in devantler-tech/platform
 * commit cb791c6f, 2026-05-27), ccx13 0.0200 for 12.49 and ccx23 0.0392 for 24.49 (Hetzner's
 * price table as of 2025-10). Where no hourly rate is published we derive it this way.
 */
export const HOURS_TO_MONTHLY_CAP = 624;

/** Hours in an average month (365 × 24 / 12): an always-on resource's hours. */
export const HOURS_PER_MONTH = 730;

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function price(monthlyEur: number, basis: string, o: { estimated?: boolean; hourlyEur?: number } = {}): Price {
  return {
    monthlyEur,
    hourlyEur: o.hourlyEur ?? round(monthlyEur / HOURS_TO_MONTHLY_CAP, 4),
    estimated: o.estimated ?? false,
    hourlyEstimated: o.hourlyEur === undefined,
    basis,
  };
}

// --- 2026-02: the research doc's list -----------------------------------------------------------

const DOC = 'research doc (aiai-hetzner-deployment-research.md) section 1 "Detailed Pricing", as of 2026-02-26';
const DOC_TYPES: Record<string, number> = {
  cx23: 3.49, cx33: 5.49, cx43: 9.49, cx53: 17.49,
  cax11: 3.79, cax21: 6.49, cax31: 12.49, cax41: 24.49,
  cpx11: 4.99, cpx21: 9.49, cpx31: 16.49, cpx41: 30.49,
  ccx13: 12.49, ccx23: 24.49, ccx33: 48.49, ccx43: 96.49,
};
/** Published hourly rates of that time (Hetzner price table as of 2025-10, unchanged until 2026-04). */
const DOC_HOURLY: Record<string, number> = { ccx13: 0.02, ccx23: 0.0392 };

/** CPX gen-2 prices of 2025-10 (not in the research doc): gross prices incl. 19 % VAT in a public benchmark gist (derhuerst/4ef9a832…, 2025-10-21) ÷ 1.19. */
const CPX2_GROSS_BASIS = 'not in the research doc: gross price incl. 19 % VAT from a public benchmark list (gist derhuerst/4ef9a832e031bf82d6e640e2dd6b2d24, 2025-10-21) ÷ 1.19';

function feb2026ServerTypes(): Record<string, Price> {
  const out: Record<string, Price> = {};
  for (const [name, eur] of Object.entries(DOC_TYPES)) out[name] = price(eur, DOC, { hourlyEur: DOC_HOURLY[name] });
  out.cpx22 = price(5.99, CPX2_GROSS_BASIS, { estimated: true });
  out.cpx32 = price(10.49, CPX2_GROSS_BASIS, { estimated: true });
  // No source at all: scaled per vCPU from the nearest listed type of the family.
  const perVcpu = (from: string, fromVcpus: number, vcpus: number) =>
    price(round((out[from].monthlyEur / fromVcpus) * vcpus, 2), `no source found: ${from}'s price per vCPU × ${vcpus} vCPUs`, { estimated: true });
  out.cpx12 = perVcpu('cpx22', 2, 1);
  out.cpx42 = perVcpu('cpx32', 4, 8);
  out.cpx52 = perVcpu('cpx32', 4, 12);
  out.cpx62 = perVcpu('cpx32', 4, 16);
  out.ccx53 = perVcpu('ccx43', 16, 32);
  out.ccx63 = perVcpu('ccx43', 16, 48);
  return out;
}

const FEB_2026: PriceCatalog = {
  id: '2026-02',
  asOf: '2026-02-26',
  source: 'the research doc\'s price list (sections 1, 6, 9 and Appendix C), before Hetzner\'s price rise of 2026-04-01',
  serverTypes: feb2026ServerTypes(),
  loadBalancerTypes: {
    lb11: price(5.39, 'research doc section 1 (Load Balancer) and Appendix C'),
    lb21: price(16.4, 'not in the research doc: Hetzner\'s list price before 2026-04 as commonly quoted, not verified', { estimated: true }),
    lb31: price(32.9, 'not in the research doc: Hetzner\'s list price before 2026-04 as commonly quoted, not verified', { estimated: true }),
  },
  // Hetzner docs "Primary IPs: overview" (docs.hetzner.com/cloud/servers/primary-ips/overview): € 0.50/month, € 0.0008/h; the research doc leaves it out.
  primaryIpv4: price(0.5, 'Hetzner docs "Primary IPs: overview" (IPv4 € 0.0008/h, € 0.50/month; IPv6 free); the research doc omits it', { hourlyEur: 0.0008 }),
  volume: { eurPerGbMonth: 0.044, estimated: false, basis: 'research doc section 9 "Volume vs Local Storage" (0.044/GB; 100 GB = 4.40)' },
  snapshot: { eurPerGbMonth: 0.011, estimated: false, basis: 'research doc section 9 (50 GB = 0.55, 200 GB = 2.20)' },
  objectStorageBase: price(5.99, 'research doc section 6 "Hetzner Object Storage" (base price incl. 1 TB storage and 1 TB egress)'),
  serverBackupFraction: { value: 0.2, basis: 'Hetzner docs "Backups" and the pricing API\'s server_backup.percentage (20)' },
};

// --- 2026-04: after Hetzner's price rise of 2026-04-01 ------------------------------------------

/** The rise the announcement gives (research doc section 1, Tom's Hardware): 30-37 %; we take its lower bound. */
const RISE = 0.3;
const RISE_BASIS = (from: number) => `estimated: the 2026-02 price ${from.toFixed(2)} + 30 % (the lower bound of the announced 30-37 % rise of 2026-04-01)`;
const PER_VCPU_1784 = 'estimated: price per vCPU after 2026-04 quoted in devantler-tech/platform issue #1784 (from Hetzner\'s pricing API), × vCPUs, to Hetzner\'s .x9 pattern';

function apr2026ServerTypes(): Record<string, Price> {
  const out: Record<string, Price> = {};
  for (const [name, p] of Object.entries(FEB_2026.serverTypes)) {
    out[name] = price(round(p.monthlyEur * (1 + RISE), 2), RISE_BASIS(p.monthlyEur), { estimated: true });
  }
  // Verified: Hetzner pricing API values (fsn1, net) quoted in devantler-tech/platform commit cb791c6f, 2026-05-27.
  out.cx33 = price(6.49, 'Hetzner pricing API (GET /v1/pricing, fsn1, net) as quoted in devantler-tech/platform commit cb791c6f, 2026-05-27', { hourlyEur: 0.0104 });
  out.cx23 = price(3.99, `${PER_VCPU_1784} (2.00 €/vCPU)`, { estimated: true });
  out.cx43 = price(11.99, `${PER_VCPU_1784} (1.50 €/vCPU)`, { estimated: true });
  out.cx53 = price(22.49, `${PER_VCPU_1784} (1.41 €/vCPU)`, { estimated: true });
  return out;
}

function risen(p: Price): Price {
  return price(round(p.monthlyEur * (1 + RISE), 2), RISE_BASIS(p.monthlyEur), { estimated: true });
}

const APR_2026: PriceCatalog = {
  id: '2026-04',
  asOf: '2026-04-01',
  source: 'Hetzner\'s prices from 2026-04-01 where a source gives them (Hetzner pricing API figures quoted in devantler-tech/platform cb791c6f); the rest estimated from 2026-02 and marked',
  serverTypes: apr2026ServerTypes(),
  loadBalancerTypes: Object.fromEntries(Object.entries(FEB_2026.loadBalancerTypes).map(([k, p]) => [k, risen(p)])),
  primaryIpv4: price(0.5, 'estimated: Hetzner docs "Primary IPs: overview" (€ 0.50/month, € 0.0008/h; page older than 2026-04, whether the rise changed it is not verified)', {
    estimated: true,
    hourlyEur: 0.0008,
  }),
  volume: { eurPerGbMonth: 0.0572, estimated: false, basis: 'Hetzner pricing API (volume price_per_gb_month, net) as quoted in devantler-tech/platform commit cb791c6f, 2026-05-27' },
  snapshot: {
    eurPerGbMonth: 0.0143,
    estimated: true,
    basis: 'estimated: 0.011 + 30 % ("volumes and snapshots are 30 % more expensive", cloudtally.eu, April 2026; the volume price confirms +30 %)',
  },
  objectStorageBase: risen(FEB_2026.objectStorageBase),
  serverBackupFraction: FEB_2026.serverBackupFraction,
};

/** Every catalog by id. */
export const PRICE_CATALOGS: Readonly<Record<string, PriceCatalog>> = { [FEB_2026.id]: FEB_2026, [APR_2026.id]: APR_2026 };

/** The catalog used unless one is asked for: the prices in force now. */
export const CURRENT_PRICE_CATALOG = APR_2026.id;

/** The research doc's catalog (Appendix C is computed with it). */
export const RESEARCH_DOC_PRICE_CATALOG = FEB_2026.id;

/** A catalog by id; throws a ValidationError naming the ids there are. */
export function priceCatalog(id: string = CURRENT_PRICE_CATALOG): PriceCatalog {
  const c = PRICE_CATALOGS[id];
  if (!c) invalid('priceCatalog', 'catalog', id, `one of ${Object.keys(PRICE_CATALOGS).join(', ')}`);
  return c;
}

/** A server type's price in a catalog, or undefined when the catalog has none. */
export function serverTypePrice(catalog: PriceCatalog, serverType: string): Price | undefined {
  return catalog.serverTypes[serverType];
}
