import { parse } from 'yaml';
import {
  GRAFANA_DASHBOARDS,
  grafanaDashboard,
  grafanaDatasources,
  GrafanaDatasources,
  grafanaIniSections,
  renderGrafanaDashboardProvider,
  renderGrafanaDatasources,
  renderGrafanaIni,
  renderIni,
} from '../../../lib/render/monitoring';
import { Ports } from '../../../lib/core/ports';
import { describeWithTool, run } from '../../support/tools';
import { tempDir } from '../../support/tmp';
import { BASE, writeIn } from './support';

/** A minimal ini reader (sections, `key = value`, `;`/`#` comment lines). */
function readIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    if (/^\s*([;#].*)?$/.test(line)) continue;
    const s = /^\[([^\]]+)\]$/.exec(line);
    if (s) {
      section = s[1];
      out[section] = {};
      continue;
    }
    const kv = /^([a-z0-9_]+) = (.*)$/.exec(line);
    if (!kv) throw new Error(`unparseable ini line ${JSON.stringify(line)}`);
    out[section][kv[1]] = kv[2];
  }
  return out;
}

type Panel = { title: string; type: string; datasource: { type: string; uid: string }; targets: { refId: string; expr: string; legendFormat?: string; datasource: { uid: string } }[] };
const dashboards = GRAFANA_DASHBOARDS.map((name) => ({ name, json: JSON.parse(grafanaDashboard(name)) as { uid: string; title: string; panels: Panel[] } }));
const promTargets = dashboards.flatMap((d) => d.json.panels.flatMap((p) => p.targets.filter((t) => t.datasource.uid === GrafanaDatasources.prometheus.uid).map((t) => ({ panel: p.title, ...t }))));

describe('grafana.ini', () => {
  const ini = readIni(renderGrafanaIni(BASE));

  test('listens on the private IP only', () => {
    expect(ini.server).toMatchObject({ protocol: 'http', http_addr: '10.0.1.20', http_port: String(Ports.grafana.port) });
  });

  test('reads the admin password from the credential systemd hands over; no password in the file', () => {
    expect(ini.security.admin_user).toBe('admin');
    expect(ini.security.admin_password).toBe('$__file{/run/credentials/grafana-server.service/grafana-admin-password}');
  });

  test('keeps its database on the volume and closes sign-up and anonymous access', () => {
    expect(ini.paths).toEqual({ data: '/mnt/monitoring/grafana', provisioning: '/etc/grafana/provisioning' });
    expect(ini.users.allow_sign_up).toBe('false');
    expect(ini['auth.anonymous'].enabled).toBe('false');
    expect(ini.analytics.reporting_enabled).toBe('false');
  });

  test('the ini writer refuses values go-ini would reinterpret', () => {
    expect(renderIni({ a: { k: 'v' } })).toBe('[a]\nk = v\n');
    for (const bad of ['x\ny', 'x ; comment', 'x # c', ' padded', '"quoted"', 'back\\slash']) {
      expect(() => renderIni({ a: { k: bad } })).toThrow(/allowed: an ini value without characters go-ini would reinterpret/);
    }
    expect(() => renderIni({ 'a]\n[b': { k: 'v' } })).toThrow(/section: got .*; allowed: a valid ini section name/);
    expect(() => renderIni({ a: { 'k = x': 'v' } })).toThrow(/a.key: got "k = x"; allowed: a valid ini key name/);
  });

  test('fails if the private IP is invalid', () => {
    expect(() => grafanaIniSections({ ...BASE, privateIp: '0.0.0.0.0' })).toThrow(/GrafanaConfig:\n  - privateIp: got "0.0.0.0.0"/);
  });
});

describe('Grafana provisioning', () => {
  test('Prometheus (default) and Loki datasources with the UIDs the dashboards use', () => {
    const doc = parse(renderGrafanaDatasources(BASE));
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources).toEqual([
      { uid: 'aiai-prometheus', name: 'Prometheus', type: 'prometheus', access: 'proxy', url: 'http://10.0.1.20:9090', isDefault: true, editable: false, jsonData: { httpMethod: 'POST' } },
      { uid: 'aiai-loki', name: 'Loki', type: 'loki', access: 'proxy', url: 'http://10.0.1.20:3100', isDefault: false, editable: false, jsonData: { maxLines: 1000 } },
    ]);
  });

  test('the Prometheus datasource follows Prometheus onto loopback with the admin API', () => {
    const ds = grafanaDatasources({ ...BASE, adminApi: true }) as { datasources: { url: string }[] };
    expect(ds.datasources[0].url).toBe('http://127.0.0.1:9090');
  });

  test('a file provider loads the dashboards folder', () => {
    const doc = parse(renderGrafanaDashboardProvider(BASE));
    expect(doc.providers).toEqual([
      { name: 'aiai', orgId: 1, folder: 'aiai', type: 'file', disableDeletion: true, allowUiUpdates: false, updateIntervalSeconds: 60, options: { path: '/etc/grafana/dashboards' } },
    ]);
  });
});

describe('the aiai dashboard', () => {
  const { json } = dashboards[0];

  test('is a bare dashboard (file provisioning), with a stable uid', () => {
    expect(json.uid).toBe('aiai-overview');
    expect(json).not.toHaveProperty('dashboard');
    expect(json.title).toBe('aiai - System Overview');
  });

  test('every panel uses a provisioned datasource', () => {
    const uids: string[] = Object.values(GrafanaDatasources).map((d) => d.uid);
    for (const p of json.panels) {
      expect(uids).toContain(p.datasource.uid);
      for (const t of p.targets) expect(t.datasource.uid).toBe(p.datasource.uid);
    }
  });

  test("keeps the research doc's panels", () => {
    const titles = json.panels.map((p) => p.title);
    for (const t of ['API cost (last 24h)', 'Tasks completed (last 24h)', 'Task success rate (1h)', 'Evolution score over time', 'API cost by model (USD per hour)', 'Memory used', 'CPU used']) {
      expect(titles).toContain(t);
    }
  });

  test('queries are corrected: aggregated before dividing, per model, and with labels our targets have', () => {
    const expr = (title: string) => promTargets.find((t) => t.panel === title)!.expr;
    // The doc divided rate(x{status="success"}) by rate(x): label sets never match across statuses, so it showed 100 %.
    expect(expr('Task success rate (1h)')).toBe('100 * (sum(rate(aiai_task_total{status="success"}[1h])) or vector(0)) / (sum(rate(aiai_task_total[1h])) > 0)');
    expect(expr('API cost by model (USD per hour)')).toBe('sum by (model) (rate(aiai_api_cost_total[1h])) * 3600');
    expect(expr('API cost (last 24h)')).toBe('sum(increase(aiai_api_cost_total[24h]))');
    for (const t of promTargets) {
      for (const [, label] of (t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
        expect(['host', 'model', 'dimension']).toContain(label);
      }
    }
  });
});

describeWithTool('promtool', 'prometheus', 'dashboard queries under promtool', () => {
  test('every PromQL expression of the dashboard parses (each wrapped as a recording rule)', () => {
    expect(promTargets.length).toBeGreaterThanOrEqual(8);
    const rules = {
      groups: [{ name: 'dashboard', rules: promTargets.map((t, i) => ({ record: `dashboard:panel_${i}:expr`, expr: t.expr })) }],
    };
    const file = writeIn(tempDir('dash-'), 'dashboard.rules.yml', JSON.stringify(rules));
    const r = run('promtool', ['check', 'rules', file]);
    expect(r.stdout + r.stderr).toContain(`SUCCESS: ${promTargets.length} rules found`);
    expect(r.status).toBe(0);
  });

  test('the success-rate query computes the real ratio (75 % for 3 successes per failure), and nothing when idle', () => {
    const dir = tempDir('dash-eval-');
    const expr = promTargets.find((t) => t.panel === 'Task success rate (1h)')!.expr;
    writeIn(dir, 'r.yml', JSON.stringify({ groups: [{ name: 'd', rules: [{ record: 'success_pct', expr }] }] }));
    const labels = 'job="aiai",host="h",role="orchestrator",environment="production",complexity="low",agent_type="builder"';
    const tests = {
      rule_files: ['r.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: `aiai_task_total{${labels},status="success"}`, values: '0+3x90' },
            { series: `aiai_task_total{${labels},status="failure"}`, values: '0+1x90' },
          ],
          promql_expr_test: [{ expr, eval_time: '80m', exp_samples: [{ labels: '{}', value: 75 }] }],
        },
        {
          interval: '1m',
          input_series: [{ series: `aiai_task_total{${labels},status="failure"}`, values: '0+1x90' }],
          promql_expr_test: [{ expr, eval_time: '80m', exp_samples: [{ labels: '{}', value: 0 }] }],
        },
        {
          interval: '1m',
          input_series: [{ series: `aiai_task_total{${labels},status="success"}`, values: '5x90' }],
          promql_expr_test: [{ expr, eval_time: '80m', exp_samples: [] }],
        },
      ],
    };
    const file = writeIn(dir, 't.yml', JSON.stringify(tests));
    const r = run('promtool', ['test', 'rules', file], { cwd: dir });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
