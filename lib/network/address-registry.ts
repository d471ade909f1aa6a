import { IConstruct } from 'constructs';
import { PropValidator } from '../core/validation-error';
import { LocationInfo, LOCATIONS, NetworkZone } from '../hetzner/catalog';
import { formatIpv4, Ipv4Cidr, parseIpv4 } from './cidr';
import { RESERVED_GATEWAY_OFFSET } from './ip-plan';

/**
 * The fixed host addresses of one host subnet: who holds which address. Shared by the networks this
 * library creates and the existing networks it joins, so both reject the same conflicts.
 */
export class AddressRegistry {
  private readonly reserved = new Map<string, string>();

  constructor(
    private readonly subnet: Ipv4Cidr,
    private readonly subnetIpRange: string,
  ) {}

  /** The address `offset` hosts into the subnet, checked against it under `network`'s path. */
  public addressAt(network: IConstruct, offset: number): string {
    const ip = this.subnet.first + offset;
    const v = new PropValidator(network);
    v.check('addressAt(offset)', offset, Number.isInteger(offset) && offset > 0 && ip < this.subnet.last, `an integer offset inside subnet ${this.subnetIpRange} (not its network or broadcast address)`);
    v.throwIfInvalid();
    return formatIpv4(ip);
  }

  /** Why `ip` cannot be held in this subnet, or undefined if it can (ignoring who holds what). */
  public problem(ip: string): string | undefined {
    const n = parseIpv4(ip);
    const s = this.subnet;
    if (n === undefined || n <= s.first || n >= s.last) return `an IPv4 address inside subnet ${this.subnetIpRange} (not its network or broadcast address)`;
    if (n === s.first + RESERVED_GATEWAY_OFFSET) return `an address other than ${formatIpv4(s.first + RESERVED_GATEWAY_OFFSET)}, which Hetzner reserves for the subnet gateway`;
    return undefined;
  }

  /** Reserves `ip` for `holder` (a construct path or a description) without checking. */
  public hold(ip: string, holder: string): void {
    this.reserved.set(ip, holder);
  }

  /** Reserves `ip` for `owner`; throws a ValidationError under `owner` and `property` if it is not allowed. */
  public reserve(owner: IConstruct, property: string, ip: string): string {
    const v = new PropValidator(owner);
    const problem = this.problem(ip);
    if (problem) {
      v.fail(property, ip, problem);
    } else if (this.reserved.has(ip)) {
      v.fail(property, ip, `an address not already taken (${ip} is used by ${this.reserved.get(ip)})`);
    }
    v.throwIfInvalid();
    this.reserved.set(ip, owner.node.path);
    return ip;
  }
}

/** Throws a ValidationError naming `owner` if `location` is unknown or outside `network`'s zone. */
export function checkLocationInZone(network: IConstruct, zone: NetworkZone, owner: IConstruct, property: string, location: string): LocationInfo {
  const v = new PropValidator(owner);
  const info = LOCATIONS[location];
  if (!info) {
    v.fail(property, location, `one of ${Object.keys(LOCATIONS).join(', ')}`);
  } else if (info.networkZone !== zone) {
    const allowed = Object.values(LOCATIONS).filter((l) => l.networkZone === zone).map((l) => l.name);
    v.fail(property, location, `a location in network zone ${zone} of ${network.node.path} (${allowed.join(', ')})`);
  }
  v.throwIfInvalid();
  return info!;
}

/** The network zones Hetzner has (from the location catalog). */
export function networkZones(): NetworkZone[] {
  return [...new Set(Object.values(LOCATIONS).map((l) => l.networkZone))];
}
