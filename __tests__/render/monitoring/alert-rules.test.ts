import { execFile } from 'node:child_process';
import { parse } from 'yaml';
import {
  alertNames,
  alertRuleGroups,
  AlertRulesOptions,
  DEDICATED_DOWN_ALERTS,
  renderAlertRuleFiles,
  ScrapeJobs,
} from '../../../lib/render/monitoring';
import { ValidationError } from '../../../lib/core/validation-error';
import { describeWithTool, run } from '../../support/tools';
import { tempDir } from '../../support/tmp';
import { AlertCase, ALERT_CASES, NO_NEAR_MISS, sel, volumeLabels } from './alert-cases';
import { writeIn } from './support';

function ruleOf(options: AlertRulesOptions, name: string) {
  const rule = alertRuleGroups(options)
    .flatMap((g) => g.rules)
    .find((r) => r.alert === name);
  if (!rule) throw new Error(`no alert ${name}`);
  return rule;
}

/**
 * A `promtool test rules` file: one test group per case, each asserting exactly what fires. The
 * evaluation interval is per file, so cases are split by their sample interval (see runCases).
 */
function promtoolTests(ruleFile: string, options: AlertRulesOptions, cases: readonly AlertCase[], evaluationInterval = '1m'): string {
  const tests = cases.map((c) => {
    const rule = ruleOf(options, c.alert);
    const exp = c.fires
      ? [
          {
            exp_labels: { ...c.labels, severity: rule.labels.severity },
            exp_annotations: { summary: c.summary, description: rule.annotations.description },
          },
        ]
      : [];
    return {
      name: `${c.alert} ${c.fires ? 'fires' : 'does not fire'}: ${c.title}`,
      interval: c.interval ?? '1m',
      input_series: c.series.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: [{ eval_time: c.evalTime, alertname: c.alert, exp_alerts: exp }],
    };
  });
  return JSON.stringify({ rule_files: [ruleFile], evaluation_interval: evaluationInterval, tests });
}

const ALL: AlertRulesOptions = { heartbeat: true };

/**
 * Runs the cases with promtool against the rendered rule files: one test file per (rule file,
 * sample interval), so each case only evaluates its own group. Returns the combined output and
 * the worst exit status.
 */
async function runCases(options: AlertRulesOptions, cases: readonly AlertCase[]): Promise<{ status: number | null; output: string }> {
  const dir = tempDir('rules-test-');
  const ruleFiles = renderAlertRuleFiles(options);
  for (const f of ruleFiles) writeIn(dir, f.name, f.content);
  const fileOf = (alert: string) => {
    const group = alertRuleGroups(options).find((g) => g.rules.some((r) => r.alert === alert))!;
    return `${group.name}.yml`;
  };
  const batches = new Map<string, AlertCase[]>();
  for (const c of cases) {
    const key = `${fileOf(c.alert)}|${c.interval ?? '1m'}`;
    batches.set(key, [...(batches.get(key) ?? []), c]);
  }
  // The batches run in parallel: promtool spends most of its time per test group, not per sample.
  const results = await Promise.all(
    [...batches].map(([key, batch], n) => {
      const [ruleFile, interval] = key.split('|');
      const file = writeIn(dir, `tests-${n}.yml`, promtoolTests(ruleFile, options, batch, interval));
      return runAsync('promtool', ['test', 'rules', file], dir);
    }),
  );
  return {
    status: results.find((r) => r.status !== 0)?.status ?? 0,
    output: results.map((r) => r.output).join('\n'),
  };
}

function runAsync(cmd: string, args: string[], cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, output: `${stdout}${stderr}` });
    });
  });
}

describe('alert rules', () => {
  test('include the research doc alerts and the stack alerts', () => {
    const names = alertNames();
    for (const n of ['AiaiOrchestratorDown', 'HighMemoryUsage', 'DiskSpaceLow', 'HighAPICostRate', 'HighTaskFailureRate', 'EvolutionRegression']) {
      expect(names).toContain(n);
    }
    for (const n of ['HostDown', 'TargetDown', 'PrometheusDown', 'LokiDown', 'AlertmanagerDown', 'MonitoringVolumeFillingUp', 'ConfigReloadFailed']) {
      expect(names).toContain(n);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain('Watchdog');
    expect(alertNames({ heartbeat: true })).toContain('Watchdog');
  });

  test('the cost alert compares USD per hour with the threshold (rate() is per second)', () => {
    expect(ruleOf({}, 'HighAPICostRate').expr).toBe('sum by (environment) (rate(aiai_api_cost_total[1h])) * 3600 > 5');
    expect(ruleOf({ apiCostUsdPerHour: 12.5 }, 'HighAPICostRate').expr).toMatch(/\* 3600 > 12\.5$/);
  });

  test('the task failure ratio uses aiai_task_total{status}, the counter the app defines, and guards division by zero', () => {
    const expr = ruleOf({}, 'HighTaskFailureRate').expr;
    expect(expr).not.toMatch(/aiai_task_failures_total/);
    expect(expr).toContain('aiai_task_total{status!="success"}');
    expect(expr).toContain('(sum by (environment) (rate(aiai_task_total[15m])) > 0)');
  });

  test('every scrape job is covered by exactly one "down" alert', () => {
    const targetDown = ruleOf({}, 'TargetDown').expr;
    const excluded = /job!~"([^"]+)"/.exec(targetDown)![1].split('|');
    for (const job of Object.values(ScrapeJobs)) {
      const dedicated = DEDICATED_DOWN_ALERTS[job];
      if (dedicated) {
        expect(excluded).toContain(job);
        expect(ruleOf({}, dedicated).expr).toBe(`up{job="${job}"} == 0`);
      } else {
        expect(excluded).not.toContain(job);
      }
    }
  });

  test('the volume alerts select the monitoring host and the configured mountpoint', () => {
    const expr = ruleOf({ volumeMountpoint: '/srv/metrics' }, 'MonitoringVolumeAlmostFull').expr;
    expect(expr).toContain('node_filesystem_avail_bytes{role="monitoring",mountpoint="/srv/metrics"}');
    expect(ruleOf({ volumeFillHorizon: '2d' }, 'MonitoringVolumeFillingUp').expr).toContain('[6h], 172800) < 0');
  });

  test('the rule files are YAML, one group each, and every rule has severity, summary and description', () => {
    const files = renderAlertRuleFiles(ALL);
    expect(files.map((f) => f.name)).toEqual(['aiai-hosts.yml', 'aiai-application.yml', 'monitoring-stack.yml']);
    const docs = files.map((f) => parse(f.content) as { groups: { name: string; rules: Record<string, any>[] }[] });
    expect(docs.map((d) => d.groups.map((g) => g.name))).toEqual([['aiai-hosts'], ['aiai-application'], ['monitoring-stack']]);
    const rules = docs.flatMap((d) => d.groups.flatMap((g) => g.rules));
    expect(rules.map((r) => r.alert)).toEqual(alertNames(ALL));
    for (const r of rules) {
      expect(['critical', 'warning', 'info', 'none']).toContain(r.labels.severity);
      expect(r.annotations.summary).toEqual(expect.any(String));
      expect(r.annotations.description).toEqual(expect.any(String));
    }
  });

  test('every alert has a firing case and a near miss', () => {
    for (const name of alertNames(ALL)) {
      expect({ name, fires: ALERT_CASES.some((c) => c.alert === name && c.fires) }).toEqual({ name, fires: true });
      if (!NO_NEAR_MISS.has(name)) {
        expect({ name, nearMiss: ALERT_CASES.some((c) => c.alert === name && !c.fires) }).toEqual({ name, nearMiss: true });
      }
    }
    for (const c of ALERT_CASES) expect(alertNames(ALL)).toContain(c.alert);
  });

  test('fails if thresholds are out of range', () => {
    expect(() => alertRuleGroups({ apiCostUsdPerHour: -1 })).toThrow(/apiCostUsdPerHour: got -1; allowed: a positive number/);
    expect(() => alertRuleGroups({ taskFailureRatio: 30 })).toThrow(/taskFailureRatio: got 30; allowed: a fraction between 0 and 1/);
    expect(() => alertRuleGroups({ memoryAvailableRatio: 0 })).toThrow(/memoryAvailableRatio/);
    expect(() => alertRuleGroups({ taskFailureMinTasks: 2.5 })).toThrow(/taskFailureMinTasks: got 2.5/);
  });

  test('fails if a duration prop is not a duration', () => {
    expect(() => alertRuleGroups({ hostDownFor: '5 minutes' })).toThrow(ValidationError);
    expect(() => alertRuleGroups({ hostDownFor: '5 minutes' })).toThrow(/hostDownFor: got "5 minutes"; allowed: a Prometheus duration/);
    expect(() => alertRuleGroups({ volumeFillHorizon: '10m' })).toThrow(/volumeFillHorizon: got "10m".*of at least|from 1h/);
  });

  test('fails if the volume mountpoint is not a clean absolute path', () => {
    expect(() => alertRuleGroups({ volumeMountpoint: '/mnt/"x"' })).toThrow(/volumeMountpoint: got "\/mnt\/\\"x\\""/);
    expect(() => alertRuleGroups({ volumeMountpoint: 'mnt/x' })).toThrow(/volumeMountpoint/);
  });
});

describeWithTool('promtool', 'prometheus', 'alert rules under promtool', () => {
  // promtool builds a fresh TSDB per test group: about 70 ms of CPU each, ~60 groups.
  jest.setTimeout(60_000);

  test('promtool check rules accepts the rendered rule files', () => {
    const dir = tempDir('rules-');
    const files = renderAlertRuleFiles(ALL).map((f) => writeIn(dir, f.name, f.content));
    const r = run('promtool', ['check', 'rules', ...files]);
    const counts = [...(r.stderr + r.stdout).matchAll(/SUCCESS: (\d+) rules found/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(alertNames(ALL).length);
    expect(r.status).toBe(0);
  });

  test('promtool test rules: every alert fires on its case and stays silent on its near misses', async () => {
    const r = await runCases(ALL, ALERT_CASES);
    expect(r.output).toContain('SUCCESS');
    expect(r.output).not.toContain('FAILED');
    expect(r.status).toBe(0);
  });

  test('promtool test rules: thresholds and the mountpoint follow the options', async () => {
    const options: AlertRulesOptions = { apiCostUsdPerHour: 10, volumeMountpoint: '/srv/metrics', taskFailureRatio: 0.5 };
    const byName = (n: string, fires: boolean) => ALERT_CASES.find((c) => c.alert === n && c.fires === fires)!;
    const cases: AlertCase[] = [
      // 6 USD/hour no longer fires against 10 USD/hour; 12 does.
      { ...byName('HighAPICostRate', true), fires: false },
      {
        ...byName('HighAPICostRate', true),
        series: byName('HighAPICostRate', true).series.map((s) => ({ ...s, values: '0+0.1x120' })),
        summary: 'API spend is 12.00 USD per hour',
      },
      // 40 % failures are below a 50 % threshold.
      { ...byName('HighTaskFailureRate', true), fires: false },
      {
        ...byName('MonitoringVolumeMissing', true),
        labels: { role: 'monitoring', mountpoint: '/srv/metrics' },
      },
      {
        alert: 'MonitoringVolumeAlmostFull',
        fires: true,
        title: '8 % free on /srv/metrics',
        series: [
          { series: sel('node_filesystem_avail_bytes', volumeLabels('/srv/metrics')), values: '8x20' },
          { series: sel('node_filesystem_size_bytes', volumeLabels('/srv/metrics')), values: '100x20' },
        ],
        evalTime: '6m',
        labels: volumeLabels('/srv/metrics'),
        summary: 'Monitoring volume is 8% free',
      },
      // The default mountpoint is no longer watched.
      { ...byName('MonitoringVolumeAlmostFull', true), fires: false },
    ];
    const r = await runCases(options, cases);
    expect(r.output).toContain('SUCCESS');
    expect(r.output).not.toContain('FAILED');
    expect(r.status).toBe(0);
  });

  test('promtool test rules detects a wrong expectation (the harness can fail)', async () => {
    const nearMiss = ALERT_CASES.find((c) => c.alert === 'HighAPICostRate' && !c.fires)!;
    const r = await runCases(ALL, [{ ...nearMiss, fires: true, labels: { environment: 'production' }, summary: 'x' }]);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/FAILED[\s\S]*HighAPICostRate/);
  });
});
