import { contains, formatIpv4, isCidr, isPrivate, overlaps, parseCidr, parseIpv4 } from '../../lib/network/cidr';

describe('IPv4/CIDR arithmetic', () => {
  test('parses and formats addresses', () => {
    expect(parseIpv4('10.0.1.10')).toBe(0x0a00010a);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(formatIpv4(0x0a00010a)).toBe('10.0.1.10');
    expect(formatIpv4(parseIpv4('192.168.7.254')!)).toBe('192.168.7.254');
  });

  test.each(['10.0.1', '10.0.1.256', '10.0.01.1', 'a.b.c.d', '10.0.1.1 ', ''])('rejects the malformed address %j', (ip) => {
    expect(parseIpv4(ip)).toBeUndefined();
  });

  test('parses canonical blocks with their first and last address', () => {
    const c = parseCidr('10.0.1.0/24')!;
    expect(formatIpv4(c.first)).toBe('10.0.1.0');
    expect(formatIpv4(c.last)).toBe('10.0.1.255');
    expect(c.prefix).toBe(24);
    expect(parseCidr('0.0.0.0/0')!.last).toBe(0xffffffff);
  });

  test.each(['10.0.1.5/24', '10.0.0.0/33', '10.0.0.0', '10.0.0.0/', 'x/8'])('rejects the non-canonical or malformed block %j', (c) => {
    expect(parseCidr(c)).toBeUndefined();
  });

  test('containment and overlap', () => {
    const net = parseCidr('10.0.0.0/16')!;
    const a = parseCidr('10.0.1.0/24')!;
    const b = parseCidr('10.0.1.128/25')!;
    const c = parseCidr('10.0.2.0/24')!;
    expect(contains(net, a)).toBe(true);
    expect(contains(a, net)).toBe(false);
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(b, a)).toBe(true);
    expect(overlaps(a, c)).toBe(false);
    expect(contains(net, parseCidr('10.1.0.0/24')!)).toBe(false);
  });

  test('isPrivate accepts RFC 1918 blocks only', () => {
    expect(isPrivate(parseCidr('10.0.0.0/16')!)).toBe(true);
    expect(isPrivate(parseCidr('172.16.0.0/12')!)).toBe(true);
    expect(isPrivate(parseCidr('192.168.0.0/24')!)).toBe(true);
    expect(isPrivate(parseCidr('172.32.0.0/16')!)).toBe(false);
    expect(isPrivate(parseCidr('8.0.0.0/8')!)).toBe(false);
    expect(isPrivate(parseCidr('0.0.0.0/0')!)).toBe(false);
  });

  test('isCidr accepts IPv4 and IPv6 CIDRs', () => {
    expect(isCidr('203.0.113.7/32')).toBe(true);
    expect(isCidr('2001:db8::/64')).toBe(true);
    expect(isCidr('::/0')).toBe(true);
    expect(isCidr('203.0.113.7')).toBe(false);
    expect(isCidr('2001:db8::/129')).toBe(false);
    expect(isCidr('example.com/32')).toBe(false);
  });
});
