/** Host paths and names used by more than one renderer or construct, defined once. */
export const HostPaths = {
  /** Root of the agent app's releases (see `aiai-release`, cloud-init/orchestrator/aiai-release.sh). */
  appDir: '/opt/aiai',
  /** Bare copy of the agent repository: every fetched branch and tag; the releases are its worktrees. */
  releaseRepo: '/opt/aiai/repo.git',
  /** One checkout per commit (`<releasesDir>/<commit>`), each with its own virtualenv. */
  releasesDir: '/opt/aiai/releases',
  /** Symlink to the live release: the services' working directory. */
  currentRelease: '/opt/aiai/current',
  /** Symlink to the release before the current one (what a rollback returns to). */
  previousRelease: '/opt/aiai/previous',
  /** The live release's virtualenv. */
  venvDir: '/opt/aiai/current/.venv',
  /** Settings of `aiai-release` (non-secret, KEY=value lines). */
  releaseConfig: '/etc/aiai/release.conf',
  /** Lock file that keeps two `aiai-release` runs apart. */
  releaseLock: '/run/lock/aiai-release.lock',
  configDir: '/etc/aiai',
  /** Non-secret settings (0600 root:root, read by systemd). Written by cloud-init. */
  envFile: '/etc/aiai/env',
  /** The CPU architecture the host was built for (`amd64`/`arm64`), written by the bootstrap. */
  architectureFile: '/etc/aiai/architecture',
  /** Secret files, delivered after boot over SSH by `SecretFiles` (never by cloud-init). */
  secretsDir: '/etc/aiai/secrets',
  /** Secret env file for the aiai services (0600 root, read by systemd), delivered after boot. */
  secretEnvFile: '/etc/aiai/secrets/aiai.env',
  logDir: '/var/log/aiai',
  stateDir: '/var/lib/aiai',
  /** Scripts we install (backups, snapshot rotation, ...). */
  scriptDir: '/usr/local/lib/aiai',
} as const;

/** Where systemd units and their drop-in folders (`<unit>.d/`) are installed. */
export const SYSTEMD_UNIT_DIR = '/etc/systemd/system';

/** The unprivileged account that runs aiai services and is the only SSH login. */
export const SERVICE_USER = 'aiai';

/** Upload folder for secret delivery: owned by the service user, mode 0700. */
export const SECRET_INBOX_DIR = `/home/${SERVICE_USER}/.secrets-inbox`;

/** File name of the systemd drop-ins the library writes (`<unit>.d/<name>`). */
export const SYSTEMD_DROP_IN_NAME = '50-aiai.conf';
