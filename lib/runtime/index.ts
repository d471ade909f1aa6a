// Runtime-safe modules shared by the constructs, the renderers and the runner CLI: the settings
// of an ephemeral runner pool (types, names, checks, string form, labels), the manager's timings
// and this package's name and version. No cdktf/constructs imports (see
// __tests__/architecture/layers.test.ts). This file only re-exports.
export * from './pool-settings';
export * from './pool-names';
export * from './pool-settings-check';
export * from './pool-settings-env';
export * from './pool-labels';
export * from './timings';
export * from './package-info';
