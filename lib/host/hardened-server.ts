import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Server } from '../../.gen/providers/hcloud/server';
import { checkLabels } from '../core/label-checks';
import { checkPropKinds } from '../core/prop-kinds';
import { LabelKeys } from '../core/labels';
import { PropValidator, requireProps } from '../core/validation-error';
import { checkServerTypeInLocation, debianArch, DEFAULT_LOCATION, HetznerLimits, serverType as lookupServerType, ServerTypeInfo, SUPPORTED_IMAGES } from '../hetzner/catalog';
import { ufwScript } from '../network/firewall-rules';
import { IPrivateNetwork } from '../network/private-network';
import { IRoleFirewall } from '../network/role-firewall';
import { renderCloudConfig } from '../render/cloud-config';
import { HostManifest, renderHostManifest } from '../render/host-manifest';
import { HostPaths, SERVICE_USER } from '../core/paths';
import { escapeTerraformTemplate } from '../core/terraform-template';
import { renderLogShippingHost } from '../render/monitoring/host-parts';
import { AdminAccess } from './admin-access';
import { applyHardening, applyNodeExporter, bootstrapCloudConfig, FIREWALL_SCRIPT_PATH } from './hardening';
import type { IConfiguredHost } from '../core/host-target';
import type { TerraformData } from '../core/terraform-data';
import { HostConfiguration } from './host-configuration';
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
   * are added to each, so a port is defined once for ufw and the cloud firewall (an existing
   * firewall from `RoleFirewall.fromExisting` only records them: its rules are managed elsewhere).
   * @default - none
   */
  readonly firewalls?: readonly IRoleFirewall[];
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
   * Private key for the SSH connection of the delivery resources (a sensitive variable's token).
   * @default - the SSH agent of whoever runs terraform (SSH_AUTH_SOCK)
   */
  readonly sshPrivateKey?: string;
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
/** A Unix group name (useradd's default NAME_REGEX, shadow-utils). */
const UNIX_GROUP = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * The base of every aiai host: a Hetzner server on Ubuntu 24.04, joined to the private network at
 * a fixed IP. It boots from a small bootstrap (`user_data`: service user, sshd hardening, a closed
 * firewall but SSH; the same for every role), and everything else (the platform's hardening, node
 * exporter, log shipping and the role's own packages, files and services) is delivered to the
 * running server by {@link HostConfiguration}, so configuration changes never replace the server.
 */
export class HardenedServer extends Construct implements IConfiguredHost {
  public readonly server: Server;
  public readonly privateIp: string;
  public readonly serverTypeInfo: ServerTypeInfo;
  /** The bootstrap cloud-config (plain text; only the hostname differs between hosts). */
  public readonly userData: string;
  /** The `user_data` value in the Terraform JSON: `userData` with `${` and `%{` escaped for Terraform. */
  public readonly userDataEncoded: string;
  public readonly hostConfig: HostConfig;
  /** What is delivered after boot. */
  public readonly manifest: HostManifest;
  /** The resource that delivers and converges it. */
  public readonly configuration: HostConfiguration;

  constructor(scope: Construct, id: string, props: HardenedServerProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    const kinds = checkPropKinds(v, props, {
      name: 'string', serverType: 'string', location: 'string', image: 'string', privateIp: 'string', backups: 'boolean', protect: 'boolean',
      shutdownBeforeDeletion: 'boolean', placementGroupId: 'number', sshPrivateKey: 'string',
    }, ['name', 'serverType', 'privateIp']);
    if (!kinds) v.throwIfInvalid();
    const location = props.location ?? DEFAULT_LOCATION;
    const image = props.image ?? 'ubuntu-24.04';
    v.check('name', props.name, typeof props.name === 'string' && /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(props.name), 'a hostname label: lowercase letters, digits and -, at most 63 chars');
    const type = v.attempt('serverType', props.serverType, () => lookupServerType(props.serverType));
    v.check('image', image, (SUPPORTED_IMAGES as readonly string[]).includes(image), `one of ${SUPPORTED_IMAGES.join(', ')} (the cloud-init is written and tested for it)`);
    const labelsOk = v.check('labels', props.labels, !!props.labels && typeof props.labels === 'object' && !Array.isArray(props.labels), `an object of labels with ${REQUIRED_LABELS.join(', ')}`);
    for (const key of labelsOk ? REQUIRED_LABELS : []) {
      v.check(`labels.${key}`, props.labels[key], typeof props.labels[key] === 'string' && props.labels[key].length > 0, 'a non-empty label value');
    }
    if (labelsOk) checkLabels(v, props.labels);
    const pg = props.placementGroupId;
    v.check('placementGroupId', pg, pg === undefined || Token.isUnresolved(pg) || (Number.isSafeInteger(pg) && pg > 0), 'a placement group ID (a positive integer, or a token)');
    const fwIds = props.firewallIds ?? [];
    if (v.check('firewallIds', fwIds, Array.isArray(fwIds), 'an array of firewall IDs')) {
      fwIds.forEach((f, i) => v.check(`firewallIds[${i}]`, f, Token.isUnresolved(f) || (typeof f === 'string' && /^[1-9][0-9]{0,14}$/.test(f)), 'a firewall ID (digits, or a token)'));
    }
    const groups = props.serviceUserGroups ?? [];
    if (v.check('serviceUserGroups', groups, Array.isArray(groups), 'an array of group names')) {
      groups.forEach((g, i) => v.check(`serviceUserGroups[${i}]`, g, typeof g === 'string' && UNIX_GROUP.test(g) && g !== 'root', 'a Unix group name (lowercase letters, digits, `_`, `-`, at most 32 characters), not root'));
    }
    const joined = [...(props.firewalls ?? []).map((fw) => fw.firewallId), ...(Array.isArray(fwIds) ? fwIds : [])];
    v.check('firewalls', joined.length, joined.length <= HetznerLimits.firewallsPerServer, `at most ${HetznerLimits.firewallsPerServer} firewalls and firewallIds together (Hetzner's limit per server)`);
    joined.forEach((fid, i) => {
      if (!Token.isUnresolved(fid)) v.check('firewallIds', fid, joined.indexOf(fid) === i, 'each firewall once (it is given twice in firewalls and firewallIds)');
    });
    v.throwIfInvalid();
    const loc = props.network.checkLocation(this, 'location', location);
    if (type) v.attempt('serverType', props.serverType, () => checkServerTypeInLocation(type, loc));
    v.throwIfInvalid();
    this.serverTypeInfo = type!;
    this.privateIp = props.network.reserveAddress(this, 'privateIp', props.privateIp);

    this.hostConfig = props.hostConfig;
    // A key known only at plan (an existing Hetzner key's public_key) lands inside the manifest's JSON
    // text: Terraform JSON-escapes it there (jsonencode without its quotes), whatever its comment holds.
    const keyLines = props.access.publicKeys.map((key) => (Token.isUnresolved(key) ? Fn.trimsuffix(Fn.trimprefix(Fn.jsonencode(key), Fn.rawString('"')), Fn.rawString('"')) : key));
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
        }, v.under('logShipping')),
      );
    }
    const firewallContext = { privateRange: props.network.ipRange, adminCidrs: props.access.adminCidrs };
    for (const fw of props.firewalls ?? []) fw.addRules(this.hostConfig.ports);
    const firewallIds = [...(props.firewalls ?? []).map((fw) => fw.firewallId), ...(props.firewallIds ?? [])];
    this.hostConfig.addFile({ path: FIREWALL_SCRIPT_PATH, content: ufwScript(this.hostConfig.ports, firewallContext), permissions: '0755', exec: true });
    const architecture = debianArch(this.serverTypeInfo.architecture);
    // Managed after boot too (like the bootstrap's other files), so the host's view never drifts.
    this.hostConfig.addFile({ path: HostPaths.architectureFile, content: `${architecture}\n` });
    this.manifest = renderHostManifest(this.hostConfig.toManifestSpec(props.name, SERVICE_USER));

    // Plain text, never gzip: readable plan diffs, and the same bytes on every OS and Node version
    // (a gzip header carries the OS; zlib output is not promised stable across versions).
    this.userData = renderCloudConfig(bootstrapCloudConfig(props.name, architecture));
    // A few KiB whatever the role (far below Hetzner's HetznerLimits.userDataBytes; a test pins it).
    this.userDataEncoded = escapeTerraformTemplate(this.userData);

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
      lifecycle: {
        // ssh_keys is force-new, but only matters at creation (cloud-init seeds the service user's
        // keys from it); later key changes reach the host through its configuration.
        ignoreChanges: ['ssh_keys'],
        ...(props.protect ? { preventDestroy: true } : {}),
      },
    });
    this.configuration = new HostConfiguration(this, 'Configuration', { host: this, manifest: this.manifest, sshPrivateKey: props.sshPrivateKey });
  }

  /**
   * The server id (a token). The same token on every read: each attribute read of a cdktf resource
   * creates a new token (and records its creation stack), and every host's delivery reads these.
   */
  public get serverId(): string {
    return (this.serverIdToken ??= this.server.id);
  }

  /** The resource that delivers the host's configuration (`configuration.resource`). */
  public get configurationResource(): TerraformData {
    return this.configuration.resource;
  }

  /** Public IPv4 (for SSH from the admin CIDRs and secret delivery). */
  public get ipv4Address(): string {
    return (this.ipv4AddressToken ??= this.server.ipv4Address);
  }
  private serverIdToken?: string;
  private ipv4AddressToken?: string;
}
