import { LabelKeys, Roles } from '../../core/labels';
import { Ports } from '../../core/ports';
import { PropValidator } from '../../core/validation-error';
import { DEFAULT_PROJECT } from '../../core/platform';
import {
  checkDuration,
  checkMustBeLiteral,
  escapeRegex,
  GENERATED_HEADER,
  sanitizeLabelName,
  toYaml,
} from './common';
import { MonitoringHostOptions, monitoringEndpoints, pathsOf, ScrapeJobs, validateHostOptions } from './options';
import { credentialPath, MonitoringSecrets } from './paths';
import { StreamLabels } from './alloy-pipeline';

export interface PrometheusConfigOptions extends MonitoringHostOptions {
  /**
   * Name of the Hetzner private network of the platform. Hetzner service discovery reports each
   * server's address in it as `__meta_hetzner_hcloud_private_ipv4_<sanitized name>`.
   */
  readonly networkName: string;
  /** How often targets are scraped. @default '15s' */
  readonly scrapeInterval?: string;
  /** Scrape timeout; at most the scrape interval. @default '10s' */
  readonly scrapeTimeout?: string;
  /** How often rules are evaluated. @default '15s' */
  readonly evaluationInterval?: string;
  /** How often the Hetzner API is asked for the server list. @default '60s' */
  readonly sdRefreshInterval?: string;
  /**
   * Scrape the node exporters of hosts with the `monitoring=false` label too (they are dropped by default).
   * @default false
   */
  readonly includeOptedOutHosts?: boolean;
}

/** Label names of Hetzner service discovery (Prometheus docs, hetzner_sd_config, role hcloud). */
export const HetznerMeta = {
  label: (key: string) => `__meta_hetzner_hcloud_label_${sanitizeLabelName(key)}`,
  privateIpv4: (networkName: string) => `__meta_hetzner_hcloud_private_ipv4_${sanitizeLabelName(networkName)}`,
  serverName: '__meta_hetzner_server_name',
  serverStatus: '__meta_hetzner_server_status',
  location: '__meta_hetzner_hcloud_location',
  serverType: '__meta_hetzner_hcloud_server_type',
} as const;

/** Target labels every scraped series carries (inhibition and dashboards use them). */
export const TargetLabels = {
  // The log streams carry the same names (StreamLabels), so a dashboard goes from metrics to logs.
  host: StreamLabels.host,
  role: StreamLabels.role,
  environment: StreamLabels.environment,
} as const;

export const PROMETHEUS_DEFAULTS = {
  scrapeInterval: '15s',
  scrapeTimeout: '10s',
  evaluationInterval: '15s',
  sdRefreshInterval: '60s',
} as const;

export function validatePrometheusConfigOptions(v: PropValidator, o: PrometheusConfigOptions): void {
  validateHostOptions(v, o);
  if (checkMustBeLiteral(v, 'networkName', o.networkName)) {
    v.check('networkName', o.networkName, typeof o.networkName === 'string' && /^[^\s]{1,63}$/.test(o.networkName), 'a Hetzner network name (1 to 63 chars, no whitespace)');
  }
  const interval = checkDuration(v, 'scrapeInterval', o.scrapeInterval, { min: 1000, max: 300_000, minText: '1s', maxText: '5m' });
  const timeout = checkDuration(v, 'scrapeTimeout', o.scrapeTimeout, { min: 1000, minText: '1s' });
  const effInterval = interval ?? (o.scrapeInterval === undefined ? 15_000 : undefined);
  const effTimeout = timeout ?? (o.scrapeTimeout === undefined ? 10_000 : undefined);
  if (effInterval !== undefined && effTimeout !== undefined && effTimeout > effInterval) {
    v.fail('scrapeTimeout', o.scrapeTimeout ?? PROMETHEUS_DEFAULTS.scrapeTimeout, `a duration no longer than the scrape interval (${o.scrapeInterval ?? PROMETHEUS_DEFAULTS.scrapeInterval})`);
  }
  checkDuration(v, 'evaluationInterval', o.evaluationInterval, { min: 1000, max: 300_000, minText: '1s', maxText: '5m' });
  checkDuration(v, 'sdRefreshInterval', o.sdRefreshInterval, { min: 10_000, max: 3_600_000, minText: '10s', maxText: '1h' });
}

/** The relabel rules that turn a Hetzner server into a target on `port`, labelled host/role/environment. */
function hetznerRelabel(o: PrometheusConfigOptions, port: number, filters: Record<string, unknown>[]): Record<string, unknown>[] {
  const project = o.project ?? DEFAULT_PROJECT;
  const ipLabel = HetznerMeta.privateIpv4(o.networkName);
  return [
    {
      // Only servers of this project and environment (the API token may see other projects' servers).
      source_labels: [HetznerMeta.label(LabelKeys.project), HetznerMeta.label(LabelKeys.environment)],
      separator: ';',
      regex: `${escapeRegex(project)};${escapeRegex(o.environment)}`,
      action: 'keep',
    },
    { source_labels: [HetznerMeta.serverStatus], regex: 'running', action: 'keep' },
    ...filters,
    // Scrape over the private network only; servers outside it are not ours to scrape.
    { source_labels: [ipLabel], regex: '.+', action: 'keep' },
    { source_labels: [ipLabel], regex: '(.+)', target_label: '__address__', replacement: `\${1}:${port}`, action: 'replace' },
    { source_labels: [HetznerMeta.serverName], target_label: 'instance', action: 'replace' },
    { source_labels: [HetznerMeta.serverName], target_label: TargetLabels.host, action: 'replace' },
    { source_labels: [HetznerMeta.label(LabelKeys.role)], target_label: TargetLabels.role, action: 'replace' },
    { source_labels: [HetznerMeta.label(LabelKeys.environment)], target_label: TargetLabels.environment, action: 'replace' },
  ];
}

/** The config as data (what {@link renderPrometheusConfig} serialises). */
export function prometheusConfig(o: PrometheusConfigOptions): Record<string, unknown> {
  const v = new PropValidator('PrometheusConfig');
  validatePrometheusConfigOptions(v, o);
  v.throwIfInvalid();

  const paths = pathsOf(o);
  const ep = monitoringEndpoints(o);
  const localLabels = { [TargetLabels.host]: o.hostname, [TargetLabels.role]: Roles.monitoring, [TargetLabels.environment]: o.environment };
  const local = (job: string, target: string) => ({
    job_name: job,
    static_configs: [{ targets: [target], labels: { ...localLabels } }],
  });
  const sd = [
    {
      role: 'hcloud',
      authorization: { credentials_file: credentialPath(paths, MonitoringSecrets.hcloudSdToken) },
      refresh_interval: o.sdRefreshInterval ?? PROMETHEUS_DEFAULTS.sdRefreshInterval,
    },
  ];
  const optOut = o.includeOptedOutHosts
    ? []
    : [{ source_labels: [HetznerMeta.label(LabelKeys.scrape)], regex: 'false', action: 'drop' }];

  return {
    global: {
      scrape_interval: o.scrapeInterval ?? PROMETHEUS_DEFAULTS.scrapeInterval,
      scrape_timeout: o.scrapeTimeout ?? PROMETHEUS_DEFAULTS.scrapeTimeout,
      evaluation_interval: o.evaluationInterval ?? PROMETHEUS_DEFAULTS.evaluationInterval,
      external_labels: { project: o.project ?? DEFAULT_PROJECT, environment: o.environment },
    },
    alerting: { alertmanagers: [{ static_configs: [{ targets: [ep.alertmanager] }] }] },
    rule_files: [`${paths.prometheusRulesDir}/*.yml`],
    scrape_configs: [
      local(ScrapeJobs.prometheus, ep.prometheus),
      local(ScrapeJobs.alertmanager, ep.alertmanager),
      local(ScrapeJobs.loki, ep.loki),
      local(ScrapeJobs.grafana, ep.grafana),
      local(ScrapeJobs.alloy, ep.alloy),
      {
        // Every host's node exporter exactly once, the monitoring host included: one target per server.
        job_name: ScrapeJobs.node,
        hetzner_sd_configs: sd,
        relabel_configs: hetznerRelabel(o, Ports.nodeExporter.port, optOut),
      },
      {
        job_name: ScrapeJobs.aiai,
        hetzner_sd_configs: sd,
        relabel_configs: hetznerRelabel(o, Ports.aiaiMetrics.port, [
          { source_labels: [HetznerMeta.label(LabelKeys.role)], regex: escapeRegex(Roles.orchestrator), action: 'keep' },
        ]),
      },
    ],
  };
}

/** `prometheus.yml`. Hosts are found at run time by Hetzner service discovery, so this text does not change when hosts come and go. */
export function renderPrometheusConfig(o: PrometheusConfigOptions): string {
  return toYaml(prometheusConfig(o), GENERATED_HEADER);
}
