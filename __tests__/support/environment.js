// The suite's test environment: jest's node environment, with each module compiled once per worker
// instead of once per test file.
//
// jest gives every test file its own module registry, so every file loads cdktf, constructs, the
// generated bindings and lib/ again: some 500 modules, each compiled by `vm.compileFunction`
// (jest-runtime's ModuleExecutor.compile), which V8 neither caches nor feeds a code cache. Here a
// module of this environment's context is compiled as a `vm.Script` of the same body wrapped in a
// function expression instead: V8's per-isolate compilation cache (keyed by the source) and, from a
// worker's second file on, a code cache made after the first file ran (so it holds the functions
// that file really compiled) skip most parsing and compiling. Measured on __tests__/foundation in
// one worker (with the token stacks of setup.ts off in both): 14.5 s -> 13.2 s; on the whole suite
// about a tenth of jest's own CPU.
//
// What stays the same: the function gets the same parameters (jest's module, exports, require,
// __dirname, __filename, jest), runs in the same context, and its lines and columns are the file's
// own (the wrapper's first line sits on line -1), so stack traces and source maps read as before;
// dynamic import() goes to jest's callback as before; a syntax error is thrown from the compile as
// before (jest turns it into its own error). The one difference, shared with node's own CommonJS
// wrapper of old (Module.wrap): a body with more closing than opening braces could close the
// wrapper itself instead of failing to parse; no module does that. Everything else compiled with vm.compileFunction (other
// contexts, no context) goes to node's own. Off when V8 coverage is collected (it reads offsets of
// the compiled scripts) and with AIAI_JEST_CODE_CACHE=0. Tested by
// __tests__/bench/test-environment.test.ts.
const vm = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

/**
 * A compiler with the signature of `vm.compileFunction` (for calls that give a `parsingContext`)
 * that keeps, per filename, the source last compiled and its code cache.
 */
function createModuleCompiler() {
  /** filename -> the source last compiled for it and its code cache. */
  const codeCache = new Map();
  /** Scripts compiled without an accepted code cache, whose cache {@link flush} makes. */
  let uncached = [];
  const stats = { compiled: 0, fromCodeCache: 0 };
  return {
    stats,
    compile(code, params, options) {
      const known = codeCache.get(options.filename);
      const cachedData = known !== undefined && known.code === code ? known.data : undefined;
      const script = new vm.Script(`(function (${params.join(', ')}) {\n${code}\n})`, {
        filename: options.filename,
        lineOffset: (options.lineOffset ?? 0) - 1,
        columnOffset: options.columnOffset ?? 0,
        cachedData,
        importModuleDynamically: options.importModuleDynamically,
      });
      stats.compiled++;
      if (cachedData === undefined || script.cachedDataRejected) uncached.push({ filename: options.filename, code, script });
      else stats.fromCodeCache++;
      return script.runInContext(options.parsingContext);
    },
    /** Makes the code caches of the scripts compiled without one (after they ran: with what they compiled). */
    flush() {
      for (const { filename, code, script } of uncached) codeCache.set(filename, { code, data: script.createCachedData() });
      uncached = [];
    },
  };
}

/** The vm contexts of the environments of this worker that compile through {@link workerCompiler}. */
const contexts = new WeakSet();
const workerCompiler = createModuleCompiler();
const nodeCompileFunction = vm.compileFunction;

function compileFunction(code, params, options) {
  const context = options && options.parsingContext;
  if (context === undefined || !contexts.has(context) || options.contextExtensions !== undefined) {
    return nodeCompileFunction.apply(vm, arguments);
  }
  return workerCompiler.compile(code, params, options);
}

class CodeCacheEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const { collectCoverage, coverageProvider } = config.globalConfig;
    this.cached = process.env.AIAI_JEST_CODE_CACHE !== '0' && !(collectCoverage && coverageProvider === 'v8');
    if (this.cached) {
      if (vm.compileFunction !== compileFunction) vm.compileFunction = compileFunction;
      contexts.add(this.getVmContext());
    }
  }

  async teardown() {
    if (this.cached) workerCompiler.flush();
    await super.teardown();
  }
}

module.exports = CodeCacheEnvironment;
module.exports.createModuleCompiler = createModuleCompiler;
