import { createHash } from 'node:crypto';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Server } from '../../.gen/providers/hcloud/server';
import { checkLabels } from '../core/label-checks';
import { LabelKeys } from '../core/labels';
import { PropValidator } from '../core/validation-error';
import {
  checkServerTypeInLocation,
  HetznerLimits,
  serverType as lookupServerType,
  ServerTypeInfo,
  SUPPORTED_IMAGES,
} from '../hetzner/catalog';
import { ufwCommands } from '../network/firewall-rules';
import { IPrivateNetwork } from '../network/private-network';
import { RoleFirewall } from '../network/role-firewall';
import { encodeUserData, renderCloudConfig } from '../render/cloud-config';
import { escapeTerraformTemplate, terraformBase64Gzip, terraformTemplate } from '../core/terraform-template';
import { renderLogShippingHost } from '../render/monitoring/stack';
import { AdminAccess, PUBLIC_KEY_SIZE_ALLOWANCE_BYTES } from './admin-access';
import { applyHardening, applyNodeExporter } from './hardening';
import { addContribution, ILogSink } from './log-shipping';
import { HostConfig } from './host-config';

export interface HardenedServerProps {
  /** Server name (also the hostname). Must be a valid hostname label. */
  readonly name: string;
  /** Hetzner server type, e.g. `cx33`; deprecated types are rejected with their replacement. */
  readonly serverType: string;
  /** Location. @default 'fsn1' */
  readonly location?: string;
  /** OS image. @default 'ubuntu-24.04' */
  readonly image?: string;
  /** The private network the server joins. */
  readonly network: IPrivateNetwork;
  /** The server's fixed private IP; reserved in the network (duplicates are rejected). */
  readonly privateIp: string;
  /** Operator keys and admin CIDRs. */
  readonly access: AdminAccess;
  /** Labels: must include `project`, `role` and `environment`. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The role's host description; hardening and node exporter are added to it by this construct.
   * Pass a fresh `HostConfig` and add the role's packages, files, units and ports.
   */
  readonly hostConfig: HostConfig;
  /**
   * Role firewalls the server joins. The host's public port rules (SSH from the admin CIDRs, ...)
   * are added to each, so a port is defined once for ufw and the cloud firewall.
   * @default - none
   */
  readonly firewalls?: readonly RoleFirewall[];
  /** Further cloud firewall ids to attach (their rules are managed elsewhere). @default - none */
  readonly firewallIds?: readonly string[];
  /** Spread placement group id. @default - none */
  readonly placementGroupId?: number;
  /** Hetzner automated backups (7 daily, costs 20 % of the server price). @default false */
  readonly backups?: boolean;
  /** Delete and rebuild protection through the API (and `prevent_destroy`). @default false */
  readonly protect?: boolean;
  /** Extra groups for the service user (e.g. `docker`, only where docker is installed). @default - none */
  readonly serviceUserGroups?: readonly string[];
  /**
   * Ship this host's journal and /var/log/aiai/*.log to Loki with Grafana Alloy (installed from the
   * Grafana APT repository for the host's architecture).
   * @default - no log shipping (node exporter only)
   */
  readonly logShipping?: ILogSink;
  /**
   * Send `user_data` as base64 of the gzipped cloud-config (`always`), as plain text (`never`), or
   * plain unless it would exceed 3/4 of Hetzner's 32 KiB limit (`auto`). Plain text keeps
   * `terraform plan` diffs readable; compressed holds about three times as much.
   * @default 'auto'
   */
  readonly compressUserData?: 'auto' | 'always' | 'never';
  /**
   * Shut the server down gracefully (ACPI) before Terraform deletes it, so services stop cleanly and
   * flush what they write (for hosts whose data outlives the server, e.g. on a volume). The provider
   * waits for the server to be off and deletes it anyway, with a warning, if it does not stop
   * (`resourceServerDelete` in internal/server/resource.go of terraform-provider-hcloud v1.68.0).
   * @default false (the server is deleted while running)
   */
  readonly shutdownBeforeDeletion?: boolean;
}

const REQUIRED_LABELS = ['project', 'role', 'environment'];

/**
 * The base of every aiai host: a Hetzner server on Ubuntu 24.04, joined to the private network at
 * a fixed IP, provisioned by cloud-init with the platform's hardening, node exporter and the role's
 * own services. The rendered `user_data` is checked against Hetzner's 32 KiB limit at synth.
 */
export class HardenedServer extends Construct {
  public readonly server: Server;
  public readonly privateIp: string;
  public readonly serverTypeInfo: ServerTypeInfo;
  /**
   * The rendered cloud-config (plain text). A public key known only at plan (an existing Hetzner
   * key of `access`) stands in it as the placeholder `aiai-public-key-known-at-plan-<n>`.
   */
  public readonly userData: string;
  /**
   * The `user_data` value in the Terraform JSON: `userData` (with `${` and `%{` escaped for
   * Terraform's template syntax), or its gzip in base64 (see `compressUserData`). With keys known
   * only at plan, a Terraform expression that puts them in (and, compressed, gzips at plan).
   */
  public readonly userDataEncoded: string;
  public readonly hostConfig: HostConfig;

  constructor(scope: Construct, id: string, props: HardenedServerProps) {
    super(scope, id);
    const v = new PropValidator(this);
    const location = props.location ?? 'fsn1';
    const image = props.image ?? 'ubuntu-24.04';
    v.check('name', props.name, /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(props.name), 'a hostname label: lowercase letters, digits and -, at most 63 chars');
    const type = v.attempt('serverType', props.serverType, () => lookupServerType(props.serverType));
    v.check('image', image, (SUPPORTED_IMAGES as readonly string[]).includes(image), `one of ${SUPPORTED_IMAGES.join(', ')} (the cloud-init is written and tested for it)`);
    for (const key of REQUIRED_LABELS) {
      v.check(`labels.${key}`, props.labels[key], typeof props.labels[key] === 'string' && props.labels[key].length > 0, 'a non-empty label value');
    }
    checkLabels(v, props.labels);
    v.throwIfInvalid();
    const loc = props.network.checkLocation(this, 'location', location);
    if (type) v.attempt('serverType', props.serverType, () => checkServerTypeInLocation(type, loc));
    v.throwIfInvalid();
    this.serverTypeInfo = type!;
    this.privateIp = props.network.reserveAddress(this, 'privateIp', props.privateIp);

    this.hostConfig = props.hostConfig;
    // Keys known only at plan go in as placeholders, replaced in the Terraform expression below by
    // their JSON-quoted value (a valid YAML scalar whatever the key's comment holds).
    const atPlan: Record<string, string> = {};
    const keyLines = props.access.publicKeys.map((key, i) => {
      if (!Token.isUnresolved(key)) return key;
      const placeholder = `aiai-public-key-known-at-plan-${i}`;
      atPlan[placeholder] = Fn.jsonencode(key);
      return placeholder;
    });
    applyHardening(this.hostConfig, { sshPublicKeys: keyLines, extraGroups: props.serviceUserGroups });
    applyNodeExporter(this.hostConfig);
    if (props.logShipping) {
      addContribution(
        this.hostConfig,
        renderLogShippingHost({
          hostname: props.name,
          role: props.labels[LabelKeys.role],
          project: props.labels[LabelKeys.project],
          environment: props.labels[LabelKeys.environment],
          lokiHost: props.logShipping.lokiHost,
          serverType: props.serverType,
        }),
      );
    }
    const firewall = ufwCommands(this.hostConfig.ports, { privateRange: props.network.ipRange, adminCidrs: props.access.adminCidrs });
    for (const fw of props.firewalls ?? []) fw.addRules(this.hostConfig.ports);
    const firewallIds = [...(props.firewalls ?? []).map((fw) => fw.firewallId), ...(props.firewallIds ?? [])];
    this.userData = renderCloudConfig(this.hostConfig.toSpec(props.name, firewall), { compress: 'never' });
    const compress = props.compressUserData ?? 'auto';
    // Sizes are measured with an incompressible stand-in of the allowed size for each key known at plan.
    const measured = withKeyStandIns(this.userData, Object.keys(atPlan));
    const plainSize = Buffer.byteLength(measured);
    const gzip = compress === 'always' || (compress === 'auto' && plainSize > (HetznerLimits.userDataBytes * 3) / 4);
    let size: number;
    if (Object.keys(atPlan).length === 0) {
      // Terraform reads every JSON string as a template: a plain cloud-config with `${distro_id}`
      // (unattended-upgrades) or `%{...}` must be escaped, or plan fails. base64 needs no escaping.
      this.userDataEncoded = escapeTerraformTemplate(encodeUserData(this.userData, gzip ? 'base64-gzip' : 'plain'));
      size = Buffer.byteLength(this.userDataEncoded);
    } else {
      this.userDataEncoded = gzip ? terraformBase64Gzip(this.userData, atPlan) : terraformTemplate(this.userData, atPlan);
      size = gzip ? Buffer.byteLength(encodeUserData(measured, 'base64-gzip')) : plainSize;
    }
    v.check(
      'userData',
      `${size} bytes${gzip ? ' (base64 of gzip)' : ''}`,
      size <= HetznerLimits.userDataBytes,
      `at most ${HetznerLimits.userDataBytes} bytes (Hetzner's user_data limit)${gzip ? '' : "; set compressUserData: 'auto' or 'always'"}, or move file bodies out of cloud-init`,
    );
    v.throwIfInvalid();

    this.server = new Server(this, 'Server', {
      name: props.name,
      serverType: props.serverType,
      image,
      location,
      sshKeys: props.access.sshKeyIds,
      userData: this.userDataEncoded,
      labels: { ...props.labels },
      firewallIds: firewallIds.length > 0 ? firewallIds.map((id) => Token.asNumber(id)) : undefined,
      placementGroupId: props.placementGroupId,
      backups: props.backups ?? false,
      deleteProtection: props.protect ?? false,
      rebuildProtection: props.protect ?? false,
      publicNet: [{ ipv4Enabled: true, ipv6Enabled: true }],
      // alias_ips = []: without it Terraform >= 1.4 plans a detach/attach of the network on every
      // run (hcloud_server docs, "network" block, and terraform-provider-hcloud issue #650).
      network: [{ networkId: props.network.networkId, ip: this.privateIp, aliasIps: [] }],
      // A server-type change keeps the disk size, so it can be undone: a grown disk would rule out
      // going back to a smaller type (`UpgradeDisk: !keep_disk` in internal/server/resource.go of
      // terraform-provider-hcloud v1.68.0; docs/resources/server.md, `keep_disk`).
      keepDisk: true,
      shutdownBeforeDeletion: props.shutdownBeforeDeletion ?? false,
      dependsOn: [...props.network.attachDependencies],
      lifecycle: props.protect ? { preventDestroy: true } : undefined,
    });
  }

  /** Public IPv4 (for SSH from the admin CIDRs and secret delivery). */
  public get ipv4Address(): string {
    return this.server.ipv4Address;
  }
}

/**
 * `text` with each placeholder replaced by a JSON-quoted, incompressible stand-in of
 * {@link PUBLIC_KEY_SIZE_ALLOWANCE_BYTES} (deterministic, so synth stays byte-identical).
 */
function withKeyStandIns(text: string, placeholders: readonly string[]): string {
  let out = text;
  placeholders.forEach((p, i) => {
    let standIn = '';
    for (let n = 0; standIn.length < PUBLIC_KEY_SIZE_ALLOWANCE_BYTES; n++) {
      standIn += createHash('sha256').update(`${p}:${i}:${n}`).digest('base64');
    }
    out = out.replace(p, () => JSON.stringify(standIn.slice(0, PUBLIC_KEY_SIZE_ALLOWANCE_BYTES)));
  });
  return out;
}
