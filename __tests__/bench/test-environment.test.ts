/**
 * __tests__/support/environment.js: the suite's modules compiled through a per-worker cache
 * behave as jest's own `vm.compileFunction` compiles them.
 */
import * as vm from 'node:vm';
import { run } from '../support/tools';

type Compile = (code: string, params: string[], options: { filename: string; parsingContext: vm.Context; importModuleDynamically?: unknown; lineOffset?: number; columnOffset?: number }) => Function;
interface ModuleCompiler {
  readonly stats: { compiled: number; fromCodeCache: number; handedToNode: number };
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
    expect(compiler.stats).toEqual({ compiled: 1, fromCodeCache: 0, handedToNode: 0 });
    compiler.flush();
    const again = load(compiler.compile(BODY, PARAMS, { filename: FILENAME, parsingContext: vm.createContext({}) }));
    expect(compiler.stats).toEqual({ compiled: 2, fromCodeCache: 1, handedToNode: 0 });
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

  test('fails on a body that does not parse with node\u2019s own error (the context\u2019s SyntaxError)', () => {
    const context = vm.createContext({});
    const compiler = createModuleCompiler();
    const ours = thrown(() => compiler.compile('exports.x = ;', PARAMS, { filename: FILENAME, parsingContext: context })) as Error;
    const node = thrown(() => vm.compileFunction('exports.x = ;', PARAMS, { filename: FILENAME, parsingContext: context })) as Error;
    expect(ours.constructor).toBe(node.constructor);
    expect(ours.constructor).toBe(vm.runInContext('SyntaxError', context));
    expect(ours.message).toBe(node.message);
    expect(compiler.stats).toEqual({ compiled: 0, fromCodeCache: 0, handedToNode: 1 });
  });

  test('fails on a body that closes the wrapper itself, as vm.compileFunction does', () => {
    const context = vm.createContext({});
    const body = 'exports.x = 1;\n}); (function (module) {';
    const compiler = createModuleCompiler();
    const ours = thrown(() => compiler.compile(body, PARAMS, { filename: FILENAME, parsingContext: context })) as Error;
    const node = thrown(() => vm.compileFunction(body, PARAMS, { filename: FILENAME, parsingContext: context })) as Error;
    expect(ours.constructor).toBe(vm.runInContext('SyntaxError', context));
    expect(ours.message).toBe(node.message);
  });

  test('hands calls with a columnOffset to vm.compileFunction (columns of the first line as node counts them)', () => {
    const context = vm.createContext({});
    const compiler = createModuleCompiler();
    const body = 'exports.fail = () => { throw new Error("x"); };';
    const options = { filename: FILENAME, parsingContext: context, lineOffset: 10, columnOffset: 7 };
    const ours = load(compiler.compile(body, PARAMS, options));
    const node = load(vm.compileFunction(body, PARAMS, options));
    expect(compiler.stats.handedToNode).toBe(1);
    expect(frameOf(thrown(ours.fail))).toBe(frameOf(thrown(node.fail)));
    expect(frameOf(thrown(ours.fail))).toBe('/virtual/sample-module.js:11:37');
  });

  test('the same source with other parameters is not served from the cache', () => {
    const compiler = createModuleCompiler();
    const context = vm.createContext({});
    const body = 'module.exports = typeof jest;';
    const first = { exports: {} as unknown };
    compiler.compile(body, PARAMS, { filename: FILENAME, parsingContext: context }).call(first, first, first.exports, () => undefined, '/virtual', FILENAME, 'injected');
    compiler.flush();
    const other = [...PARAMS.slice(0, 5), 'Math'];
    const second = { exports: {} as unknown };
    compiler.compile(body, other, { filename: FILENAME, parsingContext: context }).call(second, second, second.exports, () => undefined, '/virtual', FILENAME, 'injected');
    expect(first.exports).toBe('string');
    expect(second.exports).toBe('undefined'); // no parameter named jest: a global lookup
    expect(compiler.stats.fromCodeCache).toBe(0);
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

  test('is the compiler of this suite\u2019s modules (jest.config.js testEnvironment), unless turned off', () => {
    const installed = vm.compileFunction as unknown as { stats?: { compiled: number }; statusOf?: (global: unknown) => string };
    expect(typeof installed.statusOf).toBe('function');
    const status = installed.statusOf!(globalThis);
    if (process.env.AIAI_JEST_CODE_CACHE === '0') {
      expect(status).toBe('off: AIAI_JEST_CODE_CACHE=0');
      return;
    }
    if (status === 'off: V8 coverage') return; // --coverage --coverageProvider=v8: offsets must be node's own
    expect(status).toBe('cached');
    const before = installed.stats!.compiled;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../lib/core/patterns');
    });
    expect(installed.stats!.compiled).toBeGreaterThan(before);
  });

  test('with VM modules on (--experimental-vm-modules) every call goes to node\u2019s own: a cached script would lose its import() callback', () => {
    const probe = [
      "const vm = require('node:vm');",
      `const { createModuleCompiler } = require(${JSON.stringify(require.resolve('../support/environment.js'))});`,
      'const c = createModuleCompiler();',
      "const opts = () => ({ filename: '/virtual/m.js', parsingContext: vm.createContext({}), importModuleDynamically: async (s) => { asked.push(s); throw new Error('none'); } });",
      'const asked = [];',
      "const body = 'exports.load = () => import(\\'./x.js\\');';",
      "const run = (fn) => { const m = { exports: {} }; fn.call(m.exports, m, m.exports); return m.exports.load().catch((e) => e.message); };",
      "(async () => { await run(c.compile(body, ['module', 'exports'], opts())); c.flush(); const second = await run(c.compile(body, ['module', 'exports'], opts()));",
      '  console.log(JSON.stringify({ asked, second, stats: c.stats })); })();',
    ].join('\n');
    const r = run(process.execPath, ['--experimental-vm-modules', '--no-warnings', '-e', probe]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ asked: ['./x.js', './x.js'], second: 'none', stats: { compiled: 0, fromCodeCache: 0, handedToNode: 2 } });
  });
});
