import { chmodSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dropInFile,
  monitoringDropIns,
  monitoringPaths,
  MonitoringUnits,
  prometheusArgs,
  renderDropIn,
  SystemdDropIn,
} from '../../../lib/render/monitoring';
import { describeWithTool, run } from '../../support/tools';
import { tempDir } from '../../support/tmp';
import { BASE, writeFile } from './support';

const byUnit = (drops: SystemdDropIn[], unit: string) => drops.find((d) => d.unit === unit)!;
const lines = (d: SystemdDropIn) => renderDropIn(d).split('\n');

describe('systemd drop-ins of the monitoring services', () => {
  const drops = monitoringDropIns(BASE);

  test('one drop-in for each server-side service, installed in <unit>.d/', () => {
    expect(drops.map((d) => d.unit)).toEqual([MonitoringUnits.prometheus, MonitoringUnits.alertmanager, MonitoringUnits.loki, MonitoringUnits.grafana]);
    expect(dropInFile(drops[0]).path).toBe('/etc/systemd/system/prometheus.service.d/50-aiai.conf');
  });

  test('every service that keeps data needs the volume mounted and creates its data dir on it', () => {
    const dirs: Record<string, string> = {
      [MonitoringUnits.prometheus]: '-o prometheus -g prometheus -m 0750 /mnt/monitoring/prometheus',
      [MonitoringUnits.alertmanager]: '-o prometheus -g prometheus -m 0750 /mnt/monitoring/alertmanager',
      [MonitoringUnits.loki]: '-o loki -m 0750 /mnt/monitoring/loki',
      [MonitoringUnits.grafana]: '-o grafana -g grafana -m 0750 /mnt/monitoring/grafana',
    };
    for (const d of drops) {
      expect(lines(d)).toContain('RequiresMountsFor=/mnt/monitoring');
      expect(lines(d)).toContain(`ExecStartPre=+/usr/bin/install -d ${dirs[d.unit]}`);
    }
  });

  test('secrets reach the services as credentials; the units wait for the delivered files', () => {
    const prom = lines(byUnit(drops, MonitoringUnits.prometheus));
    expect(prom).toContain('ConditionPathExists=/etc/aiai/secrets/hcloud-sd-token');
    expect(prom).toContain('LoadCredential=hcloud-sd-token:/etc/aiai/secrets/hcloud-sd-token');
    const am = lines(byUnit(drops, MonitoringUnits.alertmanager));
    expect(am).toContain('LoadCredential=alertmanager-webhook-url:/etc/aiai/secrets/alertmanager-webhook-url');
    expect(am.join('\n')).not.toContain('heartbeat');
    expect(lines(byUnit(drops, MonitoringUnits.grafana))).toContain('LoadCredential=grafana-admin-password:/etc/aiai/secrets/grafana-admin-password');
    expect(lines(byUnit(drops, MonitoringUnits.loki)).join('\n')).not.toContain('LoadCredential');
    const hb = lines(byUnit(monitoringDropIns({ ...BASE, heartbeat: true }), MonitoringUnits.alertmanager));
    expect(hb).toContain('LoadCredential=alertmanager-heartbeat-url:/etc/aiai/secrets/alertmanager-heartbeat-url');
    expect(hb).toContain('ConditionPathExists=/etc/aiai/secrets/alertmanager-heartbeat-url');
  });

  test('Prometheus and Alertmanager replace the packaged command line', () => {
    const prom = lines(byUnit(drops, MonitoringUnits.prometheus));
    const execStarts = prom.filter((l) => l.startsWith('ExecStart='));
    expect(execStarts).toEqual([
      'ExecStart=',
      'ExecStart=/usr/bin/prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/mnt/monitoring/prometheus --storage.tsdb.retention.time=30d --web.listen-address=10.0.1.20:9090',
    ]);
    const am = lines(byUnit(drops, MonitoringUnits.alertmanager)).filter((l) => l.startsWith('ExecStart='));
    expect(am[1]).toMatch(/^ExecStart=\/usr\/bin\/prometheus-alertmanager .*--cluster.listen-address=$/);
  });

  test('Alertmanager runs the effective config that ExecStartPre= writes into its private runtime directory', () => {
    const am = lines(byUnit(drops, MonitoringUnits.alertmanager));
    const render = '/usr/local/lib/aiai/aiai-alertmanager-config /etc/prometheus/alertmanager.yml /run/prometheus-alertmanager/alertmanager.yml';
    expect(am).toContain('RuntimeDirectory=prometheus-alertmanager');
    expect(am).toContain('RuntimeDirectoryMode=0700');
    // After the data dir (as root), as the service user: it reads only its own credentials.
    expect(am.filter((l) => l.startsWith('ExecStartPre='))).toEqual([
      'ExecStartPre=+/usr/bin/install -d -o prometheus -g prometheus -m 0750 /mnt/monitoring/alertmanager',
      `ExecStartPre=${render}`,
    ]);
    expect(am.find((l) => l.startsWith('ExecStart=/'))).toContain(' --config.file=/run/prometheus-alertmanager/alertmanager.yml ');
    expect(am.join('\n')).not.toContain('--config.file=/etc/prometheus/alertmanager.yml');
    // A reload re-renders before the signal; a failed render leaves the running config alone.
    expect(am.filter((l) => l.startsWith('ExecReload='))).toEqual(['ExecReload=', `ExecReload=${render}`, 'ExecReload=/bin/kill -HUP $MAINPID']);
  });

  test('the admin API is off by default; on, it comes with a loopback listener', () => {
    expect(prometheusArgs(BASE)).not.toContain('--web.enable-admin-api');
    const args = prometheusArgs({ ...BASE, adminApi: true, metricsRetention: '90d', metricsRetentionSizeGb: 25 });
    expect(args).toContain('--web.enable-admin-api');
    expect(args).toContain('--web.listen-address=127.0.0.1:9090');
    expect(args).toContain('--storage.tsdb.retention.time=90d');
    expect(args).toContain('--storage.tsdb.retention.size=25GB');
  });

  test('fails if the metrics retention is not a duration of at least 2h, or the size bound is not whole GB', () => {
    expect(() => monitoringDropIns({ ...BASE, metricsRetention: 'forever' })).toThrow(/MonitoringUnits:\n  - metricsRetention: got "forever"/);
    expect(() => monitoringDropIns({ ...BASE, metricsRetention: '1h' })).toThrow(/metricsRetention: got "1h".*from 2h to 3650d/);
    expect(() => monitoringDropIns({ ...BASE, metricsRetentionSizeGb: 0.5 })).toThrow(/metricsRetentionSizeGb: got 0.5; allowed: an integer number of GB/);
  });

  test('fails if the volume is under a path the packaged units make read-only', () => {
    expect(() => monitoringDropIns({ ...BASE, volumeMountpoint: '/usr/local/data' })).toThrow(/volumeMountpoint: got "\/usr\/local\/data"/);
    expect(() => monitoringDropIns({ ...BASE, volumeMountpoint: '/mnt/with space' })).toThrow(/volumeMountpoint/);
  });
});

const FIXTURES = join(__dirname, 'fixtures', 'units');

describeWithTool('systemd-analyze', 'systemd', 'drop-ins under systemd-analyze verify', () => {
  test.each([false, true])('every drop-in merges cleanly with its unit (admin API and heartbeat: %s)', (all) => {
    const dir = tempDir('units-');
    // ExecStartPre= must name an executable: the real config script, installed in the temp dir.
    const paths = { ...monitoringPaths(), alertmanagerConfigScript: join(dir, 'aiai-alertmanager-config') };
    writeFile(paths.alertmanagerConfigScript, readFileSync(join(__dirname, '../../../cloud-init/monitoring/aiai-alertmanager-config.sh'), 'utf8'));
    chmodSync(paths.alertmanagerConfigScript, 0o755);
    for (const d of monitoringDropIns({ ...BASE, paths, adminApi: all, heartbeat: all, metricsRetentionSizeGb: all ? 20 : undefined })) {
      // The packaged unit when it is installed here (Debian ships prometheus and alertmanager), else a stand-in.
      const packaged = join('/lib/systemd/system', d.unit);
      copyFileSync(existsSync(packaged) ? packaged : join(FIXTURES, d.unit), join(dir, d.unit));
      writeFile(join(dir, `${d.unit}.d`, d.name), renderDropIn(d));
      const r = run('systemd-analyze', ['verify', '--man=no', join(dir, d.unit)], { env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` } });
      expect({ unit: d.unit, status: r.status, output: (r.stdout + r.stderr).trim() }).toEqual({ unit: d.unit, status: 0, output: '' });
    }
  });

  test('the check reads the drop-in (a bad line in it is reported)', () => {
    const dir = tempDir('units-bad-');
    const d = monitoringDropIns(BASE)[0];
    copyFileSync(join(FIXTURES, d.unit), join(dir, d.unit));
    writeFile(join(dir, `${d.unit}.d`, d.name), renderDropIn(d) + '\n[Service]\nExecStart=relative/path\n');
    const r = run('systemd-analyze', ['verify', '--man=no', join(dir, d.unit)], { env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` } });
    // systemd ignores the bad line (exit 0) but reports it: the clean-merge test requires no output at all.
    expect(r.stdout + r.stderr).toMatch(/50-aiai\.conf:\d+: Neither a valid executable name nor an absolute path/);
  });
});
