/**
 * cdktf's token creation stacks, recorded only when asked for.
 *
 * cdktf records where every token (Intrinsic, Lazy, dynamic blocks, computed lists) was created: it
 * captures the whole JavaScript stack (Error.stackTraceLimit raised to the maximum) and formats it
 * into an array of "at ..." lines at once (cdktf/lib/tokens/private/stack-trace.js). The array is
 * read only to build error messages (cdktf/lib/errors.js, Intrinsic.newError, resolvable.js). For the
 * reference app that is about 0.4 s of a 2 s `node --import tsx main.ts` (what `cdktf synth`, `diff`
 * and `deploy` run: tsx formats every stack through source maps), 0.1 s of the tsc-compiled app,
 * and a quarter of a 1,000-host synth.
 *
 * {@link captureStackTrace} stands in for cdktf's function. By default it captures nothing, the
 * choice aws-cdk makes for the same stacks (aws-cdk-lib core/lib/stack-trace.ts captures them only
 * when CDK_DEBUG is set): each token carries one line saying how to get its stack, printed where the
 * stack would be. With AIAI_TOKEN_STACKS=1 (read when this module loads) the stack is captured as
 * cdktf captures it (same frames, same limit, the same `below` frame hidden) and V8 formats it only
 * when first read: the value is a real array (Array.isArray holds) behind a Proxy whose first access
 * of any kind formats the captured stack into exactly the lines cdktf's version returns. The one
 * difference: an `Error.prepareStackTrace` installed between a token's creation and that read
 * formats it (the app and the library install none).
 *
 * This repository's fast synth (`npm run synth`) bundles this module in place of cdktf's;
 * {@link useTokenStacksWhenAsked} installs it into cdktf's loaded module for an app that runs
 * unbundled, as under `cdktf synth` (the reference app's entry point calls it first).
 */

/**
 * The environment variable that turns recording on: `1` records (lazily), `cdktf` keeps cdktf's own
 * module where {@link useTokenStacksWhenAsked} would replace it; anything else records nothing.
 */
export const TOKEN_STACKS_ENV = 'AIAI_TOKEN_STACKS';

/** Whether token creation stacks are recorded (AIAI_TOKEN_STACKS=1 when this module loaded). */
const RECORD = process.env[TOKEN_STACKS_ENV] === '1';

/** What a token carries when stacks are not recorded (cdktf prints it where the stack would be). */
const NOT_RECORDED: readonly string[] = Object.freeze([`(token creation stacks are not recorded; run with ${TOKEN_STACKS_ENV}=1 to record them)`]);

/** Target array -> the object whose `stack` V8 formats on first read, until materialized. */
const pending = new WeakMap<string[], { stack?: string }>();

function materialize(target: string[]): string[] {
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

const handler: ProxyHandler<string[]> = {
  get: (t, k, r) => Reflect.get(materialize(t), k, r),
  set: (t, k, v) => Reflect.set(materialize(t), k, v),
  has: (t, k) => Reflect.has(materialize(t), k),
  ownKeys: (t) => Reflect.ownKeys(materialize(t)),
  getOwnPropertyDescriptor: (t, k) => Reflect.getOwnPropertyDescriptor(materialize(t), k),
  defineProperty: (t, k, d) => Reflect.defineProperty(materialize(t), k, d),
  deleteProperty: (t, k) => Reflect.deleteProperty(materialize(t), k),
};

/** Marks this module's function, in whichever copy (a bundle may hold two) it is found. */
const MARK = Symbol.for('aiai-hetzner.tokenStacks');

/**
 * cdktf's `captureStackTrace(below?)`: the creation stack of a token, or one line saying how to
 * record it (see the module's documentation).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function captureStackTrace(below?: Function): string[] {
  if (!RECORD) return NOT_RECORDED as string[];
  const hide = below ?? captureStackTrace; // hide this frame if nothing else
  const holder: { stack?: string } = {};
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.captureStackTrace(holder, hide);
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  const target: string[] = [];
  pending.set(target, holder);
  return new Proxy(target, handler);
}
Object.defineProperty(captureStackTrace, MARK, { value: true });

/**
 * Makes cdktf use this module's `captureStackTrace` for the tokens created from now on: token creation
 * stacks are then recorded only with AIAI_TOKEN_STACKS=1. For an app's entry point, before its
 * constructs are built; the synthesized output is the same either way. Returns false, changing
 * nothing, when AIAI_TOKEN_STACKS=cdktf (cdktf's own module stays: every stack recorded at once, as
 * cdktf does) or when cdktf has no such module or function (another cdktf version).
 */
export function useTokenStacksWhenAsked(): boolean {
  if (process.env[TOKEN_STACKS_ENV] === 'cdktf') return false;
  let cdktfModule: { captureStackTrace?: unknown };
  try {
    // The module object itself (cdktf reads the function from it at each call), not a copy of it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cdktfModule = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace?: unknown };
  } catch {
    return false;
  }
  const current = cdktfModule.captureStackTrace as ({ [MARK]?: boolean } & Function) | undefined;
  if (typeof current !== 'function') return false;
  if (current[MARK] === true) return true; // already this function (the fast synth's bundle)
  cdktfModule.captureStackTrace = captureStackTrace;
  return true;
}
