/**
 * promtool unit-test cases for every alert: at least one input that fires it and one near miss
 * that must not. The harness in alert-rules.test.ts turns them into a `promtool test rules` file
 * against the rule file the renderer outputs.
 */
export interface Series {
  readonly series: string;
  readonly values: string;
}

export interface AlertCase {
  readonly alert: string;
  /** true: the alert must fire at evalTime with `labels` and `summary`; false: it must not fire. */
  readonly fires: boolean;
  readonly title: string;
  /** Sample interval of the input series; also the rule evaluation interval of the case (cases over days use 15m to stay fast). @default '1m' */
  readonly interval?: string;
  readonly series: readonly Series[];
  readonly evalTime: string;
  /** Labels of the fired alert besides alertname and severity (which come from the rule). */
  readonly labels?: Readonly<Record<string, string>>;
  /** The rendered summary annotation. */
  readonly summary?: string;
}

export const ENV = 'production';
export const MON = 'aiai-production-monitoring';
export const ORCH = 'aiai-production-orchestrator-1';

type Labels = Record<string, string>;

/** `metric{k="v",...}` in promtool series notation. */
export function sel(metric: string, labels: Labels): string {
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${metric}{${inner}}`;
}

/** Labels of a target found by Hetzner service discovery (after our relabelling). */
export const sdTarget = (job: string, host: string, role: string): Labels => ({ job, instance: host, host, role, environment: ENV });
/** Labels of a static target on the monitoring host. */
export const localTarget = (job: string, address: string): Labels => ({ job, instance: address, host: MON, role: 'monitoring', environment: ENV });

const NODE_ORCH = sdTarget('node', ORCH, 'orchestrator');
const NODE_MON = sdTarget('node', MON, 'monitoring');
const AIAI = sdTarget('aiai', ORCH, 'orchestrator');
const PROM = localTarget('prometheus', '10.0.1.20:9090');
const AM = localTarget('alertmanager', '10.0.1.20:9093');
const LOKI = localTarget('loki', '10.0.1.20:3100');
const GRAFANA = localTarget('grafana', '10.0.1.20:3000');
const ALLOY = localTarget('alloy', '127.0.0.1:12345');
const ROOT_FS = { ...NODE_ORCH, mountpoint: '/', device: '/dev/sda1', fstype: 'ext4' };
export const volumeLabels = (mountpoint = '/mnt/monitoring'): Labels => ({ ...NODE_MON, mountpoint, device: '/dev/sdb', fstype: 'ext4' });
const VOL = volumeLabels();
const GB = 1_000_000_000;

const cost = (model: string) => sel('aiai_api_cost_total', { ...AIAI, model, provider: 'anthropic', complexity: 'medium' });
const tasks = (status: string) => sel('aiai_task_total', { ...AIAI, status, complexity: 'medium', agent_type: 'builder' });
const score = sel('aiai_evolution_score', { ...AIAI, dimension: 'code_quality' });

const down = (alert: string, labels: Labels, forMinutes: number, summary: string, outLabels: Labels = labels): AlertCase[] => [
  {
    alert,
    fires: true,
    title: `down for longer than ${forMinutes}m`,
    series: [{ series: sel('up', labels), values: '0x20' }],
    evalTime: `${forMinutes + 1}m`,
    labels: outLabels,
    summary,
  },
  {
    alert,
    fires: false,
    title: `down for ${forMinutes - 1}m only`,
    series: [{ series: sel('up', labels), values: `1x${20 - forMinutes} 0x${forMinutes - 1}` }],
    evalTime: '20m',
  },
  { alert, fires: false, title: 'up', series: [{ series: sel('up', labels), values: '1x20' }], evalTime: '20m' },
];

export const ALERT_CASES: readonly AlertCase[] = [
  ...down('HostDown', NODE_ORCH, 5, `Host ${ORCH} is unreachable`),
  {
    alert: 'NodeTargetsMissing',
    fires: true,
    title: 'no node target at all (service discovery broken)',
    series: [{ series: sel('up', PROM), values: '1x20' }],
    evalTime: '15m',
    labels: { job: 'node' },
    summary: 'Hetzner service discovery finds no host',
  },
  {
    alert: 'NodeTargetsMissing',
    fires: false,
    title: 'a node target exists',
    series: [{ series: sel('up', NODE_MON), values: '1x20' }],
    evalTime: '15m',
  },
  {
    alert: 'HighMemoryUsage',
    fires: true,
    title: '5 % available',
    series: [
      { series: sel('node_memory_MemTotal_bytes', NODE_ORCH), values: `${8 * GB}x20` },
      { series: sel('node_memory_MemAvailable_bytes', NODE_ORCH), values: `${0.4 * GB}x20` },
    ],
    evalTime: '10m',
    labels: NODE_ORCH,
    summary: `Memory of ${ORCH} is nearly exhausted`,
  },
  {
    alert: 'HighMemoryUsage',
    fires: false,
    title: '11 % available',
    series: [
      { series: sel('node_memory_MemTotal_bytes', NODE_ORCH), values: `${8 * GB}x20` },
      { series: sel('node_memory_MemAvailable_bytes', NODE_ORCH), values: `${0.88 * GB}x20` },
    ],
    evalTime: '10m',
  },
  {
    alert: 'DiskSpaceLow',
    fires: true,
    title: '10 % free on /',
    series: [
      { series: sel('node_filesystem_avail_bytes', ROOT_FS), values: `${10 * GB}x20` },
      { series: sel('node_filesystem_size_bytes', ROOT_FS), values: `${100 * GB}x20` },
    ],
    evalTime: '15m',
    labels: ROOT_FS,
    summary: `Root filesystem of ${ORCH} is nearly full`,
  },
  {
    alert: 'DiskSpaceLow',
    fires: false,
    title: '16 % free on /',
    series: [
      { series: sel('node_filesystem_avail_bytes', ROOT_FS), values: `${16 * GB}x20` },
      { series: sel('node_filesystem_size_bytes', ROOT_FS), values: `${100 * GB}x20` },
    ],
    evalTime: '15m',
  },
  ...down('AiaiOrchestratorDown', AIAI, 2, `aiai on ${ORCH} does not answer`),
  {
    alert: 'AiaiMetricsMissing',
    fires: true,
    title: 'no orchestrator discovered',
    series: [{ series: sel('up', NODE_MON), values: '1x20' }],
    evalTime: '15m',
    labels: { job: 'aiai' },
    summary: 'No orchestrator is discovered',
  },
  {
    alert: 'AiaiMetricsMissing',
    fires: false,
    title: 'an orchestrator is discovered (even if down)',
    series: [{ series: sel('up', AIAI), values: '0x20' }],
    evalTime: '15m',
  },
  {
    alert: 'HighAPICostRate',
    fires: true,
    title: '6 USD/hour (two models at 3 USD/hour each)',
    series: [
      { series: cost('claude-sonnet'), values: '0+0.05x120' },
      { series: cost('claude-haiku'), values: '0+0.05x120' },
    ],
    evalTime: '90m',
    labels: { environment: ENV },
    summary: 'API spend is 6.00 USD per hour',
  },
  {
    alert: 'HighAPICostRate',
    fires: false,
    title: '4 USD/hour (two models at 2 USD/hour each)',
    series: [
      { series: cost('claude-sonnet'), values: '0+0.0333333333x120' },
      { series: cost('claude-haiku'), values: '0+0.0333333333x120' },
    ],
    evalTime: '90m',
  },
  {
    alert: 'HighTaskFailureRate',
    fires: true,
    title: '40 % failed',
    series: [
      { series: tasks('success'), values: '0+6x60' },
      { series: tasks('failure'), values: '0+4x60' },
    ],
    evalTime: '40m',
    labels: { environment: ENV },
    summary: '40% of tasks fail',
  },
  {
    alert: 'HighTaskFailureRate',
    fires: true,
    title: '40 % timed out (every status but success counts)',
    series: [
      { series: tasks('success'), values: '0+6x60' },
      { series: tasks('timeout'), values: '0+4x60' },
    ],
    evalTime: '40m',
    labels: { environment: ENV },
    summary: '40% of tasks fail',
  },
  {
    alert: 'HighTaskFailureRate',
    fires: false,
    title: '20 % failed',
    series: [
      { series: tasks('success'), values: '0+8x60' },
      { series: tasks('failure'), values: '0+2x60' },
    ],
    evalTime: '40m',
  },
  {
    alert: 'HighTaskFailureRate',
    fires: false,
    title: 'every task failed, but only 3 in 15 minutes',
    interval: '5m',
    series: [{ series: tasks('failure'), values: '0+1x12' }],
    evalTime: '40m',
  },
  {
    alert: 'HighTaskFailureRate',
    fires: false,
    title: 'idle (no task: no division by zero)',
    series: [
      { series: tasks('success'), values: '5x60' },
      { series: tasks('failure'), values: '2x60' },
    ],
    evalTime: '40m',
  },
  {
    alert: 'EvolutionRegression',
    fires: true,
    title: 'score below the value of a day earlier for 12h',
    interval: '15m',
    series: [{ series: score, values: '0.8x96 0.7x48' }],
    evalTime: '36h',
    labels: { ...AIAI, dimension: 'code_quality' },
    summary: 'Evolution score code_quality regressed',
  },
  {
    alert: 'EvolutionRegression',
    fires: false,
    title: 'score improved',
    interval: '15m',
    series: [{ series: score, values: '0.8x96 0.85x48' }],
    evalTime: '36h',
  },
  {
    alert: 'EvolutionRegression',
    fires: false,
    title: 'score lower for 5h only',
    interval: '15m',
    series: [{ series: score, values: '0.8x96 0.7x20' }],
    evalTime: '29h',
  },
  {
    alert: 'EvolutionScoreMissing',
    fires: true,
    title: 'orchestrators up for 14h, no score',
    interval: '15m',
    series: [{ series: sel('up', AIAI), values: '1x60' }],
    evalTime: '14h',
    labels: {},
    summary: 'No evolution score for 12 hours',
  },
  {
    alert: 'EvolutionScoreMissing',
    fires: false,
    title: 'fresh deploy: orchestrators up for 11h only',
    interval: '15m',
    series: [{ series: sel('up', AIAI), values: '1x60' }],
    evalTime: '11h',
  },
  {
    alert: 'EvolutionScoreMissing',
    fires: false,
    title: 'score exported',
    interval: '15m',
    series: [
      { series: sel('up', AIAI), values: '1x60' },
      { series: score, values: '0.8x60' },
    ],
    evalTime: '14h',
  },
  {
    alert: 'TargetDown',
    fires: true,
    title: 'Grafana down',
    series: [{ series: sel('up', GRAFANA), values: '0x20' }],
    evalTime: '6m',
    labels: GRAFANA,
    summary: `grafana on ${MON} does not answer`,
  },
  {
    alert: 'TargetDown',
    fires: true,
    title: 'Alloy down',
    series: [{ series: sel('up', ALLOY), values: '0x20' }],
    evalTime: '6m',
    labels: ALLOY,
    summary: `alloy on ${MON} does not answer`,
  },
  {
    alert: 'TargetDown',
    fires: false,
    title: 'a job with its own down alert is down (no duplicate), Grafana up',
    series: [
      { series: sel('up', NODE_ORCH), values: '0x20' },
      { series: sel('up', AIAI), values: '0x20' },
      { series: sel('up', LOKI), values: '0x20' },
      { series: sel('up', GRAFANA), values: '1x20' },
    ],
    evalTime: '10m',
  },
  ...down('PrometheusDown', PROM, 5, 'Prometheus cannot scrape itself'),
  ...down('AlertmanagerDown', AM, 5, 'Alertmanager does not answer'),
  ...down('LokiDown', LOKI, 5, 'Loki does not answer'),
  {
    alert: 'MonitoringVolumeFillingUp',
    fires: true,
    title: '64 % used, losing 3 GB per hour',
    series: [
      { series: sel('node_filesystem_avail_bytes', VOL), values: `${45 * GB}-${0.05 * GB}x240` },
      { series: sel('node_filesystem_size_bytes', VOL), values: `${100 * GB}x240` },
    ],
    evalTime: '3h',
    labels: VOL,
    summary: 'Monitoring volume fills up within 24h',
  },
  {
    alert: 'MonitoringVolumeFillingUp',
    fires: false,
    title: '64 % used, losing 0.6 GB per hour (full in 2.5 days)',
    series: [
      { series: sel('node_filesystem_avail_bytes', VOL), values: `${45 * GB}-${0.01 * GB}x240` },
      { series: sel('node_filesystem_size_bytes', VOL), values: `${100 * GB}x240` },
    ],
    evalTime: '3h',
  },
  {
    alert: 'MonitoringVolumeFillingUp',
    fires: false,
    title: 'fast trend but less than half full',
    series: [
      { series: sel('node_filesystem_avail_bytes', VOL), values: `${95 * GB}-${0.1 * GB}x240` },
      { series: sel('node_filesystem_size_bytes', VOL), values: `${100 * GB}x240` },
    ],
    evalTime: '3h',
  },
  {
    alert: 'MonitoringVolumeAlmostFull',
    fires: true,
    title: '8 % free',
    series: [
      { series: sel('node_filesystem_avail_bytes', VOL), values: `${8 * GB}x20` },
      { series: sel('node_filesystem_size_bytes', VOL), values: `${100 * GB}x20` },
    ],
    evalTime: '6m',
    labels: VOL,
    summary: 'Monitoring volume is 8% free',
  },
  {
    alert: 'MonitoringVolumeAlmostFull',
    fires: false,
    title: '12 % free; another mount at 5 % is not the volume',
    series: [
      { series: sel('node_filesystem_avail_bytes', VOL), values: `${12 * GB}x20` },
      { series: sel('node_filesystem_size_bytes', VOL), values: `${100 * GB}x20` },
      { series: sel('node_filesystem_avail_bytes', volumeLabels('/')), values: `${5 * GB}x20` },
      { series: sel('node_filesystem_size_bytes', volumeLabels('/')), values: `${100 * GB}x20` },
    ],
    evalTime: '6m',
  },
  {
    alert: 'MonitoringVolumeMissing',
    fires: true,
    title: 'only / is mounted on the monitoring host',
    series: [{ series: sel('node_filesystem_size_bytes', volumeLabels('/')), values: `${40 * GB}x20` }],
    evalTime: '15m',
    labels: { role: 'monitoring', mountpoint: '/mnt/monitoring' },
    summary: 'Monitoring volume is not mounted',
  },
  {
    alert: 'MonitoringVolumeMissing',
    fires: false,
    title: 'volume mounted',
    series: [{ series: sel('node_filesystem_size_bytes', VOL), values: `${100 * GB}x20` }],
    evalTime: '15m',
  },
  {
    alert: 'ConfigReloadFailed',
    fires: true,
    title: 'Prometheus reload failed',
    series: [{ series: sel('prometheus_config_last_reload_successful', PROM), values: '0x20' }],
    evalTime: '6m',
    labels: PROM,
    summary: `prometheus on ${MON} runs an old config`,
  },
  {
    alert: 'ConfigReloadFailed',
    fires: true,
    title: 'Alloy reload failed',
    series: [{ series: sel('alloy_config_last_load_successful', ALLOY), values: '0x20' }],
    evalTime: '6m',
    labels: ALLOY,
    summary: `alloy on ${MON} runs an old config`,
  },
  {
    alert: 'ConfigReloadFailed',
    fires: false,
    title: 'every reload succeeded',
    series: [
      { series: sel('prometheus_config_last_reload_successful', PROM), values: '1x20' },
      { series: sel('alertmanager_config_last_reload_successful', AM), values: '1x20' },
      { series: sel('alloy_config_last_load_successful', ALLOY), values: '1x20' },
    ],
    evalTime: '6m',
  },
  {
    alert: 'PrometheusRuleFailures',
    fires: true,
    title: 'a rule fails every minute',
    series: [{ series: sel('prometheus_rule_evaluation_failures_total', { ...PROM, rule_group: 'aiai-hosts.yml;aiai-hosts' }), values: '0+1x20' }],
    evalTime: '15m',
    labels: { ...PROM, rule_group: 'aiai-hosts.yml;aiai-hosts' },
    summary: 'Rule group aiai-hosts.yml;aiai-hosts fails to evaluate',
  },
  {
    alert: 'PrometheusRuleFailures',
    fires: false,
    title: 'old failures, none recently',
    series: [{ series: sel('prometheus_rule_evaluation_failures_total', { ...PROM, rule_group: 'g' }), values: '3x20' }],
    evalTime: '15m',
  },
  {
    alert: 'HetznerDiscoveryFailing',
    fires: true,
    title: 'every refresh fails',
    series: [{ series: sel('prometheus_sd_refresh_failures_total', { ...PROM, mechanism: 'hetzner' }), values: '0+1x40' }],
    evalTime: '30m',
    labels: { ...PROM, mechanism: 'hetzner' },
    summary: 'Hetzner service discovery keeps failing',
  },
  {
    alert: 'HetznerDiscoveryFailing',
    fires: false,
    title: 'a burst of failures that stopped 25 minutes ago',
    series: [{ series: sel('prometheus_sd_refresh_failures_total', { ...PROM, mechanism: 'hetzner' }), values: '0+1x5 5x40' }],
    evalTime: '30m',
  },
  {
    alert: 'AlertNotificationsFailing',
    fires: true,
    title: 'webhook deliveries fail',
    series: [{ series: sel('alertmanager_notifications_failed_total', { ...AM, integration: 'webhook' }), values: '0+1x30' }],
    evalTime: '25m',
    labels: { integration: 'webhook' },
    summary: 'Alertmanager cannot deliver to webhook',
  },
  {
    alert: 'AlertNotificationsFailing',
    fires: false,
    title: 'no new failure',
    series: [{ series: sel('alertmanager_notifications_failed_total', { ...AM, integration: 'webhook' }), values: '2x30' }],
    evalTime: '25m',
  },
  {
    alert: 'Watchdog',
    fires: true,
    title: 'always',
    series: [{ series: sel('up', PROM), values: '1x5' }],
    evalTime: '1m',
    labels: {},
    summary: 'Heartbeat of the alerting pipeline',
  },
];

/** Alerts that cannot have a near miss: Watchdog fires by design, always. */
export const NO_NEAR_MISS = new Set(['Watchdog']);
