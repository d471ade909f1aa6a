import { IConstruct } from 'constructs';
import { ValidationProblem, formatProblems } from './problems';

export type { ValidationProblem } from './problems';

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
    super(formatProblems(`Invalid props for ${path}`, problems));
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
