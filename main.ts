/**
 * The reference app: the aiai platform on Hetzner Cloud. `npm run synth` (or `npx cdktf synth`)
 * writes cdktf.out/stacks/<stack>/cdk.tf.json without credentials; deploy with `npx cdktf deploy <stack>`
 * and the TF_VAR_* secrets set (see README).
 */
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { HcloudProvider } from './.gen/providers/hcloud/provider';
import { AdminAccess, AiaiOrchestrator, PrivateNetwork, resourceName, roleLabels, secretVariable } from './lib';
import { ReferenceConfig, referenceConfig } from './lib/app/reference-config';

/** Stack names of the reference app. */
export const StackNames = {
  platform: 'aiai-production',
} as const;

/** The platform stack: network, access, orchestrator tier (monitoring, runners and storage join it). */
export class PlatformStack extends TerraformStack {
  public readonly network: PrivateNetwork;
  public readonly orchestrator: AiaiOrchestrator;

  constructor(scope: Construct, id: string, config: ReferenceConfig) {
    super(scope, id);
    new LocalBackend(this, { path: `terraform.tfstate.d/${id}.tfstate` });

    const hcloudToken = secretVariable(this, 'hcloud_token', { description: 'Hetzner Cloud API token (read/write) for this project' });
    new HcloudProvider(this, 'hcloud', { token: hcloudToken.stringValue });

    const identity = { project: config.project, environment: config.environment };
    this.network = new PrivateNetwork(this, 'Network', {
      name: resourceName(identity, 'net'),
      labels: roleLabels(identity, 'network'),
    });
    const access = new AdminAccess(this, 'Access', {
      sshPublicKeys: config.sshPublicKeys,
      adminCidrs: config.adminCidrs,
      namePrefix: resourceName(identity, 'key'),
      labels: roleLabels(identity, 'access'),
    });
    const openrouterKey = secretVariable(this, 'openrouter_api_key', { description: 'OpenRouter API key used by the agents' });
    const agentGithubToken = secretVariable(this, 'agent_github_token', { description: 'GitHub token the agents use to push to the agent repository' });

    this.orchestrator = new AiaiOrchestrator(this, 'Orchestrator', {
      ...identity,
      network: this.network,
      access,
      location: config.location,
      repositoryUrl: config.repositoryUrl,
      repositoryRef: config.repositoryRef,
      secretEnvironment: {
        OPENROUTER_API_KEY: openrouterKey.stringValue,
        GITHUB_TOKEN: agentGithubToken.stringValue,
      },
    });
  }
}

/** Builds every stack of the reference app into `app` (tests call this too). */
export function buildReferenceApp(app: App, config: ReferenceConfig = referenceConfig()): { platform: PlatformStack } {
  const platform = new PlatformStack(app, StackNames.platform, config);
  return { platform };
}

if (require.main === module) {
  const app = new App();
  buildReferenceApp(app);
  app.synth();
}
