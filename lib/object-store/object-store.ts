import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { isUnresolved } from '../core/tokens';
import { PropValidator, requireProps } from '../core/validation-error';
import { BUCKET_NAME_MAX_LENGTH, BUCKET_NAME_RULES, bucketNameProblems } from '../hetzner/bucket-name';
import { BucketRemovalPolicy } from './bucket-removal-policy';
import { HetznerBucket } from './hetzner-bucket';
import { HetznerObjectStorageProvider, ObjectStorageCredentials } from './hetzner-object-storage-provider';
import { ObjectStorageLocation } from './locations';
import { checkRetentionDays } from './retention';
import { ExistingObjectStore, ExistingObjectStoreProps } from './existing-object-store';
import { OBJECT_STORE_BUCKETS, ObjectStoreBucket, ObjectStoreBucketNames } from './object-store-buckets';

export { OBJECT_STORE_BUCKETS } from './object-store-buckets';
export type { ObjectStoreBucket, ObjectStoreBucketNames } from './object-store-buckets';

/** What other constructs and renderers need to use the object store. */
export interface IObjectStore {
  readonly location: ObjectStorageLocation;
  /** `https://<location>.your-objectstorage.com`. */
  readonly endpoint: string;
  /** S3 region name to configure in clients: the location. */
  readonly region: string;
  readonly bucketNames: ObjectStoreBucketNames;
  /** S3 credentials as tokens of sensitive variables: deliver them as secret files, never in user_data. */
  readonly credentials: ObjectStorageCredentials;
}

export interface ObjectStoreProps {
  /** The AWS provider for Hetzner Object Storage, created by the stack (`HetznerObjectStorage.provider`). */
  readonly provider: HetznerObjectStorageProvider;
  /**
   * Prefix of every bucket name: buckets are `<prefix>-logs`, `<prefix>-metrics`,
   * `<prefix>-artifacts` and `<prefix>-backups`. Bucket names are global across all Hetzner
   * customers, so include something of yours and the environment, e.g. `acme-aiai-prod`.
   */
  readonly bucketPrefix: string;
  /** Days logs are kept. @default 90 */
  readonly logsExpirationDays?: number;
  /** Days metric archives are kept. @default 365 */
  readonly metricsExpirationDays?: number;
  /** Days build artifacts are kept. @default 30 */
  readonly artifactsExpirationDays?: number;
  /**
   * Days a backup object stays current before it is expired (it then becomes a noncurrent version
   * and lives `backupsNoncurrentVersionExpirationDays` longer).
   * @default 90
   */
  readonly backupsExpirationDays?: number;
  /** Days an overwritten or deleted backup version is kept. @default 30 */
  readonly backupsNoncurrentVersionExpirationDays?: number;
  /** Days after which unfinished multipart uploads are aborted, on every bucket. @default 7 */
  readonly abortIncompleteMultipartUploadDays?: number;
  /**
   * What destroy may do to the buckets. Only scratch environments should change this.
   * @default BucketRemovalPolicy.RETAIN (prevent_destroy on every bucket)
   */
  readonly removalPolicy?: BucketRemovalPolicy;
  /**
   * Prefix of the Terraform output names (`<prefix>_endpoint`, `<prefix>_logs_bucket`, ...).
   * Change it only when a stack has two object stores.
   * @default 'object_store'
   */
  readonly outputPrefix?: string;
}

export const ObjectStoreDefaults = {
  logsExpirationDays: 90,
  metricsExpirationDays: 365,
  artifactsExpirationDays: 30,
  backupsExpirationDays: 90,
  backupsNoncurrentVersionExpirationDays: 30,
} as const;

const LONGEST_SUFFIX = Math.max(...OBJECT_STORE_BUCKETS.map((b) => b.length + 1));
const OUTPUT_PREFIX = /^[a-z][a-z0-9_]{0,40}$/;

/**
 * The platform's buckets on Hetzner Object Storage: logs (90 days), metrics (365 days), artifacts
 * (30 days) and backups (versioned; current objects 90 days, noncurrent versions 30 days). Every
 * bucket aborts incomplete multipart uploads and is protected from destroy by default.
 *
 * Outputs: `object_store_endpoint` and `object_store_<purpose>_bucket`.
 */
export class ObjectStore extends Construct implements IObjectStore {
  public readonly location: ObjectStorageLocation;
  public readonly endpoint: string;
  public readonly region: string;
  public readonly bucketNames: ObjectStoreBucketNames;
  public readonly credentials: ObjectStorageCredentials;
  /** The bucket constructs, by purpose. */
  public readonly buckets: { readonly [K in ObjectStoreBucket]: HetznerBucket };

  /**
   * Joins buckets that exist already, by name: the result is what the constructs take as an object
   * store (`offsiteBackup`, `disasterRecovery.objectStore`), and no bucket is created.
   *
   * ```ts
   * const store = ObjectStore.fromExisting(stack, 'Store', {
   *   provider,
   *   bucketNames: { logs: 'acme-logs', metrics: 'acme-metrics', artifacts: 'acme-artifacts', backups: 'acme-backups' },
   * });
   * ```
   */
  public static fromExisting(scope: Construct, id: string, props: ExistingObjectStoreProps): IObjectStore {
    return new ExistingObjectStore(scope, id, props);
  }

  constructor(scope: Construct, id: string, props: ObjectStoreProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    const prefix = props.bucketPrefix;
    if (v.check('bucketPrefix', prefix, typeof prefix === 'string' && !isUnresolved(prefix), 'a literal string (bucket names are needed at synth time)')) {
      const problems = OBJECT_STORE_BUCKETS.flatMap((b) => bucketNameProblems(`${prefix}-${b}`).map((p) => `"${prefix}-${b}" ${p}`));
      v.check(
        'bucketPrefix',
        prefix,
        problems.length === 0,
        `a prefix of at most ${BUCKET_NAME_MAX_LENGTH - LONGEST_SUFFIX} characters such that every bucket name "<prefix>-${OBJECT_STORE_BUCKETS.join('|')}" has ${BUCKET_NAME_RULES} (${problems.join('; ')})`,
      );
    }
    checkRetentionDays(v, 'logsExpirationDays', props.logsExpirationDays);
    checkRetentionDays(v, 'metricsExpirationDays', props.metricsExpirationDays);
    checkRetentionDays(v, 'artifactsExpirationDays', props.artifactsExpirationDays);
    checkRetentionDays(v, 'backupsExpirationDays', props.backupsExpirationDays);
    checkRetentionDays(v, 'backupsNoncurrentVersionExpirationDays', props.backupsNoncurrentVersionExpirationDays);
    checkRetentionDays(v, 'abortIncompleteMultipartUploadDays', props.abortIncompleteMultipartUploadDays);
    const outputPrefix = props.outputPrefix ?? 'object_store';
    v.check('outputPrefix', outputPrefix, OUTPUT_PREFIX.test(outputPrefix), 'lowercase letters, digits and underscores, starting with a letter, at most 41 characters');
    v.throwIfInvalid();

    this.location = props.provider.location;
    this.endpoint = props.provider.endpoint;
    this.region = props.provider.location;
    this.credentials = props.provider.credentials;

    const common = {
      provider: props.provider,
      abortIncompleteMultipartUploadDays: props.abortIncompleteMultipartUploadDays,
      removalPolicy: props.removalPolicy,
    };
    const d = ObjectStoreDefaults;
    this.buckets = {
      logs: new HetznerBucket(this, 'logs', {
        ...common,
        bucketName: `${prefix}-logs`,
        expirationDays: props.logsExpirationDays ?? d.logsExpirationDays,
      }),
      metrics: new HetznerBucket(this, 'metrics', {
        ...common,
        bucketName: `${prefix}-metrics`,
        expirationDays: props.metricsExpirationDays ?? d.metricsExpirationDays,
      }),
      artifacts: new HetznerBucket(this, 'artifacts', {
        ...common,
        bucketName: `${prefix}-artifacts`,
        expirationDays: props.artifactsExpirationDays ?? d.artifactsExpirationDays,
      }),
      backups: new HetznerBucket(this, 'backups', {
        ...common,
        bucketName: `${prefix}-backups`,
        versioned: true,
        expirationDays: props.backupsExpirationDays ?? d.backupsExpirationDays,
        noncurrentVersionExpirationDays:
          props.backupsNoncurrentVersionExpirationDays ?? d.backupsNoncurrentVersionExpirationDays,
      }),
    };
    this.bucketNames = {
      logs: this.buckets.logs.bucketName,
      metrics: this.buckets.metrics.bucketName,
      artifacts: this.buckets.artifacts.bucketName,
      backups: this.buckets.backups.bucketName,
    };

    const endpointOutput = new TerraformOutput(this, 'endpoint', {
      value: this.endpoint,
      description: 'S3 endpoint of Hetzner Object Storage (path-style addressing, region = location)',
    });
    endpointOutput.overrideLogicalId(`${outputPrefix}_endpoint`);
    for (const b of OBJECT_STORE_BUCKETS) {
      const out = new TerraformOutput(this, `${b}-bucket`, {
        value: this.buckets[b].bucket.bucket,
        description: `Name of the ${b} bucket`,
      });
      out.overrideLogicalId(`${outputPrefix}_${b}_bucket`);
    }
  }
}
