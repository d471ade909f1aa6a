/**
 * The architecture of a synthesized stack (`cdk.tf.json`) as a Graphviz DOT graph: network and
 * subnets, servers by role with their private IPs, the load balancer and its targets, firewalls,
 * volumes, buckets, the GitHub repository with its secrets and workflows, the ephemeral runner
 * pool, and the monitoring edges. Pure: JSON in, text out (`npm run diagram` runs `dot`).
 *
 * Monitoring edges are derived from the configuration, not drawn by hand:
 * - scrape: Prometheus on the monitoring node discovers servers through Hetzner service discovery
 *   and keeps those labelled `monitoring=true` (LabelKeys.scrape; lib/render/monitoring/
 *   prometheus-config.ts), so every such server gets an edge from the monitoring server;
 * - logs: a host's Alloy configuration (delivered by a terraform_data whose SSH connection targets
 *   the server) pushes to `http://<ip>:<loki port>/loki/api/v1/push`; the edge goes to the server
 *   with that private IP. Runner pools ship to the pool's `<prefix>_LOKI_HOST` variable.
 */
import { LabelKeys, Roles } from '../core/labels';
import { Ports } from '../core/ports';
import { SETTING_VARIABLE_SUFFIXES } from '../runtime/pool-names';

type Json = Record<string, any>;

/** `${type.name.attr}` references in a value, as `type.name`. */
function refs(value: unknown): string[] {
  const s = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return [...s.matchAll(/\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.[a-z_0-9]+\}/g)].map((m) => `${m[1]}.${m[2]}`);
}

function ipv4ToInt(ip: string): number | undefined {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

/** Whether `ip` is inside the IPv4 `cidr`. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split('/');
  const b = ipv4ToInt(base);
  const i = ipv4ToInt(ip);
  const n = Number(bits);
  if (b === undefined || i === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return ((b & mask) >>> 0) === ((i & mask) >>> 0);
}

/** Quoted DOT string (ids and labels): `\n` in `s` stays a line break, quotes and backslashes are escaped. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

interface Node {
  readonly id: string;
  readonly label: string;
  readonly shape: string;
  readonly style?: string;
  readonly fill?: string;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly style?: string;
  readonly color?: string;
}

/** The diagram's content, before layout (tests read this; {@link toDot} writes it). */
export interface ArchitectureModel {
  readonly stack: string;
  /** Clusters: id, label, parent (undefined: top level), node ids inside. */
  readonly clusters: readonly { readonly id: string; readonly label: string; readonly parent?: string; readonly nodes: string[] }[];
  readonly nodes: readonly Node[];
  readonly edges: readonly Edge[];
  /** Server names (the `name` attribute), for checks. */
  readonly servers: readonly string[];
}

const ROLE_FILL: Record<string, string> = { [Roles.orchestrator]: '#dbeafe', [Roles.monitoring]: '#dcfce7', [Roles.ciRunner]: '#fef3c7' };

function entries(json: Json, type: string): [string, Json][] {
  return Object.entries<Json>(json.resource?.[type] ?? {});
}

/** Reads the architecture of one synthesized stack. */
export function architectureOf(stack: string, json: Json): ArchitectureModel {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  type Cluster = { id: string; label: string; parent?: string; nodes: string[] };
  const clusters: Cluster[] = [];
  const cluster = (id: string, label: string, parent?: string): Cluster => {
    let c = clusters.find((x) => x.id === id);
    if (!c) clusters.push((c = { id, label, parent, nodes: [] }));
    return c;
  };
  const add = (n: Node, c?: Cluster) => {
    nodes.push(n);
    c?.nodes.push(n.id);
  };

  // Network and subnets.
  const subnets: { id: string; range: string; network: string }[] = [];
  for (const [name, net] of entries(json, 'hcloud_network')) {
    cluster(`cluster_hcloud_network.${name}`, `network ${net.name ?? name}\n${net.ip_range ?? ''}`);
  }
  for (const [name, sub] of entries(json, 'hcloud_network_subnet')) {
    const net = refs(sub.network_id)[0];
    const id = `cluster_hcloud_network_subnet.${name}`;
    cluster(id, `subnet ${sub.ip_range}`, net ? `cluster_${net}` : undefined);
    subnets.push({ id, range: String(sub.ip_range), network: net ?? '' });
  }
  const subnetOf = (ip: string | undefined) => (ip ? subnets.find((s) => cidrContains(s.range, ip)) : undefined);
  const clusterById = (id: string | undefined) => clusters.find((c) => c.id === id);

  // Servers.
  const servers: string[] = [];
  const serverIp = new Map<string, string>();
  for (const [name, srv] of entries(json, 'hcloud_server')) {
    const id = `hcloud_server.${name}`;
    const labels: Json = srv.labels ?? {};
    const role = String(labels[LabelKeys.role] ?? 'server');
    const instance = labels[LabelKeys.instanceRole] ? ` (${labels[LabelKeys.instanceRole]})` : '';
    const ip: string | undefined = (srv.network ?? []).map((n: Json) => n.ip).find((x: unknown) => typeof x === 'string');
    if (ip) serverIp.set(id, ip);
    servers.push(String(srv.name ?? name));
    add({ id, label: `${srv.name ?? name}\n${role}${instance} · ${srv.server_type ?? ''}${ip ? `\n${ip}` : ''}`, shape: 'box', style: 'rounded,filled', fill: ROLE_FILL[role] ?? '#f3f4f6' }, clusterById(subnetOf(ip)?.id));
    for (const fw of refs(srv.firewall_ids)) edges.push({ from: fw, to: id, style: 'dashed', color: '#b91c1c' });
  }
  for (const [name, fw] of entries(json, 'hcloud_firewall')) {
    const rules = (fw.rule ?? []) as Json[];
    const inbound = rules.filter((r) => r.direction === 'in').map((r) => `${r.protocol ?? ''} ${r.port ?? ''}`.trim());
    add({ id: `hcloud_firewall.${name}`, label: `firewall ${fw.name ?? name}${inbound.length ? `\nin: ${inbound.join(', ')}` : '\nno inbound rule'}`, shape: 'octagon', style: 'filled', fill: '#fee2e2' });
  }

  // Load balancers.
  for (const [name, lb] of entries(json, 'hcloud_load_balancer')) {
    const id = `hcloud_load_balancer.${name}`;
    const net = entries(json, 'hcloud_load_balancer_network').find(([, n]) => refs(n.load_balancer_id).includes(id))?.[1];
    const services = entries(json, 'hcloud_load_balancer_service')
      .filter(([, s]) => refs(s.load_balancer_id).includes(id))
      .map(([, s]) => `${s.protocol} :${s.listen_port} → :${s.destination_port}`);
    add({ id, label: `load balancer ${lb.name ?? name}\n${lb.load_balancer_type ?? ''}${net?.ip ? ` · ${net.ip}` : ''}${services.length ? `\n${services.join('\n')}` : ''}`, shape: 'component', style: 'filled', fill: '#e0e7ff' }, clusterById(subnetOf(net?.ip)?.id));
    for (const [, t] of entries(json, 'hcloud_load_balancer_target').filter(([, t]) => refs(t.load_balancer_id).includes(id))) {
      for (const target of refs(t.server_id)) edges.push({ from: id, to: target, label: t.use_private_ip ? 'private IP' : 'target' });
      if (t.label_selector) {
        const tid = `${id}/selector`;
        add({ id: tid, label: `targets: ${t.label_selector}`, shape: 'note' });
        edges.push({ from: id, to: tid });
      }
    }
  }

  // Volumes.
  for (const [name, vol] of entries(json, 'hcloud_volume')) {
    const id = `hcloud_volume.${name}`;
    add({ id, label: `volume ${vol.name ?? name}\n${vol.size ?? '?'} GB`, shape: 'cylinder', style: 'filled', fill: '#ede9fe' });
  }
  for (const [, att] of entries(json, 'hcloud_volume_attachment')) {
    const [vol] = refs(att.volume_id);
    const [srv] = refs(att.server_id);
    if (vol && srv) edges.push({ from: srv, to: vol, label: 'attached', style: 'bold' });
  }
  for (const [name, srv] of entries(json, 'hcloud_server')) {
    for (const vol of refs(srv.volume_ids ?? [])) edges.push({ from: `hcloud_server.${name}`, to: vol, label: 'attached', style: 'bold' });
  }

  // Buckets.
  const buckets = entries(json, 'aws_s3_bucket');
  if (buckets.length) {
    const c = cluster('cluster_object_storage', 'Object Storage');
    for (const [name, b] of buckets) add({ id: `aws_s3_bucket.${name}`, label: `bucket ${b.bucket ?? b.bucket_prefix ?? name}`, shape: 'folder', style: 'filled', fill: '#fef9c3' }, c);
  }

  // GitHub repository: secrets, variables, workflows.
  const owner: string | undefined = [json.provider?.github ?? []].flat()[0]?.owner;
  const repoTypes = ['github_actions_secret', 'github_actions_variable', 'github_repository_file'];
  const repos = new Set(repoTypes.flatMap((t) => entries(json, t).map(([, r]) => String(r.repository))));
  const pools: { prefix: string; repo: string; vars: Record<string, string> }[] = [];
  for (const repo of [...repos].sort()) {
    const c = cluster(`cluster_github_${repo}`, `GitHub repository ${owner ? `${owner}/` : ''}${repo}`);
    const inRepo = (t: string) => entries(json, t).filter(([, r]) => String(r.repository) === repo);
    for (const [name, s] of inRepo('github_actions_secret')) add({ id: `github_actions_secret.${name}`, label: `secret ${s.secret_name}`, shape: 'note', style: 'filled', fill: '#fce7f3' }, c);
    for (const [name, f] of inRepo('github_repository_file')) add({ id: `github_repository_file.${name}`, label: `${String(f.file).startsWith('.github/workflows/') ? 'workflow' : 'file'} ${f.file}`, shape: 'note', style: 'filled', fill: '#f5f5f4' }, c);
    const vars = inRepo('github_actions_variable');
    if (vars.length) add({ id: `github_variables.${repo}`, label: `${vars.length} Actions variables`, shape: 'note' }, c);
    const byName = Object.fromEntries(vars.map(([, v]) => [String(v.variable_name), String(v.value)]));
    for (const n of Object.keys(byName).filter((k) => k.endsWith(`_${SETTING_VARIABLE_SUFFIXES.pool}`))) {
      pools.push({ prefix: n.slice(0, -SETTING_VARIABLE_SUFFIXES.pool.length - 1), repo, vars: byName });
    }
  }

  // Ephemeral runner pools (their servers exist only while a job runs).
  const byIp = (ip: string) => [...serverIp].find(([, v]) => v === ip)?.[0];
  for (const p of pools) {
    const v = (k: keyof typeof SETTING_VARIABLE_SUFFIXES) => p.vars[`${p.prefix}_${SETTING_VARIABLE_SUFFIXES[k]}`];
    const id = `runner_pool.${p.prefix}`;
    add(
      { id, label: `ephemeral runners (pool ${v('pool')})\nup to ${v('maxRunners') ?? '?'} × ${v('serverType') ?? '?'}\n${v('subnetIpRange') ?? ''}`, shape: 'box3d', style: 'filled', fill: ROLE_FILL[Roles.ciRunner] },
      clusterById(subnets.find((s) => s.range === v('subnetIpRange'))?.id),
    );
    for (const [name] of entries(json, 'github_repository_file').filter(([, wf]) => String(wf.repository) === p.repo && String(wf.file).startsWith('.github/workflows/'))) {
      edges.push({ from: `github_repository_file.${name}`, to: id, label: 'creates', style: 'dotted' });
    }
    const fw = refs(v('firewallIds'));
    for (const f of fw) edges.push({ from: f, to: id, style: 'dashed', color: '#b91c1c' });
    const loki = v('lokiHost') && byIp(v('lokiHost'));
    if (loki) edges.push({ from: id, to: loki, label: `logs :${Ports.loki.port}`, color: '#15803d', style: 'dashed' });
    if ((v('serverLabels') ?? '').split(',').includes(`${LabelKeys.scrape}=true`)) {
      for (const [sid] of monitoringServers(json)) edges.push({ from: sid, to: id, label: `scrape :${Ports.nodeExporter.port}`, color: '#15803d' });
    }
  }

  // Monitoring: scrape by label, log shipping from each host's Alloy configuration.
  const monitors = monitoringServers(json);
  for (const [name, srv] of entries(json, 'hcloud_server')) {
    const id = `hcloud_server.${name}`;
    if (String(srv.labels?.[LabelKeys.scrape]) !== 'true') continue;
    for (const [mid] of monitors) if (mid !== id) edges.push({ from: mid, to: id, label: `scrape :${Ports.nodeExporter.port}`, color: '#15803d' });
  }
  const push = new RegExp(`http://(\\d+\\.\\d+\\.\\d+\\.\\d+):${Ports.loki.port}/loki/api/v1/push`);
  const shipped = new Set<string>();
  for (const [, td] of entries(json, 'terraform_data')) {
    const text = JSON.stringify(td);
    const m = push.exec(text);
    if (!m) continue;
    const host = [...new Set(refs(text).filter((r) => r.startsWith('hcloud_server.')))];
    const to = byIp(m[1]);
    for (const from of host) {
      if (!to || from === to || shipped.has(`${from}>${to}`)) continue;
      shipped.add(`${from}>${to}`);
      edges.push({ from, to, label: `logs :${Ports.loki.port}`, color: '#15803d', style: 'dashed' });
    }
  }

  const known = new Set(nodes.map((n) => n.id));
  return { stack, clusters, nodes, edges: edges.filter((e) => known.has(e.from) && known.has(e.to)), servers };
}

function monitoringServers(json: Json): [string, Json][] {
  return entries(json, 'hcloud_server')
    .filter(([, s]) => s.labels?.[LabelKeys.role] === Roles.monitoring)
    .map(([n, s]) => [`hcloud_server.${n}`, s]);
}

/** The model as DOT (deterministic: same JSON, same text). */
export function toDot(model: ArchitectureModel): string {
  const out: string[] = [
    `digraph ${dotString(model.stack)} {`,
    `  graph [label=${dotString(`${model.stack} (generated from the synthesized stack by npm run diagram)`)}, labelloc=t, fontname="Helvetica", fontsize=16, rankdir=LR, compound=true, nodesep=0.4, ranksep=0.9];`,
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const inCluster = new Set(model.clusters.flatMap((c) => c.nodes));
  const node = (n: Node, indent: string) =>
    `${indent}${dotString(n.id)} [label=${dotString(n.label)}, shape=${n.shape}${n.style ? `, style=${dotString(n.style)}` : ''}${n.fill ? `, fillcolor=${dotString(n.fill)}` : ''}];`;
  const writeCluster = (c: ArchitectureModel['clusters'][number], indent: string) => {
    out.push(`${indent}subgraph ${dotString(c.id)} {`, `${indent}  label=${dotString(c.label)}; style="rounded"; color="#6b7280";`);
    for (const id of c.nodes) out.push(node(model.nodes.find((n) => n.id === id)!, `${indent}  `));
    for (const child of model.clusters.filter((x) => x.parent === c.id)) writeCluster(child, `${indent}  `);
    out.push(`${indent}}`);
  };
  for (const c of model.clusters.filter((x) => !x.parent || !model.clusters.some((p) => p.id === x.parent))) writeCluster(c, '  ');
  for (const n of model.nodes.filter((x) => !inCluster.has(x.id))) out.push(node(n, '  '));
  for (const e of model.edges) {
    const attrs = [e.label ? `label=${dotString(e.label)}` : '', e.style ? `style=${dotString(e.style)}` : '', e.color ? `color=${dotString(e.color)}, fontcolor=${dotString(e.color)}` : ''].filter(Boolean);
    out.push(`  ${dotString(e.from)} -> ${dotString(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  out.push('}', '');
  return out.join('\n');
}

/** `toDot(architectureOf(stack, json))`. */
export function stackToDot(stack: string, json: Json): string {
  return toDot(architectureOf(stack, json));
}
