/**
 * The reference app: the aiai platform on Hetzner Cloud, one stack per scenario of the research doc
 * (lib/app/scenarios.ts) plus the state stack. `npm run synth` (or `npx cdktf synth`) writes
 * cdktf.out/stacks/<stack>/cdk.tf.json without credentials; deploy one with
 * `npx cdktf deploy <stack>` and its TF_VAR_* secrets set (see README).
 */
import { App, Aspects, LocalBackend } from 'cdktf';
import { Construct } from 'constructs';
import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import {
  AdminAccess,
  AiaiStack,
  AiaiOrchestrator,
  AiaiPlatform,
  CostBudget,
  EphemeralRunnerPool,
  HcloudProvider,
  HetznerChecks,
  HetznerObjectStorage,
  localStatePath,
  MonitoringNode,
  ObjectStore,
  PoolJob,
  PrivateNetwork,
  secretVariable,
  StateBootstrapStack,
  StatefulResourceProtection,
} from './lib';
import { type ReferenceConfig, referenceConfig, type ReferenceScenario, referenceScenarios, ReferenceStackNames, useTokenStacksWhenAsked } from './lib/app';

/** The Terraform versions the synthesized configuration works with. */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.6';

/** Stack names of the reference app. */
export const StackNames = {
  ...ReferenceStackNames,
  /** @deprecated the standard production stack: use `production` (same name, `aiai-production`). */
  platform: ReferenceStackNames.production,
} as const;

/** The agent repository's CI jobs, run on the pool's per-job runners. */
const CHECKOUT = { uses: 'actions/checkout@v5.0.0', with: { 'persist-credentials': false } };
const AGENT_CI_JOBS: Readonly<Record<string, PoolJob>> = {
  lint: {
    name: 'Lint',
    timeoutMinutes: 15,
    steps: [CHECKOUT, { run: 'python3 -m venv .venv && .venv/bin/pip install ruff && .venv/bin/ruff check .' }],
  },
  test: {
    name: 'Tests',
    needs: ['lint'],
    timeoutMinutes: 60,
    steps: [CHECKOUT, { run: 'python3 -m venv .venv && .venv/bin/pip install -r requirements.txt' }, { run: '.venv/bin/pytest tests/ -v --tb=short' }],
  },
};

/**
 * One platform stack: an {@link AiaiPlatform} sized by the scenario's preset, with the providers
 * and sensitive variables its parts need (a part the preset leaves out declares none). The stack
 * owns every provider; the platform receives what it needs. The platform's construct id is
 * `Default`, which cdktf leaves out of logical IDs: the addresses are those of the stack before
 * the platform construct existed (proven by __tests__/app/production-stack-unchanged.test.ts).
 */
export class PlatformStack extends AiaiStack {
  public readonly platform: AiaiPlatform;

  constructor(scope: Construct, id: string, config: ReferenceConfig, scenario: ReferenceScenario) {
    super(scope, id);
    const sizing = scenario.preset.sizing;
    const secret = (name: string, description: string) => secretVariable(this, name, { description }).stringValue;

    // Providers.
    new HcloudProvider(this, 'hcloud', { token: secret('hcloud_token', 'Hetzner Cloud API token (read/write) for this project') });
    const objectStorage = sizing.objectStore ? HetznerObjectStorage.provider(this, 'object-storage', { location: config.location }) : undefined;
    if (sizing.runnerPool !== false) {
      const githubToken = secret('github_token', 'GitHub token for Terraform: Secrets, Variables, Contents and Workflows (read and write) on the agent repository');
      new GithubProvider(this, 'github', { owner: config.githubOwner, token: githubToken });
    }
    // Secret delivery connects over SSH: with the operator's agent, or in CI with a private key.
    const sshPrivateKey =
      config.sshAuth === 'private-key'
        ? secretVariable(this, 'ssh_private_key', {
            description: 'Unencrypted OpenSSH private key (PEM) of an operator key, for secret delivery over SSH from CI',
            multiLine: true,
          }).stringValue
        : undefined;

    this.platform = new AiaiPlatform(this, 'Default', {
      project: config.project,
      environment: scenario.environment,
      preset: scenario.preset,
      location: config.location,
      access: { sshPublicKeys: config.sshPublicKeys, existingSshKeys: config.existingSshKeys, adminCidrs: config.adminCidrs },
      sshPrivateKey,
      objectStore: objectStorage ? { provider: objectStorage, bucketPrefix: scenario.bucketPrefix } : undefined,
      monitoring:
        sizing.monitoring === false
          ? undefined
          : {
              secrets: {
                hcloudSdToken: secret('hcloud_sd_token', 'Hetzner Cloud API token (read-only) for Prometheus service discovery'),
                alertWebhookUrl: secret('alert_webhook_url', 'URL the Alertmanager webhook receiver posts to'),
                grafanaAdminPassword: secret('grafana_admin_password', 'Initial password of the Grafana admin user'),
              },
              hcloudSnapshotToken: sizing.monitoring.snapshots === false ? undefined : secret('hcloud_snapshot_token', 'Hetzner Cloud API token (read/write) for snapshot rotation'),
            },
      orchestrator: {
        repositoryUrl: config.repositoryUrl,
        repositoryRef: config.repositoryRef,
        secretEnvironment: {
          OPENROUTER_API_KEY: secret('openrouter_api_key', 'OpenRouter API key used by the agents'),
          GITHUB_TOKEN: secret('agent_github_token', 'GitHub token the agents use to push to the agent repository'),
        },
      },
      // Per-job runners on Hetzner for the agent repository, managed by the workflow this commits.
      runnerPool:
        sizing.runnerPool === false
          ? undefined
          : {
              ...scenario.runnerPool,
              repository: config.githubRepository,
              secrets: {
                hcloudToken: secret('runner_hcloud_token', 'Hetzner Cloud API token (read/write) the runner manager creates and deletes runner servers with'),
                githubToken: secret('runner_github_token', 'GitHub token with Administration: read and write on the agent repository, for runner registration'),
              },
              jobs: AGENT_CI_JOBS,
            },
    });

    // Volumes, load balancers and primary IPs: Hetzner delete protection + prevent_destroy.
    Aspects.of(this).add(new StatefulResourceProtection());
    // The scenario's monthly budget: synth fails with the breakdown when the estimate exceeds it.
    new CostBudget(this, 'Budget', { monthlyEur: scenario.monthlyBudgetEur });
    // The Hetzner rule pack: errors fail synth, the report lands next to cdk.tf.json.
    HetznerChecks.applyTo(this, { productionEnvironments: scenario.production ? [scenario.environment] : [] });
  }

  public get network(): PrivateNetwork {
    return this.platform.network;
  }

  public get access(): AdminAccess {
    return this.platform.access;
  }

  public get orchestrator(): AiaiOrchestrator {
    return this.platform.orchestrator;
  }

  /** @default - none when the scenario has no monitoring node */
  public get monitoring(): MonitoringNode | undefined {
    return this.platform.monitoring;
  }

  /** @default - none when the scenario has no object store */
  public get objectStore(): ObjectStore | undefined {
    return this.platform.objectStore;
  }

  /** @default - none when the scenario has no runner pool */
  public get runners(): EphemeralRunnerPool | undefined {
    return this.platform.runners;
  }
}

/** The stacks of the reference app. */
export interface ReferenceApp {
  readonly state: StateBootstrapStack;
  readonly bootstrap: PlatformStack;
  readonly minimal: PlatformStack;
  /** Standard production (`aiai-production`). */
  readonly production: PlatformStack;
  readonly productionHa: PlatformStack;
  /** @deprecated the standard production stack: use `production`. */
  readonly platform: PlatformStack;
  /** Every platform stack (all but the state stack), smallest scenario first. */
  readonly platformStacks: readonly PlatformStack[];
}

/**
 * Builds the state stack and the named platform stacks of the reference app into `app` (a test of
 * one scenario synthesizes only that one).
 */
export function buildReferenceStacks(app: App, config: ReferenceConfig, names: readonly string[]): { state: StateBootstrapStack; stacks: ReadonlyMap<string, PlatformStack> } {
  const state = new StateBootstrapStack(app, StackNames.state, { location: config.location, bucketName: config.stateBucketName });
  const scenarios = referenceScenarios(config).filter((s) => names.includes(s.stackName));
  const stacks = new Map(scenarios.map((s) => [s.stackName, new PlatformStack(app, s.stackName, config, s)]));
  // terraform_data needs 1.4, the S3 backend's endpoints/use_path_style 1.6: fail early and clearly.
  for (const stack of [state, ...stacks.values()]) stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  HetznerChecks.applyTo(state);
  for (const stack of stacks.values()) {
    if (config.stateBackend === 's3') state.useAsBackend(stack);
    else new LocalBackend(stack, { path: localStatePath(stack.node.id) });
  }
  return { state, stacks };
}

/** Builds every stack of the reference app into `app` (tests call this too). */
export function buildReferenceApp(app: App, config: ReferenceConfig = referenceConfig()): ReferenceApp {
  const { state, stacks } = buildReferenceStacks(app, config, referenceScenarios(config).map((s) => s.stackName));
  const get = (name: string) => stacks.get(name)!;
  const production = get(StackNames.production);
  return {
    state,
    bootstrap: get(StackNames.bootstrap),
    minimal: get(StackNames.minimal),
    production,
    productionHa: get(StackNames.productionHa),
    platform: production,
    platformStacks: [...stacks.values()],
  };
}

if (require.main === module) {
  // Token creation stacks only with AIAI_TOKEN_STACKS=1 (lib/app/token-stacks.ts): about a fifth of
  // `cdktf synth`'s run of this file, for stacks only token errors print.
  useTokenStacksWhenAsked();
  const app = new App();
  buildReferenceApp(app);
  app.synth();
}
