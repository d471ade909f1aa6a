import { Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { Firewall } from '../../.gen/providers/hcloud/firewall';
import { checkLabels } from '../core/label-checks';
import { HETZNER_NAME_ALLOWED, HETZNER_NAME_PATTERN } from '../core/patterns';
import { PropValidator, requireProps } from '../core/validation-error';
import { HetznerLimits } from '../hetzner/catalog';
import { isCidr, parseCidr } from './cidr';
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

/** Rule descriptions (the port's name): one line. Hetzner allows 255 characters (API docs "Firewalls", rule `description`). */
const MAX_RULE_DESCRIPTION = 255;
const PORT_SOURCE_KINDS = ['private', 'admin', 'cidrs'];

/**
 * Records a problem for every malformed port rule (JavaScript callers and hand-written ports):
 * a port of 1-65535 over tcp or udp with a one-line name, from one of the sources of `PortSources`.
 * `offset` numbers the rules after those already added.
 */
function checkPortRules(v: PropValidator, property: string, rules: readonly PortRule[], offset: number): void {
  if (!v.check(property, rules, Array.isArray(rules), 'an array of port rules')) return;
  rules.forEach((r, j) => {
    const at = `${property}[${offset + j}]`;
    if (!v.check(at, r, !!r && typeof r === 'object' && !!r.port && typeof r.port === 'object' && !!r.from && typeof r.from === 'object', 'a port rule { port: ServicePort, from: PortSource }')) return;
    const p = r.port;
    v.check(`${at}.port.port`, p.port, Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535, 'an integer port from 1 to 65535');
    v.check(`${at}.port.protocol`, p.protocol, p.protocol === 'tcp' || p.protocol === 'udp', 'tcp or udp');
    v.check(`${at}.port.name`, p.name, typeof p.name === 'string' && p.name.trim() !== '' && p.name.length <= MAX_RULE_DESCRIPTION && !/[\r\n]/.test(p.name), `a one-line name of 1-${MAX_RULE_DESCRIPTION} characters (the rule's description)`);
    if (!v.check(`${at}.from.kind`, r.from.kind, PORT_SOURCE_KINDS.includes(r.from.kind), `one of ${PORT_SOURCE_KINDS.join(', ')} (see PortSources)`)) return;
    if (r.from.kind === 'cidrs') {
      const cidrs: unknown = r.from.cidrs;
      if (v.check(`${at}.from.cidrs`, cidrs, Array.isArray(cidrs) && cidrs.length > 0, 'a non-empty array of CIDRs')) {
        (cidrs as unknown[]).forEach((c, k) => v.check(`${at}.from.cidrs[${k}]`, c, isCidr(c as string), 'an IPv4 or IPv6 CIDR such as 203.0.113.0/24'));
      }
    }
  });
}

/**
 * A cloud firewall that hosts join (`HardenedServer.firewalls`, and the role constructs' `firewalls`):
 * a {@link RoleFirewall} this stack manages, or an existing one from {@link RoleFirewall.fromExisting}.
 */
export interface IRoleFirewall extends IConstruct {
  /** The firewall's Hetzner ID (a token for a firewall this stack creates). */
  readonly firewallId: string;
  /** Whether this stack writes the firewall's rules (false for an existing firewall). */
  readonly managesRules: boolean;
  /** Every port rule the joining hosts gave (on an existing firewall: recorded, not applied). */
  readonly rules: readonly PortRule[];
  /** Called by each host that joins, with its port rules. */
  addRules(rules: readonly PortRule[]): void;
}

/** An existing Hetzner firewall to join. */
export interface ExistingRoleFirewallProps {
  /**
   * The firewall's numeric Hetzner ID (`hcloud firewall list`), as a string of digits or a token
   * (e.g. another stack's output).
   */
  readonly firewallId: string;
}

/** A Hetzner ID that a JavaScript number holds exactly. */
const NUMERIC_ID = /^[1-9][0-9]{0,14}$/;

/**
 * A firewall that exists already and whose rules are managed elsewhere: hosts that join it are
 * attached by its ID (`firewall_ids`), and its rules are never written. The hosts' own public port
 * rules (SSH from the admin CIDRs, ...) are only recorded in `rules`: the role's own firewall, or
 * whoever manages this one, must open them. Made by {@link RoleFirewall.fromExisting}.
 */
export class ExistingRoleFirewall extends Construct implements IRoleFirewall {
  public readonly firewallId: string;
  public readonly managesRules = false;
  private readonly portRules: PortRule[] = [];

  constructor(scope: Construct, id: string, props: ExistingRoleFirewallProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    const ok = typeof props.firewallId === 'string' && (Token.isUnresolved(props.firewallId) || NUMERIC_ID.test(props.firewallId));
    v.check('firewallId', props.firewallId, ok, 'the numeric ID of an existing Hetzner firewall as a string of digits (or a token)');
    v.throwIfInvalid();
    this.firewallId = props.firewallId;
  }

  public addRules(rules: readonly PortRule[]): void {
    this.portRules.push(...rules);
  }

  public get rules(): readonly PortRule[] {
    return this.portRules;
  }
}

/**
 * A Hetzner Cloud Firewall for one role. Inbound is default-deny: a rule exists only for ports the
 * role opens to the admin CIDRs or explicit CIDRs. Servers join it through `firewall_ids`.
 */
export class RoleFirewall extends Construct implements IRoleFirewall {
  public readonly firewall: Firewall;
  public readonly managesRules = true;
  private readonly portRules: PortRule[] = [];
  private readonly context: FirewallContext;

  /**
   * Joins a firewall that already exists in the Hetzner project, by its ID: hosts given it in their
   * `firewalls` are attached to it; its rules stay as they are (see {@link ExistingRoleFirewall}).
   */
  public static fromExisting(scope: Construct, id: string, props: ExistingRoleFirewallProps): IRoleFirewall {
    return new ExistingRoleFirewall(scope, id, props);
  }

  constructor(scope: Construct, id: string, props: RoleFirewallProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    v.check('name', props.name, typeof props.name === 'string' && HETZNER_NAME_PATTERN.test(props.name), HETZNER_NAME_ALLOWED);
    v.check('privateRange', props.privateRange, parseCidr(props.privateRange) !== undefined, 'an IPv4 CIDR such as 10.0.0.0/16');
    if (v.check('adminCidrs', props.adminCidrs, Array.isArray(props.adminCidrs), 'an array of CIDRs')) {
      props.adminCidrs.forEach((c, i) => v.check(`adminCidrs[${i}]`, c, isCidr(c), 'an IPv4 or IPv6 CIDR such as 203.0.113.7/32'));
    }
    v.check('rules', props.rules, Array.isArray(props.rules), 'an array of port rules');
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
    const v = new PropValidator(this);
    checkPortRules(v, 'rules', rules, this.portRules.length);
    v.throwIfInvalid();
    const adminRule = rules.find((r) => r.from.kind === 'admin');
    v.check('adminCidrs', this.context.adminCidrs, !adminRule || this.context.adminCidrs.length > 0, `at least one CIDR (rule for port ${adminRule?.port.port} is open to the admin CIDRs)`);
    v.throwIfInvalid();
    const next = [...this.portRules, ...rules];
    const cloud = cloudFirewallRules(next, this.context);
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
