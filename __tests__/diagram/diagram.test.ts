/**
 * `npm run diagram`: the pure JSON -> DOT step on the reference stacks, then Graphviz for real
 * (the SVG names every server), and the committed README diagram is up to date.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { architectureOf, cidrContains, dotString, stackToDot } from '../../lib/diagram';
import { DOCS_DIAGRAM_FILE, DOCS_DIAGRAM_STACK, dotDigest, renderSvg } from '../../scripts/diagram';
import { referenceApp } from '../support/synth';
import { describeWithTool } from '../support/tools';

const ROOT = join(__dirname, '..', '..');

/** The text lines of an SVG (`<text>` contents, character references decoded). */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1].replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'),
  );
}
const stacks = () => referenceApp().stacks;
const production = () => stacks()[DOCS_DIAGRAM_STACK];

describe('architecture model (pure)', () => {
  test('the production stack: servers with role and private IP inside their subnet, the load balancer and its targets', () => {
    const m = architectureOf(DOCS_DIAGRAM_STACK, production());
    const servers = Object.values(production().resource!.hcloud_server).map((s) => s.name);
    expect(m.servers).toEqual(servers);
    expect(servers.length).toBeGreaterThanOrEqual(3);
    const subnet = m.clusters.find((c) => c.label === 'subnet 10.0.1.0/24')!;
    expect(subnet.parent).toMatch(/^cluster_hcloud_network\./);
    for (const id of Object.keys(production().resource!.hcloud_server)) expect(subnet.nodes).toContain(`hcloud_server.${id}`);
    const primary = m.nodes.find((n) => n.label.startsWith('aiai-production-orchestrator-primary'))!;
    expect(primary.label).toBe('aiai-production-orchestrator-primary\norchestrator (primary) · cx33\n10.0.1.10');
    const lb = m.nodes.find((n) => n.id.startsWith('hcloud_load_balancer.'))!;
    expect(lb.label).toContain('http :80 → :8000');
    expect(m.edges.filter((e) => e.from === lb.id && e.to.startsWith('hcloud_server.')).map((e) => e.label)).toEqual(['private IP', 'private IP']);
  });

  test('firewalls, volumes, buckets, the repository with secrets and workflows, the runner pool', () => {
    const m = architectureOf(DOCS_DIAGRAM_STACK, production());
    const labels = m.nodes.map((n) => n.label);
    expect(labels.filter((l) => l.startsWith('firewall '))).toHaveLength(Object.keys(production().resource!.hcloud_firewall).length);
    expect(labels).toContain('volume aiai-production-monitoring-data\n50 GB');
    expect(labels.filter((l) => l.startsWith('bucket '))).toHaveLength(4);
    expect(labels).toEqual(expect.arrayContaining(['secret AIAI_RUNNER_HCLOUD_TOKEN', 'secret AIAI_RUNNER_GITHUB_TOKEN', 'workflow .github/workflows/aiai-runner-ci.yml']));
    expect(m.clusters.map((c) => c.label)).toContain('GitHub repository your-org/aiai');
    const pool = m.nodes.find((n) => n.id.startsWith('runner_pool.'))!;
    expect(pool.label).toMatch(/^ephemeral runners \(pool ci\)\nup to \d+ × \w+\n10\.0\.2\.0\/24$/);
    expect(m.clusters.find((c) => c.label === 'subnet 10.0.2.0/24')!.nodes).toContain(pool.id);
    for (const e of m.edges.filter((x) => x.label === 'creates')) expect(e.to).toBe(pool.id);
  });

  test('monitoring edges come from the configuration: scrape by label, log shipping from each Alloy configuration', () => {
    const m = architectureOf(DOCS_DIAGRAM_STACK, production());
    const name = (id: string) => (id.startsWith('runner_pool.') ? 'runners' : production().resource!.hcloud_server[id.split('.')[1]].name);
    const edges = (label: string) => m.edges.filter((e) => e.label === label).map((e) => `${name(e.from)} -> ${name(e.to)}`).sort();
    expect(edges('scrape :9100')).toEqual([
      'aiai-production-monitoring -> aiai-production-orchestrator-primary',
      'aiai-production-monitoring -> aiai-production-orchestrator-standby',
      'aiai-production-monitoring -> runners',
    ]);
    expect(edges('logs :3100')).toEqual([
      'aiai-production-orchestrator-primary -> aiai-production-monitoring',
      'aiai-production-orchestrator-standby -> aiai-production-monitoring',
      'runners -> aiai-production-monitoring',
    ]);
  });

  test('a server without the scrape label gets no scrape edge; a stack without servers still draws', () => {
    const json = structuredClone(production()) as any;
    const standby = Object.values<any>(json.resource.hcloud_server).find((s) => s.name.endsWith('standby'));
    delete standby.labels.monitoring;
    const m = architectureOf('x', json);
    expect(m.edges.filter((e) => e.label === 'scrape :9100' && e.to.includes('Standby'))).toEqual([]);
    expect(stackToDot('aiai-state', stacks()['aiai-state'])).toMatch(/^digraph "aiai-state" \{/);
  });

  test('DOT strings escape quotes and backslashes; CIDR membership', () => {
    expect(dotString('a "b" \\ c\nd')).toBe('"a \\"b\\" \\\\ c\\nd"');
    expect(cidrContains('10.0.1.0/24', '10.0.1.20')).toBe(true);
    expect(cidrContains('10.0.1.0/24', '10.0.2.1')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.0.2.1')).toBe(true);
    expect(cidrContains('bad', '10.0.0.1')).toBe(false);
  });

  test('deterministic: the same JSON gives the same DOT', () => {
    expect(stackToDot(DOCS_DIAGRAM_STACK, production())).toBe(stackToDot(DOCS_DIAGRAM_STACK, structuredClone(production())));
  });
});

describeWithTool('dot', 'graphviz', 'diagrams through Graphviz dot', () => {
  test('the SVG of every reference stack names each of its servers', () => {
    let servers = 0;
    for (const [name, json] of Object.entries(stacks())) {
      const svg = renderSvg(stackToDot(name, json));
      expect(svg).toMatch(/<svg[\s>]/);
      for (const s of Object.values(json.resource?.hcloud_server ?? {})) {
        expect({ stack: name, server: s.name, named: svgTexts(svg).includes(s.name) }).toEqual({ stack: name, server: s.name, named: true });
        servers++;
      }
    }
    expect(servers).toBeGreaterThanOrEqual(3);
  });
});

test(`the committed ${DOCS_DIAGRAM_FILE} is up to date (regenerate: npm run diagram -- --docs)`, () => {
  const committed = readFileSync(join(ROOT, DOCS_DIAGRAM_FILE), 'utf8');
  expect(committed).toContain(dotDigest(stackToDot(DOCS_DIAGRAM_STACK, production())));
  for (const s of Object.values(production().resource!.hcloud_server)) expect(svgTexts(committed)).toContain(s.name);
});
