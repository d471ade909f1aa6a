import { sha256Hex } from '../core/digest';

/**
 * One lifecycle rule. Every rule applies to the whole bucket and is enabled; only actions Hetzner
 * Object Storage supports exist here (no transitions: Hetzner has a single storage class).
 */
export interface BucketLifecycleRule {
  /** Rule id (stable: it shows up in diffs and in the bucket's configuration). 1-255 characters. */
  readonly id: string;
  /**
   * Expire current objects this many days after they were written.
   * @default current objects do not expire
   */
  readonly expirationDays?: number;
  /**
   * Delete a version this many days after it stopped being current (versioned buckets).
   * @default noncurrent versions are kept
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Abort multipart uploads not completed this many days after they started.
   * @default incomplete uploads are kept
   */
  readonly abortIncompleteMultipartUploadDays?: number;
}

/** S3 limits on a lifecycle configuration (AWS S3 API reference, PutBucketLifecycleConfiguration). */
export const LifecycleLimits = {
  maxRules: 1000,
  maxRuleIdLength: 255,
} as const;

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The PutBucketLifecycleConfiguration body for `rules`, byte for byte what is sent. A whole-bucket
 * rule carries an empty `<Filter></Filter>` (the current S3 schema; Ceph RGW accepts it and answers
 * with a rule-level empty `<Prefix>`, which the program compares as the same scope).
 */
export function renderLifecycleDocument(rules: readonly BucketLifecycleRule[]): string {
  const body = rules
    .map((r) => {
      const actions = [
        r.expirationDays !== undefined ? `<Expiration><Days>${r.expirationDays}</Days></Expiration>` : '',
        r.noncurrentVersionExpirationDays !== undefined
          ? `<NoncurrentVersionExpiration><NoncurrentDays>${r.noncurrentVersionExpirationDays}</NoncurrentDays></NoncurrentVersionExpiration>`
          : '',
        r.abortIncompleteMultipartUploadDays !== undefined
          ? `<AbortIncompleteMultipartUpload><DaysAfterInitiation>${r.abortIncompleteMultipartUploadDays}</DaysAfterInitiation></AbortIncompleteMultipartUpload>`
          : '',
      ].join('');
      return `<Rule><ID>${escapeXml(r.id)}</ID><Filter></Filter><Status>Enabled</Status>${actions}</Rule>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration xmlns="${XMLNS}">${body}</LifecycleConfiguration>\n`;
}

/** Hex SHA-256 of a document (UTF-8): what the terraform_data resource is keyed on. */
export function lifecycleDocumentSha256(document: string): string {
  return sha256Hex(document);
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** What a rule does, in words, for the plan (e.g. `whole bucket: expire current objects after 90 days`). */
export function describeLifecycleRule(rule: BucketLifecycleRule): string {
  const parts = [
    rule.expirationDays !== undefined ? `expire current objects after ${days(rule.expirationDays)}` : undefined,
    rule.noncurrentVersionExpirationDays !== undefined ? `delete noncurrent versions after ${days(rule.noncurrentVersionExpirationDays)}` : undefined,
    rule.abortIncompleteMultipartUploadDays !== undefined ? `abort incomplete multipart uploads after ${days(rule.abortIncompleteMultipartUploadDays)}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return `whole bucket: ${parts.join('; ')}`;
}
