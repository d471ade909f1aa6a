import { Ports } from '../../core/ports';
import { PropValidator } from '../../core/validation-error';
import { checkDuration, DAY_MS, GENERATED_HEADER, HOUR_MS, parseDuration, toYaml } from './common';
import { LOOPBACK, MonitoringHostOptions, pathsOf, validateHostOptions } from './options';

export interface LokiConfigOptions extends MonitoringHostOptions {
  /**
   * How long logs are kept; the compactor deletes older chunks. Loki's retention works in whole
   * index periods (24h), so it must be a multiple of 24h.
   * @default '30d'
   */
  readonly logRetention?: string;
  /** Date (UTC, `YYYY-MM-DD`) from which the tsdb/v13 schema applies. Never change it on a running Loki. @default '2024-01-01' */
  readonly schemaFrom?: string;
}

export const LOKI_DEFAULTS = { logRetention: '30d', schemaFrom: '2024-01-01' } as const;

export function validateLokiConfigOptions(v: PropValidator, o: LokiConfigOptions): void {
  validateHostOptions(v, o);
  const ms = checkDuration(v, 'logRetention', o.logRetention, { min: DAY_MS, max: 3650 * DAY_MS, minText: '1d', maxText: '3650d' });
  if (ms !== undefined) v.check('logRetention', o.logRetention, ms % DAY_MS === 0, 'a whole number of days (Loki retention works per 24h index period), e.g. 30d');
  if (o.schemaFrom !== undefined) {
    const ok = /^\d{4}-\d{2}-\d{2}$/.test(o.schemaFrom) && !Number.isNaN(Date.parse(`${o.schemaFrom}T00:00:00Z`));
    v.check('schemaFrom', o.schemaFrom, ok, 'a date YYYY-MM-DD');
  }
}

/** Loki's duration notation for hours (Loki parses Prometheus durations; hours keep it unambiguous). */
function hours(ms: number): string {
  return `${ms / HOUR_MS}h`;
}

/** Loki (single binary, filesystem storage on the monitoring volume, tsdb schema v13) as data. */
export function lokiConfig(o: LokiConfigOptions): Record<string, unknown> {
  const v = new PropValidator('LokiConfig');
  validateLokiConfigOptions(v, o);
  v.throwIfInvalid();
  const dir = pathsOf(o).lokiDataDir;
  const retentionMs = parseDuration(o.logRetention ?? LOKI_DEFAULTS.logRetention)!;
  return {
    auth_enabled: false,
    server: {
      // Alloy on every host pushes here over the private network.
      http_listen_address: o.privateIp,
      http_listen_port: Ports.loki.port,
      grpc_listen_address: LOOPBACK,
      grpc_listen_port: Ports.lokiGrpc.port,
      log_level: 'info',
    },
    common: {
      instance_addr: LOOPBACK,
      path_prefix: dir,
      storage: { filesystem: { chunks_directory: `${dir}/chunks`, rules_directory: `${dir}/rules` } },
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' } },
    },
    schema_config: {
      configs: [
        {
          from: o.schemaFrom ?? LOKI_DEFAULTS.schemaFrom,
          store: 'tsdb',
          object_store: 'filesystem',
          schema: 'v13',
          index: { prefix: 'index_', period: '24h' },
        },
      ],
    },
    storage_config: {
      tsdb_shipper: { active_index_directory: `${dir}/tsdb-index`, cache_location: `${dir}/tsdb-cache` },
    },
    limits_config: {
      retention_period: hours(retentionMs),
      reject_old_samples: true,
      reject_old_samples_max_age: '168h',
      max_query_series: 500,
    },
    compactor: {
      working_directory: `${dir}/compactor`,
      compaction_interval: '10m',
      retention_enabled: true,
      retention_delete_delay: '2h',
      // Required by Loki 3 whenever retention is enabled.
      delete_request_store: 'filesystem',
    },
    query_range: { results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: 100 } } } },
    analytics: { reporting_enabled: false },
  };
}

/** `/etc/loki/config.yml`. */
export function renderLokiConfig(o: LokiConfigOptions): string {
  return toYaml(lokiConfig(o), GENERATED_HEADER);
}
