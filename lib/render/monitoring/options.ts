import { Ports } from '../../core/ports';
import { PropValidator } from '../../core/validation-error';
import { checkMustBeLiteral, HOSTNAME, isIpv4, isSafeAbsolutePath, MonitoringIdentity, validateIdentity } from './common';
import { MONITORING_VOLUME_MOUNTPOINT, MonitoringPaths, monitoringPaths } from './paths';

/** What every renderer of the monitoring host needs to know about that host. */
export interface MonitoringHostOptions extends MonitoringIdentity {
  /** Hostname of the monitoring server: the `host` label of the targets it scrapes on itself. */
  readonly hostname: string;
  /** The monitoring server's IPv4 in the platform's private network (Loki, Grafana, Alertmanager listen there). */
  readonly privateIp: string;
  /**
   * Mountpoint of the monitoring volume (Prometheus TSDB, Loki chunks, Grafana database, Alertmanager state).
   * @default '/mnt/monitoring'
   */
  readonly volumeMountpoint?: string;
  /**
   * Prometheus' web listener: `private` (the private IP) or `loopback` (127.0.0.1, reach it over an
   * SSH tunnel; Grafana runs on the same host).
   * @default 'loopback' when `adminApi` is on, else 'private'
   */
  readonly prometheusListen?: 'private' | 'loopback';
  /**
   * Enables Prometheus' admin API (`--web.enable-admin-api`, needed for TSDB snapshots). Prometheus
   * has one listener, so the admin API forces it onto 127.0.0.1: a private listener would expose
   * series deletion to every host in the network.
   * @default false
   */
  readonly adminApi?: boolean;
  /**
   * Override of every path (tests re-root them in a temp folder).
   * @default monitoringPaths(volumeMountpoint)
   */
  readonly paths?: MonitoringPaths;
}

/** Scrape job names: alert rules and dashboards select on them. */
export const ScrapeJobs = {
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  loki: 'loki',
  grafana: 'grafana',
  alloy: 'alloy',
  /** Every host's node exporter, discovered through the Hetzner API. */
  node: 'node',
  /** The aiai metrics exporter of every orchestrator, discovered through the Hetzner API. */
  aiai: 'aiai',
} as const;

/** `host:port` of every service of the monitoring host, as Prometheus and Grafana reach them. */
export interface MonitoringEndpoints {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly loki: string;
  readonly lokiGrpc: string;
  readonly grafana: string;
  readonly alloy: string;
}

export const LOOPBACK = '127.0.0.1';

export function prometheusListenMode(o: MonitoringHostOptions): 'private' | 'loopback' {
  return o.prometheusListen ?? (o.adminApi ? 'loopback' : 'private');
}

export function monitoringEndpoints(o: MonitoringHostOptions): MonitoringEndpoints {
  const promHost = prometheusListenMode(o) === 'loopback' ? LOOPBACK : o.privateIp;
  return {
    prometheus: `${promHost}:${Ports.prometheus.port}`,
    alertmanager: `${o.privateIp}:${Ports.alertmanager.port}`,
    loki: `${o.privateIp}:${Ports.loki.port}`,
    lokiGrpc: `${LOOPBACK}:${Ports.lokiGrpc.port}`,
    grafana: `${o.privateIp}:${Ports.grafana.port}`,
    alloy: `${LOOPBACK}:${Ports.alloy.port}`,
  };
}

export function pathsOf(o: MonitoringHostOptions): MonitoringPaths {
  return o.paths ?? monitoringPaths(o.volumeMountpoint ?? MONITORING_VOLUME_MOUNTPOINT);
}

const FORBIDDEN_MOUNT_PARENTS = ['/etc', '/usr', '/boot', '/home', '/root', '/proc', '/sys', '/dev', '/run', '/tmp', '/bin', '/sbin', '/lib'];

export function validateHostOptions(v: PropValidator, o: MonitoringHostOptions): void {
  validateIdentity(v, o);
  if (checkMustBeLiteral(v, 'hostname', o.hostname)) {
    v.check('hostname', o.hostname, typeof o.hostname === 'string' && HOSTNAME.test(o.hostname), 'a host name of lowercase letters, digits and `-`, at most 63 chars');
  }
  if (checkMustBeLiteral(v, 'privateIp', o.privateIp)) {
    v.check('privateIp', o.privateIp, typeof o.privateIp === 'string' && isIpv4(o.privateIp) && !o.privateIp.startsWith('127.'), 'a private IPv4 address like 10.0.1.20');
  }
  const mount = o.volumeMountpoint ?? MONITORING_VOLUME_MOUNTPOINT;
  if (checkMustBeLiteral(v, 'volumeMountpoint', mount)) {
    v.check(
      'volumeMountpoint',
      mount,
      isSafeAbsolutePath(mount) && !FORBIDDEN_MOUNT_PARENTS.some((p) => mount === p || mount.startsWith(`${p}/`)),
      `an absolute path of letters, digits and \`._@+-\` outside ${FORBIDDEN_MOUNT_PARENTS.join(', ')} (the packaged units make those read-only)`,
    );
  }
  if (o.prometheusListen !== undefined) {
    v.check('prometheusListen', o.prometheusListen, o.prometheusListen === 'private' || o.prometheusListen === 'loopback', "'private' or 'loopback'");
  }
  if (o.adminApi && o.prometheusListen === 'private') {
    v.fail('prometheusListen', o.prometheusListen, "'loopback' when adminApi is enabled (the admin API must only be reachable from the host itself)");
  }
}
