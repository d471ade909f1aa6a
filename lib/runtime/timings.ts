/**
 * Waits and intervals of the runner manager (`aiai-runner up`, `down`, `reap`). Here rather than
 * in lib/runner-manager/manager.ts because the workflow renderer derives its job timeouts from
 * them. Runtime-safe: no cdktf/constructs imports.
 */
import { RUNNER_START_ALLOWANCE_MINUTES } from './pool-settings';

/** Waits and intervals, in seconds (scaled by `Clock.secondMs`). */
export interface ManagerTimings {
  /** `up`: from power-on until the runner must be online. */
  readonly onlineTimeoutSeconds: number;
  readonly onlinePollSeconds: number;
  /** `up`: how long to wait for a free slot while the pool is full. */
  readonly slotTimeoutSeconds: number;
  /** `up`: pool re-check interval while full (each is one Hetzner request; jittered ±25 %). */
  readonly slotPollSeconds: number;
  /** `up`: first backoff after losing a slot race (doubles, jittered, capped). */
  readonly claimBackoffSeconds: number;
  readonly claimBackoffMaxSeconds: number;
  /**
   * `up`: power-on (and the attachment to the runner subnet before it) is refused with `locked`
   * while the create action runs; each is retried this long.
   */
  readonly powerOnTimeoutSeconds: number;
  /** First retry interval of the power-on and the attachment (doubles up to 5 times this). */
  readonly powerOnPollSeconds: number;
  /** `down`/`reap`: a runner still busy (422) is retried this many times. */
  readonly runnerDeleteAttempts: number;
  readonly runnerDeleteRetrySeconds: number;
  /** `reap`: grace before deleting an offline runner without a server (an `up` may be creating it). */
  readonly orphanGraceSeconds: number;
  /** Progress line interval when stderr is not a terminal. */
  readonly progressEverySeconds: number;
}

export const DEFAULT_TIMINGS: ManagerTimings = {
  onlineTimeoutSeconds: RUNNER_START_ALLOWANCE_MINUTES * 60,
  onlinePollSeconds: 5,
  slotTimeoutSeconds: 30 * 60,
  slotPollSeconds: 60,
  claimBackoffSeconds: 2,
  claimBackoffMaxSeconds: 30,
  powerOnTimeoutSeconds: 180,
  powerOnPollSeconds: 2,
  runnerDeleteAttempts: 6,
  runnerDeleteRetrySeconds: 5,
  orphanGraceSeconds: 60,
  progressEverySeconds: 30,
};
