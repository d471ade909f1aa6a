/**
 * A custom stack built from aiai-hetzner constructs, for a Hetzner project that already has its
 * network: an ephemeral GitHub Actions runner pool whose runners join that network, and the object
 * store (logs, metrics, artifacts, backups buckets). Nothing else of the platform is deployed, and
 * the network is not created or changed: the stack only adds the runners' subnet to it.
 *
 *   npm install && npm run synth     # writes cdktf.out/stacks/runners/cdk.tf.json
 *
 * See README.md beside this file.
 */
import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { EphemeralRunnerPool, HcloudProvider, HetznerObjectStorage, ObjectStore, PrivateNetwork, secretVariable } from 'aiai-hetzner';

/** The existing network's IP plan, as `hcloud network describe <name>` shows it. */
const EXISTING_NETWORK = {
  name: 'acme-net',
  ipRange: '10.0.0.0/16',
  /** The subnet the project's own servers use (the pool never places a runner in it). */
  subnetIpRange: '10.0.1.0/24',
  /** A free block for the runners: this stack adds it to the network as a subnet. */
  runnerSubnetIpRange: '10.0.64.0/24',
} as const;

class RunnersStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new HcloudProvider(this, 'hcloud', { token: secretVariable(this, 'hcloud_token', { description: 'Hetzner Cloud API token (read & write)' }).stringValue });
    new GithubProvider(this, 'github', { owner: 'acme', token: secretVariable(this, 'github_token', { description: 'GitHub token that manages the repository' }).stringValue });

    // The network by its ID, given at plan time (`TF_VAR_network_id`, from `hcloud network list`).
    const networkId = new TerraformVariable(this, 'network_id', { type: 'number', description: 'ID of the existing Hetzner network' }).numberValue;
    const network = PrivateNetwork.fromExisting(this, 'Network', { networkId, ...EXISTING_NETWORK, createRunnerSubnet: true });

    new EphemeralRunnerPool(this, 'Runners', {
      environment: 'ci',
      pool: 'ci',
      repository: 'app',
      network,
      // The servers the pool creates get no platform SSH key; name a key of the project to get in.
      secrets: {
        hcloudToken: secretVariable(this, 'runner_hcloud_token', { description: 'Hetzner token of the runner manager' }).stringValue,
        githubToken: secretVariable(this, 'runner_github_token', { description: 'GitHub token of the runner manager' }).stringValue,
      },
      jobs: { test: { name: 'Test', steps: [{ run: 'make test' }] } },
    });

    const s3 = HetznerObjectStorage.provider(this, 'object-storage', { location: 'fsn1' });
    new ObjectStore(this, 'Store', { provider: s3, bucketPrefix: 'acme-ci' });
  }
}

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out' });
new RunnersStack(app, 'runners');
app.synth();
