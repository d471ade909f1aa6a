import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { AiaiStack } from '../core/aiai-stack';
import { Construct } from 'constructs';
import { PropValidator, requireProps } from '../core/validation-error';
import { BucketRemovalPolicy } from '../object-store/bucket-removal-policy';
import { HetznerBucket } from '../object-store/hetzner-bucket';
import { HetznerObjectStorageProvider } from '../object-store/hetzner-object-storage-provider';
import { ObjectStorageLocation } from '../object-store/locations';
import { checkRetentionDays } from '../object-store/retention';
import { HetznerS3Backend } from './hetzner-s3-backend';

/** Folder (relative to the project root) that holds local state; git-ignored except `.gitkeep`. */
export const LOCAL_STATE_DIR = 'terraform.tfstate.d';

/**
 * The local state file of a stack, as terraform sees it: terraform runs in
 * `cdktf.out/stacks/<stack>/`, so the path climbs back to the project root. Relative, so the
 * synthesized JSON is the same on every machine (cdktf's own default is an absolute path).
 * Assumes cdktf's default output folder (`cdktf.out`, directly in the project root).
 */
export function localStatePath(stackName: string): string {
  return `../../../${LOCAL_STATE_DIR}/${stackName}.tfstate`;
}

export interface StateBootstrapStackProps {
  /** Location of the state bucket: `fsn1`, `nbg1` or `hel1`. */
  readonly location: ObjectStorageLocation | string;
  /** Globally unique name of the state bucket, e.g. `acme-aiai-tfstate`. */
  readonly bucketName: string;
  /**
   * Where this stack keeps its own (local) state.
   * @default localStatePath(<stack name>): `terraform.tfstate.d/<stack name>.tfstate` in the project root
   */
  readonly statePath?: string;
  /**
   * Days an overwritten state version is kept (every apply writes a new version).
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * What destroy may do to the state bucket. Only scratch environments should change this.
   * @default BucketRemovalPolicy.RETAIN
   */
  readonly removalPolicy?: BucketRemovalPolicy;
  /** S3 access key token. @default sensitive variable `object_storage_access_key` of this stack */
  readonly accessKey?: string;
  /** S3 secret key token. @default sensitive variable `object_storage_secret_key` of this stack */
  readonly secretKey?: string;
}

/**
 * The stack that creates the bucket the other stacks keep their state in. It cannot keep its own
 * state there (the bucket would have to exist first), so it uses a local backend in
 * `terraform.tfstate.d/`. That state holds nothing secret and only one bucket: if it is lost,
 * `terraform import` of the bucket restores it (docs/remote-state.md).
 *
 * ```ts
 * const bootstrap = new StateBootstrapStack(app, 'aiai-state', { location: 'fsn1', bucketName: 'acme-aiai-tfstate' });
 * const main = new TerraformStack(app, 'aiai');
 * bootstrap.useAsBackend(main); // S3 backend + stack dependency
 * ```
 */
export class StateBootstrapStack extends AiaiStack {
  public readonly provider: HetznerObjectStorageProvider;
  public readonly stateBucket: HetznerBucket;
  public readonly bucketName: string;
  public readonly location: ObjectStorageLocation;
  public readonly endpoint: string;
  public readonly localBackend: LocalBackend;

  constructor(scope: Construct, id: string, props: StateBootstrapStackProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    checkRetentionDays(v, 'noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays);
    v.throwIfInvalid();

    this.localBackend = new LocalBackend(this, {
      path: props.statePath ?? localStatePath(id),
    });
    this.provider = new HetznerObjectStorageProvider(this, 'object-storage', {
      location: props.location,
      accessKey: props.accessKey,
      secretKey: props.secretKey,
    });
    this.stateBucket = new HetznerBucket(this, 'state-bucket', {
      provider: this.provider,
      bucketName: props.bucketName,
      versioned: true,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 90,
      removalPolicy: props.removalPolicy,
    });
    this.bucketName = props.bucketName;
    this.location = this.provider.location;
    this.endpoint = this.provider.endpoint;

    new TerraformOutput(this, 'state_bucket', { value: this.stateBucket.bucket.bucket, description: 'Bucket holding the state of the other stacks' });
    new TerraformOutput(this, 'state_endpoint', { value: this.endpoint, description: 'S3 endpoint of the state bucket' });
  }

  /**
   * Configures `stack` to keep its state in the state bucket (key `<stack name>/terraform.tfstate`
   * unless given) and makes it depend on this stack, so `cdktf deploy '*'` creates the bucket first.
   */
  public useAsBackend(stack: TerraformStack, key?: string): HetznerS3Backend {
    const backend = new HetznerS3Backend(stack, { bucket: this.bucketName, location: this.location, key });
    stack.addDependency(this);
    return backend;
  }
}
