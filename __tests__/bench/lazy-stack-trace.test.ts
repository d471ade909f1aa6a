/**
 * scripts/synth/lazy-stack-trace.cjs, which the fast synth bundles in place of cdktf's token
 * creation-stack module: the same lines as cdktf's, formatted only on first read, and cdktf's
 * token errors still name where the token was created.
 */
import { basename } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lazy = require('../../scripts/synth/lazy-stack-trace.cjs') as { captureStackTrace: (below?: Function) => string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const original = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: (below?: Function) => string[] };

const THIS_FILE = basename(__filename);

describe('lazy token creation stacks', () => {
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
