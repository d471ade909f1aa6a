import { parse } from 'yaml';
import { lokiConfig, renderLokiConfig } from '../../../lib/render/monitoring';
import { Ports } from '../../../lib/core/ports';
import { BASE } from './support';

describe('Loki config', () => {
  const doc = parse(renderLokiConfig(BASE)) as Record<string, any>;

  test('listens on the private IP for pushes and queries; gRPC only on loopback', () => {
    expect(doc.server).toEqual({
      http_listen_address: '10.0.1.20',
      http_listen_port: Ports.loki.port,
      grpc_listen_address: '127.0.0.1',
      grpc_listen_port: Ports.lokiGrpc.port,
      log_level: 'info',
    });
    expect(doc.auth_enabled).toBe(false);
  });

  test('stores everything on the monitoring volume, in the filesystem', () => {
    const dataDirs = [
      doc.common.path_prefix,
      doc.common.storage.filesystem.chunks_directory,
      doc.common.storage.filesystem.rules_directory,
      doc.storage_config.tsdb_shipper.active_index_directory,
      doc.storage_config.tsdb_shipper.cache_location,
      doc.compactor.working_directory,
    ];
    for (const d of dataDirs) expect(d).toMatch(/^\/mnt\/monitoring\/loki(\/|$)/);
    expect(doc.common.replication_factor).toBe(1);
    expect(doc.common.ring.kvstore.store).toBe('inmemory');
  });

  test('uses the tsdb store with schema v13 and a 24h index', () => {
    expect(doc.schema_config.configs).toEqual([
      { from: '2024-01-01', store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } },
    ]);
    // Quoted: a bare 2024-01-01 is a timestamp for YAML 1.1 readers.
    expect(renderLokiConfig(BASE)).toContain('from: "2024-01-01"');
  });

  test('keeps logs 30 days by default: the compactor applies retention', () => {
    expect(doc.limits_config.retention_period).toBe('720h');
    expect(doc.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
  });

  test('retention, mountpoint and schema date follow the options', () => {
    const c = lokiConfig({ ...BASE, logRetention: '7d', volumeMountpoint: '/srv/data', schemaFrom: '2026-01-01' }) as any;
    expect(c.limits_config.retention_period).toBe('168h');
    expect(c.common.path_prefix).toBe('/srv/data/loki');
    expect(c.schema_config.configs[0].from).toBe('2026-01-01');
    expect((lokiConfig({ ...BASE, logRetention: '1d' }) as any).limits_config.retention_period).toBe('24h');
  });

  test('fails if retention is below 1 day', () => {
    expect(() => renderLokiConfig({ ...BASE, logRetention: '12h' })).toThrow(/LokiConfig:\n  - logRetention: got "12h"; allowed: a Prometheus duration .* from 1d to 3650d/);
    expect(() => renderLokiConfig({ ...BASE, logRetention: '0s' })).toThrow(/logRetention: got "0s"/);
  });

  test('fails if retention is not whole days or not a duration', () => {
    expect(() => renderLokiConfig({ ...BASE, logRetention: '36h' })).toThrow(/logRetention: got "36h"; allowed: a whole number of days/);
    expect(() => renderLokiConfig({ ...BASE, logRetention: 'a month' })).toThrow(/logRetention: got "a month"/);
  });

  test('fails if the schema date or the mountpoint is invalid', () => {
    expect(() => renderLokiConfig({ ...BASE, schemaFrom: '01.01.2024' })).toThrow(/schemaFrom: got "01.01.2024"; allowed: a date YYYY-MM-DD/);
    expect(() => renderLokiConfig({ ...BASE, volumeMountpoint: '/etc/loki' })).toThrow(/volumeMountpoint: got "\/etc\/loki"/);
    expect(() => renderLokiConfig({ ...BASE, volumeMountpoint: '/mnt/../etc' })).toThrow(/volumeMountpoint/);
  });
});
