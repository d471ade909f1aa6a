// GitHub Actions workflows of an ephemeral runner pool. This file only re-exports.
export * from './runner-cli';
export * from './pool-workflow-props';
export * from './pool-workflow-check';
export * from './pool-workflow';
