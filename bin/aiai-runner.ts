#!/usr/bin/env node
/**
 * `aiai-runner up | down | reap`: per-job GitHub Actions runners on Hetzner Cloud.
 * See `aiai-runner --help`; the logic lives in lib/runner-manager. The first signal aborts, and
 * lets `up` delete what it created; a second one exits at once.
 */
import { runCli } from '../lib/core/run-cli';
import { main } from '../lib/runner-manager/cli';

runCli('aiai-runner', main);
