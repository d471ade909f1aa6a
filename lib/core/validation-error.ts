import { IConstruct } from 'constructs';

/** One rejected property: which prop, the value given, and what would have been accepted. */
export interface ValidationProblem {
  /** Property path, e.g. `standby.serverType`. */
  readonly property: string;
  /** The rejected value (rendered with JSON.stringify). */
  readonly value: unknown;
  /** What is allowed, in words, e.g. `one of cx23, cx33`. */
  readonly allowed: string;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s;
  } catch {
    return String(value);
  }
}

/**
 * Thrown at synth time for invalid construct props. The message names the construct path, each
 * offending property, its value and what is allowed, so that a failing `cdktf synth` points at
 * the line to fix. Thrown from constructors, before anything is written to `cdktf.out`.
 */
export class ValidationError extends Error {
  /** Path of the construct whose props were rejected. */
  public readonly constructPath: string;
  public readonly problems: readonly ValidationProblem[];

  constructor(scope: IConstruct | string, problems: readonly ValidationProblem[]) {
    const path = typeof scope === 'string' ? scope : scope.node.path;
    const lines = problems.map((p) => `  - ${p.property}: got ${show(p.value)}; allowed: ${p.allowed}`);
    super(`Invalid props for ${path}:\n${lines.join('\n')}`);
    this.name = 'ValidationError';
    this.constructPath = path;
    this.problems = problems;
  }
}

/**
 * Collects problems so that one synth reports every bad prop of a construct at once.
 *
 * ```ts
 * const v = new PropValidator(this);
 * v.check('volumeSizeGb', size, size >= 10, 'an integer from 10 to 10240');
 * v.throwIfInvalid();
 * ```
 */
export class PropValidator {
  private readonly problems: ValidationProblem[] = [];

  constructor(private readonly scope: IConstruct | string) {}

  /** Records a problem when `ok` is false. Returns `ok` so callers can chain dependent checks. */
  public check(property: string, value: unknown, ok: boolean, allowed: string): boolean {
    if (!ok) this.problems.push({ property, value, allowed });
    return ok;
  }

  /** Records a problem unconditionally. */
  public fail(property: string, value: unknown, allowed: string): void {
    this.problems.push({ property, value, allowed });
  }

  /** Runs a check that throws a plain Error (e.g. a catalog lookup) and records its message. */
  public attempt<T>(property: string, value: unknown, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.problems.push({ property, value, allowed: (e as Error).message });
      return undefined;
    }
  }

  public get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  public throwIfInvalid(): void {
    if (this.problems.length > 0) throw new ValidationError(this.scope, this.problems);
  }
}
