// GitHub Actions workflows of an ephemeral runner pool. This file only re-exports.
export * from './pool-workflow';
