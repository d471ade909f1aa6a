/** Minimal IPv4/CIDR arithmetic for validating the network plan. */

export interface Ipv4Cidr {
  readonly address: number;
  readonly prefix: number;
  /** First address of the block (network address). */
  readonly first: number;
  /** Last address of the block (broadcast address). */
  readonly last: number;
  readonly text: string;
}

export function parseIpv4(ip: string): number | undefined {
  if (typeof ip !== 'string') return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255) || m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIpv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(text: string): Ipv4Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const address = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (address === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  if (first !== address) return undefined; // host bits set: not a canonical block
  return { address, prefix, first, last: first + size - 1, text };
}

/** Accepts IPv4 and IPv6 CIDRs (IPv6 checked loosely), as Hetzner firewall source IPs. */
export function isCidr(text: string): boolean {
  if (typeof text !== 'string') return false;
  if (parseCidr(text)) return true;
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(text);
  return !!m && m[1].includes(':') && Number(m[2]) <= 128;
}

export function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function isPrivate(c: Ipv4Cidr): boolean {
  const blocks = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((b) => parseCidr(b)!);
  return blocks.some((b) => contains(b, c));
}
