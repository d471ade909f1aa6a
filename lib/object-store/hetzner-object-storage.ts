import { Construct } from 'constructs';
import { HetznerObjectStorageProvider, HetznerObjectStorageProviderProps } from './hetzner-object-storage-provider';
import { objectStorageEndpoint, S3_CHECKSUM_ENVIRONMENT } from './locations';

/**
 * Entry points for stacks that use Hetzner Object Storage.
 *
 * ```ts
 * const s3 = HetznerObjectStorage.provider(this, 'object-storage', { location: 'fsn1' });
 * const store = new ObjectStore(this, 'object-store', { provider: s3, bucketPrefix: 'acme-aiai-prod' });
 * ```
 */
export class HetznerObjectStorage {
  /**
   * Creates the AWS provider configured for Hetzner Object Storage (call it from a stack).
   * Without `accessKey` / `secretKey` it declares the sensitive variables
   * `object_storage_access_key` and `object_storage_secret_key`.
   */
  public static provider(scope: Construct, id: string, props: HetznerObjectStorageProviderProps): HetznerObjectStorageProvider {
    return new HetznerObjectStorageProvider(scope, id, props);
  }

  /** `https://<location>.your-objectstorage.com`; throws for locations without Object Storage. */
  public static endpoint(location: string): string {
    return objectStorageEndpoint(location);
  }

  /** Environment terraform (and any recent AWS SDK) needs against Hetzner: see `S3_CHECKSUM_ENVIRONMENT`. */
  public static readonly checksumEnvironment: Readonly<Record<string, string>> = S3_CHECKSUM_ENVIRONMENT;

  private constructor() {}
}
