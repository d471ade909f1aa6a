/** Minimal stacks for the rule pack's tests: raw resources with exactly the attributes a rule reads. */
import { Testing, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { checkStack, PolicyReport } from '../../lib/policy';

/** A resource of any type with the given attributes (as synthesized), e.g. `res(s, 'hcloud_server', 'Web', {...})`. */
export function res(scope: Construct, type: string, id: string, attrs: Record<string, unknown>): TerraformResource {
  const r = new TerraformResource(scope, id, { terraformResourceType: type });
  for (const [k, v] of Object.entries(attrs)) r.addOverride(k, v);
  return r;
}

/** `${<type>.<name>.<attr>}` of a resource. */
export function ref(r: TerraformResource, attr = 'id'): string {
  return `\${${r.terraformResourceType}.${r.friendlyUniqueId}.${attr}}`;
}

export const ADMIN_CIDR = '203.0.113.10/32';

/** A firewall that only admits SSH from the admin CIDR. */
export function adminFirewall(scope: Construct, id = 'Firewall'): TerraformResource {
  return res(scope, 'hcloud_firewall', id, {
    name: id.toLowerCase(),
    rule: [{ direction: 'in', protocol: 'tcp', port: '22', source_ips: [ADMIN_CIDR] }],
  });
}

/** A server that breaks no rule (with its own admin firewall unless `firewall_ids` is given). */
export function goodServer(scope: Construct, id: string, attrs: Record<string, unknown> = {}): TerraformResource {
  const firewallIds = attrs.firewall_ids ?? [ref(adminFirewall(scope, `${id}Firewall`))];
  return res(scope, 'hcloud_server', id, {
    name: id.toLowerCase(),
    server_type: 'cx23',
    image: 'ubuntu-24.04',
    location: 'fsn1',
    labels: { project: 'aiai', environment: 'staging', role: 'orchestrator' },
    user_data: '#cloud-config\n',
    ...attrs,
    firewall_ids: firewallIds,
  });
}

/** A fresh stack in a fresh test app. */
export function newStack(id = 'policy-test'): TerraformStack {
  return new TerraformStack(Testing.app(), id);
}

/** The report of a stack built by `build`. */
export function reportOf(build: (s: TerraformStack) => void): PolicyReport {
  const s = newStack();
  build(s);
  return checkStack(s);
}

/** Rule IDs of a report's findings (sorted, with repeats removed). */
export function ruleIds(report: PolicyReport): string[] {
  return [...new Set(report.findings.map((f) => f.ruleId))].sort();
}
