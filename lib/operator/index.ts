// Runtime side of the operator CLI `aiai-ops` (no cdktf imports). This file only re-exports.
export * from './errors';
export * from './model';
export * from './expected-units';
export * from './unit-probe';
export * from './inventory';
export * from './health';
export * from './format';
export * from './cli';
// The environment type its functions take (shared with the runner CLI).
export type { Env } from '../runtime/pool-settings-env';
