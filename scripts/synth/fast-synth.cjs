'use strict';
/**
 * `npm run synth`: runs the reference app (main.ts) directly and writes what `cdktf synth --output
 * cdktf.out` writes (manifest.json, stacks/<stack>/cdk.tf.json and assets), without the cdktf CLI's
 * own start-up (about 2.5 s and 250 MiB: it loads its whole UI and terraform tooling to then spawn
 * `node --import tsx main.ts`). `npx cdktf synth` keeps working and writes the same bytes
 * (__tests__/bench/fast-synth.test.ts compares the two).
 *
 * How it is fast:
 *   1. main.ts, lib/, the generated bindings and the packages they import are bundled once into one
 *      CommonJS file with esbuild (type-checking is `npm run typecheck`'s job). The bundle is kept in
 *      node_modules/.cache/aiai-synth/ with the list of its inputs (path, size, mtime); a later run
 *      only stats those files and rebuilds when one changed. One file means no module resolution
 *      (some 600 files, thousands of stat calls) and one read.
 *   2. V8's code cache for that bundle is kept beside it, so the next run skips most parsing and
 *      compiling.
 *   3. `__dirname` and `__filename` in bundled files are replaced by the file's real location, so
 *      asset lookup (lib/core/assets.ts packageRoot) behaves as from sources.
 *   4. cdktf's token creation stacks (captured for every token, read only by error messages) are
 *      not recorded unless AIAI_TOKEN_STACKS=1, as aws-cdk records them only under CDK_DEBUG; when
 *      recorded, they are formatted on first read (lib/app/token-stacks.ts; main.ts installs the same
 *      into cdktf when it runs unbundled, under `cdktf synth`).
 *   5. cdktf's json-stable-stringify, which writes each stack, is replaced by
 *      ./stable-stringify.cjs: the same bytes from one pass into one buffer, instead of a string per
 *      object and level (about 90 MiB of heap at the write of a 1,000-host stack).
 * Like the CLI, it removes stack folders of cdktf.out that the app no longer synthesizes.
 *
 * Usage: node scripts/synth/fast-synth.cjs [--output DIR] [--entry FILE]; env AIAI_SYNTH_CACHE=DIR
 * moves the cache; `--rebuild` ignores it.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const ROOT = path.join(__dirname, '..', '..');
/** Bump when the bundling below changes, so old caches are not reused. */
const BUNDLE_FORMAT = 4;

function parseArgs(argv) {
  const opts = { output: 'cdktf.out', entry: path.join(ROOT, 'main.ts'), rebuild: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--output' || a === '-o') opts.output = argv[++i];
    else if (a === '--entry') opts.entry = path.resolve(argv[++i]);
    else if (a === '--rebuild') opts.rebuild = true;
    else throw new Error(`fast-synth: unknown argument ${a} (allowed: --output DIR, --entry FILE, --rebuild)`);
  }
  return opts;
}

function cacheDir() {
  return process.env.AIAI_SYNTH_CACHE || path.join(ROOT, 'node_modules', '.cache', 'aiai-synth');
}

/** True when every input of the cached bundle still has the size and mtime it was bundled from. */
function inputsUnchanged(inputs) {
  for (const { file, size, mtimeMs } of inputs) {
    let st;
    try {
      st = fs.statSync(file);
    } catch {
      return false;
    }
    if (st.size !== size || st.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

/**
 * cdktf's token creation-stack module, replaced in the bundle by lib/app/token-stacks.ts (nothing
 * recorded unless AIAI_TOKEN_STACKS=1, then the same frames, formatted only when an error message
 * reads them; see there).
 */
const STACK_TRACE_MODULE = /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/;
const TOKEN_STACKS = path.join(ROOT, 'lib', 'app', 'token-stacks.ts');
/** cdktf's copy of json-stable-stringify, replaced in the bundle by ./stable-stringify.cjs (same bytes, one buffer). */
const STABLE_STRINGIFY_MODULE = /[\\/]node_modules[\\/]cdktf[\\/]node_modules[\\/]json-stable-stringify[\\/]index\.js$/;
const STABLE_STRINGIFY = path.join(__dirname, 'stable-stringify.cjs');
/** Bundled modules replaced by our own files (kept as inputs of the bundle under their own names). */
const REPLACEMENTS = [
  [STACK_TRACE_MODULE, TOKEN_STACKS],
  [STABLE_STRINGIFY_MODULE, STABLE_STRINGIFY],
];

/**
 * esbuild plugin: `__dirname`/`__filename` of each bundled file become that file's real path; the
 * modules in REPLACEMENTS become ours.
 */
const realPaths = {
  name: 'aiai-real-paths',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|cjs)$/ }, (args) => {
      const replacement = REPLACEMENTS.find(([pattern]) => pattern.test(args.path));
      if (replacement) return { contents: fs.readFileSync(replacement[1], 'utf8'), loader: replacement[1].endsWith('.ts') ? 'ts' : 'js', resolveDir: path.dirname(args.path) };
      let contents = fs.readFileSync(args.path, 'utf8');
      if (contents.includes('__dirname') || contents.includes('__filename')) {
        contents = contents
          .replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)))
          .replace(/\b__filename\b/g, JSON.stringify(args.path));
      }
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/** Bundles `entry` into `bundleFile` and records its inputs. esbuild is loaded only here. */
function bundle(entry, bundleFile, inputsFile) {
  const esbuild = require('esbuild');
  // The async build: buildSync does not run plugins.
  return esbuild
    .build({
      entryPoints: [entry],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: bundleFile,
      metafile: true,
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'none',
      logLevel: 'error',
      plugins: [realPaths],
    })
    .then((r) => {
      const inputs = Object.keys(r.metafile.inputs).map((rel) => {
        const file = path.resolve(ROOT, rel);
        const st = fs.statSync(file);
        return { file, size: st.size, mtimeMs: st.mtimeMs };
      });
      // package.json files steer resolution without being inputs; the lock file covers node_modules.
      // The replacements are bundled under the paths they replace: record them by their own.
      for (const extra of ['package.json', 'package-lock.json', 'tsconfig.json', ...REPLACEMENTS.map(([, file]) => path.relative(ROOT, file))]) {
        const file = path.join(ROOT, extra);
        if (fs.existsSync(file)) {
          const st = fs.statSync(file);
          inputs.push({ file, size: st.size, mtimeMs: st.mtimeMs });
        }
      }
      fs.writeFileSync(inputsFile, JSON.stringify({ format: BUNDLE_FORMAT, entry, inputs }));
    });
}

/** Runs the bundle as the main module (so `require.main === module` holds), using V8's code cache. */
function runBundle(bundleFile, codeCacheFile, entry) {
  const source = fs.readFileSync(bundleFile, 'utf8');
  let cachedData;
  try {
    cachedData = fs.readFileSync(codeCacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundleFile, cachedData, importModuleDynamically: undefined });
  const mod = new Module(entry, null);
  mod.filename = entry;
  mod.paths = Module._nodeModulePaths(path.dirname(entry));
  const req = Module.createRequire(entry);
  req.main = mod;
  process.mainModule = mod;
  script.runInThisContext()(mod.exports, req, mod, entry, path.dirname(entry));
  mod.loaded = true;
  if (cachedData === undefined || script.cachedDataRejected) {
    // After the run: the cache then holds the functions the app really compiled, too.
    const tmp = `${codeCacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, codeCacheFile);
  }
}

function stackDirs(outdir) {
  const stacks = path.join(outdir, 'stacks');
  if (!fs.existsSync(stacks)) return [];
  return fs.readdirSync(stacks).filter((n) => fs.statSync(path.join(stacks, n)).isDirectory());
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = cacheDir();
  // One cache entry per entry file (worktrees sharing node_modules do not clash).
  const key = `${path.basename(opts.entry, '.ts')}-${require('node:crypto').createHash('sha1').update(opts.entry).digest('hex').slice(0, 16)}`;
  const bundleFile = path.join(dir, `${key}.js`);
  const inputsFile = path.join(dir, `${key}.inputs.json`);
  const codeCacheFile = path.join(dir, `${key}.v8cache`);

  let fresh = false;
  if (!opts.rebuild) {
    try {
      const recorded = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
      fresh = recorded.format === BUNDLE_FORMAT && recorded.entry === opts.entry && fs.existsSync(bundleFile) && inputsUnchanged(recorded.inputs);
    } catch {
      fresh = false;
    }
  }
  if (!fresh) {
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(codeCacheFile, { force: true });
    await bundle(opts.entry, bundleFile, inputsFile);
  }

  // What the cdktf CLI sets for the app (node_modules/@cdktf/cli-core/src/lib/synth-stack.js), less
  // CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: here an error annotation fails synth directly.
  const outdir = opts.output;
  process.env.CDKTF_OUTDIR = outdir;
  process.env.CDKTF_CONTEXT_JSON ??= JSON.stringify({ cdktfRelativeModules: [] });
  process.env.SYNTH_HCL_OUTPUT ??= 'false';
  process.env.CHECKPOINT_DISABLE ??= '1';
  const before = stackDirs(outdir);

  runBundle(bundleFile, codeCacheFile, opts.entry);

  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const names = Object.values(manifest.stacks).map((s) => s.name);
  for (const orphan of before.filter((d) => !names.includes(d))) fs.rmSync(path.join(outdir, 'stacks', orphan), { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
