#!/usr/bin/env node
/**
 * `aiai-cost`: the monthly cost of each synthesized stack (see `aiai-cost --help`); the logic lives
 * in lib/cost/cli.ts. Needs no terraform and no credentials.
 */
import { runCli } from '../lib/core/run-cli';
import { main } from '../lib/cost/cli';

runCli('aiai-cost', main);
