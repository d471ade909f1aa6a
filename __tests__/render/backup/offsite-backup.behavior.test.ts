import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOffsiteBackup } from '../../../lib/render/backup';
import { describeWithTool, run } from '../../support/tools';
import { tempDir } from '../../support/tmp';
import { json, runAsync, startFakeS3, startServer } from './fake-servers';

/**
 * The off-site backup script run for real — real git, tar, curl, jq and rclone — against a fake
 * S3 endpoint and a fake Prometheus admin API, both on 127.0.0.1, with a throw-away file tree
 * standing in for the host.
 */

const ACCESS_KEY = 'TESTACCESSKEY0001';
const BUCKET = 'acme-aiai-prod-backups';
const HOST = 'aiai-production-monitoring';

function git(cwd: string, ...args: string[]): string {
  const result = run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-C', cwd, ...args]);
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

function hostTree() {
  const root = tempDir('offsite-');
  const repo = join(root, 'opt/aiai');
  mkdirSync(repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), 'agent repo\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  const head = git(repo, 'rev-parse', 'HEAD');
  const emptyRepo = join(root, 'opt/empty');
  mkdirSync(emptyRepo, { recursive: true });
  git(emptyRepo, 'init', '-q');
  mkdirSync(join(root, 'etc/aiai/secrets'), { recursive: true });
  writeFileSync(join(root, 'etc/aiai/env'), 'AIAI_ENV=production\n');
  writeFileSync(join(root, 'etc/aiai/secrets/aiai.env'), 'OPENROUTER_API_KEY=do-not-back-up\n');
  mkdirSync(join(root, 'etc/prometheus'), { recursive: true });
  writeFileSync(join(root, 'etc/prometheus/prometheus.yml'), 'global: {}\n');
  const promData = join(root, 'var/lib/prometheus');
  mkdirSync(promData, { recursive: true });
  const credentials = join(root, 'credentials');
  mkdirSync(credentials);
  writeFileSync(join(credentials, 's3-access-key'), `${ACCESS_KEY}\n`);
  writeFileSync(join(credentials, 's3-secret-key'), 'test-secret-key-0001\n');
  const tmp = join(root, 'tmp');
  mkdirSync(tmp);
  return { root, repo, head, emptyRepo, promData, credentials, tmp };
}

/** A Prometheus admin API that creates a snapshot directory like the real one does. */
function fakePrometheus(promData: string, fail = false) {
  return startServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/v1/admin/tsdb/snapshot') return json(res, 404, { status: 'error' });
    if (fail) return json(res, 500, { status: 'error', error: 'disk full' });
    const name = '20260201T040000Z-1a2b3c4d5e6f7a8b';
    const block = join(promData, 'snapshots', name, '01HXYZBLOCK');
    mkdirSync(join(block, 'chunks'), { recursive: true });
    writeFileSync(join(block, 'meta.json'), '{"ulid":"01HXYZBLOCK"}');
    writeFileSync(join(block, 'chunks/000001'), 'chunk-data');
    return json(res, 200, { status: 'success', data: { name } });
  });
}

describeWithTool('rclone', 'rclone', 'off-site backup script with real git, tar and rclone', () => {
  async function runBackup(fail: boolean) {
    const tree = hostTree();
    const s3 = await startFakeS3();
    const prometheus = await fakePrometheus(tree.promData, fail);
    const parts = renderOffsiteBackup({
      hostName: HOST,
      bucket: BUCKET,
      endpoint: 'https://fsn1.your-objectstorage.com',
      region: 'fsn1',
      gitRepositories: [tree.repo, tree.emptyRepo],
      configPaths: [join(tree.root, 'etc/aiai'), join(tree.root, 'etc/prometheus'), join(tree.root, 'etc/missing')],
      prometheus: { dataDir: tree.promData },
    });
    const service = parts.units[0].sections.Service as Record<string, string[]>;
    const unitEnv = Object.fromEntries(service.Environment.map((e) => e.slice(1, -1)).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const script = join(tree.root, 'aiai-offsite-backup');
    writeFileSync(script, parts.files[0].content, { mode: 0o755 });
    try {
      const result = await runAsync(script, [], {
        PATH: process.env.PATH,
        ...unitEnv,
        // The fakes instead of Hetzner and the local Prometheus; the secrets dir of this tree.
        S3_ENDPOINT: s3.url,
        PROMETHEUS_URL: prometheus.url,
        EXCLUDE_PATHS: join(tree.root, 'etc/aiai/secrets'),
        CREDENTIALS_DIRECTORY: tree.credentials,
        TMPDIR: tree.tmp,
      }, 120_000);
      return { result, tree, s3 };
    } finally {
      await s3.close();
      await prometheus.close();
    }
  }

  function objectKeys(objects: Map<string, Buffer>): string[] {
    return [...objects.keys()].sort();
  }

  function extract(objects: Map<string, Buffer>, pattern: RegExp, dir: string): string {
    const key = [...objects.keys()].find((k) => pattern.test(k));
    if (!key) throw new Error(`no object matching ${pattern}`);
    const path = join(dir, key.split('/').pop()!);
    writeFileSync(path, objects.get(key)!);
    return path;
  }

  test('uploads a verified git bundle, the configuration without secrets and a TSDB snapshot', async () => {
    const { result, tree, s3 } = await runBackup(false);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/has no refs yet; skipped/);
    expect(result.stdout).toMatch(/off-site backup done: git config prometheus/);

    const day = '\\d{4}/\\d{2}/\\d{2}/\\d{8}T\\d{6}Z';
    expect(objectKeys(s3.objects)).toEqual([
      expect.stringMatching(new RegExp(`^${BUCKET}/${HOST}/config/${day}-config\\.tar\\.gz$`)),
      expect.stringMatching(new RegExp(`^${BUCKET}/${HOST}/git/${day}-aiai\\.bundle$`)),
      expect.stringMatching(new RegExp(`^${BUCKET}/${HOST}/prometheus/${day}-tsdb-20260201T040000Z-1a2b3c4d5e6f7a8b\\.tar\\.gz$`)),
    ]);

    const out = tempDir('restore-');
    const bundle = extract(s3.objects, /\.bundle$/, out);
    const clone = join(out, 'clone');
    expect(run('git', ['clone', '-q', bundle, clone]).status).toBe(0);
    expect(git(clone, 'rev-parse', 'HEAD')).toBe(tree.head);

    const config = run('tar', ['-tzf', extract(s3.objects, /config\.tar\.gz$/, out)]).stdout;
    expect(config).toMatch(/etc\/aiai\/env$/m);
    expect(config).toMatch(/etc\/prometheus\/prometheus\.yml$/m);
    expect(config).not.toMatch(/secrets/);

    const tsdb = run('tar', ['-tzf', extract(s3.objects, /tsdb-.*\.tar\.gz$/, out)]).stdout;
    expect(tsdb).toMatch(/^20260201T040000Z-1a2b3c4d5e6f7a8b\/01HXYZBLOCK\/meta\.json$/m);
    // The local snapshot is gone (it pins TSDB blocks on disk).
    expect(readdirSync(join(tree.promData, 'snapshots'))).toEqual([]);
    // Nothing left in the temp dir.
    expect(readdirSync(tree.tmp)).toEqual([]);
  }, 120_000);

  test('talks path-style S3 with the delivered key and never creates the bucket', async () => {
    const { result, s3 } = await runBackup(false);
    expect(result.status).toBe(0);
    expect(s3.requests.length).toBeGreaterThan(0);
    for (const req of s3.requests) {
      expect(req.url.startsWith(`/${BUCKET}/`) || req.url.startsWith(`/${BUCKET}?`)).toBe(true);
      expect(req.headers.authorization).toContain(`Credential=${ACCESS_KEY}/`);
      expect(req.headers.authorization).toContain('/fsn1/s3/aws4_request');
    }
    expect(s3.requests.some((r) => r.method === 'PUT' && (r.url === `/${BUCKET}` || r.url === `/${BUCKET}/`))).toBe(false);
  }, 120_000);

  test('a failing part does not stop the others, but fails the run', async () => {
    const { result, s3, tree } = await runBackup(true);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/backup parts failed: prometheus/);
    expect(objectKeys(s3.objects).map((k) => k.split('/')[2])).toEqual(['config', 'git']);
    expect(existsSync(join(tree.promData, 'snapshots'))).toBe(false);
  }, 120_000);

  test('fails with a clear message when the S3 keys were not delivered', async () => {
    const tree = hostTree();
    const parts = renderOffsiteBackup({ hostName: HOST, bucket: BUCKET, endpoint: 'https://fsn1.your-objectstorage.com', region: 'fsn1', configPaths: [join(tree.root, 'etc/aiai')] });
    const script = join(tree.root, 'aiai-offsite-backup');
    writeFileSync(script, parts.files[0].content, { mode: 0o755 });
    const empty = join(tree.root, 'no-credentials');
    mkdirSync(empty);
    const result = await runAsync(script, [], {
      PATH: process.env.PATH,
      BACKUP_BUCKET: BUCKET,
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_REGION: 'fsn1',
      BACKUP_HOST: HOST,
      CONFIG_PATHS: join(tree.root, 'etc/aiai'),
      CREDENTIALS_DIRECTORY: empty,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/s3-access-key is missing or empty \(secret not delivered yet\?\)/);
  });
});
