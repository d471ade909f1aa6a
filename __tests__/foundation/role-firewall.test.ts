import { Ports, ServicePort } from '../../lib/core/ports';
import { PortSources } from '../../lib/network/port-rule';
import { RoleFirewall } from '../../lib/network/role-firewall';
import { ADMIN_CIDR, expectProblem, onlyResource, synth, testStack, validationError } from '../support/stack';

const labels = { project: 'aiai', role: 'orchestrator', environment: 'test' };

describe('RoleFirewall', () => {
  test('one Hetzner firewall with inbound rules for public ports only, labelled', () => {
    const stack = testStack();
    const fw = new RoleFirewall(stack, 'Fw', {
      name: 'aiai-test-orchestrator',
      privateRange: '10.0.0.0/16',
      adminCidrs: [ADMIN_CIDR],
      labels,
      rules: [
        { port: Ports.ssh, from: PortSources.admin },
        { port: Ports.orchestratorApi, from: PortSources.private },
      ],
    });
    const f = onlyResource(synth(stack), 'hcloud_firewall');
    expect(f.name).toBe('aiai-test-orchestrator');
    expect(f.labels).toEqual(labels);
    expect(f.rule).toEqual([{ direction: 'in', protocol: 'tcp', port: '22', source_ips: [ADMIN_CIDR], description: 'ssh' }]);
    expect(fw.firewallId).toMatch(/^\$\{TfToken\[/);
  });

  test('addRules extends the firewall (e.g. with a host\'s port rules) without duplicates', () => {
    const stack = testStack();
    const fw = new RoleFirewall(stack, 'Fw', { name: 'fw', privateRange: '10.0.0.0/16', adminCidrs: [ADMIN_CIDR], rules: [] });
    fw.addRules([{ port: Ports.ssh, from: PortSources.admin }, { port: Ports.nodeExporter, from: PortSources.private }]);
    fw.addRules([{ port: Ports.ssh, from: PortSources.admin }]);
    const f = onlyResource(synth(stack), 'hcloud_firewall');
    expect(f.rule).toEqual([{ direction: 'in', protocol: 'tcp', port: '22', source_ips: [ADMIN_CIDR], description: 'ssh' }]);
  });

  test('fails if a label breaks Hetzner\'s label rules', () => {
    expectProblem(validationError(() => new RoleFirewall(testStack(), 'Fw', { name: 'fw', privateRange: '10.0.0.0/16', adminCidrs: [ADMIN_CIDR], rules: [], labels: { role: 'x'.repeat(64) } })), {
      path: 'test/Fw',
      property: 'labels.role',
      value: 'x'.repeat(64),
      allowed: /^a label value of at most 63 letters/,
    });
  });

  test('fails if there are more rules than Hetzner allows', () => {
    const stack = testStack();
    const ports: ServicePort[] = Array.from({ length: 51 }, (_, i) => ({ name: `p${i}`, port: 20000 + i, protocol: 'tcp', description: `port ${i}` }));
    expectProblem(
      validationError(
        () => new RoleFirewall(stack, 'Fw', { name: 'fw', privateRange: '10.0.0.0/16', adminCidrs: [ADMIN_CIDR], rules: ports.map((port) => ({ port, from: PortSources.admin })) }),
      ),
      { path: 'test/Fw', property: 'rules', value: 51, allowed: /^at most 50 rules per Hetzner firewall$/ },
    );
  });
});

describe('malformed props and rules (found by __tests__/properties)', () => {
  const base = { name: 'fw', privateRange: '10.0.0.0/16', adminCidrs: [ADMIN_CIDR], rules: [] };

  test('fails if the name, the private range or the admin CIDRs are malformed', () => {
    const err = validationError(() => new RoleFirewall(testStack(), 'Fw', { ...base, name: '', privateRange: '10.0.0.1/16', adminCidrs: ['nope'] }));
    expectProblem(err, { path: 'test/Fw', property: 'name', value: '', allowed: /^a name of 1-63/ });
    expectProblem(err, { path: 'test/Fw', property: 'privateRange', value: '10.0.0.1/16', allowed: /^an IPv4 CIDR/ });
    expectProblem(err, { path: 'test/Fw', property: 'adminCidrs[0]', value: 'nope', allowed: /^an IPv4 or IPv6 CIDR/ });
  });

  test('fails if a rule has a port out of range, an unknown protocol or source, or no CIDRs (a TypeError before)', () => {
    const custom: ServicePort = { name: 'custom', port: 70000, protocol: 'icmp' as any, description: 'x' };
    const err = validationError(() =>
      new RoleFirewall(testStack(), 'Fw', { ...base, rules: [{ port: custom, from: PortSources.admin }, { port: Ports.ssh, from: { kind: 'world' } as any }, { port: Ports.ssh, from: { kind: 'cidrs', cidrs: null } as any }] }),
    );
    expectProblem(err, { path: 'test/Fw', property: 'rules[0].port.port', value: 70000, allowed: /^an integer port from 1 to 65535$/ });
    expectProblem(err, { path: 'test/Fw', property: 'rules[0].port.protocol', value: 'icmp', allowed: /^tcp or udp$/ });
    expectProblem(err, { path: 'test/Fw', property: 'rules[1].from.kind', value: 'world', allowed: /^one of private, admin, cidrs/ });
    expectProblem(err, { path: 'test/Fw', property: 'rules[2].from.cidrs', value: null, allowed: /^a non-empty array of CIDRs$/ });
  });

  test('fails if addRules gets a rule that is not one (numbered after the rules already added)', () => {
    const fw = new RoleFirewall(testStack(), 'Fw', { ...base, rules: [{ port: Ports.ssh, from: PortSources.admin }] });
    expectProblem(validationError(() => fw.addRules([null as any])), { path: 'test/Fw', property: 'rules[1]', value: null, allowed: /^a port rule/ });
  });

  test('fails if a rule is open to the admin CIDRs and there are none (a cloud rule without source IPs)', () => {
    expectProblem(validationError(() => new RoleFirewall(testStack(), 'Fw', { ...base, adminCidrs: [], rules: [{ port: Ports.ssh, from: PortSources.admin }] })), {
      path: 'test/Fw',
      property: 'adminCidrs',
      value: [],
      allowed: /^at least one CIDR \(rule for port 22/,
    });
  });
});
