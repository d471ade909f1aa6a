/**
 * The scaling case of `npm run bench`: one platform stack with AIAI_BENCH_HOSTS persistent runner
 * hosts (default 10), in groups of 100 per private network (10.<g>.0.0/16; a runner's private IP is
 * `.30 + instance` of its /24 host subnet, so one subnet holds at most 225), each group with its own
 * admin access, all sharing one GitHub credential variable. Synthesized to CDKTF_OUTDIR.
 */
import { App, TerraformStack } from 'cdktf';
import { AdminAccess, AiaiStack, HcloudProvider, PersistentRunner, PrivateNetwork, secretVariable } from '../../lib';

const GROUP = 100;

export function buildScaleApp(app: App, hosts: number): TerraformStack {
  const stack = new AiaiStack(app, 'aiai-scale');
  const token = secretVariable(stack, 'hcloud_token', { description: 'Hetzner Cloud API token' });
  new HcloudProvider(stack, 'hcloud', { token: token.stringValue });
  const githubToken = secretVariable(stack, 'runner_github_token', { description: 'GitHub token that registers the runners' }).stringValue;
  for (let g = 0; g * GROUP < hosts; g++) {
    const network = new PrivateNetwork(stack, `Network${g}`, { name: `aiai-bench-net-${g}`, ipRange: `10.${g}.0.0/16`, subnetIpRange: `10.${g}.1.0/24` });
    const access = new AdminAccess(stack, `Access${g}`, { sshPublicKeys: { ops: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBench ops' }, adminCidrs: ['203.0.113.0/24'], namePrefix: `aiai-bench-${g}` });
    for (let i = 0; i < Math.min(GROUP, hosts - g * GROUP); i++) {
      new PersistentRunner(stack, `Runner${g}-${i}`, { environment: `bench${g}`, instance: i, network, access, repository: 'acme/app', githubToken });
    }
  }
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildScaleApp(app, Number(process.env.AIAI_BENCH_HOSTS ?? 10));
  app.synth();
}
