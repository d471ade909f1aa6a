import { Ports } from '../../lib/core/ports';
import { cloudFirewallRules, FirewallContext, ufwCommands } from '../../lib/network/firewall-rules';
import { PortRule, PortSources } from '../../lib/network/port-rule';

const ctx: FirewallContext = { privateRange: '10.0.0.0/16', adminCidrs: ['198.51.100.7/32', '2001:db8::/64'] };
const ssh: PortRule = { port: Ports.ssh, from: PortSources.admin };
const api: PortRule = { port: Ports.orchestratorApi, from: PortSources.private };
const https: PortRule = { port: { name: 'https', port: 443, protocol: 'tcp', description: 'HTTPS' }, from: PortSources.cidrs(['0.0.0.0/0']) };

describe('ufw commands from port rules', () => {
  test('default deny inbound, allow outbound, enable last', () => {
    const cmds = ufwCommands([], ctx);
    expect(cmds[0]).toEqual(['ufw', 'default', 'deny', 'incoming']);
    expect(cmds[1]).toEqual(['ufw', 'default', 'allow', 'outgoing']);
    expect(cmds[cmds.length - 1]).toEqual(['ufw', '--force', 'enable']);
    expect(cmds).toHaveLength(3);
  });

  test('admin ports are open to each admin CIDR and the private range (fail2ban handles brute force, not ufw limit)', () => {
    const cmds = ufwCommands([ssh], ctx).slice(2, -1);
    expect(cmds).toEqual([
      ['ufw', 'allow', 'proto', 'tcp', 'from', '198.51.100.7/32', 'to', 'any', 'port', '22', 'comment', 'ssh'],
      ['ufw', 'allow', 'proto', 'tcp', 'from', '2001:db8::/64', 'to', 'any', 'port', '22', 'comment', 'ssh'],
      ['ufw', 'allow', 'proto', 'tcp', 'from', '10.0.0.0/16', 'to', 'any', 'port', '22', 'comment', 'ssh'],
    ]);
  });

  test('private service ports are open to the private range only', () => {
    const cmds = ufwCommands([api], ctx).slice(2, -1);
    expect(cmds).toEqual([['ufw', 'allow', 'proto', 'tcp', 'from', '10.0.0.0/16', 'to', 'any', 'port', '8000', 'comment', 'orchestrator-api']]);
  });

  test('explicit CIDRs are allowed as given; duplicates collapse', () => {
    const cmds = ufwCommands([https, https, api, api], ctx).slice(2, -1);
    expect(cmds.map((c) => `${c[5]}:${c[9]}`)).toEqual(['0.0.0.0/0:443', '10.0.0.0/16:8000']);
  });

  test('ports come from the port definitions (no literals): every command names a defined port', () => {
    const all = ufwCommands([ssh, api, { port: Ports.nodeExporter, from: PortSources.private }], ctx).slice(2, -1);
    const defined = new Set(Object.values(Ports).map((p) => String(p.port)));
    expect(all.every((c) => defined.has(c[9]))).toBe(true);
  });
});

describe('cloud firewall rules from port rules', () => {
  test('only public rules become cloud rules; private ones are left to ufw', () => {
    expect(cloudFirewallRules([ssh, api, https], ctx)).toEqual([
      { direction: 'in', protocol: 'tcp', port: '22', sourceIps: ['198.51.100.7/32', '2001:db8::/64'], description: 'ssh' },
      { direction: 'in', protocol: 'tcp', port: '443', sourceIps: ['0.0.0.0/0'], description: 'https' },
    ]);
  });

  test('SSH is only reachable from the admin CIDRs, never the private range (which Hetzner does not filter)', () => {
    const [rule] = cloudFirewallRules([ssh], ctx);
    expect(rule.sourceIps).toEqual(ctx.adminCidrs);
    expect(rule.sourceIps).not.toContain('0.0.0.0/0');
  });

  test('no rules for a host with private ports only', () => {
    expect(cloudFirewallRules([api, { port: Ports.aiaiMetrics, from: PortSources.private }], ctx)).toEqual([]);
  });

  test('duplicates collapse', () => {
    expect(cloudFirewallRules([ssh, ssh, { port: Ports.ssh, from: PortSources.admin }], ctx)).toHaveLength(1);
  });
});
