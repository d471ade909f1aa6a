import { ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer, Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  alertmanagerArgs,
  alertmanagerConfig,
  alertNames,
  HOST_SYMPTOM_ALERTS,
  Receivers,
  renderAlertmanagerConfig,
} from '../../../lib/render/monitoring';
import { describeWithTool, run } from '../../support/tools';
import { tempDir } from '../../support/tmp';
import { BASE, writeIn } from './support';

describe('alertmanager.yml', () => {
  const doc = parse(renderAlertmanagerConfig()) as Record<string, any>;

  test('one notify receiver whose URL is read from the delivered secret, never inline', () => {
    expect(doc.receivers).toEqual([
      { name: 'notify', webhook_configs: [{ url_file: '/run/credentials/prometheus-alertmanager.service/alertmanager-webhook-url', send_resolved: true }] },
      { name: 'blackhole' },
    ]);
    expect(renderAlertmanagerConfig()).not.toMatch(/\burl:|api_url:/);
  });

  test('the slack kind reads the URL with api_url_file', () => {
    const c = alertmanagerConfig({ receiver: 'slack' }) as any;
    expect(c.receivers[0]).toEqual({
      name: 'notify',
      slack_configs: [{ api_url_file: '/run/credentials/prometheus-alertmanager.service/alertmanager-webhook-url', send_resolved: true }],
    });
  });

  test('routes group by alert and environment, with timing by severity', () => {
    expect(doc.route).toMatchObject({ receiver: 'notify', group_by: ['alertname', 'environment'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' });
    expect(doc.route.routes).toEqual([
      { receiver: 'blackhole', matchers: ['severity="none"'] },
      { receiver: 'notify', matchers: ['severity="critical"'], group_wait: '10s', repeat_interval: '1h' },
      { receiver: 'notify', matchers: ['severity="info"'], repeat_interval: '24h' },
    ]);
  });

  test('the heartbeat routes Watchdog to its own receiver first', () => {
    const c = alertmanagerConfig({ heartbeat: true, heartbeatInterval: '2m' }) as any;
    expect(c.route.routes[0]).toEqual({ receiver: 'heartbeat', matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '2m' });
    expect(c.receivers).toContainEqual({
      name: Receivers.heartbeat,
      webhook_configs: [{ url_file: '/run/credentials/prometheus-alertmanager.service/alertmanager-heartbeat-url', send_resolved: false }],
    });
  });

  test('a down host inhibits the symptom alerts of the same host, and only alerts that exist', () => {
    const rule = doc.inhibit_rules[0];
    expect(rule.source_matchers).toEqual(['alertname="HostDown"']);
    expect(rule.equal).toEqual(['host']);
    const targets = /^alertname=~"(.+)"$/.exec(rule.target_matchers[0])![1].split('|');
    expect(targets).toEqual([...HOST_SYMPTOM_ALERTS]);
    for (const t of targets) expect(alertNames()).toContain(t);
    expect(targets).not.toContain('HostDown');
    // Platform-wide alerts carry no host label and are never inhibited by one host.
    expect(targets).not.toContain('HighAPICostRate');
  });

  test('Alertmanager runs as a single node: clustering off, web on the private IP', () => {
    expect(alertmanagerArgs(BASE)).toEqual([
      '--config.file=/etc/prometheus/alertmanager.yml',
      '--storage.path=/mnt/monitoring/alertmanager',
      '--web.listen-address=10.0.1.20:9093',
      '--cluster.listen-address=',
    ]);
  });

  test('fails if the receiver kind or a duration is wrong', () => {
    expect(() => renderAlertmanagerConfig({ receiver: 'email' as never })).toThrow(/receiver: got "email"; allowed: 'webhook' or 'slack'/);
    expect(() => renderAlertmanagerConfig({ repeatInterval: 'daily' })).toThrow(/repeatInterval: got "daily"; allowed: a Prometheus duration/);
    expect(() => renderAlertmanagerConfig({ heartbeatInterval: '10s' })).toThrow(/heartbeatInterval: got "10s".*from 1m to 1h/);
  });
});

/** The same document with every `url_file`/`api_url_file` replaced by a URL (for Alertmanager < 0.26). */
function withUrls(text: string, url: string): string {
  const c = parse(text) as { receivers: Record<string, any>[] };
  for (const r of c.receivers) {
    for (const w of r.webhook_configs ?? []) {
      delete w.url_file;
      w.url = url;
    }
    for (const s of r.slack_configs ?? []) {
      delete s.api_url_file;
      s.api_url = url;
    }
  }
  return stringify(c);
}

function amtoolVersion(): [number, number] {
  const out = run('amtool', ['--version']);
  const m = /version (\d+)\.(\d+)/.exec(out.stdout + out.stderr);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

describeWithTool('amtool', 'prometheus-alertmanager', 'alertmanager.yml under amtool', () => {
  test('amtool check-config accepts the slack-kind config as rendered', () => {
    const dir = tempDir('am-');
    const file = writeIn(dir, 'alertmanager.yml', renderAlertmanagerConfig({ receiver: 'slack' }));
    const r = run('amtool', ['check-config', file]);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  test('amtool check-config accepts the webhook config (url_file needs amtool >= 0.26; older ones check everything else)', () => {
    const dir = tempDir('am-');
    const text = renderAlertmanagerConfig({ heartbeat: true });
    const file = writeIn(dir, 'alertmanager.yml', text);
    const r = run('amtool', ['check-config', file]);
    const [major, minor] = amtoolVersion();
    if (major > 0 || minor >= 26) {
      expect(r.status).toBe(0);
      return;
    }
    // Debian 12's amtool 0.25 predates webhook url_file (Alertmanager 0.26, Ubuntu 24.04's version):
    // its only complaint must be that field, on exactly the url_file lines ...
    const urlFileLines = text.split('\n').flatMap((l, i) => (/^\s+- url_file: /.test(l) ? [i + 1] : []));
    expect(urlFileLines).toHaveLength(2);
    const complaints = (r.stdout + r.stderr).split('\n').filter((l) => /^\s+line \d+:/.test(l));
    expect(complaints).toEqual(urlFileLines.map((n) => `  line ${n}: field url_file not found in type config.plain`));
    // ... and the same document with inline URLs passes.
    const plain = writeIn(dir, 'alertmanager-urls.yml', withUrls(text, 'http://127.0.0.1:9/hook'));
    const r2 = run('amtool', ['check-config', plain]);
    expect(r2.stdout + r2.stderr).toMatch(/SUCCESS/);
    expect(r2.status).toBe(0);
  });

  test('amtool routes alerts by severity', () => {
    const dir = tempDir('am-');
    const file = writeIn(dir, 'alertmanager.yml', withUrls(renderAlertmanagerConfig({ heartbeat: true }), 'http://127.0.0.1:9/hook'));
    const route = (labels: string[]) => run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels]).stdout.trim();
    expect(route(['alertname=Watchdog', 'severity=none'])).toBe('heartbeat');
    expect(route(['alertname=HostDown', 'severity=critical'])).toBe('notify');
    expect(route(['alertname=X', 'severity=none'])).toBe('blackhole');
    expect(route(['alertname=DiskSpaceLow', 'severity=warning'])).toBe('notify');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describeWithTool('prometheus-alertmanager', 'prometheus-alertmanager', 'inhibition in a real Alertmanager', () => {
  let am: ChildProcess | undefined;
  let hook: Server | undefined;
  afterAll(() => {
    if (am && am.exitCode === null) am.kill('SIGTERM');
    hook?.close();
  });

  test('while HostDown fires for a host, its symptom alerts are inhibited; other hosts still notify', async () => {
    const received: { alerts: { labels: Record<string, string> }[] }[] = [];
    const hookPort = await freePort();
    hook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook!.listen(hookPort, '127.0.0.1', () => r()));

    const dir = tempDir('am-run-');
    const config = writeIn(dir, 'alertmanager.yml', withUrls(renderAlertmanagerConfig({ groupWait: '1s', groupInterval: '1m' }), `http://127.0.0.1:${hookPort}/hook`));
    const port = await freePort();
    am = spawn('prometheus-alertmanager', [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: 'ignore' });
    const base = `http://127.0.0.1:${port}/api/v2`;
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${base}/status`)).ok) break;
      } catch {
        // starting
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const alert = (labels: Record<string, string>) => ({ labels: { environment: 'production', ...labels }, startsAt: new Date().toISOString() });
    const post = await fetch(`${base}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert({ alertname: 'HostDown', severity: 'critical', host: 'orch-1' }),
        alert({ alertname: 'HighMemoryUsage', severity: 'warning', host: 'orch-1' }),
        alert({ alertname: 'HighMemoryUsage', severity: 'warning', host: 'orch-2' }),
        alert({ alertname: 'HighAPICostRate', severity: 'warning' }),
      ]),
    });
    expect(post.ok).toBe(true);

    type ApiAlert = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
    let alerts: ApiAlert[] = [];
    for (let i = 0; i < 80; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alerts = (await (await fetch(`${base}/alerts`)).json()) as ApiAlert[];
      if (alerts.some((a) => a.status.state === 'suppressed') && received.length >= 2) break;
    }
    const state = (name: string, host?: string) => alerts.find((a) => a.labels.alertname === name && a.labels.host === host)?.status.state;
    expect(state('HighMemoryUsage', 'orch-1')).toBe('suppressed');
    expect(state('HighMemoryUsage', 'orch-2')).toBe('active');
    expect(state('HighAPICostRate')).toBe('active');
    expect(state('HostDown', 'orch-1')).toBe('active');

    const notified = received.flatMap((n) => n.alerts.map((a) => `${a.labels.alertname}@${a.labels.host ?? '-'}`));
    expect(notified).toContain('HighMemoryUsage@orch-2');
    expect(notified).not.toContain('HighMemoryUsage@orch-1');
  }, 30_000);
});
