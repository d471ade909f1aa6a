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
