/**
 * The one problem type and formatter of the library: construct props (`ValidationError`), pool
 * settings read by the runner CLI (`SettingsError`) and the workflow renderer's checks all report
 * `property: got <value>; allowed: <what>` lines through {@link formatProblems}.
 *
 * Runtime-safe: no imports, so that the CLIs (which must not load cdktf or constructs) use it too.
 */

/** One rejected property: which prop, the value given, and what would have been accepted. */
export interface ValidationProblem {
  /** Property path, e.g. `standby.serverType`. */
  readonly property: string;
  /** The rejected value (rendered with JSON.stringify). */
  readonly value: unknown;
  /** What is allowed, in words, e.g. `one of cx23, cx33`. */
  readonly allowed: string;
}

/** A value as shown in a problem line: strings quoted, `undefined` as "nothing (not set)". */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing (not set)';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s;
  } catch {
    return String(value);
  }
}

/**
 * `<title>:` followed by one `  - <where>: got <value>; allowed: <allowed>` line per problem.
 * @param where the name a problem is reported under @default its `property`
 */
export function formatProblems<P extends ValidationProblem>(title: string, problems: readonly P[], where: (p: P) => string = (p) => p.property): string {
  const lines = problems.map((p) => `  - ${where(p)}: got ${showValue(p.value)}; allowed: ${p.allowed}`);
  return `${title}:\n${lines.join('\n')}`;
}
