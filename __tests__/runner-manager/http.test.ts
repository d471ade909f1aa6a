import { githubDialect } from '../../lib/runner-manager/github-client';
import { hetznerDialect } from '../../lib/runner-manager/hcloud-client';
import { Clock, RequestBudget, retryAfterSeconds } from '../../lib/runner-manager/http';

/** A clock whose sleeps advance time instantly and are recorded (in policy seconds). */
function manualClock(): Clock & { slept: number[] } {
  let now = 1_700_000_000_000;
  const slept: number[] = [];
  return {
    secondMs: 1000,
    now: () => now,
    random: () => 0.5,
    sleep: async (ms: number) => {
      slept.push(ms / 1000);
      now += ms;
    },
    slept,
  };
}

function headers(h: Record<string, string>): Headers {
  return new Headers(h);
}

describe('RequestBudget (Hetzner: 3,600 requests per hour and project)', () => {
  test('sends without waiting while the project quota is healthy', async () => {
    const clock = manualClock();
    const b = new RequestBudget(clock, { limitPerHour: 3600, reserve: 300, maxPerHourLocal: 600 });
    b.observe(headers({ 'ratelimit-limit': '3600', 'ratelimit-remaining': '3000' }));
    for (let i = 0; i < 10; i++) await b.acquire();
    expect(clock.slept).toEqual([]);
    expect(b.lastRemaining).toBe(2990);
  });

  test('slows down in proportion to how far the reported quota is below the reserve', async () => {
    const clock = manualClock();
    const b = new RequestBudget(clock, { limitPerHour: 3600, reserve: 300, maxPerHourLocal: 600 });
    b.observe(headers({ 'ratelimit-limit': '3600', 'ratelimit-remaining': '100' }));
    await b.acquire();
    expect(clock.slept).toEqual([20]); // (300 - 100) / 10 refill intervals of 1 s
    await b.acquire();
    expect(clock.slept[1]).toBeCloseTo(20.1); // 99 left now: a little longer
  });

  test('a smaller project limit means longer refill intervals', async () => {
    const clock = manualClock();
    const b = new RequestBudget(clock, { limitPerHour: 3600, reserve: 300, maxPerHourLocal: 600 });
    b.observe(headers({ 'ratelimit-limit': '1800', 'ratelimit-remaining': '200' }));
    await b.acquire();
    expect(clock.slept).toEqual([20]); // (300 - 200) / 10 intervals of 2 s
  });

  test('never sends more than the local cap per sliding hour', async () => {
    const clock = manualClock();
    const b = new RequestBudget(clock, { limitPerHour: 3600, reserve: 300, maxPerHourLocal: 3 });
    await b.acquire();
    await clock.sleep(10_000);
    await b.acquire();
    await b.acquire();
    clock.slept.length = 0;
    await b.acquire();
    expect(clock.slept).toEqual([3590]); // until the first request leaves the window
    expect(b.sentInLastHour).toBe(3);
  });
});

describe('rate-limit headers', () => {
  const nowS = 1_700_000_000;

  test('Retry-After as seconds or HTTP date', () => {
    expect(retryAfterSeconds(headers({ 'retry-after': '7' }), nowS)).toBe(7);
    expect(retryAfterSeconds(headers({ 'retry-after': new Date((nowS + 30) * 1000).toUTCString() }), nowS)).toBe(30);
    expect(retryAfterSeconds(headers({}), nowS)).toBeUndefined();
  });

  test('GitHub: an exhausted primary quota waits for x-ratelimit-reset; a plain 403 is not retried', () => {
    const exhausted = headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowS + 42) });
    expect(githubDialect.isRetryable(403, undefined, exhausted)).toBe(true);
    expect(githubDialect.rateLimitWaitSeconds(403, exhausted, nowS)).toBe(43);
    expect(githubDialect.isRetryable(403, undefined, headers({ 'x-ratelimit-remaining': '4999' }))).toBe(false);
    expect(githubDialect.rateLimitWaitSeconds(429, headers({}), nowS)).toBe(60); // secondary limit: at least a minute
    expect(githubDialect.isRetryable(404, undefined, headers({}))).toBe(false);
    expect(githubDialect.isRetryable(502, undefined, headers({}))).toBe(true);
  });

  test('Hetzner: 429 waits one refill interval at least; capacity errors are never retried in place', () => {
    expect(hetznerDialect.rateLimitWaitSeconds(429, headers({ 'ratelimit-limit': '3600' }), nowS)).toBe(1);
    expect(hetznerDialect.isRetryable(429, 'rate_limit_exceeded', headers({}))).toBe(true);
    expect(hetznerDialect.isRetryable(503, 'resource_unavailable', headers({}))).toBe(false);
    expect(hetznerDialect.isRetryable(412, 'placement_error', headers({}))).toBe(false);
    expect(hetznerDialect.isRetryable(409, 'conflict', headers({}))).toBe(true);
    expect(hetznerDialect.isRetryable(409, 'uniqueness_error', headers({}))).toBe(false);
    expect(hetznerDialect.isRetryable(423, 'locked', headers({}))).toBe(false);
    expect(hetznerDialect.errorCode({ error: { code: 'not_found', message: 'x' } })).toBe('not_found');
  });
});
