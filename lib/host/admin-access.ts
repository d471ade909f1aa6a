import { Construct } from 'constructs';
import { SshKey } from '../../.gen/providers/hcloud/ssh-key';
import { checkLabels } from '../core/label-checks';
import { PropValidator } from '../core/validation-error';
import { isCidr } from '../network/cidr';

export interface AdminAccessProps {
  /**
   * Public SSH keys of the operators, by a short name (used for the Hetzner SSH key name).
   * They become the service user's authorized keys and the servers' Hetzner SSH keys.
   */
  readonly sshPublicKeys: Readonly<Record<string, string>>;
  /** Source CIDRs allowed to reach SSH over the public interface. Must not be empty. */
  readonly adminCidrs: readonly string[];
  /**
   * Allow `0.0.0.0/0` or `::/0` in `adminCidrs` (SSH open to the world, fail2ban only).
   * @default false
   */
  readonly allowSshFromAnywhere?: boolean;
  /** Prefix for the Hetzner SSH key names. @default 'aiai' */
  readonly namePrefix?: string;
  /** Labels for the SSH keys. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

const KEY_PATTERN = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n\r]*)?$/;

/** Who may log in, and from where: operator SSH keys (as Hetzner SSH keys) and admin source CIDRs. */
export class AdminAccess extends Construct {
  public readonly sshKeys: SshKey[] = [];
  public readonly publicKeys: readonly string[];
  public readonly adminCidrs: readonly string[];

  constructor(scope: Construct, id: string, props: AdminAccessProps) {
    super(scope, id);
    const v = new PropValidator(this);
    const entries = Object.entries(props.sshPublicKeys);
    v.check('sshPublicKeys', Object.keys(props.sshPublicKeys), entries.length > 0, 'at least one public key');
    // Hetzner rejects a second SSH key with the same fingerprint: the comment does not count.
    const seen = new Map<string, string>();
    for (const [name, key] of entries) {
      v.check(`sshPublicKeys.${name}`, name, /^[a-z0-9][a-z0-9-]{0,40}$/.test(name), 'a key name of lowercase letters, digits and -');
      if (!v.check(`sshPublicKeys.${name}`, key.slice(0, 40) + (key.length > 40 ? '...' : ''), KEY_PATTERN.test(key.trim()), 'an OpenSSH public key line (ssh-ed25519 AAAA... comment)')) continue;
      const material = key.trim().split(/\s+/).slice(0, 2).join(' ');
      const first = seen.get(material);
      v.check(`sshPublicKeys.${name}`, name, first === undefined, `a key not already given as sshPublicKeys.${first} (Hetzner allows each public key once per project)`);
      if (first === undefined) seen.set(material, name);
    }
    v.check('adminCidrs', props.adminCidrs, props.adminCidrs.length > 0, 'at least one CIDR (SSH is never opened to the world by default)');
    props.adminCidrs.forEach((c, i) => {
      if (!v.check(`adminCidrs[${i}]`, c, isCidr(c), 'an IPv4 or IPv6 CIDR such as 203.0.113.7/32')) return;
      // Any spelling of a /0 (0.0.0.0/0, ::/0, 0::/0, ::0/0, ...) opens SSH to the whole internet.
      const world = c.endsWith('/0');
      v.check(`adminCidrs[${i}]`, c, !world || props.allowSshFromAnywhere === true, 'a restricted CIDR; set allowSshFromAnywhere: true to open SSH to the world');
    });
    checkLabels(v, props.labels);
    v.throwIfInvalid();

    this.publicKeys = entries.map(([, k]) => k.trim());
    this.adminCidrs = [...props.adminCidrs];
    const prefix = props.namePrefix ?? 'aiai';
    for (const [name, key] of entries) {
      this.sshKeys.push(
        new SshKey(this, `Key-${name}`, {
          name: `${prefix}-${name}`,
          publicKey: key.trim(),
          labels: props.labels ? { ...props.labels } : undefined,
        }),
      );
    }
  }

  /** Hetzner SSH key ids for `hcloud_server.ssh_keys`. */
  public get sshKeyIds(): string[] {
    return this.sshKeys.map((k) => k.id);
  }
}
