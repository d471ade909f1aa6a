import { invalid } from '../core/validation-error';
import { LOCATIONS, OBJECT_STORAGE_DOMAIN, ObjectStorageLocationName } from '../hetzner/catalog';

/** A Hetzner location that offers Object Storage (the catalog's `objectStorage` flag). */
export type ObjectStorageLocation = ObjectStorageLocationName;

/**
 * Where Hetzner Object Storage is offered, in catalog order, and how to reach it below.
 * Source: Hetzner docs "Object Storage: overview" and "Endpoints", as of 2026-11.
 */
export const OBJECT_STORAGE_LOCATIONS: readonly ObjectStorageLocation[] = Object.values(LOCATIONS)
  .filter((l) => l.objectStorage)
  .map((l) => l.name as ObjectStorageLocation);

/** Domain under which every location has its S3 endpoint (defined with the locations in the catalog). */
export { OBJECT_STORAGE_DOMAIN };

/** True when `location` offers Hetzner Object Storage. */
export function isObjectStorageLocation(location: string): location is ObjectStorageLocation {
  return (OBJECT_STORAGE_LOCATIONS as readonly string[]).includes(location);
}

/** What an error says is allowed for a location. */
export const OBJECT_STORAGE_LOCATIONS_ALLOWED = `one of ${OBJECT_STORAGE_LOCATIONS.join(', ')} (the Hetzner locations that offer Object Storage)`;

/**
 * The S3 endpoint of a location, e.g. `https://fsn1.your-objectstorage.com`. Throws a ValidationError
 * naming the allowed locations for any other value.
 */
export function objectStorageEndpoint(location: string): string {
  if (!isObjectStorageLocation(location)) {
    invalid('objectStorageEndpoint', 'location', location, OBJECT_STORAGE_LOCATIONS_ALLOWED);
  }
  return `https://${location}.${OBJECT_STORAGE_DOMAIN}`;
}

/**
 * Environment for every process that talks to Hetzner Object Storage through a recent AWS SDK
 * (terraform's AWS provider, the AWS CLI v2): only compute and validate checksums when the S3
 * operation requires them. Since early 2025 the SDKs add CRC checksums (and trailing checksum
 * headers on uploads) to every request by default, which S3-compatible stores do not all accept.
 * Set these for `cdktf deploy` / `terraform apply` (CI and local) — the provider has no
 * configuration attribute for it; the S3 *backend* additionally gets `skip_s3_checksum`.
 */
export const S3_CHECKSUM_ENVIRONMENT: Readonly<Record<string, string>> = {
  AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
  AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
};
