import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { DataHcloudSshKey } from '../../.gen/providers/hcloud/data-hcloud-ssh-key';
import { SshKey } from '../../.gen/providers/hcloud/ssh-key';
import { checkLabels } from '../core/label-checks';
import { DEFAULT_PROJECT } from '../core/platform';
import { PropValidator, requireProps } from '../core/validation-error';
import { isCidr } from '../network/cidr';

export interface AdminAccessProps {
  /**
   * Public SSH keys to add to the Hetzner project, by a short name (the Hetzner key is named
   * `<namePrefix>-<name>`). They become the servers' Hetzner SSH keys and the service user's
   * authorized keys. Hetzner refuses a key whose fingerprint is already in the project
   * (`uniqueness_error`), the usual case for an operator's key: name those in `existingSshKeys`.
   * @default {} (no new keys; `existingSshKeys` must then name at least one)
   */
  readonly sshPublicKeys?: Readonly<Record<string, string>>;
  /**
   * SSH keys already in the Hetzner project, by name or by numeric ID (an entry of digits only is
   * an ID). Each is read with a `hcloud_ssh_key` data source, so a key that does not exist fails
   * `terraform plan` naming it; servers get it like the new keys, and its public key (known at
   * plan, a token here) becomes an authorized key of the service user.
   * @default [] (only the keys of `sshPublicKeys`)
   */
  readonly existingSshKeys?: readonly string[];
  /** Source CIDRs allowed to reach SSH over the public interface. Must not be empty. */
  readonly adminCidrs: readonly string[];
  /**
   * Allow `0.0.0.0/0` or `::/0` in `adminCidrs` (SSH open to the world, fail2ban only).
   * @default false
   */
  readonly allowSshFromAnywhere?: boolean;
  /** Prefix for the names of the new Hetzner SSH keys. @default 'aiai' */
  readonly namePrefix?: string;
  /** Labels for the new SSH keys (existing keys are not changed). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

const KEY_PATTERN = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n\r]*)?$/;

/** A prefix of the new keys' names (`<prefix>-<name>`), so that they are valid EXISTING_KEY_NAMEs too. */
const KEY_NAME_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

/** A Hetzner ID that a JavaScript number holds exactly (at most 15 digits). */
const NUMERIC_ID = /^[1-9][0-9]{0,14}$/;
/** A Hetzner SSH key name as the settings lists carry it: no commas, no surrounding white space. */
const EXISTING_KEY_NAME = /^[^,\s](?:[^,\r\n]*[^,\s])?$/;

/**
 * Who may log in, and from where: operator SSH keys (new Hetzner SSH keys, or keys already in the
 * project) and admin source CIDRs.
 */
export class AdminAccess extends Construct {
  /** The Hetzner SSH keys this construct creates (from `sshPublicKeys`). */
  public readonly sshKeys: SshKey[] = [];
  /** The data sources that read the keys of `existingSshKeys`, in their order. */
  public readonly existingSshKeys: DataHcloudSshKey[] = [];
  /**
   * Every operator public key line: the texts of `sshPublicKeys`, then one token per existing key
   * (its `public_key`, known at plan). Do not assume a literal.
   */
  public readonly publicKeys: readonly string[];
  public readonly adminCidrs: readonly string[];
  private readonly keyIds: string[] = [];

  constructor(scope: Construct, id: string, props: AdminAccessProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    const newKeys = props.sshPublicKeys ?? {};
    const existing = props.existingSshKeys ?? [];
    // JavaScript callers: the shapes first, so that the checks below never meet a wrong type.
    const shapeOk = [
      v.check('sshPublicKeys', newKeys, typeof newKeys === 'object' && !Array.isArray(newKeys) && Object.values(newKeys).every((k) => typeof k === 'string'), 'an object of key names to public key lines'),
      v.check('existingSshKeys', existing, Array.isArray(existing) && existing.every((k) => typeof k === 'string'), 'an array of SSH key names or numeric IDs'),
      v.check('adminCidrs', props.adminCidrs, Array.isArray(props.adminCidrs), 'an array of CIDRs'),
    ];
    if (shapeOk.includes(false)) v.throwIfInvalid();
    const entries = Object.entries(newKeys);
    const prefix = props.namePrefix ?? DEFAULT_PROJECT;
    v.check('namePrefix', prefix, typeof prefix === 'string' && KEY_NAME_PREFIX.test(prefix), 'a prefix of 1-40 letters, digits, `_`, `.`, `-`, starting with a letter or digit');
    v.check('sshPublicKeys', Object.keys(newKeys), entries.length + existing.length > 0, 'at least one public key, here or in existingSshKeys');
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
    const newNames = new Set(entries.map(([name]) => `${prefix}-${name}`));
    existing.forEach((ref, i) => {
      const property = `existingSshKeys[${i}]`;
      if (!v.check(property, '<token>', !Token.isUnresolved(ref), 'a literal key name or numeric ID (it selects the data source lookup)')) return;
      if (!v.check(property, ref, NUMERIC_ID.test(ref) || EXISTING_KEY_NAME.test(ref), 'the name or numeric ID of an SSH key in the Hetzner project (no commas, no surrounding spaces)')) return;
      v.check(property, ref, existing.indexOf(ref) === i, 'a key not listed twice');
      // Hetzner key names are unique per project: a new key of that name could never be created.
      v.check(property, ref, !newNames.has(ref), `a key other than the one sshPublicKeys creates under the name ${ref}`);
    });
    v.check('adminCidrs', props.adminCidrs, props.adminCidrs.length > 0, 'at least one CIDR (SSH is never opened to the world by default)');
    props.adminCidrs.forEach((c, i) => {
      if (!v.check(`adminCidrs[${i}]`, c, isCidr(c), 'an IPv4 or IPv6 CIDR such as 203.0.113.7/32')) return;
      // Any spelling of a /0 (0.0.0.0/0, ::/0, 0::/0, ::0/0, ...) opens SSH to the whole internet.
      const world = c.endsWith('/0');
      v.check(`adminCidrs[${i}]`, c, !world || props.allowSshFromAnywhere === true, 'a restricted CIDR; set allowSshFromAnywhere: true to open SSH to the world');
    });
    checkLabels(v, props.labels);
    v.throwIfInvalid();

    this.adminCidrs = [...props.adminCidrs];
    for (const [name, key] of entries) {
      const k = new SshKey(this, `Key-${name}`, {
        name: `${prefix}-${name}`,
        publicKey: key.trim(),
        labels: props.labels ? { ...props.labels } : undefined,
      });
      this.sshKeys.push(k);
      this.keyIds.push(k.id);
    }
    const ids = new Set<string>();
    for (const ref of existing) {
      const byId = NUMERIC_ID.test(ref);
      // Construct ids from the name, kept apart when two names differ only in special characters.
      let cid = `Existing-${byId ? ref : ref.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      while (ids.has(cid)) cid += '_';
      ids.add(cid);
      const data = new DataHcloudSshKey(this, cid, byId ? { id: Number(ref) } : { name: ref });
      this.existingSshKeys.push(data);
      // An ID goes to the servers as it is; a name as the ID the data source found.
      this.keyIds.push(byId ? ref : Token.asString(data.id));
    }
    this.publicKeys = [...entries.map(([, k]) => k.trim()), ...this.existingSshKeys.map((d) => d.publicKey)];
  }

  /** Hetzner SSH key IDs for `hcloud_server.ssh_keys`: the new keys, then the existing ones. */
  public get sshKeyIds(): string[] {
    return [...this.keyIds];
  }
}
