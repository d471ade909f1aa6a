'use strict';
/**
 * Stands in for cdktf's `lib/tokens/private/stack-trace.js` in the fast synth bundle
 * (scripts/synth/fast-synth.cjs). cdktf records where every token (Intrinsic, Lazy, dynamic blocks,
 * computed lists) was created by capturing the whole stack (Error.stackTraceLimit raised to the
 * maximum) and formatting it into an array of "at ..." lines at once; the array is read only to
 * build error messages (errors.js argToIntrinsicMustBePlainValue, Intrinsic.newError,
 * resolvable.js). Formatting was most of the cost: in a synth of 1,000 hosts about 4.4 s of
 * V8's default stack formatting for stacks nobody reads.
 *
 * Here the stack is captured the same way (same frames, same limit, the same `below` frame
 * hidden), but V8 formats it only when its `stack` is first read: the returned value is a real
 * array (Array.isArray holds) behind a Proxy whose first access of any kind (length, an index,
 * join, iteration, keys) formats the captured stack and fills the array with exactly the lines
 * cdktf's version returns. Error messages therefore carry the same creation stack. The one
 * difference: formatting happens at first read, so a `Error.prepareStackTrace` installed between
 * a token's creation and that read would format it (the app and the library install none).
 *
 * By default nothing is captured at all, the choice aws-cdk makes for the same stacks
 * (aws-cdk-lib core/lib/stack-trace.ts captures them only when CDK_DEBUG is set, because capture
 * is expensive): capturing the whole stack for every token was
 * still a quarter of a 1,000-host synth (about 1 s of CPU and 40 MiB) even unformatted. Each token
 * then carries one line saying how to get its stack: run with AIAI_TOKEN_STACKS=1 (read at start)
 * and the stacks are captured, and formatted on first read, as described above; or use
 * `npm run synth:cdktf`, which runs cdktf's own module.
 */

/** Whether token creation stacks are recorded (AIAI_TOKEN_STACKS=1). */
const RECORD = process.env.AIAI_TOKEN_STACKS === '1';

/** What a token carries when stacks are not recorded (cdktf prints it where the stack would be). */
const NOT_RECORDED = Object.freeze(['(token creation stacks are not recorded by the fast synth; run it with AIAI_TOKEN_STACKS=1 to record them)']);

/** Target array -> the object whose `stack` V8 formats on first read, until materialized. */
const pending = new WeakMap();

function materialize(target) {
  const holder = pending.get(target);
  if (holder === undefined) return target;
  pending.delete(target);
  const stack = holder.stack;
  if (stack) {
    const lines = stack.split('\n');
    for (let i = 1; i < lines.length; i++) target.push(lines[i].replace(/^\s*at\s+/, ''));
  }
  return target;
}

const handler = {
  get: (t, k, r) => Reflect.get(materialize(t), k, r),
  set: (t, k, v) => Reflect.set(materialize(t), k, v),
  has: (t, k) => Reflect.has(materialize(t), k),
  ownKeys: (t) => Reflect.ownKeys(materialize(t)),
  getOwnPropertyDescriptor: (t, k) => Reflect.getOwnPropertyDescriptor(materialize(t), k),
  defineProperty: (t, k, d) => Reflect.defineProperty(materialize(t), k, d),
  deleteProperty: (t, k) => Reflect.deleteProperty(materialize(t), k),
};

/** Captures a complete stack trace at the point of invocation; formatted on first access. */
function captureStackTrace(below) {
  if (!RECORD) return NOT_RECORDED;
  below = below || captureStackTrace; // hide myself if nothing else
  const holder = {};
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.captureStackTrace(holder, below);
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  const target = [];
  pending.set(target, holder);
  return new Proxy(target, handler);
}

exports.captureStackTrace = captureStackTrace;
