import { Construct } from 'constructs';
import { assignableAddresses, defaultRunnerSubnet, IpPlan, NetworkPlan, RESERVED_GATEWAY_OFFSET } from '../../lib/network/ip-plan';
import { expectProblem, network, onlyResource, resources, synth, testStack, validationError } from '../support/stack';

describe('PrivateNetwork', () => {
  test('defaults: 10.0.0.0/16 with the host subnet 10.0.1.0/24 and the runner subnet 10.0.2.0/24 in eu-central, delete-protected', () => {
    const stack = testStack();
    const net = network(stack, { labels: { project: 'aiai', role: 'network', environment: 'test' } });
    const json = synth(stack);
    const n = onlyResource(json, 'hcloud_network');
    expect(n).toMatchObject({ name: 'test-net', ip_range: '10.0.0.0/16', delete_protection: true, labels: { project: 'aiai', role: 'network', environment: 'test' } });
    const subnets = resources(json, 'hcloud_network_subnet');
    expect(subnets.map(({ type, network_zone, ip_range }) => ({ type, network_zone, ip_range }))).toEqual([
      { type: 'cloud', network_zone: 'eu-central', ip_range: '10.0.2.0/24' },
      { type: 'cloud', network_zone: 'eu-central', ip_range: '10.0.1.0/24' },
    ]);
    for (const s of subnets) expect(s.network_id).toMatch(/^\$\{hcloud_network\.Net_Network_[0-9A-F]+\.id\}$/);
    expect(net.ipRange).toBe('10.0.0.0/16');
    expect(net.subnetIpRange).toBe('10.0.1.0/24');
    expect(net.runnerSubnetIpRange).toBe('10.0.2.0/24');
    expect(net.networkZone).toBe('eu-central');
    // Attachments wait for every subnet (a subnet created meanwhile would lock the network).
    expect(net.attachDependencies).toEqual([net.subnet, net.runnerSubnet]);
  });

  test('the IP plan of the research doc: LB .5, orchestrators .10/.11, monitoring .20, runners from .30', () => {
    const net = network(testStack());
    expect(net.addressAt(IpPlan.loadBalancer)).toBe('10.0.1.5');
    expect(net.addressAt(IpPlan.orchestratorPrimary)).toBe('10.0.1.10');
    expect(net.addressAt(IpPlan.orchestratorStandby)).toBe('10.0.1.11');
    expect(net.addressAt(IpPlan.monitoring)).toBe('10.0.1.20');
    expect(net.addressAt(IpPlan.runnersFrom)).toBe('10.0.1.30');
    expect(RESERVED_GATEWAY_OFFSET).toBe(1);
  });

  test('the runner subnet by default: the block of the host subnet\'s size right after it', () => {
    expect(NetworkPlan).toEqual({ ipRange: '10.0.0.0/16', hostSubnet: '10.0.1.0/24' });
    expect(defaultRunnerSubnet(NetworkPlan.hostSubnet)).toBe('10.0.2.0/24');
    expect(defaultRunnerSubnet('172.16.0.0/20')).toBe('172.16.16.0/20');
    expect(defaultRunnerSubnet('10.255.255.0/24')).toBe('11.0.0.0/24');
    expect(defaultRunnerSubnet('255.255.255.0/24')).toBeUndefined();
    expect(defaultRunnerSubnet('nonsense')).toBeUndefined();
    // Network, gateway and broadcast are never assigned.
    expect(assignableAddresses(24)).toBe(253);
    expect(assignableAddresses(29)).toBe(5);
  });

  test('addressAt refuses offsets outside the subnet', () => {
    const net = network(testStack());
    expect(() => net.addressAt(0)).toThrow(/^Invalid props for test\/Net:\n  - addressAt\(offset\): got 0; allowed: an integer offset inside subnet 10.0.1.0\/24/);
    expect(() => net.addressAt(255)).toThrow(/got 255; allowed: an integer offset inside subnet/);
    expect(() => net.addressAt(1.5)).toThrow(/got 1.5; allowed: an integer offset inside subnet/);
  });

  test('custom ranges, zone, labels off and additional subnets', () => {
    const stack = testStack();
    network(stack, { ipRange: '172.16.0.0/16', subnetIpRange: '172.16.0.0/24', networkZone: 'us-east', additionalSubnets: ['172.16.8.0/22'], deleteProtection: false });
    const json = synth(stack);
    const n = onlyResource(json, 'hcloud_network');
    expect(n.delete_protection).toBe(false);
    expect(n.labels).toBeUndefined();
    const subnets = resources(json, 'hcloud_network_subnet');
    // The runner subnet follows the host subnet: the next block of its size.
    expect(subnets.map((s) => s.ip_range).sort()).toEqual(['172.16.0.0/24', '172.16.1.0/24', '172.16.8.0/22']);
    expect(subnets.every((s) => s.network_zone === 'us-east' && s.type === 'cloud')).toBe(true);
  });

  test('reserveAddress hands out an address once', () => {
    const stack = testStack();
    const net = network(stack);
    const owner = new Construct(stack, 'Host');
    expect(net.reserveAddress(owner, 'privateIp', '10.0.1.10')).toBe('10.0.1.10');
  });

  test.each([
    ['10.0.2.10', /an IPv4 address inside subnet 10\.0\.1\.0\/24 \(not its network or broadcast address\)/],
    ['10.0.1.0', /inside subnet 10\.0\.1\.0\/24/],
    ['10.0.1.255', /inside subnet 10\.0\.1\.0\/24/],
    ['10.0.1', /inside subnet/],
  ])('fails if the IP %s is outside the subnet (or its network/broadcast address)', (ip, allowed) => {
    const stack = testStack();
    const net = network(stack);
    const owner = new Construct(stack, 'Host');
    expectProblem(validationError(() => net.reserveAddress(owner, 'privateIp', ip)), { path: 'test/Host', property: 'privateIp', value: ip, allowed });
  });

  test('fails if the IP is the gateway .1', () => {
    const stack = testStack();
    const net = network(stack);
    const owner = new Construct(stack, 'Host');
    expectProblem(validationError(() => net.reserveAddress(owner, 'privateIp', '10.0.1.1')), {
      path: 'test/Host',
      property: 'privateIp',
      value: '10.0.1.1',
      allowed: /an address other than 10\.0\.1\.1, which Hetzner reserves for the subnet gateway/,
    });
  });

  test('fails if the IP is already taken, naming who has it', () => {
    const stack = testStack();
    const net = network(stack);
    net.reserveAddress(new Construct(stack, 'First'), 'privateIp', '10.0.1.20');
    expectProblem(validationError(() => net.reserveAddress(new Construct(stack, 'Second'), 'privateIp', '10.0.1.20')), {
      path: 'test/Second',
      property: 'privateIp',
      value: '10.0.1.20',
      allowed: /an address not already taken \(10\.0\.1\.20 is used by test\/First\)/,
    });
  });

  test('checkLocation returns the location in the zone', () => {
    const stack = testStack();
    const net = network(stack);
    expect(net.checkLocation(new Construct(stack, 'Host'), 'location', 'hel1').networkZone).toBe('eu-central');
  });

  test('fails if the location is outside the network zone', () => {
    const stack = testStack();
    const net = network(stack);
    expectProblem(validationError(() => net.checkLocation(new Construct(stack, 'Host'), 'location', 'ash')), {
      path: 'test/Host',
      property: 'location',
      value: 'ash',
      allowed: /^a location in network zone eu-central of test\/Net \(fsn1, nbg1, hel1\)$/,
    });
  });

  test('fails if the location is unknown', () => {
    const stack = testStack();
    const net = network(stack);
    expectProblem(validationError(() => net.checkLocation(new Construct(stack, 'Host'), 'location', 'fra1')), {
      path: 'test/Host',
      property: 'location',
      value: 'fra1',
      allowed: /^one of fsn1, nbg1, hel1, ash, hil, sin$/,
    });
  });

  test('fails if the name is not a Hetzner resource name', () => {
    expectProblem(validationError(() => network(testStack(), { name: 'bad name!' })), {
      path: 'test/Net',
      property: 'name',
      value: 'bad name!',
      allowed: /letters, digits/,
    });
  });

  test.each(['8.8.0.0/16', '10.0.0.0/25', '10.0.0.5/16', 'nonsense'])('fails if ipRange is %j (not an RFC 1918 block of /24 or larger)', (ipRange) => {
    expectProblem(validationError(() => network(testStack(), { ipRange })), {
      path: 'test/Net',
      property: 'ipRange',
      value: ipRange,
      allowed: /^an RFC 1918 IPv4 block of \/24 or larger/,
    });
  });

  test.each(['10.1.1.0/24', '10.0.1.0/30', '10.0.1.0'])('fails if subnetIpRange is %j (outside the range or too small)', (subnetIpRange) => {
    expectProblem(validationError(() => network(testStack(), { subnetIpRange })), {
      path: 'test/Net',
      property: 'subnetIpRange',
      value: subnetIpRange,
      allowed: /^a block of \/29 or larger inside ipRange 10\.0\.0\.0\/16$/,
    });
  });

  test('fails if the network zone is unknown', () => {
    expectProblem(validationError(() => network(testStack(), { networkZone: 'eu-west' as never })), {
      path: 'test/Net',
      property: 'networkZone',
      value: 'eu-west',
      allowed: /^one of eu-central, us-east, us-west, ap-southeast$/,
    });
  });

  test('fails if subnets overlap', () => {
    const err = validationError(() => network(testStack(), { additionalSubnets: ['10.0.4.0/24', '10.0.1.128/25', '10.0.4.0/23', '10.0.2.64/26'] }));
    expectProblem(err, { path: 'test/Net', property: 'additionalSubnets[1]', value: '10.0.1.128/25', allowed: /^a block that does not overlap 10\.0\.1\.0\/24$/ });
    expectProblem(err, { path: 'test/Net', property: 'additionalSubnets[2]', value: '10.0.4.0/23', allowed: /^a block that does not overlap 10\.0\.4\.0\/24$/ });
    expectProblem(err, { path: 'test/Net', property: 'additionalSubnets[3]', value: '10.0.2.64/26', allowed: /^a block that does not overlap 10\.0\.2\.0\/24$/ });
    expect(err.problems).toHaveLength(3);
  });

  test('a custom runner subnet', () => {
    const stack = testStack();
    const net = network(stack, { runnerSubnetIpRange: '10.0.128.0/20' });
    expect(net.runnerSubnetIpRange).toBe('10.0.128.0/20');
    expect(resources(synth(stack), 'hcloud_network_subnet').map((s) => s.ip_range).sort()).toEqual(['10.0.1.0/24', '10.0.128.0/20']);
  });

  test('a fixed host never gets an address in the runner subnet', () => {
    const stack = testStack();
    const net = network(stack);
    expectProblem(validationError(() => net.reserveAddress(new Construct(stack, 'Host'), 'privateIp', '10.0.2.10')), {
      path: 'test/Host',
      property: 'privateIp',
      value: '10.0.2.10',
      allowed: /^an IPv4 address inside subnet 10\.0\.1\.0\/24/,
    });
  });

  test.each([
    ['overlaps the host subnet', '10.0.0.0/23', /^a block that does not overlap subnetIpRange 10\.0\.1\.0\/24$/],
    ['lies outside the network', '10.1.0.0/24', /^a block of \/29 or larger inside ipRange 10\.0\.0\.0\/16$/],
    ['is too small', '10.0.2.0/30', /^a block of \/29 or larger inside ipRange 10\.0\.0\.0\/16$/],
    ['is no CIDR', '10.0.2.0', /^a block of \/29 or larger/],
  ])('fails if the runner subnet %s', (_what, runnerSubnetIpRange, allowed) => {
    expectProblem(validationError(() => network(testStack(), { runnerSubnetIpRange })), {
      path: 'test/Net',
      property: 'runnerSubnetIpRange',
      value: runnerSubnetIpRange,
      allowed,
    });
  });

  test('fails if the default runner subnet does not fit the network, asking for one', () => {
    expectProblem(validationError(() => network(testStack(), { ipRange: '10.0.0.0/24', subnetIpRange: '10.0.0.0/24' })), {
      path: 'test/Net',
      property: 'runnerSubnetIpRange',
      value: '10.0.1.0/24',
      allowed: /^a block of \/29 or larger inside ipRange 10\.0\.0\.0\/24 \(the default, the block after subnetIpRange, is not: set runnerSubnetIpRange\)$/,
    });
  });

  test('fails if an additional subnet lies outside the network range', () => {
    expectProblem(validationError(() => network(testStack(), { additionalSubnets: ['10.9.0.0/24'] })), {
      path: 'test/Net',
      property: 'additionalSubnets[0]',
      value: '10.9.0.0/24',
      allowed: /^an IPv4 block inside ipRange 10\.0\.0\.0\/16$/,
    });
  });

  test('fails if a label breaks Hetzner\'s label rules', () => {
    const err = validationError(() => network(testStack(), { labels: { project: 'aiai', role: 'has space', 'bad key!': 'x' } }));
    expectProblem(err, { path: 'test/Net', property: 'labels.role', value: 'has space', allowed: /^a label value of at most 63 letters/ });
    expectProblem(err, { path: 'test/Net', property: 'labels', value: 'bad key!', allowed: /^label keys of at most 63 letters/ });
  });

  test('reports every bad prop at once', () => {
    const err = validationError(() => network(testStack(), { name: '', ipRange: '8.8.8.0/24', networkZone: 'mars' as never }));
    expect(err.problems.map((p) => p.property).sort()).toEqual(['ipRange', 'name', 'networkZone', 'runnerSubnetIpRange', 'subnetIpRange']);
  });
});

describe('wrong-typed props (found by __tests__/properties)', () => {
  test('fails if the name is not a string (null reached the JSON as the network name)', () => {
    expectProblem(validationError(() => network(testStack(), { name: null as any })), { path: 'test/Net', property: 'name', value: null, allowed: /^a name of 1-63/ });
  });

  test('fails if additionalSubnets is not an array (a TypeError before)', () => {
    expectProblem(validationError(() => network(testStack(), { additionalSubnets: {} as any })), { path: 'test/Net', property: 'additionalSubnets', value: {}, allowed: /^an array of IPv4 blocks$/ });
  });

  test('fails if labels are not an object of strings (a string became labels 0, 1, ...; null reached the JSON)', () => {
    expectProblem(validationError(() => network(testStack(), { labels: 'labels' as any })), { path: 'test/Net', property: 'labels', value: 'labels', allowed: /^an object of label keys/ });
    expectProblem(validationError(() => network(testStack(), { labels: { team: null as any } })), { path: 'test/Net', property: 'labels.team', value: null, allowed: /^a label value/ });
  });
});
