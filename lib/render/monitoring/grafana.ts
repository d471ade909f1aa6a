import { asset } from '../../core/assets';
import { Ports } from '../../core/ports';
import { PropValidator } from '../../core/validation-error';
import { GENERATED_HEADER, toYaml } from './common';
import { MonitoringHostOptions, monitoringEndpoints, pathsOf, validateHostOptions } from './options';
import { credentialPath, MonitoringSecrets } from './paths';
import { invalid } from '../../core/validation-error';

/** UIDs of the provisioned datasources: the dashboards refer to them. */
export const GrafanaDatasources = {
  prometheus: { uid: 'aiai-prometheus', name: 'Prometheus', type: 'prometheus' },
  loki: { uid: 'aiai-loki', name: 'Loki', type: 'loki' },
} as const;

/** Dashboards shipped as static files under cloud-init/monitoring/grafana/dashboards/. */
export const GRAFANA_DASHBOARDS = ['aiai-overview.json'] as const;

export const GRAFANA_ADMIN_USER = 'admin';

export type GrafanaOptions = MonitoringHostOptions;

/** One `[section]` of an ini file: keys in order. */
export type IniSection = Readonly<Record<string, string | number | boolean>>;

/**
 * Renders an ini file for Grafana's go-ini loader. Values are written bare, so anything go-ini
 * would reinterpret (line breaks, comment characters, surrounding spaces, quotes) is rejected.
 */
export function renderIni(sections: Readonly<Record<string, IniSection>>, header?: string): string {
  const out: string[] = header ? header.split('\n').map((l) => `; ${l}`.trimEnd()) : [];
  for (const [section, keys] of Object.entries(sections)) {
    if (!/^[a-z][a-z0-9_.]*$/.test(section)) invalid('renderIni', 'section', section, 'a valid ini section name: lowercase letters, digits, _ and .');
    if (out.length) out.push('');
    out.push(`[${section}]`);
    for (const [key, raw] of Object.entries(keys)) {
      if (!/^[a-z][a-z0-9_]*$/.test(key)) invalid('renderIni', `${section}.key`, key, 'a valid ini key name: lowercase letters, digits and _');
      const value = typeof raw === 'boolean' ? (raw ? 'true' : 'false') : String(raw);
      if (/[\r\n;#"'`\\]/.test(value) || value !== value.trim()) {
        invalid('renderIni', `${section}.${key}`, value, 'an ini value without characters go-ini would reinterpret (line breaks, ;#"\'`\\, surrounding spaces)');
      }
      out.push(`${key} = ${value}`);
    }
  }
  return out.join('\n') + '\n';
}

function validated(o: GrafanaOptions): void {
  const v = new PropValidator('GrafanaConfig');
  validateHostOptions(v, o);
  v.throwIfInvalid();
}

/** grafana.ini overrides (everything else stays at Grafana's defaults.ini). */
export function grafanaIniSections(o: GrafanaOptions): Record<string, IniSection> {
  validated(o);
  const paths = pathsOf(o);
  return {
    server: { protocol: 'http', http_addr: o.privateIp, http_port: Ports.grafana.port, enforce_domain: false },
    paths: { data: paths.grafanaDataDir, provisioning: paths.grafanaProvisioningDir },
    security: {
      admin_user: GRAFANA_ADMIN_USER,
      // Read at start from the credential systemd hands over; only applied when Grafana creates its database.
      admin_password: `$__file{${credentialPath(paths, MonitoringSecrets.grafanaAdminPassword)}}`,
      disable_gravatar: true,
      cookie_samesite: 'strict',
    },
    users: { allow_sign_up: false, allow_org_create: false },
    'auth.anonymous': { enabled: false },
    analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
    news: { news_feed_enabled: false },
    log: { mode: 'console' },
  };
}

/** `/etc/grafana/grafana.ini`: listens on the private IP only; the admin password comes from a secret file. */
export function renderGrafanaIni(o: GrafanaOptions): string {
  return renderIni(grafanaIniSections(o), GENERATED_HEADER);
}

/** Provisioned datasources as data. */
export function grafanaDatasources(o: GrafanaOptions): Record<string, unknown> {
  validated(o);
  const ep = monitoringEndpoints(o);
  return {
    apiVersion: 1,
    datasources: [
      {
        ...GrafanaDatasources.prometheus,
        access: 'proxy',
        url: `http://${ep.prometheus}`,
        isDefault: true,
        editable: false,
        jsonData: { httpMethod: 'POST' },
      },
      {
        ...GrafanaDatasources.loki,
        access: 'proxy',
        url: `http://${ep.loki}`,
        isDefault: false,
        editable: false,
        jsonData: { maxLines: 1000 },
      },
    ],
  };
}

/** `provisioning/datasources/aiai.yaml`. */
export function renderGrafanaDatasources(o: GrafanaOptions): string {
  return toYaml(grafanaDatasources(o), GENERATED_HEADER);
}

/** `provisioning/dashboards/aiai.yaml`: the file provider for MonitoringPaths.grafanaDashboardsDir. */
export function renderGrafanaDashboardProvider(o: GrafanaOptions): string {
  validated(o);
  return toYaml(
    {
      apiVersion: 1,
      providers: [
        {
          name: 'aiai',
          orgId: 1,
          folder: 'aiai',
          type: 'file',
          disableDeletion: true,
          allowUiUpdates: false,
          updateIntervalSeconds: 60,
          options: { path: pathsOf(o).grafanaDashboardsDir },
        },
      ],
    },
    GENERATED_HEADER,
  );
}

/** The body of a shipped dashboard (JSON text). */
export function grafanaDashboard(name: (typeof GRAFANA_DASHBOARDS)[number]): string {
  return asset(`monitoring/grafana/dashboards/${name}`);
}
