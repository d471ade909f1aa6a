import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, Server } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import {
  alertmanagerArgs,
  alertmanagerConfig,
  AlertmanagerConfigOptions,
  alertNames,
  credentialPath,
  HOST_SYMPTOM_ALERTS,
  MonitoringSecrets,
  monitoringPaths,
  Receivers,
  renderAlertmanagerConfig,
} from '../../../lib/render/monitoring';
import { describeWithTool, run } from '../../support/tools';
import { tempDir } from '../../support/tmp';
import { BASE, writeFile, writeIn } from './support';

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

  test('Alertmanager runs as a single node: clustering off, web on the private IP, the effective config', () => {
    expect(alertmanagerArgs(BASE)).toEqual([
      '--config.file=/run/prometheus-alertmanager/alertmanager.yml',
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

const SCRIPT = join(__dirname, '../../../cloud-init/monitoring/aiai-alertmanager-config.sh');

/** Runs the config script as ExecStartPre= does (POSIX sh, the script's shebang). */
function runScript(template: string, output: string) {
  return run('sh', [SCRIPT, template, output], { env: { PATH: process.env.PATH } });
}

interface Rendered {
  readonly dir: string;
  readonly template: string;
  readonly text: string;
  readonly effective: string;
  readonly result: ReturnType<typeof run>;
}

/**
 * Renders the template with its paths below a temp root, delivers the given credentials there
 * (absent: not delivered) and runs the script. Credentials are written verbatim.
 */
function renderEffective(o: AlertmanagerConfigOptions, credentials: { webhook?: string; heartbeat?: string }): Rendered {
  const dir = tempDir('am-eff-');
  const paths = monitoringPaths(undefined, dir);
  const text = renderAlertmanagerConfig({ ...o, paths });
  const template = writeIn(dir, 'etc/prometheus/alertmanager.yml', text);
  if (credentials.webhook !== undefined) writeFile(credentialPath(paths, MonitoringSecrets.alertWebhookUrl), credentials.webhook);
  if (credentials.heartbeat !== undefined) writeFile(credentialPath(paths, MonitoringSecrets.heartbeatUrl), credentials.heartbeat);
  mkdirSync(dirname(paths.alertmanagerEffectiveConfig), { recursive: true });
  return { dir, template, text, effective: paths.alertmanagerEffectiveConfig, result: runScript(template, paths.alertmanagerEffectiveConfig) };
}

const ok = (r: Rendered) => {
  expect({ status: r.result.status, output: r.result.stdout + r.result.stderr }).toEqual({ status: 0, output: '' });
  return parse(readFileSync(r.effective, 'utf8')) as Record<string, any>;
};

/** The effective config must not exist, nor any temp file beside it. */
function expectNothingWritten(r: Rendered): void {
  expect(existsSync(r.effective)).toBe(false);
  expect(readdirSync(dirname(r.effective))).toEqual([]);
}

const HOSTILE_URLS: readonly [string, string][] = [
  ['single and double quotes', `https://hooks.example.com/x?a='b'&c="d"`],
  ['two single quotes in a row', "https://hooks.example.com/''/end'"],
  ['backslashes', 'https://hooks.example.com/a\\b\\\\c\\n\\"'],
  ['& and & as sed would read it', 'https://hooks.example.com/a&b\\&c&&'],
  ['# and a space-hash comment marker', 'https://hooks.example.com/p#frag and #more'],
  ['shell substitutions', 'https://hooks.example.com/$(id)/`id`/${HOME}/$HOME'],
  ['slashes, pipes and awk/sed delimiters', 'https://hooks.example.com///a|b/c\\/d'],
  ['YAML indicators', 'https://hooks.example.com/: - ? [a] {b: c} *x &y !z %25 @ `'],
  ['non-ASCII text', 'https://hooks.example.com/übung/日本語/😀?q=ß'],
  ['a URL that starts like YAML', "'quoted' - [not, a, list]"],
];

describe('the config script (template -> effective config)', () => {
  test.each(HOSTILE_URLS)('keeps a URL with %s verbatim (webhook, heartbeat and slack)', (_name, url) => {
    const webhook = ok(renderEffective({ heartbeat: true }, { webhook: `${url}\n`, heartbeat: `${url}/hb` }));
    const byName = (c: Record<string, any>, name: string) => c.receivers.find((r: { name: string }) => r.name === name);
    expect(byName(webhook, 'notify').webhook_configs).toEqual([{ url, send_resolved: true }]);
    expect(byName(webhook, 'heartbeat').webhook_configs).toEqual([{ url: `${url}/hb`, send_resolved: false }]);
    const slack = ok(renderEffective({ receiver: 'slack' }, { webhook: url }));
    expect(byName(slack, 'notify').slack_configs).toEqual([{ api_url: url, send_resolved: true }]);
  });

  test('changes nothing but the URL lines: the effective config is the template with each *_file key inlined', () => {
    const r = renderEffective({ heartbeat: true }, { webhook: 'https://a.example/1', heartbeat: 'https://b.example/2' });
    const effective = ok(r);
    const expected = parse(r.text) as Record<string, any>;
    for (const rcv of expected.receivers) {
      rcv.webhook_configs = rcv.webhook_configs?.map((w: Record<string, string>) =>
        Object.fromEntries(Object.entries(w).map(([k, v]) => (k === 'url_file' ? ['url', readFileSync(v, 'utf8')] : [k, v]))),
      );
      if (!rcv.webhook_configs) delete rcv.webhook_configs;
    }
    // Same keys in the same order (url takes url_file's place).
    expect(JSON.stringify(effective)).toBe(JSON.stringify(expected));
    const lines = (t: string) => t.split('\n');
    expect(lines(readFileSync(r.effective, 'utf8')).filter((l, i) => l !== lines(r.text)[i])).toEqual([
      "      - url: 'https://a.example/1'",
      "      - url: 'https://b.example/2'",
    ]);
  });

  test('the secret is only in the effective config: never in the template, and the file is private (0600)', () => {
    const secret = 'https://hooks.example.com/T0KEN-s3cr3t-4f9a';
    const r = renderEffective({ heartbeat: true }, { webhook: secret, heartbeat: secret });
    ok(r);
    expect(r.text).not.toContain('s3cr3t');
    expect(readFileSync(r.template, 'utf8')).not.toContain('s3cr3t');
    expect(readFileSync(r.effective, 'utf8')).toContain(secret);
    expect(statSync(r.effective).mode & 0o777).toBe(0o600);
  });

  test('trims whitespace around the URL, as Alertmanager does for url_file (CRLF files too)', () => {
    const c = ok(renderEffective({}, { webhook: '  \thttps://hooks.example.com/x \r\n\n' }));
    expect(c.receivers[0].webhook_configs[0].url).toBe('https://hooks.example.com/x');
  });

  test('rewrites the effective config in place (restart after a new secret)', () => {
    const r = renderEffective({}, { webhook: 'https://old.example/' });
    ok(r);
    writeFileSync(credentialPath(monitoringPaths(undefined, r.dir), MonitoringSecrets.alertWebhookUrl), 'https://new.example/');
    expect(runScript(r.template, r.effective).status).toBe(0);
    expect((parse(readFileSync(r.effective, 'utf8')) as any).receivers[0].webhook_configs[0].url).toBe('https://new.example/');
    expect(readdirSync(dirname(r.effective))).toEqual(['alertmanager.yml']);
  });

  test('fails if the credential is missing (secret not delivered), naming the file', () => {
    const r = renderEffective({}, {});
    expect(r.result.status).toBe(1);
    expect(r.result.stderr).toMatch(/^aiai-alertmanager-config: cannot read \S+\/run\/credentials\/prometheus-alertmanager\.service\/alertmanager-webhook-url \(secret not delivered yet/);
    expectNothingWritten(r);
  });

  test('fails if one of two credentials is missing (heartbeat)', () => {
    const r = renderEffective({ heartbeat: true }, { webhook: 'https://a.example/' });
    expect(r.result.stderr).toMatch(/cannot read \S+\/alertmanager-heartbeat-url/);
    expect(r.result.status).toBe(1);
    expectNothingWritten(r);
  });

  test('fails if the credential holds more than one line, without printing it', () => {
    const r = renderEffective({}, { webhook: 'https://hooks.example.com/first-s3cr3t\nurl: https://evil.example/\n' });
    expect(r.result.status).toBe(1);
    expect(r.result.stderr).toMatch(/alertmanager-webhook-url has more than one line: it must hold one URL\n$/);
    expect(r.result.stderr).not.toMatch(/s3cr3t|evil/);
    expectNothingWritten(r);
  });

  test('fails if the credential is empty or blank', () => {
    for (const blank of ['', ' \n\n']) {
      const r = renderEffective({}, { webhook: blank });
      expect(r.result.stderr).toMatch(/alertmanager-webhook-url is empty: it must hold one URL/);
      expect(r.result.status).toBe(1);
      expectNothingWritten(r);
    }
  });

  test('fails if the URL contains a control character', () => {
    const r = renderEffective({}, { webhook: 'https://hooks.example.com/a\tb\u001bc' });
    expect(r.result.stderr).toMatch(/alertmanager-webhook-url contains a control character/);
    expect(r.result.status).toBe(1);
    expectNothingWritten(r);
  });

  test('fails if the template has no url_file line, or one that is not a plain path', () => {
    const dir = tempDir('am-bad-');
    const out = join(dir, 'out.yml');
    const none = runScript(writeIn(dir, 'none.yml', 'receivers:\n  - name: x\n'), out);
    expect(none.stderr).toMatch(/no url_file or api_url_file line in the template/);
    expect(none.status).toBe(1);
    const quoted = runScript(writeIn(dir, 'quoted.yml', 'receivers:\n  - name: x\n    webhook_configs:\n      - url_file: "/run/x y"\n'), out);
    expect(quoted.stderr).toMatch(/line 4 of the template: the url_file value is not a plain absolute path/);
    expect(quoted.status).toBe(1);
    const missing = runScript(join(dir, 'absent.yml'), out);
    expect(missing.stderr).toMatch(/cannot read the template/);
    expect(missing.status).toBe(1);
    expect(run('sh', [SCRIPT]).stderr).toMatch(/usage: aiai-alertmanager-config TEMPLATE OUTPUT/);
    expect(readdirSync(dir).sort()).toEqual(['none.yml', 'quoted.yml']);
  });
});

describeWithTool('shellcheck', 'shellcheck', 'the config script under shellcheck', () => {
  test('is clean as POSIX sh', () => {
    const r = run('shellcheck', ['--shell=sh', '--severity=style', SCRIPT]);
    expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({ status: 0, output: '' });
  });
});

describeWithTool('amtool', 'prometheus-alertmanager', 'the effective alertmanager.yml under amtool', () => {
  test.each([
    ['webhook with heartbeat', { heartbeat: true }, '- 3 receivers'],
    ['slack', { receiver: 'slack' }, '- 2 receivers'],
  ] as const)('amtool check-config accepts the effective config (%s)', (_name, o, receivers) => {
    const r = renderEffective(o, { webhook: 'https://hooks.example.com/T0KEN', heartbeat: 'https://hc.example.com/ping/1' });
    ok(r);
    const check = run('amtool', ['check-config', r.effective]);
    expect(check.stdout + check.stderr).toMatch(/SUCCESS/);
    expect(check.stdout + check.stderr).toContain(receivers);
    expect(check.status).toBe(0);
  });

  test('amtool check-config accepts hostile URLs as the script writes them', () => {
    const url = `https://hooks.example.com/a'b"c\\d&e$(id)/ü?x=1&y='2'#frag`;
    const r = renderEffective({}, { webhook: url });
    ok(r);
    const check = run('amtool', ['check-config', r.effective]);
    expect(check.stdout + check.stderr).toMatch(/SUCCESS/);
    expect(check.status).toBe(0);
  });

  test('amtool routes alerts by severity', () => {
    const r = renderEffective({ heartbeat: true }, { webhook: 'http://127.0.0.1:9/hook', heartbeat: 'http://127.0.0.1:9/hb' });
    ok(r);
    const route = (labels: string[]) => run('amtool', ['config', 'routes', 'test', `--config.file=${r.effective}`, ...labels]).stdout.trim();
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

    // The config the unit runs with: the script's output for the delivered URL.
    const r = renderEffective({ groupWait: '1s', groupInterval: '1m' }, { webhook: `http://127.0.0.1:${hookPort}/hook\n` });
    ok(r);
    const dir = r.dir;
    const config = r.effective;
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
