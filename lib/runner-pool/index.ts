// Self-hosted GitHub Actions runners on Hetzner: the ephemeral pool and the persistent runner. This file only re-exports.
export * from './workflow-delivery';
export * from './ephemeral-runner-pool';
export * from './persistent-runner-host';
export * from './persistent-runner';
