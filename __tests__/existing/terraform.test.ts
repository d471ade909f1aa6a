/**
 * A stack that joins what exists (network, firewall, SSH key, load balancer, buckets) through real
 * `terraform validate` and `terraform plan` with the offline stand-in providers: it plans one create
 * per resource of its JSON, reads the existing objects it looks up, and creates none of them.
 */
import { AdminAccess } from '../../lib/host/admin-access';
import { PrivateNetwork } from '../../lib/network/private-network';
import { RoleFirewall } from '../../lib/network/role-firewall';
import { HetznerObjectStorage, ObjectStore } from '../../lib/object-store';
import { AiaiOrchestrator } from '../../lib/orchestrator/aiai-orchestrator';
import { EphemeralRunnerPool } from '../../lib/runner-pool/ephemeral-runner-pool';
import { ADMIN_CIDR, secretToken, synth } from '../support/stack';
import { githubStack, poolSecrets } from '../runner-pool/helpers';
import { declaredInstances, describeWithTerraform, StandIn, startStandIn } from '../support/terraform';

function existingStack() {
  const stack = githubStack();
  const network = PrivateNetwork.fromExisting(stack, 'Net', {
    networkId: 4711,
    name: 'acme-net',
    ipRange: '10.20.0.0/16',
    subnetIpRange: '10.20.1.0/24',
    runnerSubnetIpRange: '10.20.8.0/24',
    usedAddresses: { '10.20.1.5': 'acme-lb' },
  });
  const access = new AdminAccess(stack, 'Access', { existingSshKeys: ['ops@acme'], adminCidrs: [ADMIN_CIDR] });
  const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
  const store = ObjectStore.fromExisting(stack, 'Store', {
    provider,
    bucketNames: { logs: 'acme-logs', metrics: 'acme-metrics', artifacts: 'acme-artifacts', backups: 'acme-backups' },
  });
  new AiaiOrchestrator(stack, 'Orchestrator', {
    environment: 'test',
    network,
    access,
    firewalls: [RoleFirewall.fromExisting(stack, 'Shared', { firewallId: '90210' })],
    existingLoadBalancer: { loadBalancerId: 777, privateIp: '10.20.1.6' },
    repositoryUrl: 'https://github.com/example/aiai.git',
    secretEnvironment: { OPENROUTER_API_KEY: secretToken(stack, 'openrouter_api_key') },
    offsiteBackup: store,
  });
  new EphemeralRunnerPool(stack, 'Pool', {
    environment: 'test',
    pool: 'ci',
    repository: 'aiai',
    network,
    access,
    secrets: poolSecrets(stack),
    jobs: { build: { name: 'Build', steps: [{ run: 'make test' }] } },
  });
  return synth(stack);
}

describeWithTerraform('a stack inside an existing project through terraform (stand-in providers)', () => {
  const json = existingStack();
  let tf: StandIn;
  beforeAll(async () => {
    tf = await startStandIn();
  });
  afterAll(async () => {
    await tf?.close();
  });

  test('validates and plans one create per resource of its JSON, reading the existing key and load balancer', async () => {
    const ws = tf.workspace(json);
    expect((await ws.validate()).messages).toEqual([]);
    const plan = await ws.plan();
    const declared = declaredInstances(json);
    for (const type of ['hcloud_network', 'hcloud_network_subnet', 'hcloud_load_balancer', 'hcloud_load_balancer_network', 'hcloud_ssh_key', 'aws_s3_bucket']) {
      expect({ type, declared: declared[type] }).toEqual({ type, declared: undefined });
    }
    const creates = Object.fromEntries(Object.entries(plan.countsByType).filter(([, c]) => c.create !== undefined).map(([t, c]) => [t, c.create]));
    expect(creates).toEqual(declared);
    expect(plan.byAction.update).toEqual([]);
    expect(plan.byAction.delete).toEqual([]);
    const servers = Object.values(plan.resources).filter((r) => r.type === 'hcloud_server');
    expect(servers.map((s) => (s.after as { network: { network_id: number }[] }).network[0].network_id)).toEqual([4711, 4711]);
  });
});
