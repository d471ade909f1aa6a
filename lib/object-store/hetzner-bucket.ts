import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { isUnresolved } from '../core/tokens';
import { PropValidator, requireProps } from '../core/validation-error';
import { checkBucketName } from '../hetzner/bucket-name';
import { BucketLifecycle } from './bucket-lifecycle';
import { BUCKET_REMOVAL_POLICIES, BucketRemovalPolicy } from './bucket-removal-policy';
import { HetznerObjectStorageProvider } from './hetzner-object-storage-provider';
import { BucketLifecycleRule } from './lifecycle-document';
import { checkRetentionDays } from './retention';

export interface HetznerBucketProps {
  /** The AWS provider for Hetzner Object Storage, created by the stack. */
  readonly provider: HetznerObjectStorageProvider;
  /** Globally unique bucket name (see `BUCKET_NAME_RULES`). */
  readonly bucketName: string;
  /**
   * Keep every version of overwritten and deleted objects (S3 versioning).
   * @default false
   */
  readonly versioned?: boolean;
  /**
   * Delete current objects this many days after they were written.
   * @default objects are kept until deleted
   */
  readonly expirationDays?: number;
  /**
   * With `versioned`: delete a version this many days after it stopped being current. Only
   * allowed on versioned buckets.
   * @default 30 on versioned buckets
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Abort multipart uploads that were not completed this many days after they started (their
   * parts are billed storage that no listing shows).
   * @default 7
   */
  readonly abortIncompleteMultipartUploadDays?: number;
  /**
   * What destroy may do to the bucket.
   * @default BucketRemovalPolicy.RETAIN (lifecycle.prevent_destroy on the bucket and its versioning)
   */
  readonly removalPolicy?: BucketRemovalPolicy;
}

/** Rule ids in the lifecycle configuration (stable: they show up in the plan and in the bucket's configuration). */
export const LifecycleRuleIds = {
  abortMultipart: 'abort-incomplete-multipart-uploads',
  expireObjects: 'expire-objects',
  expireNoncurrentVersions: 'expire-noncurrent-versions',
} as const;

const DEFAULT_NONCURRENT_DAYS = 30;
const DEFAULT_ABORT_MULTIPART_DAYS = 7;

/**
 * One bucket on Hetzner Object Storage with its lifecycle rules and (optionally) versioning.
 *
 * The rules cover the whole bucket and use only actions Hetzner supports (Expiration,
 * NoncurrentVersionExpiration, AbortIncompleteMultipartUpload; no transitions). They are applied by
 * `BucketLifecycle` (a `terraform_data` whose provisioner puts and verifies them), not by the AWS
 * provider's `aws_s3_bucket_lifecycle_configuration`: against Ceph RGW that resource waits for an
 * echo it never gets and fails every apply after 3 minutes, whether the rule is scoped with a
 * rule-level `prefix = ""` or with `filter { prefix = "" }` (see BucketLifecycle for the sources).
 */
export class HetznerBucket extends Construct {
  /** The bucket name (a plain string, usable in rendered host files). */
  public readonly bucketName: string;
  public readonly bucket: S3Bucket;
  public readonly versioning?: S3BucketVersioningA;
  /** The bucket's lifecycle rules (a terraform_data that puts and verifies them). */
  public readonly lifecycleRules: BucketLifecycle;
  public readonly removalPolicy: BucketRemovalPolicy;

  constructor(scope: Construct, id: string, props: HetznerBucketProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    if (!isUnresolved(props.bucketName)) {
      checkBucketName(v, 'bucketName', props.bucketName);
    }
    checkRetentionDays(v, 'expirationDays', props.expirationDays);
    checkRetentionDays(v, 'noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays);
    checkRetentionDays(v, 'abortIncompleteMultipartUploadDays', props.abortIncompleteMultipartUploadDays);
    if (props.noncurrentVersionExpirationDays !== undefined && !props.versioned) {
      v.fail('noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays, 'only on a versioned bucket (set versioned: true)');
    }
    const removalPolicy = props.removalPolicy ?? BucketRemovalPolicy.RETAIN;
    v.check('removalPolicy', removalPolicy, BUCKET_REMOVAL_POLICIES.includes(removalPolicy), `one of ${BUCKET_REMOVAL_POLICIES.join(', ')}`);
    v.throwIfInvalid();

    this.bucketName = props.bucketName;
    this.removalPolicy = removalPolicy;
    const retain = removalPolicy === BucketRemovalPolicy.RETAIN;

    this.bucket = new S3Bucket(this, 'bucket', {
      provider: props.provider,
      bucket: props.bucketName,
      forceDestroy: removalPolicy === BucketRemovalPolicy.DESTROY_WITH_CONTENTS,
      lifecycle: retain ? { preventDestroy: true } : undefined,
    });

    if (props.versioned) {
      this.versioning = new S3BucketVersioningA(this, 'versioning', {
        provider: props.provider,
        bucket: this.bucket.bucket,
        versioningConfiguration: { status: 'Enabled' },
        lifecycle: retain ? { preventDestroy: true } : undefined,
      });
    }

    const rules: BucketLifecycleRule[] = [
      {
        id: LifecycleRuleIds.abortMultipart,
        abortIncompleteMultipartUploadDays: props.abortIncompleteMultipartUploadDays ?? DEFAULT_ABORT_MULTIPART_DAYS,
      },
    ];
    if (props.expirationDays !== undefined) {
      rules.push({ id: LifecycleRuleIds.expireObjects, expirationDays: props.expirationDays });
    }
    if (props.versioned) {
      rules.push({
        id: LifecycleRuleIds.expireNoncurrentVersions,
        noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_DAYS,
      });
    }

    this.lifecycleRules = new BucketLifecycle(this, 'lifecycle', {
      bucketName: this.bucket.bucket,
      location: props.provider.location,
      endpoint: props.provider.endpoint,
      rules,
      // Noncurrent-version rules after versioning; a replaced bucket gets its rules again.
      dependsOn: this.versioning ? [this.bucket, this.versioning] : [this.bucket],
      // A plain reference (`aws_s3_bucket.<id>.id`, not an interpolation): what replace_triggered_by takes.
      replaceTriggeredBy: [Lazy.stringValue({ produce: () => `${this.bucket.terraformResourceType}.${this.bucket.friendlyUniqueId}.id` })],
    });
  }
}
