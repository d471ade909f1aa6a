import { PropValidator } from '../core/validation-error';

/** Upper bound for day counts: 100 years (S3 has no documented maximum; this catches typos like ms). */
export const MAX_RETENTION_DAYS = 36_500;

export const RETENTION_DAYS_ALLOWED = `a positive whole number of days (1-${MAX_RETENTION_DAYS}) given as a literal, not a token (the lifecycle document and its digest are built at synth)`;

/**
 * True for a whole number of days from 1 to MAX_RETENTION_DAYS. Tokens are rejected (a number
 * token is a huge negative double): the lifecycle document is rendered and hashed at synth.
 */
export function isValidRetentionDays(days: number): boolean {
  return Number.isInteger(days) && days >= 1 && days <= MAX_RETENTION_DAYS;
}

/** Records a problem for `property` when `days` is given and is not a valid day count. */
export function checkRetentionDays(v: PropValidator, property: string, days: number | undefined): void {
  if (days === undefined) return;
  v.check(property, days, isValidRetentionDays(days), RETENTION_DAYS_ALLOWED);
}
