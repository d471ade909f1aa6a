/**
 * Bucket name rules. Hetzner bucket names are global across all Hetzner customers and follow the
 * S3 rules for general purpose buckets (AWS docs "Bucket naming rules", as of 2026-11). One rule is
 * ours and stricter: no dots, because a dotted name breaks TLS for virtual-hosted addressing
 * (`https://<bucket>.<location>.your-objectstorage.com` only has a one-level wildcard certificate).
 */
import type { PropValidator } from '../core/validation-error';

export const BUCKET_NAME_MIN_LENGTH = 3;
export const BUCKET_NAME_MAX_LENGTH = 63;

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const;

/** Human description of the rules, used in error messages. */
export const BUCKET_NAME_RULES =
  `${BUCKET_NAME_MIN_LENGTH}-${BUCKET_NAME_MAX_LENGTH} characters of lowercase letters, digits and hyphens, ` +
  'starting and ending with a letter or digit, not shaped like an IP address, ' +
  `not starting with ${RESERVED_PREFIXES.join(' / ')} and not ending with ${RESERVED_SUFFIXES.join(' / ')}`;

/**
 * Every rule `name` breaks, in words (empty when the name is valid). Pure; callers decide how to
 * report (the constructs collect these into a ValidationError).
 */
export function bucketNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < BUCKET_NAME_MIN_LENGTH || name.length > BUCKET_NAME_MAX_LENGTH) {
    problems.push(`is ${name.length} characters long (must be ${BUCKET_NAME_MIN_LENGTH}-${BUCKET_NAME_MAX_LENGTH})`);
  }
  if (/[A-Z]/.test(name)) problems.push('contains uppercase letters');
  if (name.includes('..')) problems.push('contains two adjacent periods');
  if (name.includes('.')) problems.push('contains a period (not allowed here: breaks TLS for virtual-hosted URLs)');
  const bad = [...new Set(name.replace(/[a-zA-Z0-9.-]/g, ''))];
  if (bad.length > 0) problems.push(`contains ${bad.map((c) => JSON.stringify(c)).join(', ')}`);
  if (name.length > 0 && !/^[a-z0-9]/.test(name)) problems.push('does not start with a lowercase letter or digit');
  if (name.length > 0 && !/[a-z0-9]$/.test(name)) problems.push('does not end with a lowercase letter or digit');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) problems.push('is formatted as an IP address');
  for (const p of RESERVED_PREFIXES) if (name.startsWith(p)) problems.push(`starts with the reserved prefix ${p}`);
  for (const s of RESERVED_SUFFIXES) if (name.endsWith(s)) problems.push(`ends with the reserved suffix ${s}`);
  return problems;
}

/** True when `name` is a valid bucket name under the rules above. */
export function isValidBucketName(name: string): boolean {
  return bucketNameProblems(name).length === 0;
}

/** Records on `v` every rule the literal bucket name `name` breaks, under `property`. */
export function checkBucketName(v: PropValidator, property: string, name: string): void {
  if (!v.check(property, name, typeof name === 'string', `a string of ${BUCKET_NAME_RULES}`)) return;
  const problems = bucketNameProblems(name);
  v.check(property, name, problems.length === 0, `${BUCKET_NAME_RULES} (it ${problems.join('; ')})`);
}
