import { Construct } from 'constructs';
import { checkPropKinds } from '../core/prop-kinds';
import { ENVIRONMENT_ALLOWED, ENVIRONMENT_PATTERN } from '../core/patterns';
import { LabelKeys, Roles } from '../core/labels';
import { HostPaths } from '../core/paths';
import { DEFAULT_PROJECT, PlatformIdentity, resourceName, roleLabels } from '../core/platform';
import { Ports } from '../core/ports';
import { PropValidator, requireProps } from '../core/validation-error';
import { DEFAULT_LOCATION, serverType as lookupServerType } from '../hetzner/catalog';
import { AdminAccess } from '../host/admin-access';
import { HardenedServer } from '../host/hardened-server';
import { HostConfig } from '../host/host-config';
import { addContribution, ILogSink } from '../host/log-shipping';
import { IpPlan } from '../network/ip-plan';
import { PortSources } from '../network/port-rule';
import { IPrivateNetwork } from '../network/private-network';
import { IRoleFirewall, RoleFirewall } from '../network/role-firewall';
import { IObjectStore } from '../object-store/object-store';
import { BackupHostParts, BackupSecretNames } from '../render/backup/common';
import { renderOffsiteBackup } from '../render/backup/offsite-backup';
import { MAX_SNAPSHOTS_KEPT, renderSnapshotRotation, SnapshotRotationDefaults } from '../render/backup/snapshot-rotation';
import { costHintName, recordCostHint } from '../cost/record-cost-hint';
import { AlertRulesOptions } from '../render/monitoring/alert-rules';
import { checkDuration, DAY_MS } from '../render/monitoring/common';
import { prometheusListenMode } from '../render/monitoring/options';
import { MonitoringSecrets, MonitoringUnits, monitoringPaths } from '../render/monitoring/paths';
import { GrafanaPackageVersions } from '../render/monitoring/install';
import { MonitoringStackOptions, renderMonitoringHost, validateMonitoringStackOptions } from '../render/monitoring/host-parts';
import { SecretFile, SecretFiles } from '../secrets/secret-files';
import { applyDataVolumeMount } from '../volume/data-volume-mount';
import { checkVolumeSize, DataVolume } from '../volume/data-volume';
import { checkSecretToken } from '../core/tokens';

/** Sensitive Terraform variable tokens the monitoring node needs. */
export interface MonitoringSecretsProps {
  /** Hetzner Cloud API token for Prometheus service discovery (a read-only token is enough). */
  readonly hcloudSdToken: string;
  /** URL the Alertmanager webhook receiver posts to. */
  readonly alertWebhookUrl: string;
  /** Initial password of the Grafana `admin` user. */
  readonly grafanaAdminPassword: string;
}

/** Disaster recovery jobs run by the monitoring node. */
export interface MonitoringDisasterRecoveryProps {
  /**
   * Read/write Hetzner Cloud API token for nightly snapshots of the platform's servers (keep the
   * newest `keepSnapshots` per server).
   */
  readonly hcloudSnapshotToken: string;
  /** Snapshots kept per server. @default 7 */
  readonly keepSnapshots?: number;
  /**
   * Object store whose backups bucket receives the nightly off-site backup of this host
   * (Prometheus TSDB snapshot through the admin API on 127.0.0.1, configuration files).
   * @default - no off-site backup
   */
  readonly objectStore?: IObjectStore;
}

export interface MonitoringNodeProps extends PlatformIdentity {
  readonly network: IPrivateNetwork;
  readonly access: AdminAccess;
  /**
   * Further firewalls the monitoring host join besides the role's own, e.g. a project-wide firewall that
   * exists already (`RoleFirewall.fromExisting(scope, id, { firewallId })`).
   * @default - only the role's own firewall
   */
  readonly firewalls?: readonly IRoleFirewall[];
  readonly secrets: MonitoringSecretsProps;
  /** Server type. @default 'cax21' (arm64) */
  readonly serverType?: string;
  /** Location. @default 'fsn1' */
  readonly location?: string;
  /** Private IP. @default the IP plan's monitoring address (.20) */
  readonly privateIp?: string;
  /** Size of the data volume (Prometheus TSDB, Loki chunks, Grafana database) in GB, 10-10240. @default 50 */
  readonly volumeSizeGb?: number;
  /** Prometheus scrape interval (a Prometheus duration). @default '15s' */
  readonly scrapeInterval?: string;
  /** Prometheus rule evaluation interval. @default '15s' */
  readonly evaluationInterval?: string;
  /** How long Prometheus keeps samples (a Prometheus duration from 1d to 3650d). @default '30d' */
  readonly metricsRetention?: string;
  /** How long Loki keeps logs (at least 1 day). @default '30d' */
  readonly logRetention?: string;
  /** Alert thresholds. @default ALERT_DEFAULTS */
  readonly alerts?: Omit<AlertRulesOptions, 'volumeMountpoint' | 'heartbeat'>;
  /** Pinned Grafana repository package versions. @default DEFAULT_GRAFANA_VERSIONS */
  readonly versions?: GrafanaPackageVersions;
  /** Snapshot rotation and off-site backups. @default - none */
  readonly disasterRecovery?: MonitoringDisasterRecoveryProps;
  /** Hetzner automated backups of the server (+20 % of its price). @default false */
  readonly serverBackups?: boolean;
  /**
   * Delete protection and `prevent_destroy` on the data volume. The server itself is never
   * protected: its state lives on the volume, and a user_data change must be able to replace it.
   * @default true
   */
  readonly protect?: boolean;
  /** Private key for secret delivery over SSH (sensitive token). @default - the operator's SSH agent */
  readonly sshPrivateKey?: string;
}

/** Volume label and mountpoint: shared by the mount unit and every data directory. */
const VOLUME_LABEL = 'aiai-monitoring';

/**
 * The monitoring node (what it corrects in the reference design: README, "Notes on the research
 * doc"): Prometheus (Hetzner service
 * discovery on our labels, so adding hosts never changes this server's user_data), Alertmanager,
 * Grafana, Loki and node exporter + Alloy, installed for the host's architecture from Ubuntu and
 * Grafana's APT repository, with their data on a protected Hetzner volume. Hosts ship logs to it
 * (it is an {@link ILogSink}). Secrets arrive after boot.
 */
export class MonitoringNode extends Construct implements ILogSink {
  public readonly host: HardenedServer;
  public readonly volume: DataVolume;
  public readonly firewall: RoleFirewall;
  public readonly secrets: SecretFiles;
  public readonly privateIp: string;

  constructor(scope: Construct, id: string, props: MonitoringNodeProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const kv = new PropValidator(this);
    const kinds = checkPropKinds(kv, props, {
      environment: 'string', project: 'string', serverType: 'string', location: 'string', privateIp: 'string', volumeSizeGb: 'number', scrapeInterval: 'string',
      evaluationInterval: 'string', metricsRetention: 'string', logRetention: 'string', secrets: 'object', alerts: 'object', versions: 'object',
      disasterRecovery: 'object', serverBackups: 'boolean', protect: 'boolean', sshPrivateKey: 'string',
    }, ['environment', 'secrets']);
    // The environment is part of the host name: reported as itself, not as three `hostname` problems.
    kv.check('environment', props.environment, !kinds || ENVIRONMENT_PATTERN.test(props.environment), ENVIRONMENT_ALLOWED);
    if (kinds && props.project !== undefined) kv.check('project', props.project, ENVIRONMENT_PATTERN.test(props.project), ENVIRONMENT_ALLOWED);
    kv.throwIfInvalid();
    const serverType = props.serverType ?? 'cax21';
    const location = props.location ?? DEFAULT_LOCATION;
    const privateIp = props.privateIp ?? props.network.addressAt(IpPlan.monitoring);
    const idn = { project: props.project, environment: props.environment };
    const hostname = resourceName(idn, 'monitoring');
    const dr = props.disasterRecovery;
    const paths = monitoringPaths();

    const options: MonitoringStackOptions = {
      project: props.project,
      environment: props.environment,
      hostname,
      privateIp,
      serverType,
      networkName: props.network.name,
      volumeMountpoint: paths.volumeMountpoint,
      scrapeInterval: props.scrapeInterval,
      evaluationInterval: props.evaluationInterval,
      metricsRetention: props.metricsRetention,
      logRetention: props.logRetention,
      versions: props.versions,
      adminApi: dr?.objectStore !== undefined,
      ...(props.alerts ?? {}),
    };
    const v = new PropValidator(this);
    // The node promises at least a day of metrics (the renderer alone accepts 2h); checked here
    // once, so a bad value is reported on one line.
    checkDuration(v, 'metricsRetention', props.metricsRetention, { min: DAY_MS, max: 3650 * DAY_MS, minText: '1d', maxText: '3650d' });
    validateMonitoringStackOptions(v, { ...options, metricsRetention: undefined });
    // The install plan picks the architecture from the catalog: a deprecated or unknown type must
    // be a ValidationError here, not a plain Error from the renderer. (A malformed name is already
    // reported by the check above.)
    if (/^[a-z]+\d+[a-z]*$/.test(serverType)) v.attempt('serverType', serverType, () => lookupServerType(serverType));
    const size = props.volumeSizeGb ?? 50;
    checkVolumeSize(v, 'volumeSizeGb', size);
    const secretText = 'a sensitive Terraform variable token (never a literal: it would land in the synthesized JSON)';
    for (const key of ['hcloudSdToken', 'alertWebhookUrl', 'grafanaAdminPassword'] as const) {
      checkSecretToken(v, `secrets.${key}`, props.secrets?.[key], secretText);
    }
    const keep = dr?.keepSnapshots ?? 7;
    if (dr) {
      v.check('disasterRecovery.keepSnapshots', keep, Number.isInteger(keep) && keep >= 1 && keep <= MAX_SNAPSHOTS_KEPT, `an integer from 1 to ${MAX_SNAPSHOTS_KEPT}`);
      checkSecretToken(v, 'disasterRecovery.hcloudSnapshotToken', dr.hcloudSnapshotToken, secretText);
    }
    if (props.sshPrivateKey !== undefined) checkSecretToken(v, 'sshPrivateKey', props.sshPrivateKey, secretText);
    v.throwIfInvalid();

    // 1. The host description: monitoring stack, data volume, DR jobs, ports.
    const hostConfig = new HostConfig();
    const monitoring = renderMonitoringHost(options, v);
    addContribution(hostConfig, monitoring);
    applyDataVolumeMount(hostConfig, { mountpoint: paths.volumeMountpoint, label: VOLUME_LABEL });
    // Prometheus is opened only when it listens on the private IP (with the admin API it is on 127.0.0.1).
    const prometheusPrivate = prometheusListenMode(options) === 'private';
    for (const port of [...(prometheusPrivate ? [Ports.prometheus] : []), Ports.alertmanager, Ports.grafana, Ports.loki]) {
      hostConfig.allowPort({ port, from: PortSources.private });
    }
    const backupParts: BackupHostParts[] = [];
    if (dr) {
      const project = props.project ?? DEFAULT_PROJECT;
      backupParts.push(renderSnapshotRotation({ project, environment: props.environment, keep }, v.under('disasterRecovery')));
      // For the cost estimate: `keep` snapshots of every server the rotation selects.
      recordCostHint(this, costHintName(this), {
        kind: 'snapshots',
        keepPerServer: keep,
        labels: { [LabelKeys.project]: project, [LabelKeys.environment]: props.environment },
        roles: SnapshotRotationDefaults.roles,
      });
      if (dr.objectStore) {
        backupParts.push(
          renderOffsiteBackup({
            hostName: hostname,
            bucket: dr.objectStore.bucketNames.backups,
            endpoint: dr.objectStore.endpoint,
            region: dr.objectStore.region,
            configPaths: ['/etc/prometheus', '/etc/grafana', '/etc/loki', '/etc/alloy', HostPaths.configDir],
            prometheus: { dataDir: paths.prometheusDataDir },
          }, v.under('disasterRecovery.objectStore')),
        );
      }
    }
    for (const part of backupParts) {
      hostConfig.addPackages(...part.packages);
      for (const f of part.files) hostConfig.addFile(f);
      for (const u of part.units) hostConfig.addUnit(u);
    }

    // 2. The server, its firewall and its volume.
    const labels = roleLabels(idn, Roles.monitoring);
    this.firewall = new RoleFirewall(this, 'Firewall', {
      name: resourceName(idn, 'monitoring'),
      rules: [],
      privateRange: props.network.ipRange,
      adminCidrs: props.access.adminCidrs,
      labels,
    });
    this.privateIp = privateIp;
    this.host = new HardenedServer(this, 'Server', {
      name: hostname,
      serverType,
      location,
      network: props.network,
      privateIp,
      access: props.access,
      labels: { ...labels, [LabelKeys.scrape]: 'true' },
      hostConfig,
      firewalls: [this.firewall, ...(props.firewalls ?? [])],
      backups: props.serverBackups ?? false,
      // Disposable: the data is on the volume (see `protect`).
      protect: false,
      // The volume outlives the server: Prometheus, Loki and Grafana stop (and flush) before a
      // replaced server is deleted and the volume detached.
      shutdownBeforeDeletion: true,
      logShipping: this,
      sshPrivateKey: props.sshPrivateKey,
    });
    this.volume = new DataVolume(this, 'Volume', {
      name: resourceName(idn, 'monitoring-data'),
      server: this.host,
      location,
      sizeGb: size,
      labels,
      protect: props.protect ?? true,
      mountpoint: paths.volumeMountpoint,
      sshPrivateKey: props.sshPrivateKey,
    });

    // 3. Secrets, after boot.
    const files: SecretFile[] = [
      { name: MonitoringSecrets.hcloudSdToken.name, content: props.secrets.hcloudSdToken, mode: '0600' },
      { name: MonitoringSecrets.alertWebhookUrl.name, content: props.secrets.alertWebhookUrl, mode: '0600' },
      { name: MonitoringSecrets.grafanaAdminPassword.name, content: props.secrets.grafanaAdminPassword, mode: '0600' },
    ];
    const restart = new Set<string>(monitoring.secrets.flatMap((s) => s.restartUnits));
    // Exactly the secret files the DR jobs read (their timers load them at each run: no restart).
    const backupSecrets: Record<string, string | undefined> = {
      [BackupSecretNames.hcloudToken]: dr?.hcloudSnapshotToken,
      [BackupSecretNames.s3AccessKey]: dr?.objectStore?.credentials.accessKeyId,
      [BackupSecretNames.s3SecretKey]: dr?.objectStore?.credentials.secretAccessKey,
    };
    for (const name of new Set(backupParts.flatMap((p) => p.secretFiles))) {
      const content = backupSecrets[name];
      if (content === undefined) v.fail('disasterRecovery', name, `a value for the backup secret file ${name}`);
      else files.push({ name, content, mode: '0600' });
    }
    v.throwIfInvalid();
    this.secrets = new SecretFiles(this, 'Secrets', {
      host: this.host,
      files,
      restartUnits: [...restart].filter((u) => u !== MonitoringUnits.nodeExporter),
      sshPrivateKey: props.sshPrivateKey,
    });
    // The delivery restarts services that need the volume mounted (RequiresMountsFor=): only once
    // it is attached.
    const attachment = this.volume.attachment;
    this.secrets.resource.dependsOn = [...(this.secrets.resource.dependsOn ?? []), `${attachment.terraformResourceType}.${attachment.friendlyUniqueId}`];
  }

  /** Loki's address for log shipping (the node's private IP). */
  public get lokiHost(): string {
    return this.privateIp;
  }
}
