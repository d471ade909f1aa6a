/**
 * __tests__/support/environment.js: the suite's modules compiled through a per-worker cache
 * behave as jest's own `vm.compileFunction` compiles them.
 */
import * as vm from 'node:vm';

type Compile = (code: string, params: string[], options: { filename: string; parsingContext: vm.Context; importModuleDynamically?: unknown }) => Function;
interface ModuleCompiler {
  readonly stats: { compiled: number; fromCodeCache: number };
  compile: Compile;
  flush(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createModuleCompiler } = require('../support/environment.js') as { createModuleCompiler: () => ModuleCompiler };

const PARAMS = ['module', 'exports', 'require', '__dirname', '__filename', 'jest'];
const FILENAME = '/virtual/sample-module.js';
const BODY = [
  '"use strict";',
  'exports.sum = (a, b) => a + b;',
  'exports.self = function () { return this; };',
  'exports.fail = () => {',
  '  throw new Error("boom");',
  '};',
  'exports.load = () => import("./other.js");',
].join('\n');

/** Runs a compiled module body the way jest's ModuleExecutor does; returns its exports. */
function load(fn: Function): Record<string, any> {
  const module = { exports: {} as Record<string, any> };
  fn.call(module.exports, module, module.exports, () => undefined, '/virtual', FILENAME, undefined);
  return module.exports;
}

/** `file:line:column` of the frame of FILENAME in an error's stack. */
function frameOf(error: unknown): string | undefined {
  return String((error as Error).stack).match(/\/virtual\/sample-module\.js:\d+:\d+/)?.[0];
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('the per-worker module compiler', () => {
  test('compiles a module body to what vm.compileFunction makes of it: parameters, strictness, lines and columns', () => {
    const context = vm.createContext({});
    const ours = load(createModuleCompiler().compile(BODY, PARAMS, { filename: FILENAME, parsingContext: context }));
    const node = load(vm.compileFunction(BODY, PARAMS, { filename: FILENAME, parsingContext: context }));
    expect(ours.sum(2, 3)).toBe(5);
    const detachedOurs = ours.self;
    const detachedNode = node.self;
    expect(detachedOurs()).toBeUndefined();
    expect(detachedNode()).toBeUndefined();
    const where = frameOf(thrown(ours.fail));
    expect(where).toBe('/virtual/sample-module.js:5:9');
    expect(where).toBe(frameOf(thrown(node.fail)));
  });

  test('runs the function in the given context', () => {
    const context = vm.createContext({ marker: 'inside' });
    const fn = createModuleCompiler().compile('exports.read = () => marker; exports.isArray = (x) => x instanceof Array;', PARAMS, { filename: FILENAME, parsingContext: context });
    const exports = load(fn);
    expect(exports.read()).toBe('inside');
    expect(exports.isArray(vm.runInContext('[]', context))).toBe(true);
    expect(exports.isArray([])).toBe(false);
  });

  test('from the second compile of a source on, uses the code cache made after the first ran', () => {
    const compiler = createModuleCompiler();
    const context = vm.createContext({});
    load(compiler.compile(BODY, PARAMS, { filename: FILENAME, parsingContext: context }));
    expect(compiler.stats).toEqual({ compiled: 1, fromCodeCache: 0 });
    compiler.flush();
    const again = load(compiler.compile(BODY, PARAMS, { filename: FILENAME, parsingContext: vm.createContext({}) }));
    expect(compiler.stats).toEqual({ compiled: 2, fromCodeCache: 1 });
    expect(again.sum(1, 1)).toBe(2);
    expect(frameOf(thrown(again.fail))).toBe('/virtual/sample-module.js:5:9');
  });

  test('a changed source of the same file is compiled afresh, not served from the cache', () => {
    const compiler = createModuleCompiler();
    const context = vm.createContext({});
    load(compiler.compile('exports.v = 1;', PARAMS, { filename: FILENAME, parsingContext: context }));
    compiler.flush();
    const changed = load(compiler.compile('exports.v = 2;', PARAMS, { filename: FILENAME, parsingContext: context }));
    expect(changed.v).toBe(2);
    expect(compiler.stats.fromCodeCache).toBe(0);
  });

  test('fails with a SyntaxError on a body that does not parse, as vm.compileFunction does', () => {
    const context = vm.createContext({});
    // Both errors are made in node's realm: compare names (jest's own check is error.name too).
    const ours = thrown(() => createModuleCompiler().compile('exports.x = ;', PARAMS, { filename: FILENAME, parsingContext: context })) as Error;
    const node = thrown(() => vm.compileFunction('exports.x = ;', PARAMS, { filename: FILENAME, parsingContext: context })) as Error;
    expect(ours.name).toBe('SyntaxError');
    expect(ours.message).toBe(node.message);
  });

  test('hands dynamic import() to the given callback as vm.compileFunction does', async () => {
    // Without --experimental-vm-modules node refuses the callback in both (jest's message then
    // asks for the flag); with it the callback gets the specifier.
    const outcome = async (compile: Compile): Promise<{ asked: string[]; message: string }> => {
      const asked: string[] = [];
      const fn = compile(BODY, PARAMS, {
        filename: FILENAME,
        parsingContext: vm.createContext({}),
        importModuleDynamically: async (specifier: string) => {
          asked.push(specifier);
          throw new Error(`no module ${specifier} here`);
        },
      });
      const message = await load(fn)
        .load()
        .then(
          () => 'resolved',
          (e: Error) => e.message,
        );
      return { asked, message };
    };
    const ours = await outcome(createModuleCompiler().compile);
    expect(ours).toEqual(await outcome(vm.compileFunction as unknown as Compile));
    expect(ours.message).toMatch(/no module \.\/other\.js here|experimental-vm-modules/);
  });

  test('is the compiler of this suite (jest.config.js testEnvironment)', () => {
    expect(String(vm.compileFunction)).toContain('workerCompiler');
  });
});
