/** Host paths and names used by more than one renderer or construct, defined once. */
export const HostPaths = {
  /** Checkout of the agent repository; also the service user's working directory. */
  appDir: '/opt/aiai',
  venvDir: '/opt/aiai/.venv',
  configDir: '/etc/aiai',
  /** Non-secret settings (0600 root:root, read by systemd). Written by cloud-init. */
  envFile: '/etc/aiai/env',
  /** Secret files, delivered after boot over SSH by `SecretFiles` (never by cloud-init). */
  secretsDir: '/etc/aiai/secrets',
  /** Secret env file for the aiai services (0600 root, read by systemd), delivered after boot. */
  secretEnvFile: '/etc/aiai/secrets/aiai.env',
  logDir: '/var/log/aiai',
  stateDir: '/var/lib/aiai',
  /** Scripts we install (backups, snapshot rotation, ...). */
  scriptDir: '/usr/local/lib/aiai',
} as const;

/** The unprivileged account that runs aiai services and is the only SSH login. */
export const SERVICE_USER = 'aiai';
