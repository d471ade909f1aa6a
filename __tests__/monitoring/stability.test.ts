/**
 * THE stability test: in the hcloud provider any change of `user_data` replaces the server, and a
 * change of the host configuration (the manifest its Converge resource delivers) re-runs the
 * converge and restarts the services whose files changed. So neither the monitoring server's
 * resource nor its delivered configuration may change when orchestrators or other hosts come and
 * go: Prometheus finds them through Hetzner service discovery on their labels. Stacks with 0..N+1
 * hosts are synthesized and the monitoring server and its configuration compared byte for byte.
 */
import { TerraformStack } from 'cdktf';
import { inlineTemplateLocals } from '../../lib/core/terraform-template';
import { roleLabels } from '../../lib/core/platform';
import { HardenedServer } from '../../lib/host/hardened-server';
import { HostConfig } from '../../lib/host/host-config';
import { ILogSink } from '../../lib/host/log-shipping';
import { AdminAccess } from '../../lib/host/admin-access';
import { MonitoringNode } from '../../lib/monitoring/monitoring-node';
import { PrivateNetwork } from '../../lib/network/private-network';
import { AiaiOrchestrator } from '../../lib/orchestrator/aiai-orchestrator';
import { access, network, secretToken, synth, testStack } from '../support/stack';
import { deliveredManifest } from '../support/synth';
import { decodeUserDataIndependently, defaultProps, deliveredManifestAt, monitoringFixture, monitoringServer, terraformLiteral } from './support';
import { Json, resourcesOf } from '../support/stack';

type Layout = { readonly orchestrator?: 'primary' | 'primary+standby'; readonly extraHosts: number };

function addHosts(stack: TerraformStack, sink: ILogSink, net: PrivateNetwork, access: AdminAccess, layout: Layout): void {
  if (layout.orchestrator) {
    new AiaiOrchestrator(stack, 'Orchestrator', {
      environment: 'production',
      network: net,
      access,
      repositoryUrl: 'https://github.com/example/aiai.git',
      standby: layout.orchestrator === 'primary+standby',
      logShipping: sink,
      secretEnvironment: { OPENROUTER_API_KEY: secretToken(stack, 'openrouter_api_key') },
    });
  }
  for (let i = 0; i < layout.extraHosts; i++) {
    new HardenedServer(stack, `Worker${i}`, {
      name: `aiai-production-worker-${i}`,
      serverType: i % 2 === 0 ? 'cx23' : 'cax11',
      network: net,
      privateIp: net.addressAt(30 + i),
      access,
      labels: roleLabels({ environment: 'production' }, 'worker'),
      hostConfig: new HostConfig(),
      logShipping: sink,
    });
  }
}

function synthLayout(layout: Layout): Json {
  return monitoringFixture({ more: (stack, { node, net, access }) => addHosts(stack, node, net, access, layout) }).json;
}

const LAYOUTS: Record<string, Layout> = {
  'monitoring only': { extraHosts: 0 },
  'orchestrator without standby': { orchestrator: 'primary', extraHosts: 0 },
  'orchestrator with standby (N+1)': { orchestrator: 'primary+standby', extraHosts: 0 },
  'orchestrator with standby + 1 worker': { orchestrator: 'primary+standby', extraHosts: 1 },
  'orchestrator with standby + 3 workers': { orchestrator: 'primary+standby', extraHosts: 3 },
};
const synthesized = Object.fromEntries(Object.entries(LAYOUTS).map(([name, layout]) => [name, synthLayout(layout)]));
const base = synthesized['monitoring only'];
const serverCount = (json: Json) => resourcesOf(json, 'hcloud_server').length;
/**
 * The monitoring server's configuration resource (the uploads and the triggers), with each upload
 * as Terraform evaluates it: whether a text is a shared local (lib/core/shared-text.ts) depends on
 * whether another host of the stack carries it too; the bytes delivered do not.
 */
const configuration = (json: Json) => {
  const r = structuredClone(deliveredManifestAt(json).resource) as Json;
  for (const p of r.provisioner as Json[]) if (p.file) p.file.content = inlineTemplateLocals(p.file.content as string, json.locals);
  return JSON.stringify(r);
};

describe('the monitoring server does not change when hosts are added or removed', () => {
  test('the layouts really differ in the number of servers', () => {
    expect(Object.values(synthesized).map(serverCount)).toEqual([1, 2, 3, 4, 6]);
  });

  test.each(Object.keys(LAYOUTS).slice(1))('%s: user_data byte-identical to the monitoring-only stack', (name) => {
    const userData = monitoringServer(synthesized[name]).user_data as string;
    expect(userData).toBe(monitoringServer(base).user_data);
    expect(Buffer.from(userData).equals(Buffer.from(monitoringServer(base).user_data))).toBe(true);
  });

  test.each(Object.keys(LAYOUTS).slice(1))('%s: the whole hcloud_server resource is identical (no replacement, no update)', (name) => {
    expect(JSON.stringify(monitoringServer(synthesized[name]))).toBe(JSON.stringify(monitoringServer(base)));
  });

  test.each(Object.keys(LAYOUTS).slice(1))('%s: the delivered configuration is identical (no converge re-run, no restart)', (name) => {
    expect(configuration(synthesized[name])).toBe(configuration(base));
  });

  test('N -> N+1 orchestrators: the orchestrator tier changed, the monitoring server did not', () => {
    const n = synthesized['orchestrator without standby'];
    const n1 = synthesized['orchestrator with standby (N+1)'];
    expect(serverCount(n1)).toBe(serverCount(n) + 1);
    expect(monitoringServer(n1).user_data).toBe(monitoringServer(n).user_data);
    expect(configuration(n1)).toBe(configuration(n));
  });

  test('the volume, its attachment and the firewall do not change either', () => {
    for (const json of Object.values(synthesized)) {
      for (const type of ['hcloud_volume', 'hcloud_volume_attachment', 'hcloud_firewall']) {
        const mine = (j: Json) => JSON.stringify(resourcesOf(j, type).filter(([id]) => id.startsWith('Monitoring_')));
        expect(mine(json)).toBe(mine(base));
      }
    }
  });

  test('hosts created before the monitoring node (shipping to its address) leave it unchanged too', () => {
    const stack = testStack();
    const net = network(stack, { name: 'aiai-production-net' });
    const acc = access(stack);
    addHosts(stack, { lokiHost: '10.0.1.20' }, net, acc, { orchestrator: 'primary+standby', extraHosts: 2 });
    new MonitoringNode(stack, 'Monitoring', defaultProps(stack, net, acc));
    const json = synth(stack);
    expect(serverCount(json)).toBe(5);
    expect(monitoringServer(json).user_data).toBe(monitoringServer(base).user_data);
    expect(configuration(json)).toBe(configuration(base));
  });

  test('every added host carries the labels service discovery keeps, and ships its logs to the node', () => {
    const json = synthesized['orchestrator with standby + 3 workers'];
    const others = resourcesOf(json, 'hcloud_server').filter(([id]) => !id.startsWith('Monitoring_'));
    expect(others).toHaveLength(5);
    for (const [id, server] of others) {
      expect(server.labels).toMatchObject({ project: 'aiai', environment: 'production' });
      const { manifest } = deliveredManifest(json, id);
      expect(manifest.files.find((f) => f.path === '/etc/alloy/config.alloy')?.content).toContain('url = "http://10.0.1.20:3100/loki/api/v1/push"');
      expect(manifest.services).toContain('alloy.service');
    }
  });
});

describe('the comparison is sensitive (it would catch a host-dependent user_data)', () => {
  test('a change on the monitoring node itself changes its delivered configuration (and leaves user_data alone)', () => {
    const other = monitoringFixture({ props: { scrapeInterval: '30s' } }).json;
    expect(configuration(other)).not.toBe(configuration(base));
    expect(deliveredManifestAt(other).manifest.files.find((f) => f.path === '/etc/prometheus/prometheus.yml')?.content).toMatch(/scrape_interval: 30s/);
    // The bootstrap does not depend on the node's settings: a setting never replaces the server.
    expect(monitoringServer(other).user_data).toBe(monitoringServer(base).user_data);
  });

  test('user_data differs between hosts by the hostname and CPU architecture only (the bootstrap is the same for every role), so equal strings are not trivial', () => {
    const json = synthesized['orchestrator with standby + 3 workers'];
    const servers = resourcesOf(json, 'hcloud_server').map(([, s]) => s);
    const userData = servers.map((s) => s.user_data as string);
    expect(new Set(userData).size).toBe(userData.length);
    const generic = servers.map((s) => {
      const text = decodeUserDataIndependently(terraformLiteral(s.user_data));
      expect(text).toContain(`\nhostname: ${s.name}\n`);
      return text.split(s.name).join('<hostname>').replace(/\b(amd64|arm64)\b/, '<architecture>');
    });
    expect(new Set(generic).size).toBe(1);
    // What differs by role is the delivered configuration.
    const manifests = resourcesOf(json, 'hcloud_server').map(([id]) => JSON.stringify(deliveredManifest(json, id).manifest));
    expect(new Set(manifests).size).toBe(manifests.length);
  });

  test('the node object is the log sink the hosts point at', () => {
    const json = monitoringFixture({
      more: (_stack, { node }) => {
        expect(node).toBeInstanceOf(MonitoringNode);
        expect(node.lokiHost).toBe('10.0.1.20');
      },
    }).json;
    expect(serverCount(json)).toBe(1);
  });
});
