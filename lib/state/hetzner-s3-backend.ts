import { S3Backend, S3BackendConfig, TerraformStack } from 'cdktf';
import { isUnresolved } from '../core/tokens';
import { PropValidator } from '../core/validation-error';
import { checkBucketName } from '../hetzner/bucket-name';
import {
  isObjectStorageLocation,
  OBJECT_STORAGE_LOCATIONS_ALLOWED,
  objectStorageEndpoint,
} from '../object-store/locations';

export interface HetznerS3BackendProps {
  /** The state bucket (created by `StateBootstrapStack`). A literal: backends cannot use tokens. */
  readonly bucket: string;
  /** Location of the state bucket: `fsn1`, `nbg1` or `hel1`. */
  readonly location: string;
  /**
   * Object key of this stack's state.
   * @default `<stack name>/terraform.tfstate`
   */
  readonly key?: string;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,1000}$/;

/**
 * A terraform S3 backend on Hetzner Object Storage.
 *
 * Settings: the location's endpoint (`endpoints.s3`), path-style addressing, region = location,
 * every AWS-only check skipped (credentials via STS, region name, account id, EC2 metadata API)
 * and `skip_s3_checksum` (Hetzner does not take the SDK's default trailing checksums on uploads).
 *
 * Deliberately absent:
 * - `use_lockfile`: S3-native locking relies on conditional writes (`If-None-Match`), which Hetzner
 *   Object Storage is not known to support; a lock that silently does not lock is worse than none.
 * - `dynamodb_table`: there is no DynamoDB at Hetzner.
 * - `encrypt`: SSE-S3 is an AWS feature; objects are encrypted at rest by Hetzner anyway.
 * So there is NO state locking: deploys must be serialized outside terraform (one CI concurrency
 * group per environment, no local applies). See docs/remote-state.md.
 *
 * Credentials cannot come from variables in a backend block: terraform reads them from the
 * environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`), so none is ever in cdktf.out.
 */
export class HetznerS3Backend extends S3Backend {
  /**
   * The backend settings as data (validated). Throws a ValidationError naming `path` for a bad
   * bucket, location or key.
   */
  public static backendConfig(path: string, props: HetznerS3BackendProps & { readonly key: string }): S3BackendConfig {
    const v = new PropValidator(path);
    if (v.check('bucket', props.bucket, typeof props.bucket === 'string' && !isUnresolved(props.bucket), 'a literal bucket name (terraform backends cannot use references)')) {
      checkBucketName(v, 'bucket', props.bucket);
    }
    v.check('location', props.location, typeof props.location === 'string' && isObjectStorageLocation(props.location), OBJECT_STORAGE_LOCATIONS_ALLOWED);
    v.check('key', props.key, typeof props.key === 'string' && KEY.test(props.key) && !props.key.includes('//') && !props.key.endsWith('/'), 'an object key of letters, digits, ".", "_", "-" and "/" that does not start or end with "/"');
    v.throwIfInvalid();
    return {
      bucket: props.bucket,
      key: props.key,
      region: props.location,
      endpoints: { s3: objectStorageEndpoint(props.location) },
      usePathStyle: true,
      skipCredentialsValidation: true,
      skipRegionValidation: true,
      skipRequestingAccountId: true,
      skipMetadataApiCheck: true,
      skipS3Checksum: true,
    };
  }

  /** The object key of this stack's state. */
  public readonly key: string;
  public readonly bucket: string;

  constructor(stack: TerraformStack, props: HetznerS3BackendProps) {
    const key = props.key ?? `${stack.node.id}/terraform.tfstate`;
    super(stack, HetznerS3Backend.backendConfig(stack.node.path || stack.node.id, { ...props, key }));
    this.key = key;
    this.bucket = props.bucket;
  }
}
