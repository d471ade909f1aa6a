import { Construct } from 'constructs';
import { Firewall } from '../../.gen/providers/hcloud/firewall';
import { PropValidator } from '../core/validation-error';
import { HetznerLimits } from '../hetzner/catalog';
import { cloudFirewallRules, FirewallContext } from './firewall-rules';
import { PortRule } from './port-rule';

export interface RoleFirewallProps extends FirewallContext {
  /** Firewall name. */
  readonly name: string;
  /** The role's port rules; only public ones (admin or explicit CIDRs) become cloud firewall rules. */
  readonly rules: readonly PortRule[];
  /** Labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A Hetzner Cloud Firewall for one role. Inbound is default-deny: a rule exists only for ports the
 * role opens to the admin CIDRs or explicit CIDRs. Servers join it through `firewall_ids`.
 */
export class RoleFirewall extends Construct {
  public readonly firewall: Firewall;

  constructor(scope: Construct, id: string, props: RoleFirewallProps) {
    super(scope, id);
    const rules = cloudFirewallRules(props.rules, props);
    const v = new PropValidator(this);
    v.check('rules', rules.length, rules.length <= HetznerLimits.firewallRules, `at most ${HetznerLimits.firewallRules} rules per Hetzner firewall`);
    v.throwIfInvalid();
    this.firewall = new Firewall(this, 'Firewall', {
      name: props.name,
      labels: props.labels ? { ...props.labels } : undefined,
      rule: rules,
    });
  }

  public get firewallId(): string {
    return this.firewall.id;
  }
}
