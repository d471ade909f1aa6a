import { formatIpv4, parseCidr } from './cidr';

/**
 * The private network's address plan, defined once.
 *
 * Two cloud subnets: fixed hosts get reserved addresses in the host subnet (offsets below), while
 * ephemeral runners, whose addresses Hetzner assigns when they are created, get their own subnet.
 * Shared, a runner created while a fixed host is being replaced could take the host's address
 * (.10, .11, .20, ...) and the host's attachment would then fail.
 */
export const NetworkPlan = {
  /** The network's range. */
  ipRange: '10.0.0.0/16',
  /** The cloud subnet of the fixed hosts (addresses at the offsets of {@link IpPlan}). */
  hostSubnet: '10.0.1.0/24',
} as const;

/**
 * The default subnet of the ephemeral runners: the block of the host subnet's size right after it
 * (10.0.2.0/24 after 10.0.1.0/24); undefined if `hostSubnet` is not a CIDR or is the last block.
 */
export function defaultRunnerSubnet(hostSubnet: string): string | undefined {
  const host = parseCidr(hostSubnet);
  if (!host || host.last >= 0xffffffff) return undefined;
  return `${formatIpv4(host.last + 1)}/${host.prefix}`;
}

/**
 * Fixed host addresses, as offsets inside the host subnet (10.0.1.0/24 by default): load balancer
 * .5, orchestrators .10/.11, monitoring .20, persistent runners from .30. Ephemeral runners have
 * their own subnet (addresses assigned by Hetzner), so they never take one of these.
 */
export const IpPlan = {
  loadBalancer: 5,
  orchestratorPrimary: 10,
  orchestratorStandby: 11,
  monitoring: 20,
  /** Persistent runners (fixed hosts); ephemeral runners live in the runner subnet. */
  runnersFrom: 30,
} as const;

/** Hetzner reserves the first host address of every subnet for its gateway. */
export const RESERVED_GATEWAY_OFFSET = 1;

/** Addresses of a subnet Hetzner can assign: all but network, gateway and broadcast. */
export function assignableAddresses(prefix: number): number {
  return 2 ** (32 - prefix) - 3;
}
