import { HostFile } from '../cloud-config';
import { renderSystemdUnit, SystemdUnitSections } from '../systemd';
import { PropValidator } from '../../core/validation-error';
import { SYSTEMD_DROP_IN_NAME, SYSTEMD_UNIT_DIR } from '../../core/paths';
import { checkDuration, DAY_MS, HOUR_MS } from './common';
import { MonitoringHostOptions, monitoringEndpoints, pathsOf, validateHostOptions } from './options';
import {
  ALERTMANAGER_RUNTIME_DIRECTORY,
  MonitoringSecret,
  MonitoringSecrets,
  MonitoringUnits,
  MonitoringUsers,
  secretSourcePath,
} from './paths';

/**
 * systemd drop-ins for the packaged units. The packages ship full units; we only add what this
 * platform needs: data on the volume (RequiresMountsFor=), secrets as credentials, and the flags.
 */
export interface SystemdDropIn {
  /** The unit it extends, e.g. `prometheus.service`. */
  readonly unit: string;
  /** File name in `<unit>.d/`. */
  readonly name: string;
  readonly sections: SystemdUnitSections;
}

export const DROP_IN_NAME = SYSTEMD_DROP_IN_NAME;

export function dropInPath(d: SystemdDropIn, unitDir = SYSTEMD_UNIT_DIR): string {
  return `${unitDir}/${d.unit}.d/${d.name}`;
}

export function renderDropIn(d: SystemdDropIn): string {
  return renderSystemdUnit({ name: d.unit, sections: d.sections });
}

export function dropInFile(d: SystemdDropIn): HostFile {
  return { path: dropInPath(d), content: renderDropIn(d) };
}

export interface MonitoringUnitsOptions extends MonitoringHostOptions {
  /** How long Prometheus keeps samples. @default '30d' */
  readonly metricsRetention?: string;
  /**
   * Upper bound of the Prometheus TSDB size in GB (`--storage.tsdb.retention.size`); the oldest
   * blocks go first. The volume is shared with Loki and Grafana.
   * @default - no size bound (the volume alerts warn before the volume is full)
   */
  readonly metricsRetentionSizeGb?: number;
  /** Whether the Watchdog heartbeat is on (Alertmanager then loads the heartbeat URL secret). @default false */
  readonly heartbeat?: boolean;
}

export function validateUnitsOptions(v: PropValidator, o: MonitoringUnitsOptions): void {
  validateHostOptions(v, o);
  checkDuration(v, 'metricsRetention', o.metricsRetention, { min: 2 * HOUR_MS, max: 3650 * DAY_MS, minText: '2h', maxText: '3650d' });
  const size = o.metricsRetentionSizeGb;
  if (size !== undefined) v.check('metricsRetentionSizeGb', size, Number.isInteger(size) && size >= 1 && size <= 10240, 'an integer number of GB from 1 to 10240');
}

function ensureDir(dir: string, user: string, group: string | undefined): string {
  return ['+/usr/bin/install', '-d', '-o', user, ...(group ? ['-g', group] : []), '-m', '0750', dir].join(' ');
}

function credentials(secrets: readonly MonitoringSecret[], o: MonitoringHostOptions): { unit: Record<string, string[]>; service: Record<string, string[]> } {
  const paths = pathsOf(o);
  return {
    // Skipped (not failed) until the secret is delivered; SecretFiles restarts the unit afterwards.
    unit: { ConditionPathExists: secrets.map((s) => secretSourcePath(paths, s)) },
    service: { LoadCredential: secrets.map((s) => `${s.name}:${secretSourcePath(paths, s)}`) },
  };
}

/** Command line of Prometheus (everything else is in prometheus.yml). */
export function prometheusArgs(o: MonitoringUnitsOptions): string[] {
  const paths = pathsOf(o);
  return [
    `--config.file=${paths.prometheusConfig}`,
    `--storage.tsdb.path=${paths.prometheusDataDir}`,
    `--storage.tsdb.retention.time=${o.metricsRetention ?? '30d'}`,
    ...(o.metricsRetentionSizeGb !== undefined ? [`--storage.tsdb.retention.size=${o.metricsRetentionSizeGb}GB`] : []),
    `--web.listen-address=${monitoringEndpoints(o).prometheus}`,
    ...(o.adminApi ? ['--web.enable-admin-api'] : []),
  ];
}

/**
 * Command line of Alertmanager: a single node, so clustering is off (no gossip port at all). It
 * reads the effective config (URLs inlined, see {@link alertmanagerConfigCommand}), not the template.
 */
export function alertmanagerArgs(o: MonitoringUnitsOptions): string[] {
  const paths = pathsOf(o);
  return [
    `--config.file=${paths.alertmanagerEffectiveConfig}`,
    `--storage.path=${paths.alertmanagerDataDir}`,
    `--web.listen-address=${monitoringEndpoints(o).alertmanager}`,
    '--cluster.listen-address=',
  ];
}

/**
 * Writes Alertmanager's effective config from the template: every `url_file`/`api_url_file` is
 * replaced by the URL read from its credential. Alertmanager 0.26 (Ubuntu 24.04) panics on any
 * non-2xx webhook answer when the webhook uses `url_file` (fixed in 0.28), so the URLs go inline,
 * in a file only the service user can read, in the unit's runtime directory. Runs as the service
 * user (no `+`): it only needs its own credentials and runtime directory.
 */
export function alertmanagerConfigCommand(o: MonitoringHostOptions): string {
  const paths = pathsOf(o);
  return [paths.alertmanagerConfigScript, paths.alertmanagerConfig, paths.alertmanagerEffectiveConfig].join(' ');
}

/** The drop-ins of the monitoring host's services. */
export function monitoringDropIns(o: MonitoringUnitsOptions): SystemdDropIn[] {
  const v = new PropValidator('MonitoringUnits');
  validateUnitsOptions(v, o);
  v.throwIfInvalid();
  const paths = pathsOf(o);
  const mount = paths.volumeMountpoint;
  const network = { After: 'network-online.target', Wants: 'network-online.target' };
  const restart = { Restart: 'on-failure', RestartSec: '5s' };

  const prom = credentials([MonitoringSecrets.hcloudSdToken], o);
  const am = credentials(o.heartbeat ? [MonitoringSecrets.alertWebhookUrl, MonitoringSecrets.heartbeatUrl] : [MonitoringSecrets.alertWebhookUrl], o);
  const graf = credentials([MonitoringSecrets.grafanaAdminPassword], o);
  const u = MonitoringUsers;

  return [
    {
      unit: MonitoringUnits.prometheus,
      name: DROP_IN_NAME,
      sections: {
        Unit: { RequiresMountsFor: mount, ...network, ...prom.unit },
        Service: {
          ...prom.service,
          ExecStartPre: ensureDir(paths.prometheusDataDir, u.prometheus.user, u.prometheus.group),
          ExecStart: ['', ['/usr/bin/prometheus', ...prometheusArgs(o)].join(' ')],
          ...restart,
        },
      },
    },
    {
      unit: MonitoringUnits.alertmanager,
      name: DROP_IN_NAME,
      sections: {
        Unit: { RequiresMountsFor: mount, ...network, ...am.unit },
        Service: {
          ...am.service,
          RuntimeDirectory: ALERTMANAGER_RUNTIME_DIRECTORY,
          RuntimeDirectoryMode: '0700',
          ExecStartPre: [ensureDir(paths.alertmanagerDataDir, u.alertmanager.user, u.alertmanager.group), alertmanagerConfigCommand(o)],
          ExecStart: ['', ['/usr/bin/prometheus-alertmanager', ...alertmanagerArgs(o)].join(' ')],
          // A reload re-renders first (a changed template or URL), then signals as the packaged unit does.
          ExecReload: ['', alertmanagerConfigCommand(o), '/bin/kill -HUP $MAINPID'],
          ...restart,
        },
      },
    },
    {
      unit: MonitoringUnits.loki,
      name: DROP_IN_NAME,
      sections: {
        Unit: { RequiresMountsFor: mount, ...network },
        Service: { ExecStartPre: ensureDir(paths.lokiDataDir, u.loki.user, u.loki.group), ...restart },
      },
    },
    {
      unit: MonitoringUnits.grafana,
      name: DROP_IN_NAME,
      sections: {
        Unit: { RequiresMountsFor: mount, ...graf.unit },
        Service: { ...graf.service, ExecStartPre: ensureDir(paths.grafanaDataDir, u.grafana.user, u.grafana.group), ...restart },
      },
    },
  ];
}

// The runtime-safe module owns the Alloy environment file (the runner CLI renders it too).
export { ALLOY_ENVIRONMENT_FILE, renderAlloyEnvironment } from './alloy-pipeline';
