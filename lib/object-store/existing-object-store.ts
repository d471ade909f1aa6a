import { Construct } from 'constructs';
import { isUnresolved } from '../core/tokens';
import { PropValidator, requireProps } from '../core/validation-error';
import { bucketNameProblems, checkBucketName } from '../hetzner/bucket-name';
import { HetznerObjectStorageProvider, ObjectStorageCredentials } from './hetzner-object-storage-provider';
import { ObjectStorageLocation } from './locations';
import type { IObjectStore, ObjectStoreBucketNames } from './object-store';
import { OBJECT_STORE_BUCKETS } from './object-store-buckets';

/** Buckets that exist already on Hetzner Object Storage, joined by name. */
export interface ExistingObjectStoreProps {
  /** The AWS provider for Hetzner Object Storage of the buckets' location (`HetznerObjectStorage.provider`). */
  readonly provider: HetznerObjectStorageProvider;
  /**
   * The existing bucket of each purpose, by name (one bucket may not serve two purposes: their
   * lifecycle rules differ). The buckets, their versioning and their lifecycle rules are left as
   * they are; the backups bucket should be versioned.
   */
  readonly bucketNames: ObjectStoreBucketNames;
}

/**
 * An object store made of buckets that exist already, as the constructs take it
 * ({@link IObjectStore}): nothing is created, the hosts are configured with the names, the
 * provider's endpoint and the credentials. Made by `ObjectStore.fromExisting`.
 */
export class ExistingObjectStore extends Construct implements IObjectStore {
  public readonly location: ObjectStorageLocation;
  public readonly endpoint: string;
  public readonly region: string;
  public readonly bucketNames: ObjectStoreBucketNames;
  public readonly credentials: ObjectStorageCredentials;

  constructor(scope: Construct, id: string, props: ExistingObjectStoreProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    const names = props.bucketNames ?? ({} as Partial<ObjectStoreBucketNames>);
    const seen = new Map<string, string>();
    for (const purpose of OBJECT_STORE_BUCKETS) {
      const property = `bucketNames.${purpose}`;
      const name = names[purpose];
      if (!v.check(property, name, typeof name === 'string' && !isUnresolved(name), 'the literal name of an existing bucket (bucket names are needed at synth time)')) continue;
      checkBucketName(v, property, name);
      if (bucketNameProblems(name).length > 0) continue;
      const other = seen.get(name);
      v.check(property, name, other === undefined, `a bucket not already given as bucketNames.${other} (each purpose has its own lifecycle rules)`);
      seen.set(name, purpose);
    }
    v.throwIfInvalid();
    this.location = props.provider.location;
    this.endpoint = props.provider.endpoint;
    this.region = props.provider.location;
    this.credentials = props.provider.credentials;
    this.bucketNames = { logs: names.logs!, metrics: names.metrics!, artifacts: names.artifacts!, backups: names.backups! };
  }
}
