/** Exit codes of `aiai-ops`, documented in `--help` (1, 2, 3, 7, 130 mean what they mean for `aiai-runner`). */
export const OpsExitCode = {
  /** `status` printed the report; `health`: every check passed. */
  ok: 0,
  /** Unexpected error (a bug, or something not classified below). */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  /** Missing or invalid credentials/settings in the environment. */
  config: 3,
  /** `health`: at least one check failed. */
  unhealthy: 4,
  /** The Hetzner API refused a request (auth, permissions, rate limit exhausted, unreachable). */
  api: 7,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;

export type OpsExitCodeValue = (typeof OpsExitCode)[keyof typeof OpsExitCode];

/** An expected failure with a message for the operator and the exit code to end with. */
export class OpsError extends Error {
  constructor(
    message: string,
    public readonly exitCode: OpsExitCodeValue,
  ) {
    super(message);
    this.name = 'OpsError';
  }
}
