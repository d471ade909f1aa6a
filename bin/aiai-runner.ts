#!/usr/bin/env node
/**
 * `aiai-runner up | down | reap`: per-job GitHub Actions runners on Hetzner Cloud.
 * See `aiai-runner --help`; the logic lives in lib/runner-manager.
 */
import { main } from '../lib/runner-manager/cli';

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // First signal: abort, and let `up` delete what it created. A second one exits at once.
    if (++signals > 1) process.exit(130);
    controller.abort(new Error(`received ${sig}`));
  });
}

main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }, { signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`aiai-runner: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
