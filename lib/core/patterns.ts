/** Formats checked in more than one place, defined once. */

/**
 * An environment name (`production`, `staging`): lowercase letters, digits and inner `-`, at most
 * 22 characters, so that `<project>-<environment>-<suffix>` stays a valid Hetzner name and label.
 */
export const ENVIRONMENT_PATTERN = /^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/;

/** What {@link ENVIRONMENT_PATTERN} allows, as validation messages say it. */
export const ENVIRONMENT_ALLOWED = 'lowercase letters, digits and -, at most 22 chars';

/**
 * A Hetzner resource name as the library writes them (networks, firewalls, volumes): 1-63 letters,
 * digits, `_`, `.`, `-`, starting with a letter or digit.
 */
export const HETZNER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** What {@link HETZNER_NAME_PATTERN} allows, as validation messages say it. */
export const HETZNER_NAME_ALLOWED = 'a name of 1-63 letters, digits, `_`, `.`, `-`, starting with a letter or digit';

/** A release version `<major>.<minor>.<patch>` (e.g. the GitHub Actions runner's `2.329.0`). */
export const RELEASE_VERSION_PATTERN = /^\d+\.\d+\.\d+$/;

/** A SHA-256 digest in lower-case hex. */
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
