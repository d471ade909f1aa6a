// Per-file setup: a stable timezone for anything that formats dates, cheap token creation stacks,
// and (opt-in) a CPU account.
import { appendFileSync, readFileSync } from 'node:fs';

process.env.TZ = 'UTC';

/**
 * cdktf captures a full stack trace for every token it creates (`creationStack` of Intrinsic, Lazy,
 * ComplexResolvable: node_modules/cdktf/lib/tokens/private/stack-trace.js, on a plain object, with
 * Error.stackTraceLimit raised to MAX_SAFE_INTEGER) and reads `.stack` at once; it is only shown in
 * token-resolution error messages. Under jest every such read ran jest's source-mapping formatter
 * over every frame: about 40% of the CPU of a synth in a test. Captures on objects that are not
 * errors are formatted the way V8 does natively (frames not source-mapped); every Error still gets
 * jest's formatter, exactly as before (node calls the test realm's Error.prepareStackTrace first
 * and falls back to the main realm's, where jest installs its own: node lib/internal/errors.js).
 */
const mainRealmError: ErrorConstructor | undefined = (() => {
  try {
    readFileSync('/nonexistent/aiai-realm-probe');
  } catch (e) {
    // Errors from node's own modules are made in the main realm (ENOENT: a plain Error).
    return (e as Error).constructor as ErrorConstructor;
  }
  return undefined;
})();
if (Error.prepareStackTrace === undefined && mainRealmError && mainRealmError !== Error) {
  Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]): unknown => {
    if (error !== null && typeof error === 'object' && !(error instanceof Error) && !(error instanceof mainRealmError)) {
      return `Error${frames.map((f) => `\n    at ${f}`).join('')}`;
    }
    const jestFormatter = mainRealmError.prepareStackTrace;
    if (jestFormatter) return jestFormatter(error as Error, frames);
    return `${String(error)}${frames.map((f) => `\n    at ${f}`).join('')}`;
  };
}

/**
 * Token creation stacks are not recorded, as in `npm run synth` and `cdktf synth` (lib/app/token-stacks.ts
 * stands in for cdktf's module; tested with cdktf's own by __tests__/app/token-stacks.test.ts): even
 * with the cheap format above, capturing and formatting a whole stack for every token nobody reads
 * was about 7% of the CPU of the unit tests. A test that needs cdktf's own module asks for it with
 * `jest.requireActual`; `AIAI_TOKEN_STACKS=1 npx jest ...` records the stacks (lazily) when a token
 * error's creation stack is wanted.
 */
jest.mock('cdktf/lib/tokens/private/stack-trace', () => jest.requireActual('../../lib/app/token-stacks'));

/**
 * With AIAI_TEST_CPU_LOG=<file>, each test file appends one JSON line: its path, wall ms and the CPU
 * seconds the jest process and the children it waited for (spawnSync, finished spawns) used while
 * it ran: /proc/self/stat utime+stime+cutime+cstime. Read by scripts/test-profile.mjs.
 */
const cpuLog = process.env.AIAI_TEST_CPU_LOG;
if (cpuLog) {
  const ticks = (): { self: number; children: number } => {
    const f = readFileSync('/proc/self/stat', 'utf8').slice(readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2).split(' ');
    // Fields 14-17 of stat(5), counted from the state field (3) here.
    return { self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  };
  const start = ticks();
  const started = Date.now();
  afterAll(() => {
    const end = ticks();
    const hz = 100;
    appendFileSync(
      cpuLog,
      JSON.stringify({
        file: expect.getState().testPath,
        wallMs: Date.now() - started,
        cpuSelf: (end.self - start.self) / hz,
        cpuChildren: (end.children - start.children) / hz,
      }) + '\n',
    );
  });
}
