/**
 * The process side of the package's CLIs (`bin/aiai-runner.ts`, `bin/aiai-ops.ts`): runs a `main`
 * that resolves to an exit code, aborts it on the first SIGINT/SIGTERM (so it can clean up) and
 * exits at once on a second. Runtime-safe: no cdktf.
 */

/** What a CLI's `main` receives besides its arguments, environment and streams. */
export interface CliRunDeps {
  readonly signal: AbortSignal;
}

export type CliMain = (
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream },
  deps: CliRunDeps,
) => Promise<number>;

/** Runs `main` as the process: its resolved code becomes the exit code; a crash prints `<name>: <stack>` and exits 1. */
export function runCli(name: string, main: CliMain): void {
  const controller = new AbortController();
  let signals = 0;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (++signals > 1) process.exit(130);
      controller.abort(new Error(`received ${sig}`));
    });
  }
  main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }, { signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${name}: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
