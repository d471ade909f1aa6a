import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerResponse } from 'node:http';
import { renderSnapshotRotation } from '../../../lib/render/backup';
import { describeWithTool } from '../../support/tools';
import { tempDir } from '../../support/tmp';
import { json, LoggedRequest, runAsync, startServer } from './fake-servers';

/**
 * The rotation script run for real, with the real `hcloud` CLI, against a fake Hetzner Cloud API
 * on 127.0.0.1 (HCLOUD_ENDPOINT). The fake implements the few endpoints the CLI calls and Hetzner's
 * label selectors (`k=v`, `k in (a,b)`), so the test checks what the script actually asks for.
 */

type Labels = Record<string, string>;
interface FakeServer {
  id: number;
  name: string;
  labels: Labels;
}
interface FakeImage {
  id: number;
  description: string;
  created: string;
  labels: Labels;
}

const TOKEN = 'test-token-not-a-secret';

function matches(selector: string, labels: Labels): boolean {
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const term = raw.trim();
    const inMatch = /^([\w.-]+) in \(([^)]*)\)$/.exec(term);
    if (inMatch) return inMatch[2].split(',').includes(labels[inMatch[1]]);
    const [k, v] = term.split('=');
    return labels[k] === v;
  });
}

function serverSchema(s: FakeServer) {
  return {
    id: s.id,
    name: s.name,
    status: 'running',
    created: '2026-01-01T00:00:00+00:00',
    labels: s.labels,
    public_net: { ipv4: { ip: '203.0.113.1', blocked: false, dns_ptr: '' }, ipv6: null, floating_ips: [], firewalls: [] },
    private_net: [],
    server_type: { id: 1, name: 'cx23', cores: 2, memory: 4, disk: 40, prices: [], storage_type: 'local', cpu_type: 'shared', architecture: 'x86' },
    datacenter: { id: 1, name: 'fsn1-dc14', description: '', location: { id: 1, name: 'fsn1', description: '', country: 'DE', city: 'Falkenstein', latitude: 0, longitude: 0, network_zone: 'eu-central' }, server_types: { supported: [], available: [], available_for_migration: [] } },
    image: null,
    iso: null,
    rescue_enabled: false,
    locked: false,
    backup_window: null,
    outgoing_traffic: 0,
    ingoing_traffic: 0,
    included_traffic: 0,
    protection: { delete: false, rebuild: false },
    volumes: [],
    load_balancers: [],
    primary_disk_size: 40,
    placement_group: null,
  };
}

function imageSchema(i: FakeImage) {
  return {
    id: i.id,
    type: 'snapshot',
    status: 'available',
    name: null,
    description: i.description,
    image_size: 1.5,
    disk_size: 40,
    created: i.created,
    created_from: null,
    bound_to: null,
    os_flavor: 'ubuntu',
    os_version: null,
    rapid_deploy: false,
    protection: { delete: false },
    deprecated: null,
    deleted: null,
    labels: i.labels,
    architecture: 'x86',
  };
}

const meta = (n: number) => ({ pagination: { page: 1, per_page: 50, previous_page: null, next_page: null, last_page: 1, total_entries: n } });
const action = (id: number, command: string, status = 'success') => ({
  id,
  command,
  status,
  progress: status === 'success' ? 100 : 0,
  started: '2026-01-01T00:00:00+00:00',
  finished: '2026-01-01T00:00:01+00:00',
  resources: [],
  error: status === 'error' ? { code: 'action_failed', message: 'failed' } : null,
});

function fakeApi(servers: FakeServer[], images: FakeImage[], failFor: number[] = []) {
  let nextImage = 1000;
  let nextAction = 1;
  const deleted: number[] = [];
  const created: { server: number; body: Record<string, unknown> }[] = [];
  const handler = (req: LoggedRequest, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { error: { code: 'unauthorized', message: 'bad token' } });
    const u = new URL(req.url, 'http://127.0.0.1');
    const path = u.pathname.replace(/^\/v1/, '');
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && path === '/servers') {
      const selected = servers.filter((s) => matches(u.searchParams.get('label_selector') ?? '', s.labels));
      return json(res, 200, { servers: selected.map(serverSchema), meta: meta(selected.length) });
    }
    if (req.method === 'GET' && (m = /^\/servers\/(\d+)$/.exec(path))) {
      const s = servers.find((x) => x.id === Number(m![1]));
      return s ? json(res, 200, { server: serverSchema(s) }) : json(res, 404, { error: { code: 'not_found', message: 'no' } });
    }
    if (req.method === 'POST' && (m = /^\/servers\/(\d+)\/actions\/create_image$/.exec(path))) {
      const serverId = Number(m[1]);
      const body = JSON.parse(req.body.toString());
      created.push({ server: serverId, body });
      if (failFor.includes(serverId)) return json(res, 422, { error: { code: 'locked', message: 'server is locked' } });
      const image: FakeImage = { id: nextImage++, description: body.description, created: `2026-02-01T00:00:${String(nextImage % 60).padStart(2, '0')}+00:00`, labels: body.labels ?? {} };
      images.push(image);
      return json(res, 201, { image: imageSchema(image), action: action(nextAction++, 'create_image', 'running') });
    }
    if (req.method === 'GET' && (m = /^\/actions\/(\d+)$/.exec(path))) return json(res, 200, { action: action(Number(m[1]), 'create_image') });
    if (req.method === 'GET' && path === '/actions') {
      const ids = u.searchParams.getAll('id').map(Number);
      return json(res, 200, { actions: ids.map((id) => action(id, 'create_image')), meta: meta(ids.length) });
    }
    if (req.method === 'GET' && path === '/images') {
      const type = u.searchParams.get('type');
      const selected = images.filter((i) => (!type || type === 'snapshot') && matches(u.searchParams.get('label_selector') ?? '', i.labels));
      return json(res, 200, { images: selected.map(imageSchema), meta: meta(selected.length) });
    }
    if (req.method === 'GET' && (m = /^\/images\/(\d+)$/.exec(path))) {
      const i = images.find((x) => x.id === Number(m![1]));
      return i ? json(res, 200, { image: imageSchema(i) }) : json(res, 404, { error: { code: 'not_found', message: 'no' } });
    }
    if (req.method === 'DELETE' && (m = /^\/images\/(\d+)$/.exec(path))) {
      const index = images.findIndex((x) => x.id === Number(m![1]));
      if (index < 0) return json(res, 404, { error: { code: 'not_found', message: 'no' } });
      images.splice(index, 1);
      deleted.push(Number(m[1]));
      res.statusCode = 204;
      return res.end();
    }
    return json(res, 404, { error: { code: 'not_found', message: `${req.method} ${path}` } });
  };
  return { handler, deleted, created };
}

const PLATFORM = { project: 'aiai', environment: 'production' };
const SERVERS: FakeServer[] = [
  { id: 1, name: 'aiai-production-orchestrator-1', labels: { ...PLATFORM, role: 'orchestrator' } },
  { id: 2, name: 'aiai-production-monitoring', labels: { ...PLATFORM, role: 'monitoring' } },
  { id: 3, name: 'aiai-production-runner-x', labels: { ...PLATFORM, role: 'ci-runner' } },
  { id: 4, name: 'aiai-staging-orchestrator-1', labels: { project: 'aiai', environment: 'staging', role: 'orchestrator' } },
];

/** `count` rotation snapshots of a server, created on consecutive days of January. */
function oldSnapshots(server: string, count: number, firstId: number, labels: Labels = PLATFORM): FakeImage[] {
  return Array.from({ length: count }, (_, i) => ({
    id: firstId + i,
    description: `${server}-old-${i}`,
    created: `2026-01-${String(i + 1).padStart(2, '0')}T03:00:00+00:00`,
    labels: { ...labels, 'snapshot-of': server },
  }));
}

describeWithTool('hcloud', 'hcloud-cli', 'snapshot rotation script with the real hcloud CLI', () => {
  const parts = renderSnapshotRotation({ ...PLATFORM, keep: 3 });
  const service = parts.units[0].sections.Service as Record<string, string[]>;
  // The unit's Environment= lines, as systemd would pass them.
  const unitEnv = Object.fromEntries(service.Environment.map((e) => e.slice(1, -1)).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

  async function runRotation(apiUrl: string, token: string | null = TOKEN) {
    const dir = tempDir('rotate-');
    const script = join(dir, 'aiai-snapshot-rotate');
    writeFileSync(script, parts.files[0].content, { mode: 0o755 });
    const credentials = join(dir, 'credentials');
    mkdirSync(credentials);
    if (token !== null) writeFileSync(join(credentials, 'hcloud-token'), `${token}\n`);
    return runAsync(script, [], {
      PATH: process.env.PATH,
      TMPDIR: dir,
      HCLOUD_ENDPOINT: `${apiUrl}/v1`,
      CREDENTIALS_DIRECTORY: credentials,
      ...unitEnv,
    });
  }

  test('snapshots the selected servers with labels and keeps the newest 3 per server', async () => {
    const images = [
      ...oldSnapshots('aiai-production-orchestrator-1', 5, 100),
      ...oldSnapshots('aiai-production-monitoring', 2, 200),
      // Not ours to delete: a manual snapshot and another environment's rotation snapshots.
      { id: 300, description: 'manual before upgrade', created: '2025-12-01T00:00:00+00:00', labels: { ...PLATFORM } },
      ...oldSnapshots('aiai-production-orchestrator-1', 4, 400, { project: 'aiai', environment: 'staging' }),
    ];
    const api = fakeApi(SERVERS, images);
    const server = await startServer(api.handler);
    try {
      const result = await runRotation(server.url);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      // Only the production orchestrator and monitoring servers (never the runner, never staging).
      expect(api.created.map((c) => c.server)).toEqual([1, 2]);
      for (const { server: id, body } of api.created) {
        const name = SERVERS.find((s) => s.id === id)!.name;
        expect(body).toMatchObject({ type: 'snapshot', labels: { 'snapshot-of': name, project: 'aiai', environment: 'production' } });
        expect(body.description).toMatch(new RegExp(`^${name}-\\d{8}T\\d{6}Z$`));
      }
      // orchestrator: 5 old + 1 new, keep 3 -> the 3 oldest go; monitoring: 2 old + 1 new -> none.
      expect(api.deleted.sort()).toEqual([100, 101, 102]);
      expect(images.map((i) => i.id)).toEqual(expect.arrayContaining([103, 104, 200, 201, 300, 400, 401, 402, 403]));
      const listQueries = server.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/v1/servers?'));
      expect(decodeURIComponent(listQueries[0].url.replace(/\+/g, ' '))).toContain('label_selector=project=aiai,environment=production,role in (orchestrator,monitoring)');
    } finally {
      await server.close();
    }
  }, 60_000);

  test('a failed snapshot keeps that server\'s old snapshots, rotates the others, and fails the run', async () => {
    const images = [...oldSnapshots('aiai-production-orchestrator-1', 5, 100), ...oldSnapshots('aiai-production-monitoring', 5, 200)];
    const api = fakeApi(SERVERS, images, [1]);
    const server = await startServer(api.handler);
    try {
      const result = await runRotation(server.url);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/snapshot of aiai-production-orchestrator-1 failed; keeping its old snapshots/);
      expect(api.deleted.sort()).toEqual([200, 201, 202]);
    } finally {
      await server.close();
    }
  }, 60_000);

  test('fails with a clear message when the token was not delivered', async () => {
    const api = fakeApi(SERVERS, []);
    const server = await startServer(api.handler);
    try {
      const result = await runRotation(server.url, null);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/hcloud-token is missing or empty \(secret not delivered yet\?\)/);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  test('does nothing when no server matches', async () => {
    const api = fakeApi([SERVERS[2]], []);
    const server = await startServer(api.handler);
    try {
      const result = await runRotation(server.url);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/no server matches selector/);
      expect(api.created).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
