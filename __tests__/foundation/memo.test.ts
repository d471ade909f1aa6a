/** lib/core/memo.ts: the bounded process-wide memo and the per-stack memo behind the render and digest caches. */
import { TerraformStack, Testing } from 'cdktf';
import { BoundedMemo, StackMemo } from '../../lib/core/memo';

describe('BoundedMemo', () => {
  test('makes each value once while remembered, falsy values included, and starts again when full', () => {
    const memo = new BoundedMemo<string, boolean>(2);
    let made = 0;
    const make = () => (made++, false);
    expect(memo.get('a', make)).toBe(false);
    expect(memo.get('a', make)).toBe(false);
    expect(made).toBe(1);
    memo.get('b', make);
    memo.get('c', make); // full: forgets a and b
    expect(made).toBe(3);
    memo.get('a', make);
    expect(made).toBe(4);
  });
});

describe('StackMemo', () => {
  test('one value per key and stack; another stack makes its own', () => {
    const app = Testing.app();
    const [s1, s2] = [new TerraformStack(app, 's1'), new TerraformStack(app, 's2')];
    const memo = new StackMemo<string, object>();
    const a = memo.get(s1, 'k', () => ({}));
    expect(memo.get(s1, 'k', () => ({}))).toBe(a);
    expect(memo.get(s2, 'k', () => ({}))).not.toBe(a);
  });
});
