/**
 * Use inside existing projects: an existing network (by ID, with its IP plan), existing firewalls,
 * SSH keys, buckets and a load balancer join the constructs through the same interfaces the
 * constructs take. Happy paths reference the given IDs and create none of what exists; conflicts
 * with the plan fail at synth with a ValidationError naming path, property, value and what is allowed.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import { AdminAccess } from '../../lib/host/admin-access';
import { MonitoringNode } from '../../lib/monitoring/monitoring-node';
import { PrivateNetwork } from '../../lib/network/private-network';
import { ExistingPrivateNetworkProps } from '../../lib/network/existing-network';
import { RoleFirewall } from '../../lib/network/role-firewall';
import { HetznerObjectStorage, ObjectStore } from '../../lib/object-store';
import { AiaiOrchestrator, AiaiOrchestratorProps } from '../../lib/orchestrator/aiai-orchestrator';
import { EphemeralRunnerPool } from '../../lib/runner-pool/ephemeral-runner-pool';
import { access, ADMIN_CIDR, expectProblem, resources, secretToken, synth, testStack, validationError } from '../support/stack';
import { githubStack, poolSecrets } from '../runner-pool/helpers';

const NETWORK_ID = 4711;
const plan: ExistingPrivateNetworkProps = {
  networkId: NETWORK_ID,
  name: 'acme-net',
  ipRange: '10.20.0.0/16',
  subnetIpRange: '10.20.1.0/24',
  runnerSubnetIpRange: '10.20.8.0/24',
};

function existingNetwork(stack: TerraformStack, props: Partial<ExistingPrivateNetworkProps> = {}, id = 'Net') {
  return PrivateNetwork.fromExisting(stack, id, { ...plan, ...props });
}

/** The orchestrator's props; the network and access of the stack are made once (or taken from `more`). */
function orchestratorProps(stack: TerraformStack, more: Partial<AiaiOrchestratorProps> = {}): AiaiOrchestratorProps {
  const shared = (id: string, make: () => unknown) => (stack.node.tryFindChild(id) as never) ?? make();
  return {
    environment: 'test',
    network: more.network ?? shared('Net', () => existingNetwork(stack)),
    access: more.access ?? shared('Access', () => access(stack)),
    repositoryUrl: 'https://github.com/example/aiai.git',
    secretEnvironment: { OPENROUTER_API_KEY: (stack.node.tryFindChild('openrouter_api_key') as TerraformVariable | undefined)?.stringValue ?? secretToken(stack, 'openrouter_api_key') },
    ...more,
  };
}

describe('PrivateNetwork.fromExisting', () => {
  test('hosts attach to the given network ID at the IP plan offsets of its host subnet; no network or subnet is created', () => {
    const stack = testStack();
    new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack));
    const json = synth(stack);
    expect(json.resource.hcloud_network).toBeUndefined();
    expect(json.resource.hcloud_network_subnet).toBeUndefined();
    const servers = resources(json, 'hcloud_server');
    expect(servers.map((s) => s.network)).toEqual([
      [{ network_id: NETWORK_ID, ip: '10.20.1.10', alias_ips: [] }],
      [{ network_id: NETWORK_ID, ip: '10.20.1.11', alias_ips: [] }],
    ]);
    // Nothing to wait for: the subnets exist.
    for (const s of servers) expect(s.depends_on ?? []).toEqual([]);
    expect(resources(json, 'hcloud_load_balancer_network')).toEqual([expect.objectContaining({ network_id: NETWORK_ID, ip: '10.20.1.5' })]);
  });

  test('the runner pool uses the network ID and the runner subnet; with createRunnerSubnet that subnet is added to the existing network', () => {
    const stack = githubStack();
    const net = existingNetwork(stack, { createRunnerSubnet: true });
    new EphemeralRunnerPool(stack, 'Pool', {
      environment: 'test',
      pool: 'ci',
      repository: 'aiai',
      network: net,
      secrets: poolSecrets(stack),
      jobs: { build: { name: 'Build', steps: [{ run: 'make test' }] } },
    });
    const json = synth(stack);
    expect(json.resource.hcloud_network).toBeUndefined();
    expect(resources(json, 'hcloud_network_subnet')).toEqual([{ network_id: NETWORK_ID, type: 'cloud', network_zone: 'eu-central', ip_range: '10.20.8.0/24' }]);
    const vars = Object.fromEntries(resources(json, 'github_actions_variable').map((r) => [r.variable_name, r]));
    expect(vars.AIAI_RUNNER_NETWORK_ID.value).toBe(String(NETWORK_ID));
    expect(vars.AIAI_RUNNER_SUBNET_IP_RANGE.value).toBe('10.20.8.0/24');
    // A runner may start once the variable exists: the subnet it names must exist first.
    expect(vars.AIAI_RUNNER_SUBNET_IP_RANGE.depends_on).toEqual([expect.stringMatching(/^hcloud_network_subnet\.Net_RunnerSubnet_/)]);
  });

  test('a network ID from a Terraform variable is passed through as a reference', () => {
    const stack = testStack();
    const id = new TerraformVariable(stack, 'network_id', { type: 'number' }).numberValue;
    new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack, { network: existingNetwork(stack, { networkId: id }, 'Net2'), standby: false }));
    const json = synth(stack);
    expect(resources(json, 'hcloud_server')[0].network[0].network_id).toBe('${var.network_id}');
  });

  test('the monitoring node discovers hosts by the existing network name', () => {
    const stack = testStack();
    const node = new MonitoringNode(stack, 'Monitoring', {
      environment: 'test',
      network: existingNetwork(stack),
      access: access(stack),
      secrets: {
        hcloudSdToken: secretToken(stack, 'hcloud_sd_token'),
        alertWebhookUrl: secretToken(stack, 'alert_webhook_url'),
        grafanaAdminPassword: secretToken(stack, 'grafana_admin_password'),
      },
    });
    expect(node.privateIp).toBe('10.20.1.20');
    const json = synth(stack);
    expect(json.resource.hcloud_network).toBeUndefined();
    // Prometheus' Hetzner SD meta label of the private address is keyed by the network name.
    expect(JSON.stringify(json)).toContain('__meta_hetzner_hcloud_private_ipv4_acme_net');
  });

  test('fails if a host IP is already used by another host in the plan', () => {
    const stack = testStack();
    const props = orchestratorProps(stack);
    new AiaiOrchestrator(stack, 'Orchestrator', props);
    const err = validationError(() => new AiaiOrchestrator(stack, 'Second', { ...props, project: 'other' }));
    expectProblem(err, { path: 'test/Second/Primary', property: 'privateIp', value: '10.20.1.10', allowed: /not already taken \(10\.20\.1\.10 is used by test\/Orchestrator\/Primary\)/ });
  });

  test('fails if a host IP is used by a server outside the stack (usedAddresses)', () => {
    const stack = testStack();
    const network = existingNetwork(stack, { usedAddresses: { '10.20.1.10': 'legacy-db' } });
    const err = validationError(() => new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack, { network })));
    expectProblem(err, { path: 'test/Orchestrator/Primary', property: 'privateIp', value: '10.20.1.10', allowed: /10\.20\.1\.10 is used by legacy-db \(outside this stack, usedAddresses of test\/Net\)/ });
  });

  test('fails if the host subnet does not contain the address', () => {
    const stack = testStack();
    const network = existingNetwork(stack);
    const err = validationError(() => network.reserveAddress(network, 'privateIp', '10.20.2.10'));
    expectProblem(err, { path: 'test/Net', property: 'privateIp', value: '10.20.2.10', allowed: /inside subnet 10\.20\.1\.0\/24/ });
  });

  test.each([
    ['subnetIpRange', { subnetIpRange: '10.30.1.0/24' }, /inside ipRange 10\.20\.0\.0\/16/],
    ['runnerSubnetIpRange', { runnerSubnetIpRange: '10.21.0.0/24' }, /inside ipRange 10\.20\.0\.0\/16/],
    ['runnerSubnetIpRange', { runnerSubnetIpRange: '10.20.1.128/25' }, /does not overlap subnetIpRange 10\.20\.1\.0\/24/],
    ['otherSubnets[0]', { otherSubnets: ['10.20.8.0/22'] }, /overlaps no other subnet of the plan \(it overlaps runnerSubnetIpRange 10\.20\.8\.0\/24\)/],
    ['otherSubnets[1]', { otherSubnets: ['10.20.16.0/24', '10.20.16.0/25'] }, /it overlaps otherSubnets\[0\] 10\.20\.16\.0\/24/],
    ['otherSubnets[0]', { otherSubnets: ['172.16.0.0/24'] }, /inside ipRange/],
    ['usedAddresses.10.99.0.1', { usedAddresses: { '10.99.0.1': 'vpn' } }, /an IPv4 address inside ipRange 10\.20\.0\.0\/16/],
    ['usedAddresses.10.20.1.7', { usedAddresses: { '10.20.1.7': ' ' } }, /a non-empty description/],
    ['ipRange', { ipRange: '8.8.0.0/16' }, /RFC 1918/],
    ['networkId', { networkId: 0 }, /numeric ID of an existing Hetzner network/],
    ['networkId', { networkId: 1.5 }, /positive integer/],
    ['name', { name: '' }, /1-63 letters/],
  ] as const)('fails if %s is wrong (%j)', (property, props, allowed) => {
    const stack = testStack();
    const err = validationError(() => existingNetwork(stack, props as Partial<ExistingPrivateNetworkProps>));
    expectProblem(err, { path: 'test/Net', property, allowed });
  });

  test('fails if a server location is outside the existing network zone', () => {
    const stack = testStack();
    const network = existingNetwork(stack, { networkZone: 'us-east' });
    const err = validationError(() => new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack, { network, location: 'fsn1' })));
    expectProblem(err, { path: 'test/Orchestrator/Primary', property: 'location', value: 'fsn1', allowed: /network zone us-east of test\/Net/ });
  });
});

describe('RoleFirewall.fromExisting', () => {
  test("hosts join the existing firewall by its ID besides their role's own; its rules are not managed", () => {
    const stack = testStack();
    const shared = RoleFirewall.fromExisting(stack, 'Shared', { firewallId: '90210' });
    const o = new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack, { firewalls: [shared], standby: false }));
    const json = synth(stack);
    // One firewall created (the role's own); the existing one is referenced by ID.
    expect(resources(json, 'hcloud_firewall')).toHaveLength(1);
    expect(resources(json, 'hcloud_server')[0].firewall_ids).toEqual([expect.stringMatching(/^\$\{hcloud_firewall\.Orchestrator_Firewall_/), '90210']);
    expect(shared.managesRules).toBe(false);
    expect(o.firewall.managesRules).toBe(true);
    // The host's public ports are recorded (they are open on the role firewall), not applied to it.
    expect(shared.rules.map((r) => r.port.port)).toContain(22);
  });

  test.each([['abc'], [''], ['01']])('fails if firewallId is %j', (firewallId) => {
    const stack = testStack();
    const err = validationError(() => RoleFirewall.fromExisting(stack, 'Shared', { firewallId }));
    expectProblem(err, { path: 'test/Shared', property: 'firewallId', value: firewallId, allowed: /numeric ID of an existing Hetzner firewall/ });
  });

  test('fails if a host would join more firewalls than Hetzner allows, or one firewall twice', () => {
    const stack = testStack();
    const many = ['1', '2', '3', '4', '5'].map((id) => RoleFirewall.fromExisting(stack, `Fw${id}`, { firewallId: id }));
    const err = validationError(() => new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack, { firewalls: many, standby: false })));
    expectProblem(err, { path: 'test/Orchestrator/Primary', property: 'firewalls', value: 6, allowed: /at most 5 firewalls/ });
    const twice = RoleFirewall.fromExisting(stack, 'Again', { firewallId: '1' });
    const err2 = validationError(() => new AiaiOrchestrator(stack, 'Other', orchestratorProps(stack, { firewalls: [many[0], twice], standby: false, project: 'x' })));
    expectProblem(err2, { path: 'test/Other/Primary', property: 'firewallIds', value: '1', allowed: /each firewall once/ });
  });
});

describe('existing SSH keys', () => {
  test('an AdminAccess of existing keys only creates no hcloud_ssh_key; servers and runners get the keys it reads', () => {
    const stack = githubStack();
    const ops = new AdminAccess(stack, 'Access', { existingSshKeys: ['ops@acme', '1234'], adminCidrs: [ADMIN_CIDR] });
    const net = existingNetwork(stack);
    new AiaiOrchestrator(stack, 'Orchestrator', { ...orchestratorProps(stack, { network: net, access: ops, standby: false }) });
    new EphemeralRunnerPool(stack, 'Pool', {
      environment: 'test',
      pool: 'ci',
      repository: 'aiai',
      network: net,
      access: ops,
      secrets: poolSecrets(stack),
      jobs: { build: { name: 'Build', steps: [{ run: 'make test' }] } },
    });
    const json = synth(stack);
    expect(json.resource.hcloud_ssh_key).toBeUndefined();
    expect(Object.values(json.data.hcloud_ssh_key)).toEqual(expect.arrayContaining([{ name: 'ops@acme' }, { id: 1234 }]));
    expect(Object.keys(json.data.hcloud_ssh_key)).toHaveLength(2);
    expect(resources(json, 'hcloud_server')[0].ssh_keys).toEqual([expect.stringMatching(/^\$\{data\.hcloud_ssh_key\.Access_Existing-ops_acme_[0-9A-F]+\.id\}$/), '1234']);
    const sshVar = resources(json, 'github_actions_variable').find((r) => r.variable_name === 'AIAI_RUNNER_SSH_KEYS');
    expect(sshVar?.value).toContain('1234');
  });
});

describe('ObjectStore.fromExisting', () => {
  test('off-site backups go to the existing backups bucket; no bucket is created', () => {
    const stack = testStack();
    const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'nbg1' });
    const store = ObjectStore.fromExisting(stack, 'Store', {
      provider,
      bucketNames: { logs: 'acme-logs', metrics: 'acme-metrics', artifacts: 'acme-artifacts', backups: 'acme-backups' },
    });
    expect(store.endpoint).toBe('https://nbg1.your-objectstorage.com');
    new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack, { offsiteBackup: store, standby: false }));
    const json = synth(stack);
    expect(json.resource.aws_s3_bucket).toBeUndefined();
    expect(JSON.stringify(json)).toContain('acme-backups');
  });

  test.each([
    ['bucketNames.logs', { logs: 'Acme_Logs' }, /lowercase letters/],
    ['bucketNames.backups', { backups: 'acme-logs' }, /not already given as bucketNames\.logs/],
    ['bucketNames.metrics', { metrics: undefined }, /the literal name of an existing bucket/],
  ] as const)('fails if %s is wrong', (property, names, allowed) => {
    const stack = testStack();
    const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
    const bucketNames = { logs: 'acme-logs', metrics: 'acme-metrics', artifacts: 'acme-artifacts', backups: 'acme-backups', ...names } as never;
    const err = validationError(() => ObjectStore.fromExisting(stack, 'Store', { provider, bucketNames }));
    expectProblem(err, { path: 'test/Store', property, allowed });
  });
});

describe('AiaiOrchestrator existingLoadBalancer', () => {
  test('service and targets go to the existing load balancer; none is created; an attached one keeps its reserved address', () => {
    const stack = testStack();
    const o = new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack, { existingLoadBalancer: { loadBalancerId: 777, privateIp: '10.20.1.6', listenPort: 8080 } }));
    expect(o.loadBalancer).toBeUndefined();
    expect(o.loadBalancerId).toBe('777');
    const json = synth(stack);
    expect(json.resource.hcloud_load_balancer).toBeUndefined();
    expect(json.resource.hcloud_load_balancer_network).toBeUndefined();
    expect(resources(json, 'hcloud_load_balancer_service')).toEqual([expect.objectContaining({ load_balancer_id: '777', listen_port: 8080, destination_port: 8000 })]);
    const targets = resources(json, 'hcloud_load_balancer_target');
    expect(targets.map((t) => [t.load_balancer_id, t.use_private_ip, t.depends_on])).toEqual([[777, true, undefined], [777, true, undefined]]);
    // Its public address is read at plan for the output.
    expect(Object.values(json.data.hcloud_load_balancer)).toEqual([{ id: 777 }]);
    const output = Object.values<{ description: string; value: string }>(json.output).find((x) => x.description.startsWith('Public IPv4'));
    expect(output?.value).toMatch(/^\$\{data\.hcloud_load_balancer\.Orchestrator_ExistingLoadBalancer_[0-9A-F]+\.ipv4\}$/);
  });

  test('an existing load balancer not yet on the network is attached at the IP plan address', () => {
    const stack = testStack();
    new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack, { existingLoadBalancer: { loadBalancerId: 777 } }));
    const json = synth(stack);
    expect(resources(json, 'hcloud_load_balancer_network')).toEqual([expect.objectContaining({ load_balancer_id: 777, network_id: NETWORK_ID, ip: '10.20.1.5' })]);
    expect(resources(json, 'hcloud_load_balancer_service')[0].listen_port).toBe(80);
  });

  test('fails if the existing load balancer address is taken, or loadBalancerType is set with it, or its ID or port is bad', () => {
    const stack = testStack();
    const network = existingNetwork(stack, { usedAddresses: { '10.20.1.6': 'vpn-gateway' } });
    const err = validationError(() => new AiaiOrchestrator(stack, 'Orchestrator', orchestratorProps(stack, { network, existingLoadBalancer: { loadBalancerId: 7, privateIp: '10.20.1.6' } })));
    expectProblem(err, { path: 'test/Orchestrator', property: 'existingLoadBalancer.privateIp', value: '10.20.1.6', allowed: /used by vpn-gateway/ });
    const err2 = validationError(() => new AiaiOrchestrator(stack, 'O2', orchestratorProps(stack, { existingLoadBalancer: { loadBalancerId: -1, listenPort: 70000 }, loadBalancerType: 'lb21' })));
    expectProblem(err2, { path: 'test/O2', property: 'loadBalancerType', value: 'lb21', allowed: /unset with existingLoadBalancer/ });
    expectProblem(err2, { path: 'test/O2', property: 'existingLoadBalancer.loadBalancerId', value: -1, allowed: /numeric ID of an existing Hetzner load balancer/ });
    expectProblem(err2, { path: 'test/O2', property: 'existingLoadBalancer.listenPort', value: 70000, allowed: /1 to 65535/ });
  });
});
