/**
 * The scenarios of the reference app (main.ts): one stack per research doc scenario, each sized by
 * a {@link PlatformPreset}. Every stack gets its own environment label and bucket prefix (and the
 * high-availability stack its own runner pool name and GitHub variable prefix), so that any of them
 * can be deployed next to another in one Hetzner project and one agent repository: Hetzner
 * resource names (`<project>-<environment>-...`), bucket names (global) and pool names must not
 * collide. `aiai-production` keeps the configured environment and bucket prefix unchanged.
 */
import { PlatformPreset } from '../platform/presets';
import type { ReferenceConfig } from './reference-config';

/** The runner pool's identity where it differs from the pool's defaults. */
export interface ScenarioRunnerPool {
  /** Pool name. */
  readonly pool: string;
  /** Prefix of the pool's GitHub variable and secret names. */
  readonly variablePrefix: string;
}

export interface ReferenceScenario {
  /** Stack name (StackNames in main.ts). */
  readonly stackName: string;
  /** What the stack deploys. */
  readonly preset: PlatformPreset;
  /** Environment label and name part of every Hetzner resource. */
  readonly environment: string;
  /** Bucket prefix of the stack's object store. */
  readonly bucketPrefix: string;
  /** @default - the pool's own defaults (pool `ci`, prefix `AIAI_RUNNER`) */
  readonly runnerPool?: ScenarioRunnerPool;
  /**
   * Most the stack may cost per month in EUR at the current price catalog (`CostBudget`): synth
   * fails with the breakdown above it. About a third above the stack's estimate today, so a preset
   * change that adds a server shows up as a failing synth rather than on the invoice.
   */
  readonly monthlyBudgetEur: number;
  /** The stack runs production (the rule pack's HZ-PRD-* rules apply). */
  readonly production: boolean;
}

/** Stack names of the reference app. */
export const ReferenceStackNames = {
  /** The state bucket (local state). Deploy it first when the platform uses the S3 backend. */
  state: 'aiai-state',
  /** Appendix C scenario 1: one small orchestrator and the object store. */
  bootstrap: 'aiai-bootstrap',
  /** Section 9 minimal: orchestrator, a small monitoring node, the object store. */
  minimal: 'aiai-minimal',
  /** Appendix C scenario 2, standard production: the stack existing deployments run (its addresses never change). */
  production: 'aiai-production',
  /** Appendix C scenario 3, full production with redundancy. */
  productionHa: 'aiai-production-ha',
} as const;

/** The platform stacks of the reference app, in the order of the research doc (smallest first). */
export function referenceScenarios(config: ReferenceConfig): ReferenceScenario[] {
  const derived = (environment: string, bucketSuffix = environment) => ({ environment, bucketPrefix: `${config.bucketPrefix}-${bucketSuffix}` });
  return [
    { stackName: ReferenceStackNames.bootstrap, preset: PlatformPreset.bootstrapping(), ...derived('bootstrap'), monthlyBudgetEur: 16, production: false },
    { stackName: ReferenceStackNames.minimal, preset: PlatformPreset.minimal(), ...derived('minimal'), monthlyBudgetEur: 23, production: false },
    {
      stackName: ReferenceStackNames.production,
      preset: PlatformPreset.standardProduction(),
      environment: config.environment,
      bucketPrefix: config.bucketPrefix,
      monthlyBudgetEur: 58,
      production: true,
    },
    {
      stackName: ReferenceStackNames.productionHa,
      preset: PlatformPreset.fullProduction(),
      ...derived('production-ha', 'ha'),
      runnerPool: { pool: 'ci-ha', variablePrefix: 'AIAI_RUNNER_HA' },
      monthlyBudgetEur: 124,
      production: true,
    },
  ];
}
