/**
 * The estimator over plain stack JSON: the current catalog's figures and which are estimates, the
 * primary IPv4 rules, runner hours per started hour, snapshots from the rotation's hint, and what
 * cannot be priced.
 */
import { ValidationError } from '../../lib/core/validation-error';
import { estimateStackCost } from '../../lib/cost/estimate';
import { CURRENT_PRICE_CATALOG, HOURS_TO_MONTHLY_CAP, PRICE_CATALOGS, priceCatalog } from '../../lib/cost/price-catalog';
import { SERVER_TYPES } from '../../lib/hetzner/catalog';
import { Json, STANDARD_PRODUCTION, stackJson, withPool } from './fixtures';

const one = (servers: Json, more: Json = {}) => ({ '//': { metadata: { stackName: 's' } }, resource: { hcloud_server: servers, ...more } });
const cx23 = (extra: Json = {}) => ({ name: 'a', server_type: 'cx23', ...extra });

describe('price catalogs', () => {
  test('the current catalog is 2026-04; cx33 and volumes are verified figures, the rest marked estimated with a basis', () => {
    const c = priceCatalog();
    expect(c.id).toBe(CURRENT_PRICE_CATALOG);
    expect(CURRENT_PRICE_CATALOG).toBe('2026-04');
    expect(c.serverTypes.cx33).toMatchObject({ monthlyEur: 6.49, hourlyEur: 0.0104, estimated: false, hourlyEstimated: false });
    expect(c.volume).toMatchObject({ eurPerGbMonth: 0.0572, estimated: false });
    expect(c.serverTypes.cx23).toMatchObject({ monthlyEur: 3.99, estimated: true });
    expect(c.serverTypes.cax21).toMatchObject({ monthlyEur: 8.44, estimated: true }); // 6.49 + 30 %
    expect(c.serverTypes.cpx32).toMatchObject({ monthlyEur: 13.64, hourlyEur: 0.0219, estimated: true });
    expect(c.snapshot).toMatchObject({ eurPerGbMonth: 0.0143, estimated: true });
    expect(c.primaryIpv4).toMatchObject({ monthlyEur: 0.5, hourlyEur: 0.0008, estimated: true });
    for (const [name, p] of Object.entries(c.serverTypes)) {
      expect({ name, basis: p.estimated ? /estimated/.test(p.basis) : true }).toEqual({ name, basis: true });
    }
  });

  test('the research doc catalog has the doc\'s figures, unestimated', () => {
    const c = priceCatalog('2026-02');
    expect(c.serverTypes.cpx31).toMatchObject({ monthlyEur: 16.49, estimated: false });
    expect(c.loadBalancerTypes.lb11).toMatchObject({ monthlyEur: 5.39, estimated: false });
    expect(c.objectStorageBase.monthlyEur).toBe(5.99);
    expect(c.snapshot.eurPerGbMonth * 50).toBeCloseTo(0.55, 10);
    expect(c.volume.eurPerGbMonth * 100).toBeCloseTo(4.4, 10);
    expect(c.serverBackupFraction.value).toBe(0.2);
    // Published hourly rates are the monthly cap / ~624 h: ccx23 0.0392 for 24.49.
    expect(c.serverTypes.ccx23).toMatchObject({ hourlyEur: 0.0392, hourlyEstimated: false });
    expect(Math.round((24.49 / HOURS_TO_MONTHLY_CAP) * 1e4) / 1e4).toBe(0.0392);
  });

  test('every catalog prices every orderable server type and load balancer type', () => {
    for (const c of Object.values(PRICE_CATALOGS)) {
      expect(Object.keys(SERVER_TYPES).filter((t) => !c.serverTypes[t])).toEqual([]);
      expect(Object.keys(c.loadBalancerTypes)).toEqual(['lb11', 'lb21', 'lb31']);
    }
  });

  test('fails for an unknown catalog, naming the ids there are', () => {
    expect(() => priceCatalog('2025-01')).toThrow(ValidationError);
    expect(() => estimateStackCost({}, { catalog: '2025-01' })).toThrow(/catalog: got "2025-01"; allowed: one of 2026-02, 2026-04/);
  });
});

describe('primary IPv4', () => {
  test('a server without public_net, or with ipv4_enabled, gets one at 0.50/month; ipv4_enabled false gets none', () => {
    const e = estimateStackCost(one({ a: cx23(), b: cx23({ public_net: [{ ipv4_enabled: true }] }), c: cx23({ public_net: [{ ipv4_enabled: false, ipv6_enabled: true }] }) }));
    expect(e.items.filter((i) => i.kind === 'primary-ipv4').map((i) => [i.address, i.monthlyEur])).toEqual([
      ['hcloud_server.a', 0.5],
      ['hcloud_server.b', 0.5],
    ]);
  });

  test('a server given an hcloud_primary_ip is priced through that resource; primary IPv6 is free', () => {
    const e = estimateStackCost(
      one({ a: cx23({ public_net: [{ ipv4: '${hcloud_primary_ip.v4.id}' }] }) }, { hcloud_primary_ip: { v4: { type: 'ipv4', name: 'v4' }, v6: { type: 'ipv6', name: 'v6' } } }),
    );
    expect(e.items.filter((i) => i.kind === 'primary-ipv4').map((i) => i.address)).toEqual(['hcloud_primary_ip.v4']);
  });

  test('count multiplies servers, their backups and their IPv4s', () => {
    const e = estimateStackCost(one({ a: cx23({ count: 3, backups: true }) }), { catalog: '2026-02' });
    expect(e.items.map((i) => [i.kind, i.quantity, i.monthlyEur])).toEqual([
      ['server', 3, 10.47],
      ['server-backup', 3, 2.094],
      ['primary-ipv4', 3, 1.5],
    ]);
    expect(e.totalEur).toBe(14.06);
  });
});

describe('per-job runner hours', () => {
  const pool = (maxRunners = 5) => stackJson(withPool(STANDARD_PRODUCTION, maxRunners));
  const runnerItem = (hours: number, maxRunners = 5) => estimateStackCost(pool(maxRunners), { runnerHours: hours }).items.find((i) => i.kind === 'runner-hours')!;

  test('are billed per started hour at the hourly rate, default 200 h, with the runners\' IPv4 per hour', () => {
    const e = estimateStackCost(pool());
    const items = e.items.filter((i) => i.address === 'aiai_cost.pool');
    expect(items.map((i) => [i.kind, i.quantity, i.unit, i.unitPriceEur, i.monthlyEur, i.estimated])).toEqual([
      ['runner-hours', 200, 'h', 0.0219, 4.38, true],
      ['primary-ipv4', 200, 'h', 0.0008, 0.16, true],
    ]);
  });

  test('a fraction of an hour counts as a started hour; 0 hours cost nothing', () => {
    expect(runnerItem(10.2).quantity).toBe(11);
    expect(runnerItem(0).monthlyEur).toBe(0);
  });

  test('are capped at the pool\'s capacity (maxRunners × 730 h)', () => {
    const item = runnerItem(5000, 2);
    expect(item.quantity).toBe(1460);
    expect(item.description).toMatch(/capped at 2 runners × 730 h/);
  });

  test('fail for a negative or non-numeric number of hours', () => {
    expect(() => estimateStackCost(pool(), { runnerHours: -1 })).toThrow(/runnerHours: got -1; allowed: a number of hours from 0 up/);
    expect(() => estimateStackCost(pool(), { runnerHours: Number.NaN })).toThrow(ValidationError);
  });
});

describe('snapshots', () => {
  test('from the rotation\'s hint: keep × matching servers × 3 GB, marked estimated', () => {
    const json = stackJson({
      name: 's',
      servers: { o: { type: 'cx33' }, m: { type: 'cax21', role: 'monitoring' }, r: { type: 'cpx32', role: 'ci-runner' } },
      hints: { rot: { kind: 'snapshots', keepPerServer: 7, labels: { project: 'aiai', environment: 'production' }, roles: ['orchestrator', 'monitoring'] } },
    });
    const item = estimateStackCost(json, { catalog: '2026-02' }).items.find((i) => i.kind === 'snapshots')!;
    expect(item).toMatchObject({ address: 'aiai_cost.rot', quantity: 42, unitPriceEur: 0.011, monthlyEur: 0.462, estimated: true });
  });

  test('an explicit size at a verified price is not an estimate', () => {
    const item = estimateStackCost(stackJson(STANDARD_PRODUCTION), { catalog: '2026-02' }).items.find((i) => i.kind === 'snapshots')!;
    expect(item).toMatchObject({ quantity: 50, monthlyEur: 0.55, estimated: false });
  });
});

describe('what cannot be priced fails with a ValidationError naming the address', () => {
  test.each([
    ['a server type known only at plan time', one({ a: cx23({ server_type: '${var.type}' }) }), /hcloud_server\.a\.server_type: got "\$\{var\.type\}"; allowed: a literal string/],
    ['a server type the catalog has no price for', one({ a: cx23({ server_type: 'cx99' }) }), /hcloud_server\.a\.server_type: got "cx99"; allowed: a server type of catalog 2026-04/],
    ['a count known only at plan time', one({ a: cx23({ count: '${var.n}' }) }), /hcloud_server\.a\.count: got "\$\{var\.n\}"; allowed: a literal number/],
    ['for_each', one({ a: cx23({ for_each: '${var.m}' }) }), /hcloud_server\.a\.for_each/],
    ['an unknown load balancer type', { resource: { hcloud_load_balancer: { lb: { load_balancer_type: 'lb99' } } } }, /hcloud_load_balancer\.lb\.load_balancer_type: got "lb99"; allowed: a load balancer type of catalog 2026-04: lb11, lb21, lb31/],
    ['an unknown hint kind', { '//': { aiai_cost: { x: { kind: 'gpu' } } } }, /\/\/\.aiai_cost\.x\.kind: got "gpu"; allowed: runner-pool or snapshots/],
  ])('%s', (_what, json, message) => {
    expect(() => estimateStackCost(json)).toThrow(ValidationError);
    expect(() => estimateStackCost(json)).toThrow(message);
  });
});

test('buckets of another S3 provider are not Hetzner Object Storage; an empty stack costs nothing', () => {
  const json = { provider: { aws: [{ region: 'eu-central-1' }] }, resource: { aws_s3_bucket: { b: { bucket: 'x' } } } };
  expect(estimateStackCost(json).items).toEqual([]);
  expect(estimateStackCost({})).toMatchObject({ stack: undefined, items: [], totalEur: 0, catalog: { id: '2026-04', asOf: '2026-04-01' } });
});
