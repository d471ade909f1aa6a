#!/usr/bin/env node
/**
 * `aiai-ops status | health`: status and health of an aiai platform on Hetzner Cloud.
 * See `aiai-ops --help`; the logic lives in lib/operator. The first signal aborts the requests and
 * ssh processes; a second one exits at once.
 */
import { runCli } from '../lib/core/run-cli';
import { main } from '../lib/operator/cli';

runCli('aiai-ops', main);
