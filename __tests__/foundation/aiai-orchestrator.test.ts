import { TerraformStack } from 'cdktf';
import { AiaiOrchestrator, AiaiOrchestratorProps } from '../../lib/orchestrator/aiai-orchestrator';
import { HostPaths } from '../../lib/core/paths';
import { decodeUserDataLikeCloudInit } from '../support/synth';
import { parseUnit } from './ini';
import { FIREWALL_SCRIPT_PATH } from '../../lib/host/hardening';
import { hostView, isHostConfiguration } from './helpers';
import { access, ADMIN_CIDR, expectProblem, network, onlyResource, resources, secretToken, synth, testStack, validationError } from '../support/stack';

function build(props: Partial<AiaiOrchestratorProps> = {}, stack: TerraformStack = testStack()) {
  const net = network(stack, { name: 'aiai-test-net' });
  const acc = access(stack);
  const orch = new AiaiOrchestrator(stack, 'Orchestrator', {
    environment: 'test',
    network: net,
    access: acc,
    repositoryUrl: 'https://github.com/example/aiai.git',
    secretEnvironment: { OPENROUTER_API_KEY: secretToken(stack, 'openrouter_api_key') },
    ...props,
  });
  return { stack, net, acc, orch };
}

/** The resource of `type` whose logical name (the construct path joined by _) ends with `suffix` + hash. */
function byPath(json: Record<string, any>, type: string, suffix: string): Record<string, any> {
  const wanted = suffix.replace(/^\//, '').replace(/\//g, '_');
  const hits = Object.entries(json.resource?.[type] ?? {}).filter(([name]) => new RegExp(`(^|_)${wanted}_[0-9A-F]{8}$`).test(name));
  if (hits.length !== 1) throw new Error(`expected one ${type} named *${wanted}, found ${hits.length}`);
  return hits[0][1] as Record<string, any>;
}

/** The host as delivered: its files (write_files-shaped), packages and setup commands. */
function userData(json: Record<string, any>, server: Record<string, any>) {
  return hostView(json, server);
}

function unitOf(json: Record<string, any>, server: Record<string, any>, name: string) {
  const f = userData(json, server).write_files.find((w: any) => w.path === `/etc/systemd/system/${name}`)!;
  return parseUnit(f.content);
}

describe('AiaiOrchestrator (defaults)', () => {
  const { stack, orch } = build();
  const json = synth(stack);
  const primary = byPath(json, 'hcloud_server', '/Orchestrator/Primary/Server');
  const standby = byPath(json, 'hcloud_server', '/Orchestrator/Standby/Server');

  test('resource counts', () => {
    const counts = Object.fromEntries(Object.entries(json.resource).map(([t, r]) => [t, Object.keys(r as object).length]));
    expect(counts).toEqual({
      hcloud_firewall: 1,
      hcloud_load_balancer: 1,
      hcloud_load_balancer_network: 1,
      hcloud_load_balancer_service: 1,
      hcloud_load_balancer_target: 2,
      hcloud_network: 1,
      // The host subnet and the runner subnet.
      hcloud_network_subnet: 2,
      hcloud_placement_group: 1,
      hcloud_server: 2,
      hcloud_ssh_key: 1,
      // Per host: its configuration, its secret delivery and its release.
      terraform_data: 6,
    });
    expect(orch.hosts).toEqual([orch.primary, orch.standby]);
  });

  test('primary cx33 and standby cx23 on ubuntu-24.04 in fsn1, named after project and environment', () => {
    expect(primary).toMatchObject({ name: 'aiai-test-orchestrator-primary', server_type: 'cx33', image: 'ubuntu-24.04', location: 'fsn1' });
    expect(standby).toMatchObject({ name: 'aiai-test-orchestrator-standby', server_type: 'cx23', image: 'ubuntu-24.04', location: 'fsn1' });
  });

  test('never sets datacenter (the API rejects it)', () => {
    expect(JSON.stringify(json)).not.toMatch(/datacenter/);
  });

  test('labels project, role and environment on every labelled resource', () => {
    const labelled = ['hcloud_server', 'hcloud_firewall', 'hcloud_placement_group', 'hcloud_load_balancer'];
    for (const type of labelled) {
      for (const r of resources(json, type)) expect(r.labels).toMatchObject({ project: 'aiai', role: 'orchestrator', environment: 'test' });
    }
    expect(primary.labels).toEqual({ project: 'aiai', role: 'orchestrator', environment: 'test', monitoring: 'true', 'instance-role': 'primary' });
    expect(standby.labels['instance-role']).toBe('standby');
  });

  test('private IPs .10 and .11 in the network', () => {
    expect(primary.network).toEqual([{ network_id: expect.stringMatching(/^\$\{hcloud_network\./), ip: '10.0.1.10', alias_ips: [] }]);
    expect(standby.network).toEqual([{ network_id: expect.stringMatching(/^\$\{hcloud_network\./), ip: '10.0.1.11', alias_ips: [] }]);
    expect(orch.primary.privateIp).toBe('10.0.1.10');
    expect(orch.standby!.privateIp).toBe('10.0.1.11');
  });

  test('cloud firewall: SSH from the admin CIDRs only, nothing else public; both servers join it', () => {
    const fw = onlyResource(json, 'hcloud_firewall');
    expect(fw.name).toBe('aiai-test-orchestrator');
    expect(fw.rule).toEqual([{ direction: 'in', protocol: 'tcp', port: '22', source_ips: [ADMIN_CIDR], description: 'ssh' }]);
    const ref = expect.stringMatching(/^\$\{hcloud_firewall\.Orchestrator_Firewall_[0-9A-F]+\.id\}$/);
    expect(primary.firewall_ids).toEqual([ref]);
    expect(standby.firewall_ids).toEqual([ref]);
  });

  test('a spread placement group holds both servers', () => {
    const pg = onlyResource(json, 'hcloud_placement_group');
    expect(pg).toMatchObject({ name: 'aiai-test-orchestrator-spread', type: 'spread' });
    const ref = expect.stringMatching(/^\$\{hcloud_placement_group\.Orchestrator_PlacementGroup_[0-9A-F]+\.id\}$/);
    expect(primary.placement_group_id).toEqual(ref);
    expect(standby.placement_group_id).toEqual(ref);
  });

  test('load balancer lb11 in fsn1, attached to the private network at .5', () => {
    const lb = onlyResource(json, 'hcloud_load_balancer');
    expect(lb).toMatchObject({ name: 'aiai-test-lb', load_balancer_type: 'lb11', location: 'fsn1', algorithm: { type: 'round_robin' } });
    const lbNet = onlyResource(json, 'hcloud_load_balancer_network');
    expect(lbNet).toMatchObject({ ip: '10.0.1.5', enable_public_interface: true });
    expect(lbNet.load_balancer_id).toMatch(/^\$\{hcloud_load_balancer\.Orchestrator_LoadBalancer_[0-9A-F]+\.id\}$/);
    expect(lbNet.network_id).toMatch(/^\$\{hcloud_network\./);
    expect(lbNet.depends_on).toEqual([expect.stringMatching(/^hcloud_network_subnet\.Net_Subnet_/), expect.stringMatching(/^hcloud_network_subnet\.Net_RunnerSubnet_/)]);
  });

  test('HTTP service 80 -> 8000 with the /health check (interval 10, timeout 5, retries 3)', () => {
    const svc = onlyResource(json, 'hcloud_load_balancer_service');
    expect(svc).toMatchObject({
      protocol: 'http',
      listen_port: 80,
      destination_port: 8000,
      health_check: { protocol: 'http', port: 8000, interval: 10, timeout: 5, retries: 3, http: { path: '/health', status_codes: ['2??'] } },
    });
    expect(svc.load_balancer_id).toMatch(/^\$\{hcloud_load_balancer\.Orchestrator_LoadBalancer_/);
  });

  test('targets are the two servers, by private IP, after the network attachment', () => {
    const targets = resources(json, 'hcloud_load_balancer_target');
    expect(targets.map((t) => t.server_id).sort()).toEqual(
      [expect.stringMatching(/Orchestrator_Primary_Server_[0-9A-F]+\.id\}$/), expect.stringMatching(/Orchestrator_Standby_Server_[0-9A-F]+\.id\}$/)].sort(),
    );
    expect(targets.map((t) => t.server_id)).toEqual(expect.arrayContaining([expect.stringMatching(/Primary_Server/), expect.stringMatching(/Standby_Server/)]));
    for (const t of targets) {
      expect(t).toMatchObject({ type: 'server', use_private_ip: true });
      expect(t.load_balancer_id).toMatch(/^\$\{hcloud_load_balancer\.Orchestrator_LoadBalancer_/);
      expect(t.depends_on).toEqual([expect.stringMatching(/^hcloud_load_balancer_network\.Orchestrator_LoadBalancerNetwork_/)]);
    }
  });

  test('the load balancer is protected (delete protection, prevent_destroy); the servers are disposable', () => {
    const lb = onlyResource(json, 'hcloud_load_balancer');
    expect(lb.delete_protection).toBe(true);
    expect(lb.lifecycle).toEqual({ prevent_destroy: true });
    // A user_data or SSH key change forces a new server: protection would block every such plan.
    for (const r of [primary, standby]) {
      expect(r.delete_protection).toBe(false);
      expect(r.rebuild_protection).toBe(false);
      expect(r.lifecycle).toEqual({ ignore_changes: ['ssh_keys'] });
    }
    expect(primary.backups).toBe(false);
  });

  test('outputs: load balancer IPv4 and the private IPs', () => {
    const outputs = Object.values(json.output) as Record<string, any>[];
    expect(outputs).toContainEqual(expect.objectContaining({ value: expect.stringMatching(/^\$\{hcloud_load_balancer\.Orchestrator_LoadBalancer_[0-9A-F]+\.ipv4\}$/) }));
    expect(outputs).toContainEqual(expect.objectContaining({ value: { primary: '10.0.1.10', standby: '10.0.1.11', loadBalancer: '10.0.1.5' } }));
  });

  test('unit resource limits follow each server type', () => {
    expect(unitOf(json, primary, 'aiai-orchestrator.service').one('Service', 'MemoryMax')).toBe('4505M');
    expect(unitOf(json, primary, 'aiai-orchestrator.service').one('Service', 'CPUQuota')).toBe('350%');
    expect(unitOf(json, standby, 'aiai-orchestrator.service').one('Service', 'MemoryMax')).toBe('2252M');
    expect(unitOf(json, standby, 'aiai-orchestrator.service').one('Service', 'CPUQuota')).toBe('150%');
    expect(unitOf(json, primary, 'aiai-orchestrator.service').one('Service', 'WatchdogSec')).toBe('60');
  });

  test('secrets go to each host after boot, never into user_data', () => {
    const deliveries = resources(json, 'terraform_data').filter((d) => !isHostConfiguration(d) && d.provisioner.some((p: any) => p.file));
    expect(deliveries).toHaveLength(2);
    for (const d of deliveries) {
      const upload = d.provisioner.find((p: any) => p.file).file;
      expect(upload.destination).toBe('/home/aiai/.secrets-inbox/aiai.env');
      // KEY="value" with \ and " escaped for systemd (checked against terraform in __tests__/orchestrator).
      expect(upload.content).toBe(
        '${join("", ["OPENROUTER_API_KEY=\\"", replace(replace(var.openrouter_api_key, "\\\\", "\\\\\\\\"), "\\"", "\\\\\\""), "\\"\\n"])}',
      );
      const script = d.provisioner[d.provisioner.length - 1]['remote-exec'].inline;
      expect(script).toContain(`sudo install -m 0600 -o root -g aiai /home/aiai/.secrets-inbox/aiai.env ${HostPaths.secretEnvFile}`);
      expect(script).toContain('sudo systemctl restart aiai-orchestrator.service');
      expect(script).toContain('sudo systemctl restart aiai-metrics.service');
    }
    for (const s of [primary, standby]) expect(s.user_data).not.toMatch(/OPENROUTER_API_KEY|openrouter_api_key/);
  });

  test('the metrics port is the same in the env file, ufw and the unit description', () => {
    const doc = userData(json, primary);
    const env = doc.write_files.find((w: any) => w.path === HostPaths.envFile)!.content;
    expect(env).toMatch(/^AIAI_METRICS_PORT="9091"$/m);
    expect(doc.write_files.find((w) => w.path === FIREWALL_SCRIPT_PATH)!.content).toContain('ufw allow proto tcp from 10.0.0.0/16 to any port 9091 comment aiai-metrics\n');
    expect(unitOf(json, primary, 'aiai-metrics.service').one('Unit', 'Description')).toMatch(/port 9091/);
  });
});

describe('AiaiOrchestrator (options)', () => {
  test('no standby: one server, one target, one delivery, one release', () => {
    const { stack, orch } = build({ standby: false });
    const json = synth(stack);
    expect(resources(json, 'hcloud_server')).toHaveLength(1);
    expect(resources(json, 'hcloud_load_balancer_target')).toHaveLength(1);
    expect(resources(json, 'terraform_data').filter((r) => !isHostConfiguration(r))).toHaveLength(2);
    expect(orch.standby).toBeUndefined();
    expect(orch.hosts).toEqual([orch.primary]);
    expect((Object.values(json.output) as any[]).find((o) => typeof o.value === 'object').value).toEqual({ primary: '10.0.1.10', loadBalancer: '10.0.1.5' });
  });

  test('no standby and no load balancer: no load balancer resources, no reserved .5, no load balancer output', () => {
    const { stack, orch, net } = build({ standby: false, loadBalancer: false });
    const json = synth(stack);
    expect(resources(json, 'hcloud_server')).toHaveLength(1);
    for (const type of ['hcloud_load_balancer', 'hcloud_load_balancer_network', 'hcloud_load_balancer_service', 'hcloud_load_balancer_target']) {
      expect({ type, n: resources(json, type).length }).toEqual({ type, n: 0 });
    }
    expect(orch.loadBalancer).toBeUndefined();
    expect(Object.values(json.output as Record<string, { value: unknown }>).map((o) => o.value)).toEqual([{ primary: '10.0.1.10' }]);
    // The address stays free for another use.
    expect(net.reserveAddress(stack, 'other', '10.0.1.5')).toBe('10.0.1.5');
  });

  test('fails if a standby has no load balancer (the standby would never take traffic)', () => {
    const err = validationError(() => build({ loadBalancer: false }));
    expectProblem(err, { path: 'test/Orchestrator', property: 'loadBalancer', value: false, allowed: /true when the tier has a standby/ });
  });

  test('types, location, LB type, protection, backups, settings, watchdog, ref and modules', () => {
    const { stack } = build({
      project: 'acme',
      primaryServerType: 'cax21',
      standbyServerType: 'cax11',
      location: 'hel1',
      loadBalancerType: 'lb21',
      protect: false,
      backups: true,
      settings: { AIAI_MAX_AGENTS: '8' },
      watchdogSec: 120,
      repositoryRef: 'v2.0.0',
      modules: { orchestrator: 'app.main', metrics: 'app.metrics', evolution: 'app.evolve' },
    });
    const json = synth(stack);
    const primary = byPath(json, 'hcloud_server', '/Primary/Server');
    expect(primary).toMatchObject({ name: 'acme-test-orchestrator-primary', server_type: 'cax21', location: 'hel1', backups: true, delete_protection: false });
    expect(primary.lifecycle).toEqual({ ignore_changes: ['ssh_keys'] });
    expect(byPath(json, 'hcloud_server', '/Standby/Server').server_type).toBe('cax11');
    expect(onlyResource(json, 'hcloud_load_balancer')).toMatchObject({ load_balancer_type: 'lb21', location: 'hel1', delete_protection: false });
    expect(onlyResource(json, 'hcloud_load_balancer')).not.toHaveProperty('lifecycle');
    expect(primary.labels.project).toBe('acme');
    const doc = userData(json, primary);
    expect(doc.write_files.find((w: any) => w.path === HostPaths.envFile)!.content).toMatch(/^AIAI_MAX_AGENTS="8"$/m);
    // The ref is the release's business: neither user_data nor the delivered configuration names it.
    expect(primary.user_data).not.toContain('v2.0.0');
    expect(JSON.stringify(doc.manifest)).not.toContain('v2.0.0');
    expect(byPath(json, 'terraform_data', '/PrimaryRelease').triggers_replace.ref).toBe('v2.0.0');
    expect(unitOf(json, primary, 'aiai-orchestrator.service').one('Service', 'WatchdogSec')).toBe('120');
    expect(unitOf(json, primary, 'aiai-orchestrator.service').one('Service', 'ExecStart')).toMatch(/ -m app\.main$/);
  });


  test('a full snapshot (user_data decoded, so that a change reads as a diff of the cloud-config)', () => {
    const { stack } = build({ settings: { AIAI_MAX_AGENTS: '8' }, repositoryRef: 'v2.0.0' });
    const json = synth(stack);
    for (const server of resources(json, 'hcloud_server')) {
      const { text, encoding } = decodeUserDataLikeCloudInit(server.user_data);
      server.user_data = { encoding, cloudConfig: text };
    }
    expect(json).toMatchSnapshot();
  });
});

describe('AiaiOrchestrator validation', () => {
  const O = 'test/Orchestrator';

  test.each(['Prod', 'prod_1', '-prod', 'a'.repeat(23)])('fails if the environment is %j', (environment) => {
    expectProblem(validationError(() => build({ environment })), { path: O, property: 'environment', value: environment, allowed: /^lowercase letters, digits and -, at most 22 chars$/ });
  });

  test.each([
    'http://github.com/example/aiai.git',
    'https://user:ghp_secret@github.com/example/aiai.git',
    'https://token@github.com/example/aiai.git',
    'ftp://example.org/aiai.git',
    'github.com/example/aiai',
    'https://github.com/example/aiai.git --upload-pack=evil',
    // No key or known_hosts exists when the first boot clones.
    'git@github.com:example/aiai.git',
    'ssh://git@example.org/aiai.git',
  ])('fails if the repository URL is %j', (repositoryUrl) => {
    expectProblem(validationError(() => build({ repositoryUrl })), {
      path: O,
      property: 'repositoryUrl',
      value: repositoryUrl,
      allowed: /^a public https:\/\/ git URL without embedded credentials/,
    });
  });

  test.each(['-upload-pack', 'a..b', 'has space', 'x;rm', ''])('fails if the repository ref is %j', (repositoryRef) => {
    expectProblem(validationError(() => build({ repositoryRef })), { path: O, property: 'repositoryRef', value: repositoryRef, allowed: /^a branch, tag or commit id: / });
  });

  test('fails if the load balancer type is unknown', () => {
    expectProblem(validationError(() => build({ loadBalancerType: 'lb99' })), { path: O, property: 'loadBalancerType', value: 'lb99', allowed: /^one of lb11, lb21, lb31$/ });
  });

  test.each([9, 3601, 30.5, -1])('fails if watchdogSec is %d', (watchdogSec) => {
    expectProblem(validationError(() => build({ watchdogSec })), { path: O, property: 'watchdogSec', value: watchdogSec, allowed: /^an integer from 10 to 3600$/ });
  });

  test.each([59, 21601, 100.5])('fails if evolutionTimeoutSec is %d', (evolutionTimeoutSec) => {
    expectProblem(validationError(() => build({ evolutionTimeoutSec })), {
      path: O,
      property: 'evolutionTimeoutSec',
      value: evolutionTimeoutSec,
      allowed: /^an integer from 60 to 21600 \(the timer fires every 6 h\)$/,
    });
  });

  test('fails if there are no secrets', () => {
    expectProblem(validationError(() => build({ secretEnvironment: {} })), { path: O, property: 'secretEnvironment', value: [], allowed: /^at least one secret/ });
  });

  test('fails if a secret is a literal; the literal is not echoed', () => {
    const err = validationError(() => build({ secretEnvironment: { OPENROUTER_API_KEY: 'sk-or-v1-0123456789abcdef' } }));
    expectProblem(err, {
      path: O,
      property: 'secretEnvironment.OPENROUTER_API_KEY',
      value: '<literal, not shown>',
      allowed: /^a sensitive Terraform variable token \(a literal would land in the synthesized JSON\)$/,
    });
    expect(err.message).not.toContain('sk-or-v1');
  });

  test('fails if a secret name is not UPPER_SNAKE_CASE', () => {
    const stack = testStack();
    expectProblem(validationError(() => build({ secretEnvironment: { 'openrouter-key': secretToken(stack, 'k') } }, stack)), {
      path: O,
      property: 'secretEnvironment.openrouter-key',
      value: 'openrouter-key',
      allowed: /^an UPPER_SNAKE_CASE variable name$/,
    });
  });

  test.each(['OPENAI_API_KEY', 'GITHUB_TOKEN', 'DB_PASSWORD', 'CLIENT_SECRET', 'AWS_CREDENTIALS', 'SMTP_PASSWD'])('fails if a setting has a secret-looking name (%s)', (name) => {
    expectProblem(validationError(() => build({ settings: { [name]: 'x' } })), {
      path: O,
      property: `settings.${name}`,
      value: name,
      allowed: /^a non-secret setting; pass keys, tokens and passwords in secretEnvironment$/,
    });
  });

  test.each(['AIAI_API_PORT', 'AIAI_METRICS_PORT', 'AIAI_ROLE', 'AIAI_ENVIRONMENT', 'AIAI_LOG_DIR'])(
    'fails if a setting overrides the built-in %s (ufw, the load balancer and the units use the built-in value)',
    (name) => {
      expectProblem(validationError(() => build({ settings: { [name]: '1234' } })), {
        path: O,
        property: `settings.${name}`,
        value: name,
        allowed: /^a name other than AIAI_ENVIRONMENT, AIAI_ROLE, AIAI_LOG_DIR, AIAI_API_PORT, AIAI_METRICS_PORT \(set by the construct\)$/,
      });
    },
  );

  test('the log level may be overridden', () => {
    const { stack } = build({ settings: { AIAI_LOG_LEVEL: 'DEBUG' } });
    const json = synth(stack);
    const primary = byPath(json, 'hcloud_server', '/Primary/Server');
    const env = userData(json, primary).write_files.find((w: any) => w.path === HostPaths.envFile)!.content;
    expect(env).toMatch(/^AIAI_LOG_LEVEL="DEBUG"$/m);
    expect(env.match(/^AIAI_LOG_LEVEL=/gm)).toHaveLength(1);
  });

  test('fails if a setting name is not UPPER_SNAKE_CASE', () => {
    expectProblem(validationError(() => build({ settings: { 'log-level': 'x' } })), { path: O, property: 'settings.log-level', value: 'log-level', allowed: /^an UPPER_SNAKE_CASE variable name$/ });
  });

  test('fails if a setting value is multi-line', () => {
    expectProblem(validationError(() => build({ settings: { AIAI_X: 'a\nb' } })), { path: O, property: 'settings.AIAI_X', value: 'a\nb', allowed: /^a single-line value$/ });
  });

  test('fails if the primary type is deprecated, naming the replacement and the primary\'s path', () => {
    expectProblem(validationError(() => build({ primaryServerType: 'cx32' })), {
      path: `${O}/Primary`,
      property: 'serverType',
      value: 'cx32',
      allowed: /^cx32 is deprecated and can no longer be ordered in EU locations; use cx33$/,
    });
  });

  test('fails if the standby type is unknown', () => {
    expectProblem(validationError(() => build({ standbyServerType: 'cx1' })), { path: `${O}/Standby`, property: 'serverType', value: 'cx1', allowed: /^one of / });
  });

  test('fails if the location is outside the network zone', () => {
    expectProblem(validationError(() => build({ location: 'ash' })), { path: `${O}/Primary`, property: 'location', value: 'ash', allowed: /network zone eu-central/ });
  });

  test('reports every bad top-level prop at once', () => {
    const err = validationError(() => build({ environment: 'BAD', loadBalancerType: 'x', watchdogSec: 1 }));
    expect(err.problems.map((p) => p.property).sort()).toEqual(['environment', 'loadBalancerType', 'watchdogSec']);
  });
});

describe('AiaiOrchestrator: prop shapes (found by __tests__/properties)', () => {
  test('fails if a prop has the wrong JavaScript type (a TypeError deep inside before)', () => {
    const err = validationError(() => build({ repositoryRef: 0 as any, standby: 'yes' as any, settings: { A: 42 } as any }));
    expectProblem(err, { path: 'test/Orchestrator', property: 'repositoryRef', value: 0, allowed: /^a string$/ });
    expectProblem(err, { path: 'test/Orchestrator', property: 'standby', value: 'yes', allowed: /^true or false$/ });
    expectProblem(err, { path: 'test/Orchestrator', property: 'settings', value: { A: 42 }, allowed: /^an object of string values$/ });
  });
});

test('AiaiOrchestrator fails if project is bad, naming project (the child Firewall\'s name before; found by __tests__/properties)', () => {
  expectProblem(validationError(() => build({ project: '' })), { path: 'test/Orchestrator', property: 'project', value: '', allowed: /^lowercase letters, digits and -/ });
});
