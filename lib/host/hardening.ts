import { asset } from '../core/assets';
import { HostPaths, SERVICE_USER } from '../core/paths';
import { Ports } from '../core/ports';
import { PortSources } from '../network/port-rule';
import { HostConfig } from './host-config';

/** Units the hardening enables and starts on every host (Ubuntu 24.04 names: the SSH service is `ssh`). */
export const HardeningUnits = {
  ssh: 'ssh.service',
  fail2ban: 'fail2ban.service',
  unattendedUpgrades: 'unattended-upgrades.service',
} as const;

/** Where the sshd drop-in is installed (must sort before 50-cloud-init.conf). */
export const SSHD_DROP_IN_PATH = '/etc/ssh/sshd_config.d/10-aiai-hardening.conf';
/** Upload folder for secret delivery: owned by the service user, mode 0700. */
export const SECRET_INBOX_DIR = `/home/${SERVICE_USER}/.secrets-inbox`;

export interface HardeningOptions {
  /** Public keys for the service user. */
  readonly sshPublicKeys: readonly string[];
  /** Extra groups for the service user (e.g. `docker` where docker is installed). */
  readonly extraGroups?: readonly string[];
}

/** The sshd drop-in: the static hardening body plus `AllowUsers` for the given users. */
export function renderSshdHardening(allowUsers: readonly string[]): string {
  for (const u of allowUsers) {
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(u)) throw new Error(`invalid user name for AllowUsers: ${JSON.stringify(u)}`);
  }
  return `${asset('hardening/sshd-hardening.conf')}AllowUsers ${allowUsers.join(' ')}\n`;
}

/**
 * The hardening of the research doc (sections 2 and 7), corrected: service user with keys and no
 * docker group unless requested, sshd drop-in that wins over cloud-init's, fail2ban on the journal,
 * ufw default-deny (rules come from the host's port rules), unattended security upgrades, sysctl.
 */
export function applyHardening(host: HostConfig, opts: HardeningOptions): void {
  host
    .addPackages('ufw', 'fail2ban', 'python3-systemd', 'unattended-upgrades', 'apt-listchanges', 'git', 'curl', 'jq')
    .addUser({
      name: SERVICE_USER,
      groups: [...(opts.extraGroups ?? [])],
      shell: '/bin/bash',
      // Passwordless sudo is for the operator logging in as this user and for secret delivery.
      // Services run as this user with NoNewPrivileges=true, which makes sudo unusable from them.
      sudo: 'ALL=(ALL) NOPASSWD:ALL',
      sshAuthorizedKeys: opts.sshPublicKeys,
    })
    .addFile({ path: SSHD_DROP_IN_PATH, content: renderSshdHardening([SERVICE_USER]), early: true })
    .addFile({ path: '/etc/fail2ban/jail.d/aiai-sshd.local', content: asset('hardening/fail2ban-sshd.local') })
    .addFile({ path: '/etc/sysctl.d/90-aiai-hardening.conf', content: asset('hardening/sysctl-hardening.conf'), early: true })
    .addFile({ path: '/etc/apt/apt.conf.d/52unattended-upgrades-aiai', content: asset('hardening/52unattended-upgrades-aiai') })
    .addFile({ path: '/etc/apt/apt.conf.d/20auto-upgrades', content: asset('hardening/20auto-upgrades') })
    .allowPort({ port: Ports.ssh, from: PortSources.admin })
    .addSetupCommand(['install', '-d', '-m', '0750', '-o', 'root', '-g', SERVICE_USER, HostPaths.configDir, HostPaths.secretsDir])
    .addSetupCommand(['install', '-d', '-m', '0700', '-o', SERVICE_USER, '-g', SERVICE_USER, SECRET_INBOX_DIR])
    .addSetupCommand(['install', '-d', '-m', '0750', '-o', SERVICE_USER, '-g', SERVICE_USER, HostPaths.stateDir])
    // setgid adm: log files inherit group adm, which Alloy (in adm) reads to ship them to Loki.
    .addSetupCommand(['install', '-d', '-m', '2750', '-o', SERVICE_USER, '-g', 'adm', HostPaths.logDir])
    .addSetupCommand(['sysctl', '--system'])
    .addSetupCommand(['systemctl', 'disable', '--now', 'snapd.service', 'snapd.socket'])
    .addSetupCommand(['systemctl', 'enable', '--now', HardeningUnits.fail2ban, HardeningUnits.unattendedUpgrades])
    .addFinalCommand(['systemctl', 'restart', HardeningUnits.fail2ban])
    .addFinalCommand(['systemctl', 'restart', HardeningUnits.ssh]);
}

/** Prometheus node exporter from Ubuntu (its own arch), reachable from the private range only. */
export function applyNodeExporter(host: HostConfig): void {
  host
    .addPackages('prometheus-node-exporter')
    .allowPort({ port: Ports.nodeExporter, from: PortSources.private });
}
