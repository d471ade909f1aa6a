import { ITerraformDependable, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { NetworkSubnet } from '../../.gen/providers/hcloud/network-subnet';
import { PropValidator, requireProps } from '../core/validation-error';
import { LocationInfo, NetworkZone } from '../hetzner/catalog';
import { AddressRegistry, checkLocationInZone, networkZones } from './address-registry';
import { contains, Ipv4Cidr, isPrivate, overlaps, parseCidr, parseIpv4 } from './cidr';
import type { IPrivateNetwork } from './private-network';

/**
 * A Hetzner network that already exists (made by hand, by another stack or another tool), with the
 * part of its IP plan the constructs need. Nothing of it is created or changed, except the runner
 * subnet when `createRunnerSubnet` is set.
 */
export interface ExistingPrivateNetworkProps {
  /**
   * The network's numeric Hetzner ID (`hcloud network list`), a literal or a number token (e.g. a
   * Terraform variable or another stack's output).
   */
  readonly networkId: number;
  /** The network's name in Hetzner (Prometheus' Hetzner service discovery labels are keyed by it). */
  readonly name: string;
  /** The network's IPv4 range, as Hetzner shows it (RFC 1918). */
  readonly ipRange: string;
  /**
   * An existing cloud subnet of the network for the fixed hosts and the load balancer: the
   * constructs place them at the IP plan's offsets in it (`IpPlan`: .5, .10, .11, .20, .30...).
   */
  readonly subnetIpRange: string;
  /**
   * The cloud subnet of the ephemeral runners (Hetzner assigns their addresses in it). Inside
   * `ipRange`, /29 or larger, overlapping neither `subnetIpRange` nor `otherSubnets`.
   */
  readonly runnerSubnetIpRange: string;
  /**
   * Add `runnerSubnetIpRange` to the existing network as a new `hcloud_network_subnet`.
   * @default false (the runner subnet exists already)
   */
  readonly createRunnerSubnet?: boolean;
  /**
   * The network's other subnets (or ranges routed into it), so that the plan's subnets are checked
   * to overlap none of them.
   * @default - none
   */
  readonly otherSubnets?: readonly string[];
  /**
   * Addresses in the network already used by servers or load balancers this stack does not manage,
   * each with what uses it (e.g. `{ '10.0.1.10': 'legacy-db' }`): a construct asking for one of them
   * fails at synth naming the holder.
   * @default - none
   */
  readonly usedAddresses?: Readonly<Record<string, string>>;
  /**
   * The network zone of the subnets; every attached server's location must be in it.
   * @default 'eu-central'
   */
  readonly networkZone?: NetworkZone;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/**
 * An existing Hetzner network as the constructs take it ({@link IPrivateNetwork}): servers, load
 * balancers and runners attach to it by its ID, and its host subnet's addresses are registered like
 * those of a {@link PrivateNetwork}, so a second host on one address, an address outside the host
 * subnet or one an unmanaged server holds (`usedAddresses`) fails at synth. Made by
 * `PrivateNetwork.fromExisting`.
 */
export class ExistingPrivateNetwork extends Construct implements IPrivateNetwork {
  public readonly networkId: number;
  public readonly name: string;
  public readonly ipRange: string;
  public readonly subnetIpRange: string;
  public readonly runnerSubnetIpRange: string;
  public readonly networkZone: NetworkZone;
  /** The runner subnet this construct adds (with `createRunnerSubnet`). @default - none */
  public readonly runnerSubnet?: NetworkSubnet;
  private readonly registry: AddressRegistry;

  constructor(scope: Construct, id: string, props: ExistingPrivateNetworkProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    const zone = props.networkZone ?? 'eu-central';
    const idOk = Token.isUnresolved(props.networkId) || (Number.isSafeInteger(props.networkId) && props.networkId > 0);
    v.check('networkId', props.networkId, idOk, 'the numeric ID of an existing Hetzner network (a positive integer, or a number token)');
    v.check('name', props.name, typeof props.name === 'string' && NAME.test(props.name), "the existing network's name: 1-63 letters, digits, `_`, `.`, `-`");
    const range = parseCidr(props.ipRange);
    v.check('ipRange', props.ipRange, !!range && isPrivate(range) && range.prefix <= 24, "the existing network's RFC 1918 IPv4 range, /24 or larger, e.g. 10.0.0.0/16");
    const zones = networkZones();
    v.check('networkZone', zone, zones.includes(zone), `one of ${zones.join(', ')}`);
    const inside = `a block of /29 or larger inside ipRange ${props.ipRange}`;
    const host = parseCidr(props.subnetIpRange);
    const hostOk = v.check('subnetIpRange', props.subnetIpRange, !!host && (!range || contains(range, host)) && host.prefix <= 29, inside);
    const runner = parseCidr(props.runnerSubnetIpRange);
    if (v.check('runnerSubnetIpRange', props.runnerSubnetIpRange, !!runner && (!range || contains(range, runner)) && runner.prefix <= 29, inside) && hostOk) {
      v.check('runnerSubnetIpRange', props.runnerSubnetIpRange, !overlaps(host!, runner!), `a block that does not overlap subnetIpRange ${props.subnetIpRange}`);
    }
    const planned: [string, Ipv4Cidr | undefined][] = [['subnetIpRange', host], ['runnerSubnetIpRange', runner]];
    (props.otherSubnets ?? []).forEach((s, i) => {
      const property = `otherSubnets[${i}]`;
      const c = parseCidr(s);
      if (!v.check(property, s, !!c && (!range || contains(range, c)), `an IPv4 block inside ipRange ${props.ipRange}`)) return;
      const clash = planned.find(([, o]) => o && overlaps(o, c!));
      v.check(property, s, !clash, `a block that overlaps no other subnet of the plan (it overlaps ${clash?.[0]} ${clash?.[1]?.text})`);
      planned.push([property, c]);
    });
    const used = Object.entries(props.usedAddresses ?? {});
    for (const [ip, holder] of used) {
      const property = `usedAddresses.${ip}`;
      const n = parseIpv4(ip);
      v.check(property, ip, n !== undefined && (!range || (n > range.first && n < range.last)), `an IPv4 address inside ipRange ${props.ipRange}`);
      v.check(property, holder, typeof holder === 'string' && holder.trim().length > 0, 'a non-empty description of what uses the address');
    }
    v.throwIfInvalid();

    this.networkId = props.networkId;
    this.name = props.name;
    this.ipRange = props.ipRange;
    this.subnetIpRange = props.subnetIpRange;
    this.runnerSubnetIpRange = props.runnerSubnetIpRange;
    this.networkZone = zone;
    this.registry = new AddressRegistry(host!, props.subnetIpRange);
    for (const [ip, holder] of used) this.registry.hold(ip, `${holder} (outside this stack, usedAddresses of ${this.node.path})`);
    if (props.createRunnerSubnet) {
      this.runnerSubnet = new NetworkSubnet(this, 'RunnerSubnet', {
        networkId: props.networkId,
        type: 'cloud',
        networkZone: zone,
        ipRange: props.runnerSubnetIpRange,
      });
    }
  }

  /** The subnet this construct adds, if any: the existing subnets need no waiting. */
  public get attachDependencies(): readonly ITerraformDependable[] {
    return this.runnerSubnet ? [this.runnerSubnet] : [];
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
