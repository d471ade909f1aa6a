import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CloudConfigSpec, HETZNER_USER_DATA_LIMIT_BYTES, renderCloudConfig } from '../../../lib/render/cloud-config';
import { PropValidator } from '../../../lib/core/validation-error';
import {
  MonitoringSecrets,
  MonitoringUnits,
  renderLogShippingHost,
  renderMonitoringHost,
  validateMonitoringStackOptions,
} from '../../../lib/render/monitoring';
import { describeWithTool, run } from '../../support/tools';
import { tempDir } from '../../support/tmp';
import { BASE, writeIn } from './support';

const monitoring = renderMonitoringHost({ ...BASE, heartbeat: true, adminApi: true });
const shipping = renderLogShippingHost({ ...BASE, role: 'monitoring', lokiHost: BASE.privateIp });

/** The monitoring host as cloud-config: both contributions, as the host base would merge them. */
function monitoringCloudConfig(): CloudConfigSpec {
  const parts = [shipping, monitoring];
  return {
    hostname: BASE.hostname,
    packages: [...new Set(parts.flatMap((p) => p.install.packages))],
    aptSources: [monitoring.install.aptSources[0]],
    users: [{ name: 'aiai', sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBr7vTe0pEO6m9TsvSk0EpgJmtvd7oq+2Q2cH6pCwYtI test'] }],
    files: parts.flatMap((p) => [...p.install.files, ...p.files]),
    units: [],
    commands: [],
    finalCommands: parts.flatMap((p) => p.finalCommands),
  };
}

describe('the monitoring host contribution', () => {
  test('writes every config where the packages look for it', () => {
    expect(monitoring.files.map((f) => f.path)).toEqual([
      '/etc/prometheus/prometheus.yml',
      '/etc/prometheus/rules/aiai-hosts.yml',
      '/etc/prometheus/rules/aiai-application.yml',
      '/etc/prometheus/rules/monitoring-stack.yml',
      '/etc/prometheus/alertmanager.yml',
      '/usr/local/lib/aiai/aiai-alertmanager-config',
      '/etc/loki/config.yml',
      '/etc/grafana/grafana.ini',
      '/etc/grafana/provisioning/datasources/aiai.yaml',
      '/etc/grafana/provisioning/dashboards/aiai.yaml',
      '/etc/grafana/dashboards/aiai-overview.json',
      '/etc/systemd/system/prometheus.service.d/50-aiai.conf',
      '/etc/systemd/system/prometheus-alertmanager.service.d/50-aiai.conf',
      '/etc/systemd/system/loki.service.d/50-aiai.conf',
      '/etc/systemd/system/grafana-server.service.d/50-aiai.conf',
    ]);
    expect(shipping.files.map((f) => f.path)).toEqual(['/etc/alloy/config.alloy', '/etc/default/alloy']);
  });

  test('the Alertmanager config script is installed executable, root-owned, from cloud-init/monitoring/', () => {
    const script = monitoring.files.find((f) => f.path === '/usr/local/lib/aiai/aiai-alertmanager-config')!;
    expect(script).toMatchObject({ permissions: '0755', owner: 'root:root' });
    expect(script.content).toBe(readFileSync(join(__dirname, '../../../cloud-init/monitoring/aiai-alertmanager-config.sh'), 'utf8'));
    expect(script.content.startsWith('#!/bin/sh\n')).toBe(true);
  });

  test('every YAML and JSON file parses; the dashboard is minified', () => {
    for (const f of monitoring.files) {
      if (/\.ya?ml$/.test(f.path)) expect(() => parse(f.content)).not.toThrow();
      if (f.path.endsWith('.json')) {
        expect(JSON.parse(f.content).uid).toBe('aiai-overview');
        expect(f.content.split('\n')).toHaveLength(2);
      }
    }
  });

  test('lists the secrets to deliver after boot and the units to restart then', () => {
    expect(monitoring.secrets.map((s) => [s.secret.name, s.restartUnits])).toEqual([
      ['hcloud-sd-token', [MonitoringUnits.prometheus]],
      ['alertmanager-webhook-url', [MonitoringUnits.alertmanager]],
      ['alertmanager-heartbeat-url', [MonitoringUnits.alertmanager]],
      ['grafana-admin-password', [MonitoringUnits.grafana]],
    ]);
    expect(renderMonitoringHost(BASE).secrets.map((s) => s.secret)).not.toContain(MonitoringSecrets.heartbeatUrl);
    expect(shipping.secrets).toEqual([]);
  });

  test('enables and restarts the services after the files are in place', () => {
    expect(monitoring.finalCommands).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'prometheus.service', 'prometheus-alertmanager.service', 'loki.service', 'grafana-server.service'],
      ['systemctl', 'restart', 'prometheus.service', 'prometheus-alertmanager.service', 'loki.service', 'grafana-server.service'],
    ]);
    expect(shipping.finalCommands[1]).toEqual(['systemctl', 'enable', 'prometheus-node-exporter.service', 'alloy.service']);
  });

  test('reports where each service listens', () => {
    expect(monitoring.endpoints).toEqual({
      prometheus: '127.0.0.1:9090',
      alertmanager: '10.0.1.20:9093',
      loki: '10.0.1.20:3100',
      lokiGrpc: '127.0.0.1:9096',
      grafana: '10.0.1.20:3000',
      alloy: '127.0.0.1:12345',
    });
  });

  test('nothing depends on the list of hosts: the only addresses are the monitoring host and loopback', () => {
    const text = JSON.stringify([monitoring, shipping]);
    expect([...new Set(text.match(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g))].sort()).toEqual(['10.0.1.20', '127.0.0.1']);
    expect(JSON.stringify(renderMonitoringHost(BASE))).toBe(JSON.stringify(renderMonitoringHost({ ...BASE })));
  });

  test('the two contributions never write the same file, so one host can carry both', () => {
    const paths = monitoringCloudConfig().files.map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  test('the merged cloud-config fits Hetzner user_data', () => {
    const text = renderCloudConfig(monitoringCloudConfig());
    expect(Buffer.byteLength(text)).toBeLessThan(HETZNER_USER_DATA_LIMIT_BYTES);
  });

  test('one validation reports problems of every renderer at once, under the caller’s path', () => {
    const v = new PropValidator('Platform/Monitoring');
    validateMonitoringStackOptions(v, { ...BASE, scrapeInterval: 'often', logRetention: '6h', apiCostUsdPerHour: 0, serverType: 'big', receiver: 'pager' as never });
    expect(() => v.throwIfInvalid()).toThrow(/^Invalid props for Platform\/Monitoring:\n/);
    let message = '';
    try {
      v.throwIfInvalid();
    } catch (e) {
      message = (e as Error).message;
    }
    for (const prop of ['scrapeInterval', 'logRetention', 'apiCostUsdPerHour', 'serverType', 'receiver']) expect(message).toContain(`  - ${prop}: got`);
  });
});

describeWithTool('cloud-init', 'cloud-init', 'the monitoring host under cloud-init schema', () => {
  test('cloud-init schema accepts the merged cloud-config', () => {
    const file = writeIn(tempDir('mon-ci-'), 'user-data.yaml', renderCloudConfig(monitoringCloudConfig()));
    const r = run('cloud-init', ['schema', '--config-file', file]);
    // Clean: exit 0 and nothing but the verdict (deprecations would be printed with exit 0).
    expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({ status: 0, output: `Valid cloud-config: ${file}\n` });
  });
});
