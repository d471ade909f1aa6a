import { unescapeTerraformTemplate } from '../../lib/core/terraform-template';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp';
import { describeWithTool, run } from '../support/tools';
import { randomBytes } from 'node:crypto';
import { TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { HardenedServer, HardenedServerProps } from '../../lib/host/hardened-server';
import { AUTHORIZED_KEYS_PATH, FIREWALL_SCRIPT_PATH, SSHD_DROP_IN_PATH } from '../../lib/host/hardening';
import { HostConfig } from '../../lib/host/host-config';
import { PrivateNetwork } from '../../lib/network/private-network';
import { RoleFirewall } from '../../lib/network/role-firewall';
import { AdminAccess } from '../../lib/host/admin-access';
import { Ports } from '../../lib/core/ports';
import { PortSources } from '../../lib/network/port-rule';
import { access, ADMIN_CIDR, expectProblem, network, onlyResource, OPERATOR_KEY, resources, synth, testStack, validationError } from '../support/stack';

const labels = { project: 'aiai', role: 'orchestrator', environment: 'test' };

interface Fixture {
  stack: TerraformStack;
  net: PrivateNetwork;
  acc: AdminAccess;
}

function fixture(netProps = {}): Fixture {
  const stack = testStack();
  return { stack, net: network(stack, netProps), acc: access(stack) };
}

function server(f: Fixture, props: Partial<HardenedServerProps> = {}, id = 'Host'): HardenedServer {
  return new HardenedServer(f.stack, id, {
    name: 'aiai-test-host',
    serverType: 'cx23',
    network: f.net,
    privateIp: '10.0.1.10',
    access: f.acc,
    labels,
    hostConfig: new HostConfig(),
    ...props,
  });
}

describe('HardenedServer', () => {
  test('defaults: ubuntu-24.04 in fsn1, private IP in the network, operator keys, labels, no datacenter', () => {
    const f = fixture();
    const h = server(f);
    const json = synth(f.stack);
    const s = onlyResource(json, 'hcloud_server');
    expect(s).toMatchObject({
      name: 'aiai-test-host',
      server_type: 'cx23',
      image: 'ubuntu-24.04',
      location: 'fsn1',
      labels,
      backups: false,
      delete_protection: false,
      rebuild_protection: false,
      public_net: [{ ipv4_enabled: true, ipv6_enabled: true }],
    });
    expect(s).not.toHaveProperty('datacenter');
    // alias_ips = [] keeps Terraform >= 1.4 from planning a detach/attach on every run (provider issue 650).
    expect(s.network).toEqual([{ network_id: expect.stringMatching(/^\$\{hcloud_network\.Net_Network_[0-9A-F]+\.id\}$/), ip: '10.0.1.10', alias_ips: [] }]);
    // A type change keeps the disk (so it can be undone); deleted without a shutdown unless asked.
    expect(s.keep_disk).toBe(true);
    expect(s.shutdown_before_deletion).toBe(false);
    // Waits for both subnets (a subnet still being created locks the network).
    expect(s.depends_on).toEqual([expect.stringMatching(/^hcloud_network_subnet\.Net_Subnet_[0-9A-F]+$/), expect.stringMatching(/^hcloud_network_subnet\.Net_RunnerSubnet_[0-9A-F]+$/)]);
    expect(s.ssh_keys).toEqual([expect.stringMatching(/^\$\{hcloud_ssh_key\.Access_Key-alice_[0-9A-F]+\.id\}$/)]);
    expect(s).not.toHaveProperty('firewall_ids');
    expect(s).not.toHaveProperty('placement_group_id');
    // ssh_keys is force-new but only seeds the first login: later key changes are delivered in place.
    expect(s.lifecycle).toEqual({ ignore_changes: ['ssh_keys'] });
    // Terraform unescapes `$${` in the JSON string: the server receives exactly the rendered document.
    expect(unescapeTerraformTemplate(s.user_data)).toBe(h.userData);
    expect(h.privateIp).toBe('10.0.1.10');
    expect(h.serverTypeInfo.name).toBe('cx23');
    expect(h.ipv4Address).toMatch(/^\$\{TfToken\[/);
  });

  test('shutdownBeforeDeletion: the provider shuts the server down before deleting it', () => {
    const f = fixture();
    server(f, { shutdownBeforeDeletion: true });
    expect(onlyResource(synth(f.stack), 'hcloud_server').shutdown_before_deletion).toBe(true);
  });

  test('user_data is only the bootstrap; the hardening, the operator keys and the ufw rules derived from the host ports are delivered', () => {
    const f = fixture();
    const cfg = new HostConfig().allowPort({ port: Ports.orchestratorApi, from: PortSources.private });
    const h = server(f, { hostConfig: cfg });
    const doc = parse(h.userData, { version: '1.1' });
    expect(doc.hostname).toBe('aiai-test-host');
    expect(doc.users).toEqual(['default']);
    expect(doc.user.name).toBe('aiai');
    expect(h.userData).not.toContain(OPERATOR_KEY);
    expect(doc.write_files.map((w: any) => w.path)).toContain(SSHD_DROP_IN_PATH);
    expect(doc.packages).toEqual(['ufw', 'jq']);
    const files = Object.fromEntries(h.manifest.files.map((x) => [x.path, x]));
    expect(files[AUTHORIZED_KEYS_PATH].content).toBe(`${OPERATOR_KEY}\n`);
    expect(h.manifest.packages).toContain('prometheus-node-exporter');
    const fw = files[FIREWALL_SCRIPT_PATH];
    expect(fw).toMatchObject({ mode: '0755', exec: true });
    expect(fw.content.split('\n').filter((l) => l.startsWith('ufw'))).toEqual([
      'ufw --force reset > /dev/null',
      'ufw default deny incoming',
      'ufw default allow outgoing',
      'ufw allow proto tcp from 10.0.0.0/16 to any port 8000 comment orchestrator-api',
      `ufw allow proto tcp from ${ADMIN_CIDR} to any port 22 comment ssh`,
      'ufw allow proto tcp from 10.0.0.0/16 to any port 22 comment ssh',
      'ufw allow proto tcp from 10.0.0.0/16 to any port 9100 comment node-exporter',
      'ufw --force enable',
    ]);
  });

  test('its configuration resource uploads the converge script and the manifest and runs them, replaced when a file changes', () => {
    const f = fixture();
    const h = server(f);
    const json = synth(f.stack);
    const data = resources(json, 'terraform_data');
    expect(data).toHaveLength(1);
    const c = data[0];
    expect(c.triggers_replace.server).toMatch(/^\$\{hcloud_server\.Host_Server_[0-9A-F]+\.id\}$/);
    expect(Object.keys(c.triggers_replace.files).sort()).toEqual(h.manifest.files.map((x) => x.path).sort());
    const steps = c.provisioner.map((p: any) => Object.keys(p)[0]);
    expect(steps).toEqual(['remote-exec', 'file', 'file', 'remote-exec']);
    expect(c.provisioner[2].file.destination).toBe('/home/aiai/.secrets-inbox/host-manifest.json');
    expect(JSON.parse(unescapeTerraformTemplate(c.provisioner[2].file.content))).toEqual(JSON.parse(h.configuration.manifestJson));
    expect(c.provisioner[3]['remote-exec'].inline[0]).toBe('sudo bash /home/aiai/.secrets-inbox/aiai-converge /home/aiai/.secrets-inbox/host-manifest.json');
    expect(c.connection).toMatchObject({ type: 'ssh', user: 'aiai' });
    for (const p of c.provisioner) expect(Object.values(p)[0]).not.toHaveProperty('connection');

    // A changed file changes its digest only.
    const g = fixture();
    server(g, { hostConfig: new HostConfig().addFile({ path: '/etc/x.conf', content: 'b\n' }) });
    const f2 = fixture();
    server(f2, { hostConfig: new HostConfig().addFile({ path: '/etc/x.conf', content: 'a\n' }) });
    const t1 = resources(synth(g.stack), 'terraform_data')[0].triggers_replace;
    const t2 = resources(synth(f2.stack), 'terraform_data')[0].triggers_replace;
    const differing = Object.keys(t1.files).filter((k) => t1.files[k] !== t2.files[k]);
    expect(differing).toEqual(['/etc/x.conf']);
  });

  test('joins its role firewalls and adds its public ports (SSH from the admin CIDRs) to them', () => {
    const f = fixture();
    const fw = new RoleFirewall(f.stack, 'Fw', { name: 'fw', privateRange: f.net.ipRange, adminCidrs: f.acc.adminCidrs, rules: [] });
    server(f, { firewalls: [fw], firewallIds: ['42'] });
    const json = synth(f.stack);
    const s = onlyResource(json, 'hcloud_server');
    expect(s.firewall_ids).toEqual([expect.stringMatching(/^\$\{hcloud_firewall\.Fw_Firewall_[0-9A-F]+\.id\}$/), '42']);
    expect(onlyResource(json, 'hcloud_firewall').rule).toEqual([{ direction: 'in', protocol: 'tcp', port: '22', source_ips: [ADMIN_CIDR], description: 'ssh' }]);
  });

  test('protect: delete and rebuild protection plus prevent_destroy; backups and placement group pass through', () => {
    const f = fixture();
    server(f, { protect: true, backups: true, placementGroupId: 7, location: 'nbg1', serviceUserGroups: ['docker'] });
    const s = onlyResource(synth(f.stack), 'hcloud_server');
    expect(s).toMatchObject({ delete_protection: true, rebuild_protection: true, lifecycle: { prevent_destroy: true }, backups: true, placement_group_id: 7, location: 'nbg1' });
    expect(resources(synth(f.stack), 'terraform_data')).toHaveLength(1);
    expect(s.user_data).not.toMatch(/docker/);
  });

  test('cax types run in eu-central', () => {
    const f = fixture();
    expect(server(f, { serverType: 'cax11', location: 'hel1' }).serverTypeInfo.architecture).toBe('arm');
  });

  test('fails if the server type is deprecated, naming its replacement (cpx31 -> cpx32)', () => {
    expectProblem(validationError(() => server(fixture(), { serverType: 'cpx31' })), {
      path: 'test/Host',
      property: 'serverType',
      value: 'cpx31',
      allowed: /^cpx31 is deprecated and can no longer be ordered in EU locations; use cpx32$/,
    });
  });

  test('fails if the server type is unknown', () => {
    expectProblem(validationError(() => server(fixture(), { serverType: 'cx99' })), { path: 'test/Host', property: 'serverType', value: 'cx99', allowed: /^one of cx23, cx33, / });
  });

  test.each([
    ['cx33', 'ash', 'us-east'],
    ['cax21', 'hil', 'us-west'],
  ])('fails if %s is ordered outside eu-central (%s)', (serverType, location, networkZone) => {
    const f = fixture({ networkZone });
    expectProblem(validationError(() => server(f, { serverType, location })), {
      path: 'test/Host',
      property: 'serverType',
      value: serverType,
      allowed: /^c[a-z]+\* types are only offered in eu-central locations \(fsn1, nbg1, hel1\)$/,
    });
  });

  test('cpx types may run in the US', () => {
    const f = fixture({ networkZone: 'us-east' });
    expect(server(f, { serverType: 'cpx22', location: 'ash' }).serverTypeInfo.name).toBe('cpx22');
  });

  test('fails if the location is outside the network zone', () => {
    expectProblem(validationError(() => server(fixture(), { location: 'sin' })), {
      path: 'test/Host',
      property: 'location',
      value: 'sin',
      allowed: /^a location in network zone eu-central of test\/Net \(fsn1, nbg1, hel1\)$/,
    });
  });

  test('fails if the image is not the tested Ubuntu', () => {
    expectProblem(validationError(() => server(fixture(), { image: 'debian-12' })), {
      path: 'test/Host',
      property: 'image',
      value: 'debian-12',
      allowed: /^one of ubuntu-24\.04 \(the cloud-init is written and tested for it\)$/,
    });
  });

  test.each(['Host_1', '-host', 'host-', 'a'.repeat(64), 'host.example'])('fails if the name %j is not a hostname label', (name) => {
    expectProblem(validationError(() => server(fixture(), { name })), { path: 'test/Host', property: 'name', value: name, allowed: /^a hostname label/ });
  });

  test('fails if the private IP is outside the subnet', () => {
    expectProblem(validationError(() => server(fixture(), { privateIp: '10.0.3.10' })), { path: 'test/Host', property: 'privateIp', value: '10.0.3.10', allowed: /inside subnet 10\.0\.1\.0\/24/ });
  });

  test('fails if the private IP is the gateway', () => {
    expectProblem(validationError(() => server(fixture(), { privateIp: '10.0.1.1' })), { path: 'test/Host', property: 'privateIp', value: '10.0.1.1', allowed: /reserves for the subnet gateway/ });
  });

  test('fails if two servers get the same private IP', () => {
    const f = fixture();
    server(f, {}, 'First');
    expectProblem(validationError(() => server(f, { name: 'aiai-test-second' }, 'Second')), {
      path: 'test/Second',
      property: 'privateIp',
      value: '10.0.1.10',
      allowed: /^an address not already taken \(10\.0\.1\.10 is used by test\/First\)$/,
    });
  });

  test.each(['project', 'role', 'environment'])('fails if the %s label is missing', (key) => {
    const l: Record<string, string> = { ...labels };
    delete l[key];
    expectProblem(validationError(() => server(fixture(), { labels: l })), { path: 'test/Host', property: `labels.${key}`, allowed: /^a non-empty label value$/ });
  });

  test('fails if a label key breaks Hetzner\'s label rules', () => {
    expectProblem(validationError(() => server(fixture(), { labels: { ...labels, 'bad key!': 'x' } })), {
      path: 'test/Host',
      property: 'labels',
      value: 'bad key!',
      allowed: /^label keys of at most 63 letters, digits, `-_\.` with an optional DNS prefix$/,
    });
  });

  test.each(['has space', '-leading', 'trailing-', 'x'.repeat(64), 'ümlaut'])('fails if a label value is %j', (value) => {
    expectProblem(validationError(() => server(fixture(), { labels: { ...labels, extra: value } })), {
      path: 'test/Host',
      property: 'labels.extra',
      value,
      allowed: /^a label value of at most 63 letters, digits, `-_\.`, starting and ending alphanumeric$/,
    });
  });

  test('accepts prefixed label keys and empty extra values', () => {
    const f = fixture();
    server(f, { labels: { ...labels, 'example.com/team': 'infra', empty: '' } });
    expect(resources(synth(f.stack), 'hcloud_server')[0].labels['example.com/team']).toBe('infra');
  });

  describe('user_data', () => {
    test('plain #cloud-config text, a few KiB, however much the host carries (the rest is delivered)', () => {
      const f = fixture();
      const big = new HostConfig().addFile({ path: '/etc/huge.txt', content: randomBytes(60_000).toString('base64') });
      const h = server(f, { hostConfig: big });
      expect(unescapeTerraformTemplate(h.userDataEncoded)).toBe(h.userData);
      expect(onlyResource(synth(f.stack), 'hcloud_server').user_data.startsWith('#cloud-config\n')).toBe(true);
      expect(Buffer.byteLength(h.userDataEncoded)).toBeLessThan(4096);
      expect(h.manifest.files.find((x) => x.path === '/etc/huge.txt')).toBeDefined();
    });

    test('the same for two roles but the hostname', () => {
      const a = server(fixture(), { name: 'host-a', hostConfig: new HostConfig().addPackages('docker.io') });
      const b = server(fixture(), { name: 'host-b', labels: { ...labels, role: 'monitoring' } });
      expect(a.userData.replace('host-a', 'X')).toBe(b.userData.replace('host-b', 'X'));
    });
  });

  describe('operator keys known only at plan (existing Hetzner keys)', () => {
    const withExisting = (netProps = {}): Fixture => {
      const stack = testStack();
      return { stack, net: network(stack, netProps), acc: access(stack, { existingSshKeys: ['ops-shared'] }) };
    };
    const dataKey = (json: Record<string, any>) => Object.keys(json.data.hcloud_ssh_key)[0];
    const upload = (json: Record<string, any>) => resources(json, 'terraform_data')[0].provisioner[2].file.content as string;

    test('the server gets the key by id; user_data never holds it; the delivered authorized_keys has it, JSON-escaped by Terraform', () => {
      const f = withExisting();
      server(f);
      const json = synth(f.stack);
      const s = onlyResource(json, 'hcloud_server');
      expect(s.ssh_keys).toEqual([expect.stringMatching(/^\$\{hcloud_ssh_key\./), `\${data.hcloud_ssh_key.${dataKey(json)}.id}`]);
      expect(s.user_data).not.toMatch(/hcloud_ssh_key|public_key/);
      expect(upload(json)).toContain(`\${trimsuffix(trimprefix(jsonencode(data.hcloud_ssh_key.${dataKey(json)}.public_key), "\\""), "\\"")}`);
      // Terraform computes the digest of a file it fills in.
      const files = resources(json, 'terraform_data')[0].triggers_replace.files;
      expect(files[AUTHORIZED_KEYS_PATH]).toMatch(/^\$\{substr\(sha256\(join\(""/);
    });

    describeWithTool('terraform', 'terraform (HashiCorp binary, on this machine image)', 'through real terraform', () => {
      test('terraform yields a manifest whose authorized_keys holds the key exactly, whatever its comment holds', () => {
        const f = withExisting();
        server(f);
        const json = synth(f.stack);
        const ref = `data.hcloud_ssh_key.${dataKey(json)}.public_key`;
        const text = upload(json);
        expect(text).toContain(ref);
        // The data source needs the hcloud provider: a variable stands in for its public_key.
        const dir = tempDir('tf-keys-');
        writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ variable: { key: { type: 'string' } }, output: { manifest: { value: text.split(ref).join('var.key') } } }));
        const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostileComment bob\'s "key": #1 <&> ${x} %{y} \\ é';
        const env = { PATH: process.env.PATH, HOME: dir, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_VAR_key: key };
        for (const args of [['init', '-input=false', '-no-color'], ['apply', '-auto-approve', '-input=false', '-no-color']]) {
          const r = run('terraform', [`-chdir=${dir}`, ...args], { env });
          expect({ args, status: r.status, stderr: r.stderr }).toEqual({ args, status: 0, stderr: '' });
        }
        const out = run('terraform', [`-chdir=${dir}`, 'output', '-json', '-no-color'], { env });
        const manifest = JSON.parse(JSON.parse(out.stdout).manifest.value);
        const keys = manifest.files.find((x: any) => x.path === AUTHORIZED_KEYS_PATH).content;
        expect(keys).toBe(`${OPERATOR_KEY}\n${key}\n`);
      }, 120_000);
    });
  });
});

describe('HardenedServer: props found by __tests__/properties', () => {
  test('fails if labels are missing (a TypeError before) or the name is not a string', () => {
    expectProblem(validationError(() => server(fixture(), { labels: undefined as any })), { path: 'test/Host', property: 'labels', allowed: /^an object of labels with project, role, environment$/ });
    expectProblem(validationError(() => server(fixture(), { name: ['web'] as any })), { path: 'test/Host', property: 'name', value: ['web'], allowed: /^a string$/ });
  });

  test('fails if placementGroupId, firewallIds or serviceUserGroups are malformed (they reached the JSON or the host)', () => {
    const err = validationError(() => server(fixture(), { placementGroupId: 0, firewallIds: ['abc'], serviceUserGroups: ['root', 'has space'] }));
    expectProblem(err, { path: 'test/Host', property: 'placementGroupId', value: 0, allowed: /^a placement group ID/ });
    expectProblem(err, { path: 'test/Host', property: 'firewallIds[0]', value: 'abc', allowed: /^a firewall ID/ });
    expectProblem(err, { path: 'test/Host', property: 'serviceUserGroups[0]', value: 'root', allowed: /^a Unix group name/ });
    expectProblem(err, { path: 'test/Host', property: 'serviceUserGroups[1]', value: 'has space', allowed: /^a Unix group name/ });
  });
});

test('HardenedServer fails if a boolean prop is not a boolean (backups: 1 reached the JSON, which terraform rejects; found by __tests__/properties)', () => {
  expectProblem(validationError(() => server(fixture(), { backups: 1 as any })), { path: 'test/Host', property: 'backups', value: 1, allowed: /^true or false$/ });
});
