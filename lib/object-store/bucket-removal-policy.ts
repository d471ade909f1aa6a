/**
 * What `terraform destroy` (or removing the construct) may do to a bucket.
 *
 * Production keeps the default `RETAIN`. Scratch environments that are created and destroyed by
 * tests or short-lived branches opt out explicitly with `DESTROY` or `DESTROY_WITH_CONTENTS`.
 */
export enum BucketRemovalPolicy {
  /**
   * `lifecycle { prevent_destroy = true }` on the bucket (and its versioning): any plan that would
   * delete it fails. To really delete it, change the policy first, apply, then destroy.
   */
  RETAIN = 'retain',
  /** No protection; `terraform destroy` deletes the bucket if it is empty and fails otherwise. */
  DESTROY = 'destroy',
  /** No protection and `force_destroy = true`: destroy deletes every object and version first. */
  DESTROY_WITH_CONTENTS = 'destroy-with-contents',
}

export const BUCKET_REMOVAL_POLICIES: readonly BucketRemovalPolicy[] = [
  BucketRemovalPolicy.RETAIN,
  BucketRemovalPolicy.DESTROY,
  BucketRemovalPolicy.DESTROY_WITH_CONTENTS,
];
