import { escapeRegex, parseDuration, quoteString, sanitizeLabelName, toYaml } from '../../../lib/render/monitoring/common';
import { parse } from 'yaml';

describe('monitoring render helpers', () => {
  test.each([
    ['15s', 15_000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['30d', 30 * 86_400_000],
    ['1w2d', 9 * 86_400_000],
    ['500ms', 500],
    ['0s', 0],
  ])('parseDuration(%j) = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', '15', 's', '1.5h', '30m1h', '1h1h', '-5m', '5 m', '5M', '1d ', 'P1D'])('parseDuration rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  test('quoteString writes Go string literals', () => {
    expect(quoteString('a"b\\c\nd\te\u0001f\u007f')).toBe('"a\\"b\\\\c\\nd\\te\\x01f\\x7f"');
    expect(quoteString('é🚀')).toBe('"é🚀"');
    expect(() => quoteString('\udc00')).toThrow(/lone surrogate/);
    // A PromQL reader (JSON is a subset for these escapes) gets the value back.
    expect(JSON.parse(quoteString('x"y\\z\n'))).toBe('x"y\\z\n');
  });

  test('escapeRegex makes label values match literally', () => {
    const v = 'a.b*c+d?(e)[f]{g}|h^i$j\\k';
    const re = new RegExp(`^${escapeRegex(v)}$`);
    expect(re.test(v)).toBe(true);
    expect(re.test('aXb*c+d?(e)[f]{g}|h^i$j\\k')).toBe(false);
  });

  test('sanitizeLabelName replaces what Prometheus replaces', () => {
    expect(sanitizeLabelName('aiai-production.net/1')).toBe('aiai_production_net_1');
    expect(sanitizeLabelName('ok_name9')).toBe('ok_name9');
  });

  test('toYaml quotes what YAML 1.1 readers (go-yaml v2) would turn into booleans or dates', () => {
    const text = toYaml({ a: 'on', b: 'yes', c: 'no', d: '2024-01-01', e: '15s' });
    expect(text).toContain('a: "on"');
    expect(text).toContain('b: "yes"');
    expect(text).toContain('d: "2024-01-01"');
    expect(parse(text, { version: '1.1' })).toEqual({ a: 'on', b: 'yes', c: 'no', d: '2024-01-01', e: '15s' });
  });
});
