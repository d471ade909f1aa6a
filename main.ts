/**
 * The reference app: the aiai platform on Hetzner Cloud. `npm run synth` (or `npx cdktf synth`)
 * writes cdktf.out/stacks/<stack>/cdk.tf.json without credentials; deploy with `npx cdktf deploy <stack>`
 * and the TF_VAR_* secrets set (see README).
 */
import { App, Aspects, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import {
  AdminAccess,
  AiaiOrchestrator,
  EphemeralRunnerPool,
  HcloudProvider,
  HetznerObjectStorage,
  localStatePath,
  MonitoringNode,
  ObjectStore,
  PrivateNetwork,
  resourceName,
  roleLabels,
  secretVariable,
  StateBootstrapStack,
  StatefulResourceProtection,
} from './lib';
import { type ReferenceConfig, referenceConfig } from './lib/app';

/** The Terraform versions the synthesized configuration works with. */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.6';

/** Stack names of the reference app. */
export const StackNames = {
  /** The state bucket (local state). Deploy it first when the platform uses the S3 backend. */
  state: 'aiai-state',
  platform: 'aiai-production',
} as const;

/**
 * The platform stack: network, access, monitoring, the orchestrator tier, object storage and the CI
 * runner pool (with its GitHub secrets, variables and workflow), in one Terraform graph. The stack
 * owns every provider; constructs receive what they need.
 */
export class PlatformStack extends TerraformStack {
  public readonly network: PrivateNetwork;
  public readonly orchestrator: AiaiOrchestrator;
  public readonly monitoring: MonitoringNode;
  public readonly objectStore: ObjectStore;
  public readonly runners: EphemeralRunnerPool;

  constructor(scope: Construct, id: string, config: ReferenceConfig) {
    super(scope, id);
    const identity = { project: config.project, environment: config.environment };

    // Providers.
    const hcloudToken = secretVariable(this, 'hcloud_token', { description: 'Hetzner Cloud API token (read/write) for this project' });
    new HcloudProvider(this, 'hcloud', { token: hcloudToken.stringValue });
    const objectStorage = HetznerObjectStorage.provider(this, 'object-storage', { location: config.location });
    const githubToken = secretVariable(this, 'github_token', {
      description: 'GitHub token for Terraform: Secrets, Variables, Contents and Workflows (read and write) on the agent repository',
    });
    new GithubProvider(this, 'github', { owner: config.githubOwner, token: githubToken.stringValue });

    // Shared pieces.
    this.network = new PrivateNetwork(this, 'Network', { name: resourceName(identity, 'net'), labels: roleLabels(identity, 'network') });
    const access = new AdminAccess(this, 'Access', {
      sshPublicKeys: config.sshPublicKeys,
      existingSshKeys: config.existingSshKeys,
      adminCidrs: config.adminCidrs,
      namePrefix: resourceName(identity, 'key'),
      labels: roleLabels(identity, 'access'),
    });
    this.objectStore = new ObjectStore(this, 'ObjectStore', { provider: objectStorage, bucketPrefix: config.bucketPrefix });
    // Secret delivery connects over SSH: with the operator's agent, or in CI with a private key.
    const sshPrivateKey =
      config.sshAuth === 'private-key'
        ? secretVariable(this, 'ssh_private_key', {
            description: 'Unencrypted OpenSSH private key (PEM) of an operator key, for secret delivery over SSH from CI',
            multiLine: true,
          }).stringValue
        : undefined;

    // Monitoring first: every host ships its logs to it.
    this.monitoring = new MonitoringNode(this, 'Monitoring', {
      ...identity,
      network: this.network,
      access,
      location: config.location,
      sshPrivateKey,
      secrets: {
        hcloudSdToken: secretVariable(this, 'hcloud_sd_token', { description: 'Hetzner Cloud API token (read-only) for Prometheus service discovery' }).stringValue,
        alertWebhookUrl: secretVariable(this, 'alert_webhook_url', { description: 'URL the Alertmanager webhook receiver posts to' }).stringValue,
        grafanaAdminPassword: secretVariable(this, 'grafana_admin_password', { description: 'Initial password of the Grafana admin user' }).stringValue,
      },
      disasterRecovery: {
        hcloudSnapshotToken: secretVariable(this, 'hcloud_snapshot_token', { description: 'Hetzner Cloud API token (read/write) for snapshot rotation' }).stringValue,
        objectStore: this.objectStore,
      },
    });

    this.orchestrator = new AiaiOrchestrator(this, 'Orchestrator', {
      ...identity,
      network: this.network,
      access,
      location: config.location,
      repositoryUrl: config.repositoryUrl,
      repositoryRef: config.repositoryRef,
      sshPrivateKey,
      logShipping: this.monitoring,
      offsiteBackup: this.objectStore,
      secretEnvironment: {
        OPENROUTER_API_KEY: secretVariable(this, 'openrouter_api_key', { description: 'OpenRouter API key used by the agents' }).stringValue,
        GITHUB_TOKEN: secretVariable(this, 'agent_github_token', { description: 'GitHub token the agents use to push to the agent repository' }).stringValue,
      },
    });

    // Per-job runners on Hetzner for the agent repository, managed by the workflow this commits.
    const checkout = { uses: 'actions/checkout@v5.0.0', with: { 'persist-credentials': false } };
    this.runners = new EphemeralRunnerPool(this, 'Runners', {
      ...identity,
      pool: 'ci',
      repository: config.githubRepository,
      network: this.network,
      logShipping: this.monitoring,
      access,
      location: config.location,
      secrets: {
        hcloudToken: secretVariable(this, 'runner_hcloud_token', { description: 'Hetzner Cloud API token (read/write) the runner manager creates and deletes runner servers with' }).stringValue,
        githubToken: secretVariable(this, 'runner_github_token', { description: 'GitHub token with Administration: read and write on the agent repository, for runner registration' }).stringValue,
      },
      jobs: {
        lint: {
          name: 'Lint',
          timeoutMinutes: 15,
          steps: [checkout, { run: 'python3 -m venv .venv && .venv/bin/pip install ruff && .venv/bin/ruff check .' }],
        },
        test: {
          name: 'Tests',
          needs: ['lint'],
          timeoutMinutes: 60,
          steps: [checkout, { run: 'python3 -m venv .venv && .venv/bin/pip install -r requirements.txt' }, { run: '.venv/bin/pytest tests/ -v --tb=short' }],
        },
      },
    });

    // Volumes, load balancers and primary IPs: Hetzner delete protection + prevent_destroy.
    Aspects.of(this).add(new StatefulResourceProtection());
  }
}

/** Builds every stack of the reference app into `app` (tests call this too). */
export function buildReferenceApp(app: App, config: ReferenceConfig = referenceConfig()): { state: StateBootstrapStack; platform: PlatformStack } {
  const state = new StateBootstrapStack(app, StackNames.state, { location: config.location, bucketName: config.stateBucketName });
  const platform = new PlatformStack(app, StackNames.platform, config);
  // terraform_data needs 1.4, the S3 backend's endpoints/use_path_style 1.6: fail early and clearly.
  for (const stack of [state, platform]) stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  if (config.stateBackend === 's3') {
    state.useAsBackend(platform);
  } else {
    new LocalBackend(platform, { path: localStatePath(StackNames.platform) });
  }
  return { state, platform };
}

if (require.main === module) {
  const app = new App();
  buildReferenceApp(app);
  app.synth();
}
