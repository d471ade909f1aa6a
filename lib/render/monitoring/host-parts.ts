/**
 * The parts a host's description gets from the monitoring renderers: the monitoring server's
 * (renderMonitoringHost) and every host's log shipping (renderLogShippingHost), each as a typed
 * HostContribution to merge into a HostConfig. (Formerly stack.ts: nothing here is a Terraform stack.)
 */
import { HostFile } from '../cloud-config';
import type { HostContribution as GenericHostContribution, SecretRequirement as GenericSecretRequirement } from '../host-contribution';
import { asset } from '../../core/assets';
import { PropValidator } from '../../core/validation-error';
import { AlertmanagerConfigOptions, renderAlertmanagerConfig, validateAlertmanagerConfigOptions } from './alertmanager-config';
import { AlertRulesOptions, renderAlertRuleFiles, validateAlertRulesOptions } from './alert-rules';
import { AlloyConfigOptions, renderAlloyConfig, validateAlloyConfigOptions } from './alloy-config';
import {
  GRAFANA_DASHBOARDS,
  grafanaDashboard,
  renderGrafanaDashboardProvider,
  renderGrafanaDatasources,
  renderGrafanaIni,
} from './grafana';
import {
  InstallOptions,
  InstallPlan,
  logShippingInstallPlan,
  monitoringInstallPlan,
  validateInstallOptions,
} from './install';
import { LokiConfigOptions, renderLokiConfig, validateLokiConfigOptions } from './loki-config';
import { MonitoringEndpoints, monitoringEndpoints, pathsOf } from './options';
import { MonitoringSecret, MonitoringSecrets, MonitoringUnits, monitoringPaths } from './paths';
import { PrometheusConfigOptions, renderPrometheusConfig, validatePrometheusConfigOptions } from './prometheus-config';
import {
  ALLOY_ENVIRONMENT_FILE,
  dropInFile,
  monitoringDropIns,
  MonitoringUnitsOptions,
  renderAlloyEnvironment,
  validateUnitsOptions,
} from './units';

/** The script that writes Alertmanager's effective config, under cloud-init/. */
export const ALERTMANAGER_CONFIG_SCRIPT = 'monitoring/aiai-alertmanager-config.sh';

/** Everything the monitoring host's renderers accept, in one object. */
export interface MonitoringStackOptions
  extends PrometheusConfigOptions,
    LokiConfigOptions,
    MonitoringUnitsOptions,
    InstallOptions,
    Omit<AlertRulesOptions, 'volumeMountpoint' | 'heartbeat'>,
    Omit<AlertmanagerConfigOptions, 'paths' | 'volumeMountpoint' | 'heartbeat'> {
  /**
   * The always-firing Watchdog alert, delivered to an external dead-man switch (secret
   * `alertmanager-heartbeat-url`): the only alert that reaches you when Prometheus itself is down.
   * @default false
   */
  readonly heartbeat?: boolean;
}

/** A secret the monitoring or log-shipping renderers need (lib/render/host-contribution.ts). */
export type SecretRequirement = GenericSecretRequirement<MonitoringSecret>;

/** The typed pieces of one host, to merge into its HostConfig (lib/render/host-contribution.ts). */
export interface HostContribution extends GenericHostContribution<MonitoringSecret> {
  readonly install: InstallPlan;
}

export interface MonitoringHostContribution extends HostContribution {
  readonly endpoints: MonitoringEndpoints;
}

/**
 * Validates every option of the monitoring host at once (one error lists every bad prop). The
 * construct calls it with its own validator so errors name the construct path.
 */
export function validateMonitoringStackOptions(v: PropValidator, o: MonitoringStackOptions): void {
  validatePrometheusConfigOptions(v, o);
  validateLokiConfigOptions(v, o);
  validateUnitsOptions(v, o);
  validateInstallOptions(v, o);
  validateAlertRulesOptions(v, { ...o, volumeMountpoint: o.volumeMountpoint });
  validateAlertmanagerConfigOptions(v, o);
}

/**
 * The monitoring server's contribution: configs of Prometheus (with alert rules), Alertmanager,
 * Loki and Grafana (ini, datasources, dashboards), systemd drop-ins, packages and the secrets it
 * needs. Nothing here depends on the list of hosts, so the monitoring server's user_data stays the
 * same when orchestrators or runners come and go. Log shipping of the host itself is
 * {@link renderLogShippingHost}, which every host gets.
 */
export function renderMonitoringHost(o: MonitoringStackOptions, v: PropValidator = new PropValidator('MonitoringHost')): MonitoringHostContribution {
  validateMonitoringStackOptions(v, o);
  v.throwIfInvalid();
  const paths = pathsOf(o);

  const files: HostFile[] = [
    // Prometheus and Alertmanager re-read their configs on reload (SIGHUP; Alertmanager's ExecReload
    // re-renders its runtime config first); Loki and Grafana read theirs at start.
    { path: paths.prometheusConfig, content: renderPrometheusConfig(o), reloadUnits: [MonitoringUnits.prometheus] },
    ...renderAlertRuleFiles({ ...o, volumeMountpoint: o.volumeMountpoint }).map((f) => ({
      path: `${paths.prometheusRulesDir}/${f.name}`,
      content: f.content,
      reloadUnits: [MonitoringUnits.prometheus],
    })),
    { path: paths.alertmanagerConfig, content: renderAlertmanagerConfig(o), reloadUnits: [MonitoringUnits.alertmanager] },
    // Turns that template into the config Alertmanager runs with (URLs inlined from the credentials).
    { path: paths.alertmanagerConfigScript, content: asset(ALERTMANAGER_CONFIG_SCRIPT), permissions: '0755', owner: 'root:root', reloadUnits: [MonitoringUnits.alertmanager] },
    { path: paths.lokiConfig, content: renderLokiConfig(o), restartUnits: [MonitoringUnits.loki] },
    { path: paths.grafanaIni, content: renderGrafanaIni(o), restartUnits: [MonitoringUnits.grafana] },
    { path: `${paths.grafanaProvisioningDir}/datasources/aiai.yaml`, content: renderGrafanaDatasources(o), restartUnits: [MonitoringUnits.grafana] },
    { path: `${paths.grafanaProvisioningDir}/dashboards/aiai.yaml`, content: renderGrafanaDashboardProvider(o), restartUnits: [MonitoringUnits.grafana] },
    // Grafana's file provider polls the dashboards folder: a changed dashboard needs no restart.
    ...GRAFANA_DASHBOARDS.map((name) => ({ path: `${paths.grafanaDashboardsDir}/${name}`, content: JSON.stringify(JSON.parse(grafanaDashboard(name))) + '\n' })),
    ...monitoringDropIns(o).map(dropInFile),
  ];

  const secrets: SecretRequirement[] = [
    { secret: MonitoringSecrets.hcloudSdToken, restartUnits: [MonitoringUnits.prometheus] },
    { secret: MonitoringSecrets.alertWebhookUrl, restartUnits: [MonitoringUnits.alertmanager] },
    ...(o.heartbeat ? [{ secret: MonitoringSecrets.heartbeatUrl, restartUnits: [MonitoringUnits.alertmanager] }] : []),
    { secret: MonitoringSecrets.grafanaAdminPassword, restartUnits: [MonitoringUnits.grafana] },
  ];

  return {
    install: monitoringInstallPlan(o),
    files,
    services: [MonitoringUnits.prometheus, MonitoringUnits.alertmanager, MonitoringUnits.loki, MonitoringUnits.grafana],
    secrets,
    endpoints: monitoringEndpoints(o),
  };
}

/** Options of log shipping on one host. */
export interface LogShippingOptions extends AlloyConfigOptions, InstallOptions {}

/**
 * Every host's contribution: node exporter and Alloy shipping its logs to Loki. A construct passes
 * its validator (e.g. `v.under('logShipping')`) so a bad option names its path and property.
 */
export function renderLogShippingHost(o: LogShippingOptions, v: PropValidator = new PropValidator('LogShipping')): HostContribution {
  validateAlloyConfigOptions(v, o);
  validateInstallOptions(v, o);
  v.throwIfInvalid();
  const paths = o.paths ?? monitoringPaths();
  return {
    install: logShippingInstallPlan(o),
    files: [
      { path: paths.alloyConfig, content: renderAlloyConfig(o), restartUnits: [MonitoringUnits.alloy] },
      { path: ALLOY_ENVIRONMENT_FILE, content: renderAlloyEnvironment(paths.alloyConfig), restartUnits: [MonitoringUnits.alloy] },
    ],
    services: [MonitoringUnits.nodeExporter, MonitoringUnits.alloy],
    secrets: [],
  };
}
