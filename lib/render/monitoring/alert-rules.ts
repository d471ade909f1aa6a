import { Roles } from '../../core/labels';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../core/time';
import { PropValidator } from '../../core/validation-error';
import { checkDuration, checkMustBeLiteral, GENERATED_HEADER, isSafeAbsolutePath, parseDuration, quoteString, toYaml } from './common';
import { ScrapeJobs } from './options';
import { MONITORING_VOLUME_MOUNTPOINT } from './paths';
import { TargetLabels } from './prometheus-config';

export type AlertSeverity = 'critical' | 'warning' | 'info' | 'none';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold. @default fires on the first evaluation */
  readonly for?: string;
  readonly labels: { readonly severity: AlertSeverity } & Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface AlertRuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** A rule file to install into MonitoringPaths.prometheusRulesDir. */
export interface RuleFile {
  /** File name (`*.yml`, matched by the rule_files glob of prometheus.yml). */
  readonly name: string;
  readonly content: string;
}

export interface AlertRulesOptions {
  /** Mountpoint of the monitoring volume on the monitoring host. @default '/mnt/monitoring' */
  readonly volumeMountpoint?: string;
  /** Alert when the platform's API spend exceeds this many USD per hour (sustained 15 minutes). @default 5 */
  readonly apiCostUsdPerHour?: number;
  /** Alert when more than this fraction of tasks (0..1) did not succeed over 15 minutes. @default 0.3 */
  readonly taskFailureRatio?: number;
  /** The failure ratio only counts once at least this many tasks ran in the 15 minutes. @default 10 */
  readonly taskFailureMinTasks?: number;
  /** Alert when available memory drops below this fraction (0..1). @default 0.1 */
  readonly memoryAvailableRatio?: number;
  /** Alert when the root filesystem's free space drops below this fraction (0..1). @default 0.15 */
  readonly diskFreeRatio?: number;
  /** Critical alert when the monitoring volume's free space drops below this fraction (0..1). @default 0.1 */
  readonly volumeFreeRatio?: number;
  /** Warn when the monitoring volume will be full within this time at the 6h trend. @default '24h' */
  readonly volumeFillHorizon?: string;
  /** How long a host's node exporter must be unreachable before HostDown fires. @default '5m' */
  readonly hostDownFor?: string;
  /**
   * Adds the always-firing `Watchdog` alert, routed to a heartbeat receiver: the only way to learn
   * that Prometheus or Alertmanager themselves are down is an external dead-man switch noticing the
   * heartbeat stopped. Requires the heartbeat URL secret (AlertmanagerConfigOptions.heartbeat).
   * @default false
   */
  readonly heartbeat?: boolean;
}

export const ALERT_DEFAULTS = {
  volumeMountpoint: MONITORING_VOLUME_MOUNTPOINT,
  apiCostUsdPerHour: 5,
  taskFailureRatio: 0.3,
  taskFailureMinTasks: 10,
  memoryAvailableRatio: 0.1,
  diskFreeRatio: 0.15,
  volumeFreeRatio: 0.1,
  volumeFillHorizon: '24h',
  hostDownFor: '5m',
} as const;

/** Jobs with a dedicated "down" alert; `TargetDown` covers every other job. */
export const DEDICATED_DOWN_ALERTS: Readonly<Record<string, string>> = {
  [ScrapeJobs.node]: 'HostDown',
  [ScrapeJobs.aiai]: 'AiaiOrchestratorDown',
  [ScrapeJobs.prometheus]: 'PrometheusDown',
  [ScrapeJobs.alertmanager]: 'AlertmanagerDown',
  [ScrapeJobs.loki]: 'LokiDown',
};

/** Alerts about a problem that a down host explains; Alertmanager inhibits them while HostDown fires for the same `host`. */
export const HOST_SYMPTOM_ALERTS = [
  'AiaiOrchestratorDown',
  'HighMemoryUsage',
  'DiskSpaceLow',
  'TargetDown',
  'PrometheusDown',
  'AlertmanagerDown',
  'LokiDown',
  'ConfigReloadFailed',
  'MonitoringVolumeFillingUp',
  'MonitoringVolumeAlmostFull',
] as const;

const fraction = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0 && x < 1;

export function validateAlertRulesOptions(v: PropValidator, o: AlertRulesOptions): void {
  const mount = o.volumeMountpoint ?? ALERT_DEFAULTS.volumeMountpoint;
  if (checkMustBeLiteral(v, 'volumeMountpoint', mount)) {
    v.check('volumeMountpoint', mount, isSafeAbsolutePath(mount), 'an absolute path of letters, digits and `._@+-`');
  }
  const cost = o.apiCostUsdPerHour;
  if (cost !== undefined) v.check('apiCostUsdPerHour', cost, typeof cost === 'number' && Number.isFinite(cost) && cost > 0, 'a positive number of USD per hour');
  for (const key of ['taskFailureRatio', 'memoryAvailableRatio', 'diskFreeRatio', 'volumeFreeRatio'] as const) {
    if (o[key] !== undefined) v.check(key, o[key], fraction(o[key]), 'a fraction between 0 and 1 (exclusive), e.g. 0.1 for 10 %');
  }
  const min = o.taskFailureMinTasks;
  if (min !== undefined) v.check('taskFailureMinTasks', min, Number.isInteger(min) && min >= 1, 'an integer of at least 1');
  checkDuration(v, 'volumeFillHorizon', o.volumeFillHorizon, { min: HOUR_MS, max: 30 * DAY_MS, minText: '1h', maxText: '30d' });
  checkDuration(v, 'hostDownFor', o.hostDownFor, { min: MINUTE_MS, max: DAY_MS, minText: '1m', maxText: '1d' });
}

/** A number in PromQL (no exponent notation surprises for the usual thresholds). */
function num(x: number): string {
  return String(x);
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}

/** Seconds of a validated duration. */
function seconds(duration: string): number {
  return Math.floor(parseDuration(duration)! / 1000);
}

/** The alert rules, grouped. Thresholds and the volume mountpoint come from the options. */
export function alertRuleGroups(o: AlertRulesOptions = {}): AlertRuleGroup[] {
  const v = new PropValidator('AlertRules');
  validateAlertRulesOptions(v, o);
  v.throwIfInvalid();
  const d = { ...ALERT_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) } as Required<AlertRulesOptions>;

  const job = (name: string) => `job=${quoteString(name)}`;
  const vol = `${TargetLabels.role}=${quoteString(Roles.monitoring)},mountpoint=${quoteString(d.volumeMountpoint)}`;
  const byEnv = `sum by (${TargetLabels.environment})`;
  const dedicated = Object.keys(DEDICATED_DOWN_ALERTS).join('|');

  const hosts: AlertRule[] = [
    {
      alert: 'HostDown',
      expr: `up{${job(ScrapeJobs.node)}} == 0`,
      for: d.hostDownFor,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Host {{ $labels.host }} is unreachable',
        description: `The node exporter of the host has not answered for ${d.hostDownFor}: the host is down, or the private network or its firewall is broken. Other alerts of the host are inhibited meanwhile.`,
      },
    },
    {
      alert: 'NodeTargetsMissing',
      expr: `absent(up{${job(ScrapeJobs.node)}})`,
      for: '10m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Hetzner service discovery finds no host',
        description: 'No node exporter target exists, not even the monitoring host: the hcloud SD token is missing or wrong, or the servers lack the project/environment labels. Every host alert is blind meanwhile.',
      },
    },
    {
      alert: 'HighMemoryUsage',
      expr: `node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < ${num(d.memoryAvailableRatio)}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Memory of {{ $labels.host }} is nearly exhausted',
        description: `Available memory has been below ${pct(d.memoryAvailableRatio)} for 5 minutes.`,
      },
    },
    {
      alert: 'DiskSpaceLow',
      expr: `node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"} < ${num(d.diskFreeRatio)}`,
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Root filesystem of {{ $labels.host }} is nearly full',
        description: `Less than ${pct(d.diskFreeRatio)} of the root filesystem has been free for 10 minutes.`,
      },
    },
  ];

  const application: AlertRule[] = [
    {
      alert: 'AiaiOrchestratorDown',
      expr: `up{${job(ScrapeJobs.aiai)}} == 0`,
      for: '2m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'aiai on {{ $labels.host }} does not answer',
        description: 'The aiai metrics endpoint of the orchestrator has been unreachable for 2 minutes.',
      },
    },
    {
      alert: 'AiaiMetricsMissing',
      expr: `absent(up{${job(ScrapeJobs.aiai)}})`,
      for: '10m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'No orchestrator is discovered',
        description: `No server with role=${Roles.orchestrator} is scraped: every application alert (cost, failures, evolution) is blind meanwhile.`,
      },
    },
    {
      // rate() is per second: times 3600 gives USD per hour, the unit of the threshold.
      alert: 'HighAPICostRate',
      expr: `${byEnv} (rate(aiai_api_cost_total[1h])) * 3600 > ${num(d.apiCostUsdPerHour)}`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'API spend is {{ $value | printf "%.2f" }} USD per hour',
        description: `API costs have exceeded ${num(d.apiCostUsdPerHour)} USD per hour (1h average) for 15 minutes.`,
      },
    },
    {
      // aiai_task_total{status} is the one task counter the app defines; every status but success is a failure.
      alert: 'HighTaskFailureRate',
      expr:
        `${byEnv} (rate(aiai_task_total{status!="success"}[15m])) / (${byEnv} (rate(aiai_task_total[15m])) > 0) > ${num(d.taskFailureRatio)}` +
        ` and ${byEnv} (increase(aiai_task_total[15m])) >= ${num(d.taskFailureMinTasks)}`,
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $value | humanizePercentage }} of tasks fail',
        description: `More than ${pct(d.taskFailureRatio)} of tasks did not succeed over 15 minutes (at least ${num(d.taskFailureMinTasks)} tasks), for 10 minutes.`,
      },
    },
    {
      alert: 'EvolutionRegression',
      expr: 'aiai_evolution_score < aiai_evolution_score offset 1d',
      for: '6h',
      labels: { severity: 'info' },
      annotations: {
        summary: 'Evolution score {{ $labels.dimension }} regressed',
        description: 'The evolution score has been lower than 24 hours earlier for 6 hours.',
      },
    },
    {
      alert: 'EvolutionScoreMissing',
      // `offset 12h`: only once orchestrators have been up for the whole window (no alert right after a deploy).
      expr: `absent_over_time(aiai_evolution_score[12h]) and on() (count(up{${job(ScrapeJobs.aiai)}} offset 12h == 1) > 0)`,
      for: '1h',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'No evolution score for 12 hours',
        description: 'Orchestrators have been up for 12 hours but exported no aiai_evolution_score in that time (the analysis runs every 6 hours): EvolutionRegression cannot fire.',
      },
    },
  ];

  const stack: AlertRule[] = [
    {
      alert: 'TargetDown',
      expr: `up{job!~${quoteString(dedicated)}} == 0`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $labels.job }} on {{ $labels.host }} does not answer',
        description: 'A scrape target has been down for 5 minutes.',
      },
    },
    {
      alert: 'PrometheusDown',
      expr: `up{${job(ScrapeJobs.prometheus)}} == 0`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Prometheus cannot scrape itself',
        description: 'The self-scrape of Prometheus has failed for 5 minutes. A dead Prometheus cannot report itself: enable the heartbeat for that.',
      },
    },
    {
      alert: 'AlertmanagerDown',
      expr: `up{${job(ScrapeJobs.alertmanager)}} == 0`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Alertmanager does not answer',
        description: 'Alertmanager has been unreachable for 5 minutes: no alert is delivered.',
      },
    },
    {
      alert: 'LokiDown',
      expr: `up{${job(ScrapeJobs.loki)}} == 0`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Loki does not answer',
        description: 'Loki has been unreachable for 5 minutes: logs of every host are buffered by Alloy or lost.',
      },
    },
    {
      alert: 'MonitoringVolumeFillingUp',
      expr: `predict_linear(node_filesystem_avail_bytes{${vol}}[6h], ${seconds(d.volumeFillHorizon)}) < 0 and node_filesystem_avail_bytes{${vol}} / node_filesystem_size_bytes{${vol}} < 0.5`,
      for: '1h',
      labels: { severity: 'warning' },
      annotations: {
        summary: `Monitoring volume fills up within ${d.volumeFillHorizon}`,
        description: `At the trend of the last 6 hours the monitoring volume (${d.volumeMountpoint}) fills up within ${d.volumeFillHorizon}; it is more than half full.`,
      },
    },
    {
      alert: 'MonitoringVolumeAlmostFull',
      expr: `node_filesystem_avail_bytes{${vol}} / node_filesystem_size_bytes{${vol}} < ${num(d.volumeFreeRatio)}`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Monitoring volume is {{ $value | humanizePercentage }} free',
        description: `Less than ${pct(d.volumeFreeRatio)} of the monitoring volume (${d.volumeMountpoint}) is free: Prometheus and Loki stop writing when it is full.`,
      },
    },
    {
      alert: 'MonitoringVolumeMissing',
      expr: `absent(node_filesystem_size_bytes{${vol}})`,
      for: '10m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Monitoring volume is not mounted',
        description: `No filesystem is mounted at ${d.volumeMountpoint} on the monitoring host (or its node exporter is not scraped): the volume alerts are blind and the services that need it do not start.`,
      },
    },
    {
      alert: 'ConfigReloadFailed',
      expr: '{__name__=~"prometheus_config_last_reload_successful|alertmanager_config_last_reload_successful|alloy_config_last_load_successful"} == 0',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $labels.job }} on {{ $labels.host }} runs an old config',
        description: 'The last configuration reload failed; the service keeps running with its previous configuration.',
      },
    },
    {
      alert: 'PrometheusRuleFailures',
      expr: 'increase(prometheus_rule_evaluation_failures_total[10m]) > 0',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Rule group {{ $labels.rule_group }} fails to evaluate',
        description: 'Prometheus failed to evaluate rules in the last 10 minutes: the alerts of that group may not fire.',
      },
    },
    {
      alert: 'HetznerDiscoveryFailing',
      expr: 'increase(prometheus_sd_refresh_failures_total{mechanism="hetzner"}[10m]) > 0',
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Hetzner service discovery keeps failing',
        description: 'Prometheus cannot list servers from the Hetzner API (token missing, revoked or rate-limited): new hosts are not scraped and removed hosts linger.',
      },
    },
    {
      alert: 'AlertNotificationsFailing',
      expr: 'sum by (integration) (increase(alertmanager_notifications_failed_total[10m])) > 0',
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Alertmanager cannot deliver to {{ $labels.integration }}',
        description: 'Notifications failed in the last 10 minutes: check the webhook URL secret and the receiver.',
      },
    },
  ];
  if (d.heartbeat) {
    stack.push({
      alert: 'Watchdog',
      expr: 'vector(1)',
      labels: { severity: 'none' },
      annotations: {
        summary: 'Heartbeat of the alerting pipeline',
        description: 'Always firing. An external dead-man switch alerts when these notifications stop: Prometheus, Alertmanager or the monitoring host is down.',
      },
    });
  }

  return [
    { name: 'aiai-hosts', rules: hosts },
    { name: 'aiai-application', rules: application },
    { name: 'monitoring-stack', rules: stack },
  ];
}

/** The alert rule files for MonitoringPaths.prometheusRulesDir: one file per group (`<group>.yml`). */
export function renderAlertRuleFiles(o: AlertRulesOptions = {}): RuleFile[] {
  return alertRuleGroups(o).map((g) => ({
    name: `${g.name}.yml`,
    content: toYaml(
      {
        groups: [
          {
            name: g.name,
            rules: g.rules.map((r) => ({
              alert: r.alert,
              expr: r.expr,
              ...(r.for ? { for: r.for } : {}),
              labels: { ...r.labels },
              annotations: { ...r.annotations },
            })),
          },
        ],
      },
      GENERATED_HEADER,
    ),
  }));
}

/** Every alert name, in rule order. */
export function alertNames(o: AlertRulesOptions = {}): string[] {
  return alertRuleGroups(o).flatMap((g) => g.rules.map((r) => r.alert));
}
