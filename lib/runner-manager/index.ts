// Runtime side of the ephemeral runner pool (no cdktf imports). This file only re-exports.
export * from '../runtime';
export * from './errors';
export * from './http';
export * from './hcloud-client';
export * from './github-client';
export * from './user-data';
export * from './manager';
export * from './cli';
