/** Exit codes of `aiai-runner`, documented in `--help`. */
export const ExitCode = {
  ok: 0,
  /** Unexpected error (a bug, or something not classified below). */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  /** Missing or invalid settings/credentials in the environment. */
  config: 3,
  /** `up`: the pool stayed at its max runners for the whole slot timeout. */
  poolFull: 4,
  /** `up`: no server type/location candidate had capacity. */
  noCapacity: 5,
  /** `up`: the runner did not come online within the online timeout. */
  notOnline: 6,
  /** An API refused a request (auth, permissions, rate limit exhausted, ...). */
  api: 7,
  /** Interrupted by SIGINT/SIGTERM (what `up` created was deleted first). */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure with a message for the user and the exit code to end with. */
export class RunnerError extends Error {
  constructor(
    message: string,
    public readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}
