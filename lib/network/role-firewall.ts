import { Construct } from 'constructs';
import { Firewall } from '../../.gen/providers/hcloud/firewall';
import { checkLabels } from '../core/label-checks';
import { PropValidator, requireProps } from '../core/validation-error';
import { HetznerLimits } from '../hetzner/catalog';
import { cloudFirewallRules, FirewallContext } from './firewall-rules';
import { PortRule } from './port-rule';

export interface RoleFirewallProps extends FirewallContext {
  /** Firewall name. */
  readonly name: string;
  /**
   * The role's port rules; only public ones (admin or explicit CIDRs) become cloud firewall rules.
   * Hosts add their own rules with `addRules` (HardenedServer does so for its `firewalls`).
   */
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
  private readonly portRules: PortRule[] = [];
  private readonly context: FirewallContext;

  constructor(scope: Construct, id: string, props: RoleFirewallProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    checkLabels(v, props.labels);
    v.throwIfInvalid();
    this.context = { privateRange: props.privateRange, adminCidrs: [...props.adminCidrs] };
    this.firewall = new Firewall(this, 'Firewall', {
      name: props.name,
      labels: props.labels ? { ...props.labels } : undefined,
      rule: [],
    });
    this.addRules(props.rules);
  }

  /**
   * Adds port rules (e.g. those of a host that joins the firewall); the public ones become inbound
   * rules, duplicates collapse. Throws a ValidationError past Hetzner's rule limit.
   */
  public addRules(rules: readonly PortRule[]): void {
    const next = [...this.portRules, ...rules];
    const cloud = cloudFirewallRules(next, this.context);
    const v = new PropValidator(this);
    v.check('rules', cloud.length, cloud.length <= HetznerLimits.firewallRules, `at most ${HetznerLimits.firewallRules} rules per Hetzner firewall`);
    v.throwIfInvalid();
    this.portRules.push(...rules);
    this.firewall.putRule(cloud);
  }

  /** Every port rule given so far (public and private). */
  public get rules(): readonly PortRule[] {
    return this.portRules;
  }

  public get firewallId(): string {
    return this.firewall.id;
  }
}
