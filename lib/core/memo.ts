import type { TerraformStack } from 'cdktf';

/**
 * A process-wide memo of at most `max` entries, for pure renders and verdicts that the stacks of an
 * app repeat (equal documents, equal workflow texts). When full it starts again: apps may render
 * many distinct values, and what repeats is found again soon.
 */
export class BoundedMemo<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly max: number) {}

  /** The value for `key`, made by `make` (once, while remembered). */
  public get(key: K, make: () => V): V {
    if (this.entries.has(key)) return this.entries.get(key) as V;
    const value = make();
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}

/**
 * A memo per stack, for what the constructs of one stack share (the texts and digests hosts of a
 * role carry): forgotten with the stack.
 */
export class StackMemo<K, V> {
  private readonly byStack = new WeakMap<TerraformStack, Map<K, V>>();

  /** The value for `key` in `stack`, made by `make` on first use. */
  public get(stack: TerraformStack, key: K, make: () => V): V {
    let entries = this.byStack.get(stack);
    if (entries === undefined) this.byStack.set(stack, (entries = new Map()));
    if (entries.has(key)) return entries.get(key) as V;
    const value = make();
    entries.set(key, value);
    return value;
  }
}
