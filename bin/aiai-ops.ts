#!/usr/bin/env node
/**
 * `aiai-ops status | health`: status and health of an aiai platform on Hetzner Cloud.
 * See `aiai-ops --help`; the logic lives in lib/operator.
 */
import { main } from '../lib/operator/cli';

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // First signal: abort the requests and ssh processes. A second one exits at once.
    if (++signals > 1) process.exit(130);
    controller.abort(new Error(`received ${sig}`));
  });
}

main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }, { signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`aiai-ops: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
