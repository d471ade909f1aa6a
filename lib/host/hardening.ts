import { asset } from '../core/assets';
import { HostPaths, SECRET_INBOX_DIR, SERVICE_USER } from '../core/paths';
import { Ports } from '../core/ports';
import { PortSources } from '../network/port-rule';
import { CloudConfigSpec } from '../render/cloud-config';
import { HostConfig } from './host-config';
import { invalid } from '../core/validation-error';

/** Units the hardening enables and starts on every host (Ubuntu 24.04 names: the SSH service is `ssh`). */
export const HardeningUnits = {
  ssh: 'ssh.service',
  fail2ban: 'fail2ban.service',
  unattendedUpgrades: 'unattended-upgrades.service',
} as const;

/** Where the sshd drop-in is installed (must sort before 50-cloud-init.conf). */
export const SSHD_DROP_IN_PATH = '/etc/ssh/sshd_config.d/10-aiai-hardening.conf';
// SECRET_INBOX_DIR (the upload folder for secret delivery) is in lib/core/paths.ts.
export { SECRET_INBOX_DIR };

export interface HardeningOptions {
  /** Public keys of the operators: the service user's authorized_keys, kept in place on the running host. */
  readonly sshPublicKeys: readonly string[];
  /** Extra groups for the service user (e.g. `docker` where docker is installed). */
  readonly extraGroups?: readonly string[];
}

/** Where the operators' keys are installed (managed by the host configuration after boot). */
export const AUTHORIZED_KEYS_PATH = `/home/${SERVICE_USER}/.ssh/authorized_keys`;

/** The host firewall script (ufw rules from the host's port rules), run by the converge when it changes. */
export const FIREWALL_SCRIPT_PATH = `${HostPaths.scriptDir}/aiai-firewall`;

/** The sshd drop-in: the static hardening body plus `AllowUsers` for the given users. */
export function renderSshdHardening(allowUsers: readonly string[]): string {
  for (const u of allowUsers) {
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(u)) invalid('renderSshdHardening', 'allowUsers', u, 'a valid user name for AllowUsers (lowercase letters, digits, _ and -, at most 32)');
  }
  return `${asset('hardening/sshd-hardening.conf')}AllowUsers ${allowUsers.join(' ')}\n`;
}

/** The service user: cloud-init's default user at boot, so the server's Hetzner `ssh_keys` become its keys. */
const SERVICE_ACCOUNT = {
  name: SERVICE_USER,
  // Only `users` (no privilege): without a groups entry the account would inherit the image's
  // default-user groups (Ubuntu: adm, cdrom, dip, lxd, sudo, ...; lxd alone is root-equivalent), and
  // the services run as this account. cloud-init's schema refuses an empty list.
  groups: ['users'],
  shell: '/bin/bash',
  // Passwordless sudo is for the operator logging in as this user and for the delivery resources.
  // Services run as this user with NoNewPrivileges=true, which makes sudo unusable from them.
  sudo: 'ALL=(ALL) NOPASSWD:ALL',
} as const;

/**
 * The bootstrap every server boots with: only what must exist before the first SSH login. The same
 * for every role (only the hostname differs), so `user_data` (force-new on hcloud_server) changes
 * only when the host is meant to be rebuilt:
 * - the service user as cloud-init's default user: cloud-init installs the public keys of the
 *   server's `ssh_keys` (Hetzner instance metadata) for it, so no key text is in user_data;
 * - the sshd drop-in and sysctl hardening, written before sshd restarts;
 * - ufw closed but for SSH (the cloud firewall limits SSH to the admin CIDRs), and the inbox the
 *   delivery resources upload to;
 * - `jq`, which the converge script reads its manifest with;
 * - the CPU architecture it was built for (HostPaths.architectureFile): packages and binaries are
 *   per architecture, and Hetzner refuses an in-place type change across architectures (hetznercloud/
 *   terraform-provider-hcloud issue 853: `server_type` is not force-new), so such a change must
 *   rebuild the host, which this line in the force-new user_data makes it do.
 * Everything else (packages, files, units, operator keys, the full firewall) is delivered by
 * `HostConfiguration` after boot.
 */
export function bootstrapCloudConfig(hostname: string, architecture: 'amd64' | 'arm64'): CloudConfigSpec {
  const ssh = String(Ports.ssh.port);
  return {
    hostname,
    defaultUser: SERVICE_ACCOUNT,
    users: [],
    packages: ['ufw', 'jq'],
    files: [
      { path: SSHD_DROP_IN_PATH, content: renderSshdHardening([SERVICE_USER]), early: true },
      { path: SYSCTL_HARDENING_PATH, content: asset('hardening/sysctl-hardening.conf'), early: true },
      { path: HostPaths.architectureFile, content: `${architecture}\n`, early: true },
    ],
    units: [],
    commands: [
      ['install', '-d', '-m', '0700', '-o', SERVICE_USER, '-g', SERVICE_USER, SECRET_INBOX_DIR],
      ['sysctl', '--system'],
      ['ufw', 'default', 'deny', 'incoming'],
      ['ufw', 'default', 'allow', 'outgoing'],
      ['ufw', 'allow', 'proto', Ports.ssh.protocol, 'to', 'any', 'port', ssh, 'comment', Ports.ssh.name],
      ['ufw', '--force', 'enable'],
    ],
    finalCommands: [['systemctl', 'restart', HardeningUnits.ssh]],
  };
}

const SYSCTL_HARDENING_PATH = '/etc/sysctl.d/90-aiai-hardening.conf';

/**
 * The host hardening (what it corrects in the reference design: README, "Notes on the research
 * doc"), as delivered after boot: the
 * operators' keys, sshd and sysctl hardening (also in the bootstrap; managed here so a change reaches
 * running hosts), fail2ban on the journal, unattended security upgrades, the service user's groups.
 * The host's port rules become the ufw script (see HardenedServer).
 */
export function applyHardening(host: HostConfig, opts: HardeningOptions): void {
  for (const g of opts.extraGroups ?? []) host.addServiceUserGroup(g);
  host
    .addPackages('ufw', 'jq', 'fail2ban', 'python3-systemd', 'unattended-upgrades', 'apt-listchanges', 'git', 'curl')
    .addFile({ path: AUTHORIZED_KEYS_PATH, content: opts.sshPublicKeys.map((k) => `${k}\n`).join(''), permissions: '0600', owner: `${SERVICE_USER}:${SERVICE_USER}` })
    .addFile({ path: SSHD_DROP_IN_PATH, content: renderSshdHardening([SERVICE_USER]), early: true, reloadUnits: [HardeningUnits.ssh] })
    .addFile({ path: '/etc/fail2ban/jail.d/aiai-sshd.local', content: asset('hardening/fail2ban-sshd.local'), restartUnits: [HardeningUnits.fail2ban] })
    .addFile({ path: SYSCTL_HARDENING_PATH, content: asset('hardening/sysctl-hardening.conf'), early: true })
    .addFile({ path: '/etc/apt/apt.conf.d/52unattended-upgrades-aiai', content: asset('hardening/52unattended-upgrades-aiai') })
    .addFile({ path: '/etc/apt/apt.conf.d/20auto-upgrades', content: asset('hardening/20auto-upgrades') })
    .allowPort({ port: Ports.ssh, from: PortSources.admin })
    .addSetupCommand(['install', '-d', '-m', '0750', '-o', 'root', '-g', SERVICE_USER, HostPaths.configDir, HostPaths.secretsDir])
    .addSetupCommand(['install', '-d', '-m', '0700', '-o', SERVICE_USER, '-g', SERVICE_USER, SECRET_INBOX_DIR])
    .addSetupCommand(['install', '-d', '-m', '0750', '-o', SERVICE_USER, '-g', SERVICE_USER, HostPaths.stateDir])
    // setgid adm: log files inherit group adm, which Alloy (in adm) reads to ship them to Loki.
    .addSetupCommand(['install', '-d', '-m', '2750', '-o', SERVICE_USER, '-g', 'adm', HostPaths.logDir])
    .addSetupCommand(['sysctl', '--system', '--quiet'])
    // Not every image has snapd; absent is as good as disabled.
    .addSetupCommand('systemctl disable --now snapd.service snapd.socket 2>/dev/null || true')
    .addService(HardeningUnits.ssh, HardeningUnits.fail2ban, HardeningUnits.unattendedUpgrades);
}

/** Prometheus node exporter from Ubuntu (its own arch), reachable from the private range only. */
export function applyNodeExporter(host: HostConfig): void {
  host
    .addPackages('prometheus-node-exporter')
    .addService('prometheus-node-exporter.service')
    .allowPort({ port: Ports.nodeExporter, from: PortSources.private });
}
