/** Formats checked in more than one place, defined once. */

/**
 * An environment name (`production`, `staging`): lowercase letters, digits and inner `-`, at most
 * 22 characters, so that `<project>-<environment>-<suffix>` stays a valid Hetzner name and label.
 */
export const ENVIRONMENT_PATTERN = /^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/;

/** What {@link ENVIRONMENT_PATTERN} allows, as validation messages say it. */
export const ENVIRONMENT_ALLOWED = 'lowercase letters, digits and -, at most 22 chars';

/** A release version `<major>.<minor>.<patch>` (e.g. the GitHub Actions runner's `2.329.0`). */
export const RELEASE_VERSION_PATTERN = /^\d+\.\d+\.\d+$/;

/** A SHA-256 digest in lower-case hex. */
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
