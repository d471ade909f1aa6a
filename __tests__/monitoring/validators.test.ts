/**
 * The real validators on the monitoring server AS SYNTHESIZED: the hcloud_server's user_data (the
 * bootstrap) is decoded and parsed as YAML 1.1, the manifest its configuration resource delivers is
 * read from the upload, and the bootstrap's write_files and the delivered files are unpacked into a
 * fake root; then
 *   - `cloud-init schema` on the bootstrap (and cloud-init's own Hetzner decoding of the raw value);
 *   - `promtool check config` on the extracted prometheus.yml with every absolute path re-rooted
 *     into the fake root (rule files as written, the credential file created), `promtool check
 *     rules` on each rule file, and every dashboard PromQL expression as a recording rule;
 *   - `amtool check-config` on the effective Alertmanager config: the extracted script run on the
 *     extracted template (url_file re-rooted to a test credential);
 *   - `systemd-analyze verify` on every unit and drop-in written (drop-ins merged with the packaged
 *     unit, or a stand-in where the package is not installed here), the device drop-in included;
 *   - shellcheck on every script on the host (the host firewall script included);
 *   - the Loki and Alloy configs parsed and asserted on.
 * Two hosts: without DR (Prometheus on the private IP) and with off-site backup (admin API on
 * loopback, every DR unit and script). The tools run in parallel in beforeAll.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Ports } from '../../lib/core/ports';
import { labelDeviceUnitName } from '../../lib/volume/data-volume-mount';
import { runAll } from '../validators/parallel';
import { attrOf, blocks, parseAlloy, Block } from '../render/monitoring/alloy-parser';
import { tempDir } from '../support/tmp';
import { describeWithTool, run, RunResult } from '../support/tools';
import { monitoringFixture, unpackHost, UnpackedHost } from './support';
import { Json } from '../support/stack';

const FIXTURES = {
  plain: monitoringFixture(),
  offsite: monitoringFixture({ dr: 'offsite' }),
};
const HOSTS: Record<keyof typeof FIXTURES, UnpackedHost> = {
  plain: unpackHost(FIXTURES.plain.json),
  offsite: unpackHost(FIXTURES.offsite.json),
};
const NAMES = Object.keys(HOSTS) as (keyof typeof HOSTS)[];
const output = (r: RunResult) => (r.stdout + r.stderr).trim();
const UNIT_DIR = '/etc/systemd/system';

function write(path: string, content: string, mode = 0o644): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** Prefixes every absolute path under /etc, /run, /mnt, /var, /usr in a parsed document with `root`; returns the paths seen. */
function reroot(doc: unknown, root: string, seen: string[]): unknown {
  if (typeof doc === 'string' && /^\/(etc|run|mnt|var|usr)\//.test(doc)) {
    seen.push(doc);
    return `${root}${doc}`;
  }
  if (Array.isArray(doc)) return doc.map((d) => reroot(d, root, seen));
  if (doc && typeof doc === 'object') return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, reroot(v, root, seen)]));
  return doc;
}

/** Scripts (files on the host with a shebang). */
const scripts = (h: UnpackedHost) => h.files.filter((f) => f.content.startsWith('#!'));
/** Unit files and drop-ins we write. */
const unitFiles = (h: UnpackedHost) => h.files.filter((f) => new RegExp(`^${UNIT_DIR}/[^/]+$`).test(f.path));
const dropIns = (h: UnpackedHost) => h.files.filter((f) => new RegExp(`^${UNIT_DIR}/[^/]+\\.d/[^/]+\\.conf$`).test(f.path));
/** Unit name of a drop-in path. */
const dropInUnit = (path: string) => path.split('/')[4].replace(/\.d$/, '');

describe('the extracted host (sanity of what the validators get)', () => {
  test.each(NAMES)('%s: user_data is the plain #cloud-config bootstrap; the files come with the delivered manifest', (name) => {
    const h = HOSTS[name];
    expect(h.rawUserData).toBe(h.userData);
    expect(h.userData.startsWith('#cloud-config\n')).toBe(true);
    const bootstrap = (h.cloudConfig.write_files as Json[]).map((f) => f.path);
    expect(bootstrap).toEqual(['/etc/ssh/sshd_config.d/10-aiai-hardening.conf', '/etc/sysctl.d/90-aiai-hardening.conf', '/etc/aiai/architecture']);
    // The manifest manages them too, with the bytes the bootstrap wrote (the first converge changes nothing there).
    for (const path of bootstrap) {
      expect(h.manifest.files.find((f) => f.path === path)?.content).toBe((h.cloudConfig.write_files as Json[]).find((f) => f.path === path)!.content);
    }
    expect(h.files.every((f) => f.from === 'manifest')).toBe(true);
    expect(h.files.length).toBeGreaterThan(20);
  });

  test('the files the validators need are all there', () => {
    const paths = HOSTS.offsite.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/etc/prometheus/prometheus.yml',
        '/etc/prometheus/alertmanager.yml',
        '/etc/loki/config.yml',
        '/etc/alloy/config.alloy',
        '/usr/local/lib/aiai/prepare-data-volume.sh',
        '/usr/local/lib/aiai/aiai-snapshot-rotate',
        '/usr/local/lib/aiai/aiai-offsite-backup',
      ]),
    );
    expect(scripts(HOSTS.offsite).map((f) => f.path).sort()).toEqual([
      '/usr/local/lib/aiai/aiai-alertmanager-config',
      '/usr/local/lib/aiai/aiai-firewall',
      '/usr/local/lib/aiai/aiai-offsite-backup',
      '/usr/local/lib/aiai/aiai-snapshot-rotate',
      '/usr/local/lib/aiai/prepare-data-volume.sh',
    ]);
  });
});

/** The Python that runs cloud-init (from its shebang), so cloudinit is importable. */
function cloudInitPython(): string {
  const bin = run('sh', ['-c', 'command -v cloud-init']).stdout.trim();
  const m = /^#!\s*(\S+)/.exec(readFileSync(bin, 'utf8').split('\n')[0]);
  return m ? m[1] : 'python3';
}
const CLOUD_INIT_DECODE = [
  'import sys',
  'from cloudinit import util',
  'from cloudinit.sources.helpers import hetzner',
  'raw = hetzner.maybe_b64decode(open(sys.argv[1], "rb").read())',
  'sys.stdout.write(util.decode_binary(util.decomp_gzip(raw, quiet=True, decode=False)))',
].join('\n');

describeWithTool('cloud-init', 'cloud-init', 'cloud-init on the monitoring bootstrap (user_data)', () => {
  const results: Record<string, { schema: RunResult; decoded: RunResult }> = {};
  beforeAll(async () => {
    const python = cloudInitPython();
    const jobs = NAMES.flatMap((n) => {
      const raw = write(join(tempDir('raw-'), 'user-data.raw'), HOSTS[n].rawUserData);
      return [
        { cmd: 'cloud-init', args: ['schema', '--config-file', HOSTS[n].userDataPath] },
        { cmd: python, args: ['-c', CLOUD_INIT_DECODE, raw] },
      ];
    });
    const out = await runAll(jobs);
    NAMES.forEach((n, i) => (results[n] = { schema: out[2 * i], decoded: out[2 * i + 1] }));
  }, 120_000);

  test.each(NAMES)('%s: valid cloud-config, nothing deprecated', (n) => {
    const r = results[n].schema;
    expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({ status: 0, output: `Valid cloud-config: ${HOSTS[n].userDataPath}\n` });
  });

  test.each(NAMES)('%s: cloud-init\'s own Hetzner decoding of the raw user_data gives the document we validated', (n) => {
    expect(results[n].decoded.stderr).toBe('');
    expect(results[n].decoded.stdout).toBe(HOSTS[n].userData);
  });
});

describeWithTool('promtool', 'prometheus', 'promtool on the extracted Prometheus config and rules', () => {
  type PromResults = { config: RunResult; rules: RunResult[]; dashboards: RunResult; brokenRule: RunResult; referenced: string[] };
  const results: Partial<Record<keyof typeof HOSTS, PromResults>> = {};
  const ruleFiles = (h: UnpackedHost) => h.files.filter((f) => f.path.startsWith('/etc/prometheus/rules/'));

  beforeAll(async () => {
    const jobs: { cmd: string; args: string[] }[] = [];
    const layout: Record<string, { config: number; rules: number[]; dashboards: number; broken: number; referenced: string[] }> = {};
    for (const n of NAMES) {
      const h = HOSTS[n];
      const root = h.root;
      const referenced: string[] = [];
      const doc = reroot(parse(h.file('/etc/prometheus/prometheus.yml').content), root, referenced);
      const config = write(join(root, 'etc/prometheus/prometheus.rooted.yml'), stringify(doc));
      const credential = join(root, 'run/credentials/prometheus.service/hcloud-sd-token');
      write(credential, 'not-a-real-token\n', 0o600);
      // The same config with one broken rule file next to ours: the check must notice.
      const brokenRoot = tempDir('prom-badrule-');
      cpSync(join(root, 'etc/prometheus/rules'), join(brokenRoot, 'etc/prometheus/rules'), { recursive: true });
      write(join(brokenRoot, 'etc/prometheus/rules/zz-broken.yml'), 'groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: rate(up[5m]\n');
      write(join(brokenRoot, 'run/credentials/prometheus.service/hcloud-sd-token'), 't\n', 0o600);
      const broken = write(join(brokenRoot, 'prometheus.yml'), stringify(reroot(parse(h.file('/etc/prometheus/prometheus.yml').content), brokenRoot, [])));
      // Every PromQL expression of the dashboards as a recording rule.
      const exprs = h.files
        .filter((f) => f.path.startsWith('/etc/grafana/dashboards/'))
        .flatMap((f) => (JSON.parse(f.content).panels as Json[]).flatMap((p) => (p.targets ?? []).filter((t: Json) => t.datasource?.type === 'prometheus').map((t: Json) => t.expr as string)));
      const dashRules = write(join(tempDir('dash-'), 'dashboard-exprs.yml'), stringify({ groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `aiai_dashboard:expr_${i}`, expr })) }] }));
      const start = jobs.length;
      jobs.push({ cmd: 'promtool', args: ['check', 'config', config] });
      for (const f of ruleFiles(h)) jobs.push({ cmd: 'promtool', args: ['check', 'rules', f.localPath] });
      jobs.push({ cmd: 'promtool', args: ['check', 'rules', dashRules] });
      jobs.push({ cmd: 'promtool', args: ['check', 'config', broken] });
      const nRules = ruleFiles(h).length;
      layout[n] = { config: start, rules: ruleFiles(h).map((_, i) => start + 1 + i), dashboards: start + 1 + nRules, broken: start + 2 + nRules, referenced };
      expect(exprs.length).toBeGreaterThanOrEqual(8);
    }
    const out = await runAll(jobs);
    for (const n of NAMES) {
      const l = layout[n];
      results[n] = { config: out[l.config], rules: l.rules.map((i) => out[i]), dashboards: out[l.dashboards], brokenRule: out[l.broken], referenced: l.referenced };
    }
  }, 120_000);

  test.each(NAMES)('%s: the config references only its rule files and the SD credential', (n) => {
    expect([...new Set(results[n]!.referenced)].sort()).toEqual(['/etc/prometheus/rules/*.yml', '/run/credentials/prometheus.service/hcloud-sd-token']);
  });

  test.each(NAMES)('%s: promtool check config succeeds and loads every rule file', (n) => {
    const r = results[n]!.config;
    expect(output(r)).toMatch(/SUCCESS: .*prometheus\.rooted\.yml is valid prometheus config file syntax/);
    expect(output(r).match(/SUCCESS: \d+ rules found/g)).toHaveLength(ruleFiles(HOSTS[n]).length);
    expect(output(r)).not.toMatch(/FAILED|error/i);
    expect(r.status).toBe(0);
  });

  test.each(NAMES)('%s: promtool check rules succeeds on each rule file', (n) => {
    expect(ruleFiles(HOSTS[n]).length).toBeGreaterThanOrEqual(3);
    for (const r of results[n]!.rules) {
      expect(output(r)).toMatch(/SUCCESS: [1-9]\d* rules found/);
      expect(r.status).toBe(0);
    }
  });

  test.each(NAMES)('%s: every dashboard PromQL expression parses', (n) => {
    const r = results[n]!.dashboards;
    expect(output(r)).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  test.each(NAMES)('%s: the check reads the rule files through the re-rooted glob (a broken one fails)', (n) => {
    const r = results[n]!.brokenRule;
    expect(r.status).not.toBe(0);
    expect(output(r)).toMatch(/zz-broken\.yml/);
  });
});

describeWithTool('amtool', 'prometheus-alertmanager', 'amtool on the Alertmanager config the unit produces', () => {
  test.each(NAMES)('%s: the extracted script turns the extracted template into a config amtool check-config accepts', (n) => {
    const h = HOSTS[n];
    const referenced: string[] = [];
    const template = parse(h.file('/etc/prometheus/alertmanager.yml').content);
    expect(JSON.stringify(template)).not.toMatch(/"(url|api_url)":/);
    const doc = reroot(template, h.root, referenced) as Json;
    expect(referenced).toEqual(['/run/credentials/prometheus-alertmanager.service/alertmanager-webhook-url']);
    const url = "https://hooks.example.invalid/aiai?token=a'b\"c&d#e";
    write(join(h.root, referenced[0]), `${url}\n`, 0o600);
    const rootedTemplate = write(join(h.root, 'etc/prometheus/alertmanager.rooted.yml'), stringify(doc));
    // What ExecStartPre= runs, with the script as written by cloud-init.
    const dropIn = h.file(`${UNIT_DIR}/prometheus-alertmanager.service.d/50-aiai.conf`).content;
    expect(dropIn).toContain('ExecStartPre=/usr/local/lib/aiai/aiai-alertmanager-config /etc/prometheus/alertmanager.yml /run/prometheus-alertmanager/alertmanager.yml\n');
    const effective = join(h.root, 'run/prometheus-alertmanager/alertmanager.yml');
    mkdirSync(dirname(effective), { recursive: true });
    const script = h.file('/usr/local/lib/aiai/aiai-alertmanager-config');
    expect(script.permissions).toBe('0755');
    const gen = run('sh', [script.localPath, rootedTemplate, effective]);
    expect({ status: gen.status, output: output(gen) }).toEqual({ status: 0, output: '' });
    const receivers = (parse(readFileSync(effective, 'utf8')) as Json).receivers as Json[];
    expect(receivers.find((r) => r.name === 'notify')!.webhook_configs).toEqual([{ url, send_resolved: true }]);
    const r = run('amtool', ['check-config', effective]);
    expect(output(r)).toMatch(/SUCCESS/);
    expect(output(r)).toMatch(/- 2 receivers/);
    expect(output(r)).toMatch(/- 2 inhibit rules/);
    expect(r.status).toBe(0);
  });
});

const SYSTEM_UNIT_DIRS = ['/usr/lib/systemd/system', '/lib/systemd/system'];
const STAND_INS = join(__dirname, '..', 'render', 'monitoring', 'fixtures', 'units');
/** Programs the packages we install put on the host (stubbed in the fake root when absent here). */
const PACKAGED_PROGRAMS = ['/usr/bin/prometheus', '/usr/bin/prometheus-alertmanager', '/usr/bin/loki', '/usr/sbin/grafana-server', '/usr/bin/hcloud', '/usr/bin/rclone', '/usr/bin/jq'];
const EXEC = /^(?:ExecStart|ExecStartPre|ExecStartPost|ExecReload|ExecStop|ExecStopPost|ExecCondition)=[-@:+!]*(\/\S+)/;

describeWithTool('systemd-analyze', 'systemd', 'systemd-analyze verify on every unit and drop-in written', () => {
  const results: Record<string, RunResult> = {};
  const verified: Record<string, string[]> = {};

  beforeAll(async () => {
    const system = SYSTEM_UNIT_DIRS.find((d) => existsSync(join(d, 'multi-user.target')));
    if (!system) throw new Error('no systemd unit directory with multi-user.target here');
    const jobs = NAMES.map((n) => {
      const h = HOSTS[n];
      const target = join(h.root, 'usr/lib/systemd/system');
      cpSync(system, target, { recursive: true, verbatimSymlinks: true });
      // The unit each drop-in extends: packaged here, else the stand-in.
      for (const d of dropIns(h)) {
        const unit = dropInUnit(d.path);
        if (unit.endsWith('.device')) continue;
        if (!existsSync(join(target, unit))) cpSync(join(STAND_INS, unit), join(target, unit));
      }
      // Modes from write_files and the manifest, so scripts are executable exactly where the host makes them so.
      for (const f of h.files) chmodSync(f.localPath, parseInt(f.permissions ?? '0644', 8));
      // Programs the units run: stubbed only if the host gets them (a system tool here, or a package we install).
      const texts = [...unitFiles(h), ...dropIns(h)].map((f) => f.content);
      const units = [...unitFiles(h).map((f) => f.path.split('/').pop()!), ...dropIns(h).map((d) => dropInUnit(d.path))];
      for (const u of units.filter((x) => existsSync(join(target, x)))) texts.push(readFileSync(join(target, u), 'utf8'));
      for (const program of texts.flatMap((t) => t.split('\n').map((l) => EXEC.exec(l)?.[1]).filter((p): p is string => !!p))) {
        if (existsSync(join(h.root, program))) continue;
        if (existsSync(program) || PACKAGED_PROGRAMS.includes(program)) write(join(h.root, program), '#!/bin/sh\nexit 0\n', 0o755);
      }
      verified[n] = [...new Set(units)];
      return {
        cmd: 'systemd-analyze',
        args: ['verify', '--man=no', `--root=${h.root}`, ...verified[n]],
        env: { ...process.env, SYSTEMD_LOG_COLOR: '0', LC_ALL: 'C' },
      };
    });
    const out = await runAll(jobs);
    NAMES.forEach((n, i) => (results[n] = out[i]));
  }, 120_000);

  test('everything we write is covered: units, service drop-ins and the volume device drop-in', () => {
    expect(verified.offsite).toEqual(
      expect.arrayContaining([
        'aiai-data-volume.service',
        'mnt-monitoring.mount',
        'aiai-snapshot-rotate.service',
        'aiai-snapshot-rotate.timer',
        'aiai-offsite-backup.service',
        'aiai-offsite-backup.timer',
        'prometheus.service',
        'prometheus-alertmanager.service',
        'loki.service',
        'grafana-server.service',
        labelDeviceUnitName('aiai-monitoring'),
      ]),
    );
    for (const n of NAMES) expect(verified[n].length).toBe(unitFiles(HOSTS[n]).length + dropIns(HOSTS[n]).length);
  });

  test.each(NAMES)('%s: every unit and drop-in verifies cleanly (exit 0, no output)', (n) => {
    expect({ status: results[n].status, output: output(results[n]) }).toEqual({ status: 0, output: '' });
  });

  test('the check reads our drop-ins (a bad key in one is reported)', () => {
    const h = HOSTS.plain;
    const root = tempDir('verify-bad-');
    cpSync(h.root, root, { recursive: true, verbatimSymlinks: true });
    const dropIn = join(root, UNIT_DIR, 'loki.service.d/50-aiai.conf');
    writeFileSync(dropIn, `${readFileSync(dropIn, 'utf8')}\n[Service]\nRestartt=always\n`);
    const r = run('systemd-analyze', ['verify', '--man=no', `--root=${root}`, 'loki.service'], { env: { ...process.env, LC_ALL: 'C' } });
    expect(output(r)).toMatch(/50-aiai\.conf:\d+: Unknown key( name)? 'Restartt'/);
  });
});

describeWithTool('shellcheck', 'shellcheck', 'shellcheck on every script on the host', () => {
  const all = [...new Map(NAMES.flatMap((n) => scripts(HOSTS[n])).map((f) => [f.path, f])).values()];
  let results: RunResult[] = [];
  beforeAll(async () => {
    results = await runAll(all.map((f) => ({ cmd: 'shellcheck', args: ['--severity=style', f.localPath] })));
  }, 60_000);

  test('there are scripts to check', () => {
    expect(all.length).toBe(5);
  });

  test.each(all.map((f, i) => [f.path, i] as const))('%s is clean', (_path, i) => {
    expect({ status: results[i].status, output: output(results[i]) }).toEqual({ status: 0, output: '' });
  });
});

describe('the Loki config as written', () => {
  const loki = parse(HOSTS.plain.file('/etc/loki/config.yml').content) as Json;

  test('30 days of retention, enforced by the compactor', () => {
    expect(loki.limits_config.retention_period).toBe('720h');
    expect(loki.compactor.retention_enabled).toBe(true);
    expect(loki.compactor.delete_request_store).toBe('filesystem');
  });

  test('filesystem storage, everything on the monitoring volume', () => {
    expect(loki.common.storage).toEqual({ filesystem: { chunks_directory: '/mnt/monitoring/loki/chunks', rules_directory: '/mnt/monitoring/loki/rules' } });
    expect(loki.schema_config.configs.map((c: Json) => c.object_store)).toEqual(['filesystem']);
    const paths: string[] = [];
    reroot(loki, '', paths);
    expect(paths.length).toBeGreaterThanOrEqual(6);
    for (const p of paths) expect(p.startsWith('/mnt/monitoring/loki/') || p === '/mnt/monitoring/loki').toBe(true);
  });

  test('listens for pushes on the private IP, gRPC on loopback, single-tenant', () => {
    expect(loki.server).toMatchObject({ http_listen_address: '10.0.1.20', http_listen_port: Ports.loki.port, grpc_listen_address: '127.0.0.1' });
    expect(loki.auth_enabled).toBe(false);
  });

  test('the loki unit creates its data directory on the volume and requires the mount', () => {
    const dropIn = HOSTS.plain.file(`${UNIT_DIR}/loki.service.d/50-aiai.conf`).content;
    expect(dropIn).toContain('ExecStartPre=+/usr/bin/install -d -o loki -m 0750 /mnt/monitoring/loki\n');
    expect(dropIn).toContain('RequiresMountsFor=/mnt/monitoring\n');
  });
});

describe('the Alloy config as written (every host ships to the monitoring node)', () => {
  const text = HOSTS.plain.file('/etc/alloy/config.alloy').content;
  const stmts = parseAlloy(text);
  const block = (name: string, label: string): Block => {
    const found = blocks(stmts, name).filter((b) => b.label === label);
    if (found.length !== 1) throw new Error(`expected one ${name} "${label}"`);
    return found[0];
  };

  test('loki.write pushes to http://10.0.1.20:3100/loki/api/v1/push with the host labels', () => {
    const write = block('loki.write', 'monitoring');
    const endpoint = blocks(write.body, 'endpoint');
    expect(endpoint).toHaveLength(1);
    expect(attrOf(endpoint[0], 'url')).toBe('http://10.0.1.20:3100/loki/api/v1/push');
    expect(attrOf(write, 'external_labels')).toEqual({ host: 'aiai-production-monitoring', role: 'monitoring', environment: 'production', project: 'aiai' });
  });

  test('ships the journal and /var/log/aiai/*.log, both into that writer', () => {
    expect(attrOf(block('loki.source.journal', 'journal'), 'forward_to')).toEqual([{ ref: 'loki.write.monitoring.receiver' }]);
    expect(attrOf(block('loki.source.file', 'aiai'), 'forward_to')).toEqual([{ ref: 'loki.write.monitoring.receiver' }]);
    expect(attrOf(block('local.file_match', 'aiai'), 'path_targets')).toEqual([{ __path__: '/var/log/aiai/*.log', job: 'aiai' }]);
  });

  test('alloy.service reads this file and serves its own UI on loopback only', () => {
    const env = HOSTS.plain.file('/etc/default/alloy').content;
    expect(env).toContain('CONFIG_FILE="/etc/alloy/config.alloy"\n');
    expect(env).toMatch(new RegExp(`--server\\.http\\.listen-addr=127\\.0\\.0\\.1:${Ports.alloy.port}\\b`));
  });
});
