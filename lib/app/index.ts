// Subpath export `aiai-hetzner/app`: the settings of the reference app (main.ts). This file only re-exports.
export { EXAMPLE_CONFIG, referenceConfig } from './reference-config';
export type { ReferenceConfig } from './reference-config';
export { ReferenceStackNames, referenceScenarios } from './scenarios';
export type { ReferenceScenario, ScenarioRunnerPool } from './scenarios';
export { TOKEN_STACKS_ENV, useTokenStacksWhenAsked } from './token-stacks';
