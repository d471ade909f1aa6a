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
// about a sixth of jest's own CPU.
//
// What stays the same: the function gets the same parameters (jest's module, exports, require,
// __dirname, __filename, jest), runs in the same context, and its lines and columns are the file's
// own (the wrapper's first line sits on line -1), so stack traces and source maps read as before;
// dynamic import() goes to jest's callback as before. Handed to node's own vm.compileFunction
// instead (so it behaves, and fails, exactly as without this environment):
//   - a body that does not compile in the wrapper: node's compile then throws its own error (a
//     SyntaxError of the test's realm, which jest turns into its own message);
//   - a body that closes the wrapper itself (more closing than opening braces: the script's value
//     is then not the wrapper function): node's compile rejects it; statements after the early close
//     have run by then, in a file that cannot load anyway;
//   - calls with a columnOffset or contextExtensions (jest passes neither), calls for any other
//     context or none;
//   - every call while VM modules are on (--experimental-vm-modules: a script compiled from a code
//     cache loses its dynamic import callback in Node 20, nodejs/corepack#342).
// Off when V8 coverage is collected (it reads offsets of the compiled scripts) and with
// AIAI_JEST_CODE_CACHE=0. Tested by __tests__/bench/test-environment.test.ts.
const vm = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

const nodeCompileFunction = vm.compileFunction;

/**
 * A compiler with the signature of `vm.compileFunction` (for calls that give a `parsingContext`)
 * that keeps, per filename, the source last compiled and its code cache.
 */
function createModuleCompiler() {
  /** filename -> the wrapped source last compiled for it and its code cache. */
  const codeCache = new Map();
  /** filename -> a script compiled without an accepted code cache, whose cache {@link flush} makes. */
  let uncached = new Map();
  const stats = { compiled: 0, fromCodeCache: 0, handedToNode: 0 };
  function handToNode(args) {
    stats.handedToNode++;
    return nodeCompileFunction.apply(vm, args);
  }
  return {
    stats,
    compile(code, params, options) {
      if (typeof vm.SyntheticModule === 'function' || (options.columnOffset ?? 0) !== 0 || options.contextExtensions !== undefined) return handToNode(arguments);
      const source = `(function (${params.join(', ')}) {\n${code}\n})`;
      const known = codeCache.get(options.filename);
      const cachedData = known !== undefined && known.source === source ? known.data : undefined;
      let script;
      try {
        script = new vm.Script(source, { filename: options.filename, lineOffset: (options.lineOffset ?? 0) - 1, cachedData, importModuleDynamically: options.importModuleDynamically });
      } catch {
        return handToNode(arguments);
      }
      const fn = script.runInContext(options.parsingContext);
      // The wrapper itself, not a function the body made after closing it early.
      if (typeof fn !== 'function' || Function.prototype.toString.call(fn).length !== source.length - 2) return handToNode(arguments);
      stats.compiled++;
      if (cachedData === undefined || script.cachedDataRejected) uncached.set(options.filename, { source, script });
      else stats.fromCodeCache++;
      return fn;
    },
    /** Makes the code caches of the scripts compiled without one (after they ran: with what they compiled). */
    flush() {
      for (const [filename, { source, script }] of uncached) codeCache.set(filename, { source, data: script.createCachedData() });
      uncached = new Map();
    },
  };
}

/** Per vm context of an environment of this worker: whether it compiles through {@link workerCompiler} and if not, why. */
const contexts = new WeakMap();
/** The same per global object of those contexts (what code inside sees as globalThis). */
const globals = new WeakMap();
const workerCompiler = createModuleCompiler();

function compileFunction(code, params, options) {
  const context = options && options.parsingContext;
  if (context === undefined || contexts.get(context) !== 'cached') return nodeCompileFunction.apply(vm, arguments);
  return workerCompiler.compile(code, params, options);
}
/** What the worker's compiler did so far, and what it does for a context (read by the environment's own test). */
compileFunction.stats = workerCompiler.stats;
compileFunction.statusOf = (global) => globals.get(global) ?? 'not an environment of this worker';

class CodeCacheEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const { collectCoverage, coverageProvider } = config.globalConfig;
    const status =
      process.env.AIAI_JEST_CODE_CACHE === '0' ? 'off: AIAI_JEST_CODE_CACHE=0' : collectCoverage && coverageProvider === 'v8' ? 'off: V8 coverage' : 'cached';
    this.cached = status === 'cached';
    // Installed either way (it hands every context that is not 'cached' to node's own).
    if (vm.compileFunction !== compileFunction) vm.compileFunction = compileFunction;
    contexts.set(this.getVmContext(), status);
    globals.set(this.global, status);
  }

  async teardown() {
    if (this.cached) workerCompiler.flush();
    await super.teardown();
  }
}

module.exports = CodeCacheEnvironment;
module.exports.createModuleCompiler = createModuleCompiler;
