/**
 * lib/app/token-stacks.ts, which the fast synth bundles in place of cdktf's token creation-stack
 * module and main.ts installs into cdktf: nothing recorded by default; with AIAI_TOKEN_STACKS=1 the
 * same lines as cdktf's, formatted only on first read, and cdktf's token errors still name where the
 * token was created.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

type StackModule = { captureStackTrace: (below?: Function) => string[]; useTokenStacksWhenAsked: () => boolean };

/** Runs `fn` with AIAI_TOKEN_STACKS set to `value` (unset for undefined), then restores it. */
function withTokenStacksEnv<T>(value: string | undefined, fn: () => T): T {
  const saved = process.env.AIAI_TOKEN_STACKS;
  if (value === undefined) delete process.env.AIAI_TOKEN_STACKS;
  else process.env.AIAI_TOKEN_STACKS = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.AIAI_TOKEN_STACKS;
    else process.env.AIAI_TOKEN_STACKS = saved;
  }
}

/** The module as loaded with AIAI_TOKEN_STACKS set to `value` (it reads the variable once, at load). */
function loadWith(value: string | undefined): StackModule {
  return withTokenStacksEnv(value, () => {
    let mod: StackModule | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require('../../lib/app/token-stacks') as StackModule;
    });
    return mod!;
  });
}

/** Recording on (AIAI_TOKEN_STACKS=1): the stacks below are captured and formatted lazily. */
const lazy = loadWith('1');
/** cdktf's own module (the suite's setup maps the path to the lazy one). */
const original = jest.requireActual('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: (below?: Function) => string[] };

const THIS_FILE = basename(__filename);

describe('token creation stacks by default: not recorded', () => {
  const off = loadWith(undefined);

  test('nothing is captured; each token carries one line naming AIAI_TOKEN_STACKS=1', () => {
    const previous = Error.prepareStackTrace;
    let formatted = 0;
    Error.prepareStackTrace = () => {
      formatted++;
      return '';
    };
    try {
      const stack = off.captureStackTrace();
      expect([...stack]).toEqual([expect.stringContaining('AIAI_TOKEN_STACKS=1')]);
      expect(stack.join('\n')).toContain('not recorded');
      expect(formatted).toBe(0);
      // Anything but exactly '1' leaves recording off.
      expect(loadWith('true').captureStackTrace()).toEqual([...stack]);
    } finally {
      Error.prepareStackTrace = previous;
    }
  });

  test('cdktf’s token errors say how to get the stack', () => {
    let Intrinsic: new (value: unknown) => { newError(message: string): Error } = undefined as never;
    jest.isolateModules(() => {
      jest.doMock('cdktf/lib/tokens/private/stack-trace', () => off);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Intrinsic = require('cdktf/lib/tokens/private/intrinsic').Intrinsic;
    });
    jest.dontMock('cdktf/lib/tokens/private/stack-trace');
    expect(new Intrinsic('x').newError('bad token').message).toMatch(/^bad token\nToken created:\n    at \(token creation stacks are not recorded; run with AIAI_TOKEN_STACKS=1 to record them\)\n/);
  });
});

describe('lazy token creation stacks (AIAI_TOKEN_STACKS=1)', () => {
  test('hold the same lines as cdktf’s own, as a real array', () => {
    // Both captured inside one call of `both`, below it: the frames are the same.
    const both = (): [string[], string[]] => [lazy.captureStackTrace(both), original.captureStackTrace(both)];
    const [fromLazy, fromOriginal] = both();
    expect(fromOriginal.length).toBeGreaterThan(3);
    expect(Array.isArray(fromLazy)).toBe(true);
    expect(fromLazy.length).toBe(fromOriginal.length);
    expect([...fromLazy]).toEqual(fromOriginal);
    expect(fromLazy.join('\n')).toBe(fromOriginal.join('\n'));
    expect(JSON.stringify(fromLazy)).toBe(JSON.stringify(fromOriginal));
    expect(fromLazy[0]).toContain(THIS_FILE);
  });

  test('are formatted only when first read, once', () => {
    const previous = Error.prepareStackTrace;
    let formatted = 0;
    Error.prepareStackTrace = (_error, frames) => {
      formatted++;
      return `Error\n${frames.map((f) => `    at ${f.getFileName()}:${f.getLineNumber()}`).join('\n')}`;
    };
    try {
      const stack = lazy.captureStackTrace();
      expect(formatted).toBe(0);
      expect(stack.length).toBeGreaterThan(0);
      expect(stack[0]).toContain(THIS_FILE);
      stack.join('\n');
      expect(formatted).toBe(1);
    } finally {
      Error.prepareStackTrace = previous;
    }
  });

  describe('in cdktf’s token errors', () => {
    let Intrinsic: new (value: unknown) => { newError(message: string): Error };
    beforeAll(() => {
      jest.isolateModules(() => {
        jest.doMock('cdktf/lib/tokens/private/stack-trace', () => lazy);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        Intrinsic = require('cdktf/lib/tokens/private/intrinsic').Intrinsic;
      });
    });
    afterAll(() => jest.dontMock('cdktf/lib/tokens/private/stack-trace'));

    test('a function given to an Intrinsic fails naming where it was created (argToIntrinsicMustBePlainValue)', () => {
      const create = (): unknown => new Intrinsic(() => 'x');
      expect(create).toThrow(new RegExp(`created at:\\nnew Intrinsic \\([^)]*intrinsic\\.js:\\d+:\\d+\\)\\n[^\\n]*${THIS_FILE.replace('.', '\\.')}:\\d+:\\d+`));
    });

    test('Intrinsic.newError carries the token’s creation stack (intrinsicNewError)', () => {
      const token = new Intrinsic('x');
      const message = token.newError('bad token').message;
      expect(message).toMatch(new RegExp(`^bad token\\nToken created:\\n    at new Intrinsic \\([^)]*intrinsic\\.js:\\d+:\\d+\\)\\n    at [^\\n]*${THIS_FILE.replace('.', '\\.')}:\\d+:\\d+`));
    });
  });
});

describe('useTokenStacksWhenAsked: installed into cdktf for an app that runs unbundled (main.ts)', () => {
  const STACK_TRACE = 'cdktf/lib/tokens/private/stack-trace';
  // Back to the suite's mapping (setup.ts) after each test's own.
  afterEach(() => jest.doMock(STACK_TRACE, () => jest.requireActual('../../lib/app/token-stacks')));

  test('makes cdktf’s own module use it: tokens created afterwards carry the one line', () => {
    jest.isolateModules(() => {
      jest.dontMock(STACK_TRACE);
      /* eslint-disable @typescript-eslint/no-require-imports */
      const cdktfModule = require(STACK_TRACE) as { captureStackTrace: Function };
      const Intrinsic = require('cdktf/lib/tokens/private/intrinsic').Intrinsic as new (value: unknown) => { creationStack: string[] };
      const ours = require('../../lib/app/token-stacks') as StackModule;
      /* eslint-enable @typescript-eslint/no-require-imports */
      expect(cdktfModule.captureStackTrace).not.toBe(ours.captureStackTrace);
      expect(new Intrinsic('before').creationStack.length).toBeGreaterThan(3);
      expect(ours.useTokenStacksWhenAsked()).toBe(true);
      expect(cdktfModule.captureStackTrace).toBe(ours.captureStackTrace);
      expect([...new Intrinsic('after').creationStack]).toEqual([expect.stringContaining('AIAI_TOKEN_STACKS=1')]);
      // Again: nothing to do, still installed.
      expect(ours.useTokenStacksWhenAsked()).toBe(true);
      expect(cdktfModule.captureStackTrace).toBe(ours.captureStackTrace);
    });
  });

  test('finds its own function in another copy of the module (a bundle may hold two) and leaves it', () => {
    const copy = loadWith(undefined);
    const frozen = Object.freeze({ captureStackTrace: copy.captureStackTrace });
    jest.isolateModules(() => {
      jest.doMock(STACK_TRACE, () => frozen);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const other = require('../../lib/app/token-stacks') as StackModule;
      expect(other.captureStackTrace).not.toBe(copy.captureStackTrace);
      // A frozen module object (as esbuild's getters are): an assignment would throw in strict mode.
      expect(other.useTokenStacksWhenAsked()).toBe(true);
    });
  });

  test('returns false and changes nothing when cdktf’s module has no captureStackTrace (another cdktf version)', () => {
    jest.isolateModules(() => {
      const moved = { somethingElse: () => [] as string[] };
      jest.doMock(STACK_TRACE, () => moved);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ours = require('../../lib/app/token-stacks') as StackModule;
      expect(ours.useTokenStacksWhenAsked()).toBe(false);
      expect(Object.keys(moved)).toEqual(['somethingElse']);
    });
  });

  test('returns false when cdktf has no such module (another cdktf version)', () => {
    jest.isolateModules(() => {
      jest.doMock(STACK_TRACE, () => {
        throw Object.assign(new Error(`Cannot find module '${STACK_TRACE}'`), { code: 'MODULE_NOT_FOUND' });
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ours = require('../../lib/app/token-stacks') as StackModule;
      expect(ours.useTokenStacksWhenAsked()).toBe(false);
    });
  });

  test('AIAI_TOKEN_STACKS=cdktf keeps cdktf’s own module', () => {
    withTokenStacksEnv('cdktf', () => {
      jest.isolateModules(() => {
        jest.dontMock(STACK_TRACE);
        /* eslint-disable @typescript-eslint/no-require-imports */
        const cdktfModule = require(STACK_TRACE) as { captureStackTrace: Function };
        const original = cdktfModule.captureStackTrace;
        const ours = require('../../lib/app/token-stacks') as StackModule;
        /* eslint-enable @typescript-eslint/no-require-imports */
        expect(ours.useTokenStacksWhenAsked()).toBe(false);
        expect(cdktfModule.captureStackTrace).toBe(original);
      });
    });
  });

  test('main.ts installs it before it builds the app', () => {
    const main = readFileSync(join(__dirname, '..', '..', 'main.ts'), 'utf8');
    const entry = main.slice(main.indexOf('if (require.main === module)'));
    expect(entry.indexOf('useTokenStacksWhenAsked();')).toBeGreaterThan(0);
    expect(entry.indexOf('useTokenStacksWhenAsked();')).toBeLessThan(entry.indexOf('new App()'));
  });
});
