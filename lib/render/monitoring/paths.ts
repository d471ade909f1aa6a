import { HostPaths } from '../../core/paths';

/**
 * Where the monitoring stack keeps its files. Config files sit at the paths the Ubuntu and Grafana
 * packages use (so operators find them where the upstream docs say); data directories live on the
 * monitoring volume; secrets are delivered after boot into HostPaths.secretsDir and handed to each
 * service by systemd `LoadCredential=` (so no service user needs access to the secrets folder).
 */
export const MONITORING_VOLUME_MOUNTPOINT = '/mnt/monitoring';

/** Units of the Ubuntu 24.04 packages (prometheus, prometheus-alertmanager, prometheus-node-exporter) and the Grafana APT repository (grafana, loki, alloy). */
export const MonitoringUnits = {
  prometheus: 'prometheus.service',
  alertmanager: 'prometheus-alertmanager.service',
  nodeExporter: 'prometheus-node-exporter.service',
  grafana: 'grafana-server.service',
  loki: 'loki.service',
  alloy: 'alloy.service',
} as const;

/** Service accounts the packages create. Loki's is a system user in `nogroup`, so its dirs get no group. */
export const MonitoringUsers = {
  prometheus: { user: 'prometheus', group: 'prometheus' },
  /** Debian's alertmanager runs as the prometheus user. */
  alertmanager: { user: 'prometheus', group: 'prometheus' },
  grafana: { user: 'grafana', group: 'grafana' },
  loki: { user: 'loki', group: undefined },
  alloy: { user: 'alloy', group: 'alloy' },
} as const;

/** A secret file of the monitoring stack: delivered after boot, read by one unit through LoadCredential. */
export interface MonitoringSecret {
  /** File name under HostPaths.secretsDir (what `SecretFiles` installs). */
  readonly name: string;
  /** The unit that loads it as a credential (and must be restarted when it changes). */
  readonly unit: string;
  readonly description: string;
}

export const MonitoringSecrets = {
  /** Read-only Hetzner Cloud API token for Prometheus service discovery. */
  hcloudSdToken: {
    name: 'hcloud-sd-token',
    unit: MonitoringUnits.prometheus,
    description: 'Hetzner Cloud API token (read-only is enough) for Prometheus hetzner_sd_configs',
  },
  /** URL of the alert webhook (it often embeds a token, so it is a secret). */
  alertWebhookUrl: {
    name: 'alertmanager-webhook-url',
    unit: MonitoringUnits.alertmanager,
    description: 'URL the Alertmanager webhook receiver posts to',
  },
  /** Optional URL that receives the always-firing Watchdog alert (dead man's switch). */
  heartbeatUrl: {
    name: 'alertmanager-heartbeat-url',
    unit: MonitoringUnits.alertmanager,
    description: 'URL of an external dead-man switch that expects the Watchdog alert',
  },
  /** Initial Grafana admin password (only applied when Grafana creates its database). */
  grafanaAdminPassword: {
    name: 'grafana-admin-password',
    unit: MonitoringUnits.grafana,
    description: 'initial password of the Grafana admin user',
  },
} as const satisfies Record<string, MonitoringSecret>;

/**
 * `RuntimeDirectory=` of Alertmanager (under /run, owned by the service user, mode 0700, removed
 * when the unit stops): holds the effective config with the inlined secret URLs.
 */
export const ALERTMANAGER_RUNTIME_DIRECTORY = 'prometheus-alertmanager';

/** Every path the monitoring renderers write or reference. */
export interface MonitoringPaths {
  readonly prometheusConfig: string;
  /** Folder of the alert rule files (`*.yml`). */
  readonly prometheusRulesDir: string;
  /** The Alertmanager config as rendered: a template whose URLs are `url_file`/`api_url_file` (no secret inside). */
  readonly alertmanagerConfig: string;
  /**
   * The config Alertmanager runs with: {@link alertmanagerConfig} with every URL inlined from its
   * credential by {@link alertmanagerConfigScript}, in the unit's private runtime directory.
   */
  readonly alertmanagerEffectiveConfig: string;
  /** The script that writes {@link alertmanagerEffectiveConfig} (cloud-init/monitoring/aiai-alertmanager-config.sh). */
  readonly alertmanagerConfigScript: string;
  readonly lokiConfig: string;
  readonly alloyConfig: string;
  readonly grafanaIni: string;
  readonly grafanaProvisioningDir: string;
  /** Folder of the provisioned dashboard JSON files (root-owned config, not Grafana data). */
  readonly grafanaDashboardsDir: string;
  /** Where secrets are delivered (HostPaths.secretsDir). */
  readonly secretsDir: string;
  /** systemd's credentials root: a unit's credentials appear in `<credentialsDir>/<unit>/`. */
  readonly credentialsDir: string;
  /** Mountpoint of the monitoring volume. */
  readonly volumeMountpoint: string;
  readonly prometheusDataDir: string;
  readonly alertmanagerDataDir: string;
  readonly lokiDataDir: string;
  readonly grafanaDataDir: string;
  /** The aiai application log files every host ships to Loki. */
  readonly aiaiLogGlob: string;
}

/**
 * The paths of a host. `root` prefixes every path (tests use a temp folder so `promtool check
 * config` can find the rule and credential files).
 */
export function monitoringPaths(volumeMountpoint: string = MONITORING_VOLUME_MOUNTPOINT, root = ''): MonitoringPaths {
  const r = (p: string) => `${root}${p}`;
  const vol = r(volumeMountpoint);
  return {
    prometheusConfig: r('/etc/prometheus/prometheus.yml'),
    prometheusRulesDir: r('/etc/prometheus/rules'),
    alertmanagerConfig: r('/etc/prometheus/alertmanager.yml'),
    alertmanagerEffectiveConfig: r(`/run/${ALERTMANAGER_RUNTIME_DIRECTORY}/alertmanager.yml`),
    alertmanagerConfigScript: r(`${HostPaths.scriptDir}/aiai-alertmanager-config`),
    lokiConfig: r('/etc/loki/config.yml'),
    alloyConfig: r('/etc/alloy/config.alloy'),
    grafanaIni: r('/etc/grafana/grafana.ini'),
    grafanaProvisioningDir: r('/etc/grafana/provisioning'),
    grafanaDashboardsDir: r('/etc/grafana/dashboards'),
    secretsDir: r(HostPaths.secretsDir),
    credentialsDir: r('/run/credentials'),
    volumeMountpoint: vol,
    prometheusDataDir: `${vol}/prometheus`,
    alertmanagerDataDir: `${vol}/alertmanager`,
    lokiDataDir: `${vol}/loki`,
    grafanaDataDir: `${vol}/grafana`,
    aiaiLogGlob: r(`${HostPaths.logDir}/*.log`),
  };
}

/** Where the service reads a secret: `$CREDENTIALS_DIRECTORY/<name>` of its unit. */
export function credentialPath(paths: MonitoringPaths, secret: MonitoringSecret): string {
  return `${paths.credentialsDir}/${secret.unit}/${secret.name}`;
}

/** Where `SecretFiles` installs the secret. */
export function secretSourcePath(paths: MonitoringPaths, secret: MonitoringSecret): string {
  return `${paths.secretsDir}/${secret.name}`;
}
