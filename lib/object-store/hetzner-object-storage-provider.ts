import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { checkSecretToken, isUnresolved } from '../core/tokens';
import { PropValidator, requireProps } from '../core/validation-error';
import { secretVariable } from '../secrets/secret-variable';
import {
  isObjectStorageLocation,
  OBJECT_STORAGE_LOCATIONS_ALLOWED,
  objectStorageEndpoint,
  ObjectStorageLocation,
} from './locations';

export interface HetznerObjectStorageProviderProps {
  /** Hetzner location of the buckets: `fsn1`, `nbg1` or `hel1` (a literal, not a token). */
  readonly location: ObjectStorageLocation | string;
  /**
   * S3 access key id, as a token of a sensitive `TerraformVariable` (never a literal: literals
   * end up in cdktf.out and are rejected).
   * @default a new sensitive variable `<variablePrefix>_access_key`
   */
  readonly accessKey?: string;
  /**
   * S3 secret key, as a token of a sensitive `TerraformVariable` (literals are rejected).
   * @default a new sensitive variable `<variablePrefix>_secret_key`
   */
  readonly secretKey?: string;
  /**
   * Name prefix of the variables created when `accessKey` / `secretKey` are not given; set them
   * with `TF_VAR_<prefix>_access_key` and `TF_VAR_<prefix>_secret_key`.
   * @default 'object_storage'
   */
  readonly variablePrefix?: string;
  /**
   * Provider alias, needed when the stack has another AWS provider (e.g. a second location).
   * @default no alias (the default AWS provider of the stack)
   */
  readonly alias?: string;
}

/** The S3 credentials a provider was configured with, as tokens (for delivering them to hosts). */
export interface ObjectStorageCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const VARIABLE_PREFIX = /^[a-z][a-z0-9_]{0,40}$/;

/**
 * The AWS provider configured for Hetzner Object Storage in one location: the S3 endpoint of the
 * location, path-style addressing, region = location, and every AWS-only check switched off
 * (credential validation through STS, region name validation, account id lookup, EC2 metadata
 * API). Credentials come from sensitive variables.
 *
 * Created by the STACK (constructs never create providers), usually through
 * `HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' })`; constructs such
 * as `ObjectStore` take it through their props and read `location` and `endpoint` from it.
 *
 * The AWS provider has no attribute to turn off the SDK's default request checksums: run
 * terraform with `S3_CHECKSUM_ENVIRONMENT` (see locations.ts and docs/object-storage.md).
 */
export class HetznerObjectStorageProvider extends AwsProvider {
  /** The location this provider talks to. */
  public readonly location: ObjectStorageLocation;
  /** `https://<location>.your-objectstorage.com`. */
  public readonly endpoint: string;
  /** Credentials as tokens (sensitive variables): hand them to secret delivery, never to user_data. */
  public readonly credentials: ObjectStorageCredentials;

  constructor(scope: Construct, id: string, props: HetznerObjectStorageProviderProps) {
    requireProps(scope, id, props);
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    const v = new PropValidator(path);
    const location = props.location;
    v.check('location', location, typeof location === 'string' && !isUnresolved(location) && isObjectStorageLocation(location), OBJECT_STORAGE_LOCATIONS_ALLOWED);
    for (const key of ['accessKey', 'secretKey'] as const) {
      const value = props[key];
      if (value !== undefined) {
        checkSecretToken(v, key, value);
      }
    }
    const prefix = props.variablePrefix ?? 'object_storage';
    v.check('variablePrefix', prefix, VARIABLE_PREFIX.test(prefix), 'lowercase letters, digits and underscores, starting with a letter, at most 41 characters');
    v.throwIfInvalid();

    const loc = location as ObjectStorageLocation;
    const endpoint = objectStorageEndpoint(loc);
    super(scope, id, {
      alias: props.alias,
      region: loc,
      endpoints: [{ s3: endpoint }],
      s3UsePathStyle: true,
      skipCredentialsValidation: true,
      skipRegionValidation: true,
      skipRequestingAccountId: true,
      skipMetadataApiCheck: 'true',
    });
    this.location = loc;
    this.endpoint = endpoint;

    const accessKeyId = props.accessKey ?? this.credentialVariable(`${prefix}_access_key`, 'Hetzner Object Storage S3 access key id').stringValue;
    const secretAccessKey = props.secretKey ?? this.credentialVariable(`${prefix}_secret_key`, 'Hetzner Object Storage S3 secret key').stringValue;
    this.accessKey = accessKeyId;
    this.secretKey = secretAccessKey;
    this.credentials = { accessKeyId, secretAccessKey };
  }

  private credentialVariable(name: string, description: string): TerraformVariable {
    // Sensitive, non-empty, single line (see secretVariable); the logical id is the plain name so
    // that TF_VAR_<name> sets it wherever the provider sits in the tree.
    const variable = secretVariable(this, name, { description });
    variable.overrideLogicalId(name);
    return variable;
  }
}
