// Type-only: runtime-safe renderers (the runner CLI's import graph) throw ValidationError too, and
// may not load constructs or cdktf (__tests__/runner-manager/imports.test.ts).
import type { IConstruct } from 'constructs';
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
 *
 * A renderer that validates options takes the caller's validator (or {@link PropValidator.under}
 * it) so its problems name the construct path and the property path the user wrote.
 */
export class PropValidator {
  private problems: ValidationProblem[] = [];
  private prefix = '';

  /**
   * @param scope the construct whose props are checked (or, for a pure renderer called outside any
   *   construct, a name for it).
   */
  constructor(private readonly scope: IConstruct | string) {}

  /**
   * A validator that records into this one, with every property under `prefix` (e.g.
   * `v.under('logShipping')` records `lokiHost` as `logShipping.lokiHost`).
   */
  public under(prefix: string): PropValidator {
    const child = new PropValidator(this.scope);
    child.prefix = this.path(prefix);
    child.problems = this.problems;
    return child;
  }

  private path(property: string): string {
    if (this.prefix === '') return property;
    if (property === '') return this.prefix;
    return property.startsWith('[') ? `${this.prefix}${property}` : `${this.prefix}.${property}`;
  }

  /** Records a problem when `ok` is false. Returns `ok` so callers can chain dependent checks. */
  public check(property: string, value: unknown, ok: boolean, allowed: string): boolean {
    if (!ok) this.problems.push({ property: this.path(property), value, allowed });
    return ok;
  }

  /** Records a problem unconditionally. */
  public fail(property: string, value: unknown, allowed: string): void {
    this.problems.push({ property: this.path(property), value, allowed });
  }

  /**
   * Runs a check that throws (a catalog lookup, a pure renderer) and records what it rejected under
   * `property` and `value` as the caller names them: a {@link ValidationError}'s `allowed` texts, or
   * another error's message.
   */
  public attempt<T>(property: string, value: unknown, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ValidationError) {
        for (const p of e.problems) this.fail(property, value, p.allowed);
      } else {
        this.fail(property, value, (e as Error).message);
      }
      return undefined;
    }
  }

  public get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  public throwIfInvalid(): void {
    if (this.problems.length > 0) throw new ValidationError(this.scope, [...this.problems]);
  }
}

/**
 * Throws a {@link ValidationError} for one rejected value. For pure helpers (renderers, lookups)
 * that have no construct: `scope` names the helper. Constructs check their props before rendering;
 * where one hands a prop to such a helper it calls it through {@link PropValidator.attempt}, so the
 * problem is reported under its own path and property.
 */
export function invalid(scope: string, property: string, value: unknown, allowed: string): never {
  throw new ValidationError(scope, [{ property, value, allowed }]);
}

/**
 * Guard at the top of a constructor whose props are required: JavaScript callers can write
 * `new X(scope, id)`, which would otherwise end in a TypeError deep inside. Callable before
 * `super()` (it takes the scope and id, not the construct).
 */
export function requireProps<T>(scope: IConstruct, id: string, props: T | undefined | null): T {
  if (props === undefined || props === null || typeof props !== 'object') {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    throw new ValidationError(path, [{ property: 'props', value: props, allowed: 'a props object (props are required)' }]);
  }
  return props;
}
