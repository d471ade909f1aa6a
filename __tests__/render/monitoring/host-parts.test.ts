import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PropValidator } from '../../../lib/core/validation-error';
import type { HostFile } from '../../../lib/render/cloud-config';
import { HostManifestSpec, manifestJson, renderHostManifest } from '../../../lib/render/host-manifest';
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

/** The monitoring host as delivered after boot: both contributions, as the host base merges them. */
function monitoringManifestSpec(): HostManifestSpec {
  const parts = [shipping, monitoring];
  return {
    hostname: BASE.hostname,
    serviceUser: 'aiai',
    serviceUserGroups: [],
    groups: [],
    users: [],
    aptSources: [monitoring.install.aptSources[0]],
    packages: [...new Set(parts.flatMap((p) => p.install.packages))],
    files: parts.flatMap((p) => [...p.install.files, ...p.files]),
    units: [],
    services: parts.flatMap((p) => p.services),
    commands: [],
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

  test('names the services the host keeps running; each config restarts or reloads the service that reads it', () => {
    expect(monitoring.services).toEqual(['prometheus.service', 'prometheus-alertmanager.service', 'loki.service', 'grafana-server.service']);
    expect(shipping.services).toEqual(['prometheus-node-exporter.service', 'alloy.service']);
    const effect = (c: { readonly files: readonly HostFile[] }) => Object.fromEntries(c.files.map((f) => [f.path, { restart: f.restartUnits ?? [], reload: f.reloadUnits ?? [] }]));
    const none = { restart: [], reload: [] };
    const reload = (u: string) => ({ restart: [], reload: [u] });
    const restart = (u: string) => ({ restart: [u], reload: [] });
    expect(effect(monitoring)).toEqual({
      // Prometheus and Alertmanager re-read their configs on reload; Loki and Grafana only at start.
      '/etc/prometheus/prometheus.yml': reload(MonitoringUnits.prometheus),
      '/etc/prometheus/rules/aiai-hosts.yml': reload(MonitoringUnits.prometheus),
      '/etc/prometheus/rules/aiai-application.yml': reload(MonitoringUnits.prometheus),
      '/etc/prometheus/rules/monitoring-stack.yml': reload(MonitoringUnits.prometheus),
      '/etc/prometheus/alertmanager.yml': reload(MonitoringUnits.alertmanager),
      '/usr/local/lib/aiai/aiai-alertmanager-config': reload(MonitoringUnits.alertmanager),
      '/etc/loki/config.yml': restart(MonitoringUnits.loki),
      '/etc/grafana/grafana.ini': restart(MonitoringUnits.grafana),
      '/etc/grafana/provisioning/datasources/aiai.yaml': restart(MonitoringUnits.grafana),
      '/etc/grafana/provisioning/dashboards/aiai.yaml': restart(MonitoringUnits.grafana),
      // Grafana's file provider polls the dashboards folder.
      '/etc/grafana/dashboards/aiai-overview.json': none,
      // Drop-ins restart the unit they extend (renderHostManifest derives it from the path).
      '/etc/systemd/system/prometheus.service.d/50-aiai.conf': none,
      '/etc/systemd/system/prometheus-alertmanager.service.d/50-aiai.conf': none,
      '/etc/systemd/system/loki.service.d/50-aiai.conf': none,
      '/etc/systemd/system/grafana-server.service.d/50-aiai.conf': none,
    });
    expect(effect(shipping)).toEqual({ '/etc/alloy/config.alloy': restart(MonitoringUnits.alloy), '/etc/default/alloy': restart(MonitoringUnits.alloy) });
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
    const paths = monitoringManifestSpec().files.map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  test('the merged host renders into a manifest whose every restart or reload names a service the host runs', () => {
    // renderHostManifest throws on a path written twice, a relative path or a bad mode.
    const manifest = renderHostManifest(monitoringManifestSpec());
    expect(manifest.services).toEqual([...shipping.services, ...monitoring.services]);
    // The converge only restarts or reloads units it starts: a name outside the services would be ignored.
    for (const f of manifest.files) for (const u of [...f.restart, ...f.reload]) expect(manifest.services).toContain(u);
    const dropIns = manifest.files.filter((f) => f.path.startsWith('/etc/systemd/system/'));
    expect(dropIns.map((f) => [f.unit, f.restart])).toEqual(dropIns.map((f) => [true, [f.path.split('/')[4].replace(/\.d$/, '')]]));
    // The Alertmanager config script is the one executable; nothing of the stack runs itself on delivery.
    expect(manifest.files.filter((f) => f.mode === '0755').map((f) => f.path)).toEqual(['/usr/local/lib/aiai/aiai-alertmanager-config']);
    expect(manifest.files.some((f) => f.exec)).toBe(false);
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

describeWithTool('jq', 'jq', 'the monitoring host manifest as aiai-converge reads it (jq)', () => {
  test('jq accepts the merged manifest and gives back every file byte for byte', () => {
    const manifest = renderHostManifest(monitoringManifestSpec());
    const file = writeIn(tempDir('mon-manifest-'), 'host-manifest.json', manifestJson(manifest));
    // The converge's own checks and reads: the version, then each file's content with `jq -j`.
    expect(run('jq', ['-e', '.version == 1', file]).status).toBe(0);
    expect(run('jq', ['-r', '.files | length', file]).stdout).toBe(`${manifest.files.length}\n`);
    manifest.files.forEach((f, i) => {
      const r = run('jq', ['-j', `.files[${i}].content`, file]);
      expect({ path: f.path, status: r.status, content: r.stdout }).toEqual({ path: f.path, status: 0, content: f.content });
    });
    // The harness notices a broken manifest.
    writeFileSync(file, manifestJson(manifest).replace('"version":1', '"version":2'));
    expect(run('jq', ['-e', '.version == 1', file]).status).not.toBe(0);
  });
});
