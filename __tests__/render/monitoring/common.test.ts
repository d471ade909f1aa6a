import { escapeRegex, parseDuration, quoteString, sanitizeLabelName, toYaml } from '../../../lib/render/monitoring/common';
import { parse, stringify } from 'yaml';

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

  test('toYaml renders each distinct document once, and documents whose JSON hides a difference as they are', () => {
    const direct = (doc: unknown) => stringify(doc, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
    // Pairs with the same JSON (or none): rendered in either order, each gets its own YAML.
    const pairs: [unknown, unknown][] = [
      [{ at: new Date(0) }, { at: new Date(0).toISOString() }],
      [{ a: undefined, b: 1 }, { b: 1 }],
      [[undefined, 1], [null, 1]],
      // eslint-disable-next-line no-sparse-arrays
      [[, 1], [null, 1]],
      [{ n: -0 }, { n: 0 }],
      [{ n: NaN }, { n: null }],
      [{ n: Infinity }, { n: null }],
    ];
    for (const [a, b] of pairs) {
      for (const [first, second] of [
        [a, b],
        [b, a],
      ]) {
        expect(toYaml(first)).toBe(direct(first));
        expect(toYaml(second)).toBe(direct(second));
      }
    }
    // A repeated document gives the same text, also after the first one was changed.
    const doc = { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0' }] }] };
    const first = toYaml(doc, 'header');
    expect(toYaml(structuredClone(doc), 'header')).toBe(first);
    doc.groups[0].name = 'changed';
    expect(toYaml(doc)).toBe(direct(doc));
  });
});
