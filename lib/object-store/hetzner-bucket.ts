import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { isUnresolved } from '../core/tokens';
import { PropValidator } from '../core/validation-error';
import { BUCKET_NAME_RULES, bucketNameProblems } from './bucket-name';
import { BUCKET_REMOVAL_POLICIES, BucketRemovalPolicy } from './bucket-removal-policy';
import { HetznerObjectStorageProvider } from './hetzner-object-storage-provider';
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

/** Rule ids in the lifecycle configuration (stable: they show up in the console and in diffs). */
export const LifecycleRuleIds = {
  abortMultipart: 'abort-incomplete-multipart-uploads',
  expireObjects: 'expire-objects',
  expireNoncurrentVersions: 'expire-noncurrent-versions',
} as const;

const DEFAULT_NONCURRENT_DAYS = 30;
const DEFAULT_ABORT_MULTIPART_DAYS = 7;

/**
 * Whole-bucket scope of a rule: the rule-level `prefix = ""`, not `filter { prefix = "" }`.
 * After its PUT, the AWS provider (6.x) waits until the rules it reads back are deep-equal to the
 * ones it sent. Ceph RGW (Hetzner) answers an empty filter prefix with a rule-level `<Prefix>` and
 * no `<Filter>`, so a `filter` never compares equal and every apply times out (reported against
 * Hetzner in hetznercloud/terraform-provider-hcloud#1005 and hashicorp/terraform-provider-aws#49547).
 * The rule-level prefix is sent and echoed the same way. Not verified against Hetzner from here:
 * confirm with a one-bucket apply.
 */
const WHOLE_BUCKET = { prefix: '' } as const;

/**
 * One bucket on Hetzner Object Storage with its lifecycle rules and (optionally) versioning.
 *
 * Hetzner specifics handled here:
 * - `transition_default_minimum_object_size` is set to `""`. Since AWS provider 5.86 the attribute
 *   defaults to `all_storage_classes_128K` and is sent as the
 *   `x-amz-transition-default-minimum-object-size` header on every PutBucketLifecycleConfiguration;
 *   S3-compatible stores (Hetzner runs Ceph RGW) do not know it and either reject the request or
 *   never echo it back, which leaves a permanent diff. The provider's enum explicitly allows the
 *   empty string, and an empty value is not sent (the SDK only writes non-empty enum headers), so
 *   no unsupported header goes out and the empty value read back matches the configuration.
 *   Hetzner has a single storage class, so no transition rules exist for the attribute to affect.
 * - Rules apply to the whole bucket through the rule-level `prefix = ""` (see WHOLE_BUCKET) and use only actions Hetzner supports
 *   (Expiration, NoncurrentVersionExpiration, AbortIncompleteMultipartUpload); no transitions.
 */
export class HetznerBucket extends Construct {
  /** The bucket name (a plain string, usable in rendered host files). */
  public readonly bucketName: string;
  public readonly bucket: S3Bucket;
  public readonly versioning?: S3BucketVersioningA;
  public readonly lifecycleConfiguration: S3BucketLifecycleConfiguration;
  public readonly removalPolicy: BucketRemovalPolicy;

  constructor(scope: Construct, id: string, props: HetznerBucketProps) {
    super(scope, id);
    const v = new PropValidator(this);
    if (!isUnresolved(props.bucketName)) {
      const problems = bucketNameProblems(props.bucketName);
      v.check('bucketName', props.bucketName, problems.length === 0, `${BUCKET_NAME_RULES} (it ${problems.join('; ')})`);
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

    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: LifecycleRuleIds.abortMultipart,
        status: 'Enabled',
        ...WHOLE_BUCKET,
        abortIncompleteMultipartUpload: [
          { daysAfterInitiation: props.abortIncompleteMultipartUploadDays ?? DEFAULT_ABORT_MULTIPART_DAYS },
        ],
      },
    ];
    if (props.expirationDays !== undefined) {
      rules.push({
        id: LifecycleRuleIds.expireObjects,
        status: 'Enabled',
        ...WHOLE_BUCKET,
        expiration: [{ days: props.expirationDays }],
      });
    }
    if (props.versioned) {
      rules.push({
        id: LifecycleRuleIds.expireNoncurrentVersions,
        status: 'Enabled',
        ...WHOLE_BUCKET,
        noncurrentVersionExpiration: [
          { noncurrentDays: props.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_DAYS },
        ],
      });
    }

    this.lifecycleConfiguration = new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider: props.provider,
      bucket: this.bucket.bucket,
      // Empty = the header is not sent at all (see the class comment).
      transitionDefaultMinimumObjectSize: '',
      rule: rules,
      // Noncurrent-version rules need versioning to exist first.
      dependsOn: this.versioning ? [this.versioning] : undefined,
    });
  }
}
