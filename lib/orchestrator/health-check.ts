/**
 * The agent app's health check, shared by the load balancer and `aiai-release` (pure, no cdktf).
 * The app answers `GET /health` on the API port with a 2xx status while it can serve.
 */

/** The app's readiness/liveness endpoint. */
export const HEALTH_CHECK_PATH = '/health';

/** The load balancer's check of each target; a probe by `aiai-release` waits as long as one of these. */
export const LoadBalancerHealthCheck = {
  intervalSec: 10,
  timeoutSec: 5,
  retries: 3,
  /** Status codes that count as healthy (Hetzner's pattern syntax). */
  statusCodes: ['2??'],
} as const;
