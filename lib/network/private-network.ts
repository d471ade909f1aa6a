import { ITerraformDependable, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { Network } from '../../.gen/providers/hcloud/network';
import { NetworkSubnet } from '../../.gen/providers/hcloud/network-subnet';
import { checkLabels } from '../core/label-checks';
import { HETZNER_NAME_ALLOWED, HETZNER_NAME_PATTERN } from '../core/patterns';
import { PropValidator, requireProps } from '../core/validation-error';
import { LocationInfo, NetworkZone } from '../hetzner/catalog';
import { AddressRegistry, checkLocationInZone, networkZones } from './address-registry';
import { contains, isPrivate, Ipv4Cidr, overlaps, parseCidr } from './cidr';
import { ExistingPrivateNetwork, ExistingPrivateNetworkProps } from './existing-network';
import { defaultRunnerSubnet, NetworkPlan } from './ip-plan';

export interface PrivateNetworkProps {
  /** Name of the Hetzner network. */
  readonly name: string;
  /**
   * The network's IPv4 range (RFC 1918).
   * @default '10.0.0.0/16' (NetworkPlan.ipRange)
   */
  readonly ipRange?: string;
  /**
   * The cloud subnet of the fixed hosts and the load balancer (each at a reserved address); must lie
   * inside `ipRange`.
   * @default '10.0.1.0/24' (NetworkPlan.hostSubnet)
   */
  readonly subnetIpRange?: string;
  /**
   * The cloud subnet of the ephemeral runners, whose addresses Hetzner assigns at creation: kept
   * apart from `subnetIpRange`, so a runner never takes a fixed host's address. Inside `ipRange`,
   * overlapping no other subnet, /29 or larger.
   * @default the block of `subnetIpRange`'s size right after it ('10.0.2.0/24' by default)
   */
  readonly runnerSubnetIpRange?: string;
  /**
   * Network zone of the subnet; every attached server's location must be in it.
   * @default 'eu-central'
   */
  readonly networkZone?: NetworkZone;
  /**
   * Further cloud subnets. Each must lie inside `ipRange` and overlap no other.
   * @default - none
   */
  readonly additionalSubnets?: readonly string[];
  /** Labels for the network. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Protect the network from deletion through the API (Hetzner's delete protection). The
   * library's one name for protection: every construct that can protect a resource calls it
   * `protect` (buckets, whose destroy behaviour has three settings, use `removalPolicy`).
   * @default true
   */
  readonly protect?: boolean;
  /**
   * @deprecated use `protect` (same meaning; `protect` wins when both are set).
   * @default the value of `protect`
   */
  readonly deleteProtection?: boolean;
}

/** What a host needs to join the network (lets tests and other stacks supply their own). */
export interface IPrivateNetwork extends IConstruct {
  readonly networkId: number;
  /** The network's name (a literal: Prometheus' Hetzner SD meta labels are keyed by it). */
  readonly name: string;
  readonly ipRange: string;
  readonly subnetIpRange: string;
  /** The subnet ephemeral runners attach to (Hetzner assigns their addresses in it). */
  readonly runnerSubnetIpRange: string;
  readonly networkZone: NetworkZone;
  /** Resources a server attachment must wait for (the subnets). */
  readonly attachDependencies: readonly ITerraformDependable[];
  /** The address `offset` hosts into the subnet, e.g. 10 -> 10.0.1.10. */
  addressAt(offset: number): string;
  /** Reserves `ip` for `owner`; throws a ValidationError naming the owner if it is not allowed. */
  reserveAddress(owner: IConstruct, property: string, ip: string): string;
  /** Throws a ValidationError naming `owner` if `location` is outside the network zone. */
  checkLocation(owner: IConstruct, property: string, location: string): LocationInfo;
}

/**
 * A Hetzner private network with a cloud subnet for the fixed hosts, one for the ephemeral runners
 * (see {@link NetworkPlan}), and the registry of the fixed host addresses: every host asks it for
 * its private IP, so duplicates, addresses outside the host subnet and the gateway address are
 * rejected at synth.
 */
export class PrivateNetwork extends Construct implements IPrivateNetwork {
  public readonly network: Network;
  public readonly subnet: NetworkSubnet;
  /** The ephemeral runners' subnet. */
  public readonly runnerSubnet: NetworkSubnet;
  public readonly additionalSubnetResources: NetworkSubnet[] = [];
  /** The network's name (a literal: Prometheus' Hetzner SD meta labels are keyed by it). */
  public readonly name: string;
  public readonly ipRange: string;
  public readonly subnetIpRange: string;
  public readonly runnerSubnetIpRange: string;
  public readonly networkZone: NetworkZone;
  private readonly registry: AddressRegistry;

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    this.name = props.name;
    this.ipRange = props.ipRange ?? NetworkPlan.ipRange;
    this.subnetIpRange = props.subnetIpRange ?? NetworkPlan.hostSubnet;
    const runnerRange = props.runnerSubnetIpRange ?? defaultRunnerSubnet(this.subnetIpRange);
    this.networkZone = props.networkZone ?? 'eu-central';

    v.check('name', props.name, typeof props.name === 'string' && HETZNER_NAME_PATTERN.test(props.name), HETZNER_NAME_ALLOWED);
    const range = parseCidr(this.ipRange);
    v.check('ipRange', this.ipRange, !!range && isPrivate(range) && range.prefix <= 24, 'an RFC 1918 IPv4 block of /24 or larger, e.g. 10.0.0.0/16');
    const subnet = parseCidr(this.subnetIpRange);
    v.check('subnetIpRange', this.subnetIpRange, !!subnet && (!range || contains(range, subnet)) && subnet.prefix <= 29, `a block of /29 or larger inside ipRange ${this.ipRange}`);
    const zones = networkZones();
    v.check('networkZone', this.networkZone, zones.includes(this.networkZone), `one of ${zones.join(', ')}`);
    const all: Ipv4Cidr[] = subnet ? [subnet] : [];
    const runner = runnerRange === undefined ? undefined : parseCidr(runnerRange);
    const runnerProblem =
      !runner || (range && !contains(range, runner)) || runner.prefix > 29
        ? `a block of /29 or larger inside ipRange ${this.ipRange}${props.runnerSubnetIpRange === undefined ? ' (the default, the block after subnetIpRange, is not: set runnerSubnetIpRange)' : ''}`
        : subnet && overlaps(subnet, runner)
          ? `a block that does not overlap subnetIpRange ${this.subnetIpRange}`
          : undefined;
    // A bad subnetIpRange is reported above; the default derived from it is not checked again.
    if ((subnet || props.runnerSubnetIpRange !== undefined) && v.check('runnerSubnetIpRange', runnerRange, runnerProblem === undefined, runnerProblem ?? '')) {
      all.push(runner!);
    }
    const additional = props.additionalSubnets ?? [];
    v.check('additionalSubnets', additional, Array.isArray(additional), 'an array of IPv4 blocks');
    (Array.isArray(additional) ? additional : []).forEach((s, i) => {
      const c = parseCidr(s);
      if (!v.check(`additionalSubnets[${i}]`, s, !!c && (!range || contains(range, c)), `an IPv4 block inside ipRange ${this.ipRange}`)) return;
      const clash = all.find((o) => overlaps(o, c!));
      if (v.check(`additionalSubnets[${i}]`, s, !clash, `a block that does not overlap ${clash?.text}`)) all.push(c!);
    });
    checkLabels(v, props.labels);
    v.throwIfInvalid();
    this.registry = new AddressRegistry(subnet!, this.subnetIpRange);
    this.runnerSubnetIpRange = runnerRange!;

    this.network = new Network(this, 'Network', {
      name: props.name,
      ipRange: this.ipRange,
      labels: props.labels ? { ...props.labels } : undefined,
      deleteProtection: props.protect ?? props.deleteProtection ?? true,
    });
    this.subnet = new NetworkSubnet(this, 'Subnet', {
      networkId: Token.asNumber(this.network.id),
      type: 'cloud',
      networkZone: this.networkZone,
      ipRange: this.subnetIpRange,
    });
    this.runnerSubnet = new NetworkSubnet(this, 'RunnerSubnet', {
      networkId: Token.asNumber(this.network.id),
      type: 'cloud',
      networkZone: this.networkZone,
      ipRange: this.runnerSubnetIpRange,
    });
    (props.additionalSubnets ?? []).forEach((s, i) => {
      this.additionalSubnetResources.push(
        new NetworkSubnet(this, `AdditionalSubnet${i + 1}`, {
          networkId: Token.asNumber(this.network.id),
          type: 'cloud',
          networkZone: this.networkZone,
          ipRange: s,
        }),
      );
    });
  }

  /**
   * Joins a network that already exists in the Hetzner project, by its ID and with its IP plan: the
   * result is what every construct takes as `network`, and nothing of the network is created (but
   * the runner subnet with `createRunnerSubnet`). Conflicts with the plan (an address two hosts
   * want, an address outside the host subnet, overlapping subnets) fail at synth.
   *
   * ```ts
   * const network = PrivateNetwork.fromExisting(stack, 'Net', {
   *   networkId: 4711, name: 'acme-net', ipRange: '10.0.0.0/16',
   *   subnetIpRange: '10.0.1.0/24', runnerSubnetIpRange: '10.0.2.0/24',
   * });
   * ```
   */
  public static fromExisting(scope: Construct, id: string, props: ExistingPrivateNetworkProps): IPrivateNetwork {
    return new ExistingPrivateNetwork(scope, id, props);
  }

  /** The network id (a token; the same one on every read, see HardenedServer.serverId). */
  public get networkId(): number {
    return (this.networkIdToken ??= Token.asNumber(this.network.id));
  }
  private networkIdToken?: number;

  public get attachDependencies(): readonly ITerraformDependable[] {
    return [this.subnet, this.runnerSubnet, ...this.additionalSubnetResources];
  }

  public addressAt(offset: number): string {
    return this.registry.addressAt(this, offset);
  }

  public reserveAddress(owner: IConstruct, property: string, ip: string): string {
    return this.registry.reserve(owner, property, ip);
  }

  public checkLocation(owner: IConstruct, property: string, location: string): LocationInfo {
    return checkLocationInZone(this, this.networkZone, owner, property, location);
  }
}
