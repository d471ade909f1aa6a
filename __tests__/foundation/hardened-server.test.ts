import { escapeTerraformTemplate, unescapeTerraformTemplate } from '../../lib/core/terraform-template';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp';
import { describeWithTool, run } from '../support/tools';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { HardenedServer, HardenedServerProps } from '../../lib/host/hardened-server';
import { SSHD_DROP_IN_PATH } from '../../lib/host/hardening';
import { HostConfig } from '../../lib/host/host-config';
import { PrivateNetwork } from '../../lib/network/private-network';
import { RoleFirewall } from '../../lib/network/role-firewall';
import { AdminAccess } from '../../lib/host/admin-access';
import { Ports } from '../../lib/core/ports';
import { PortSources } from '../../lib/network/port-rule';
import { access, ADMIN_CIDR, expectProblem, network, onlyResource, OPERATOR_KEY, resources, synth, testStack, validationError } from './helpers';

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
    expect(s).not.toHaveProperty('lifecycle');
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

  test('user_data carries the hardening, the operator keys and ufw rules derived from the host ports', () => {
    const f = fixture();
    const cfg = new HostConfig().allowPort({ port: Ports.orchestratorApi, from: PortSources.private });
    const h = server(f, { hostConfig: cfg });
    const doc = parse(h.userData, { version: '1.1' });
    expect(doc.hostname).toBe('aiai-test-host');
    expect(doc.users[0]).toMatchObject({ name: 'aiai', ssh_authorized_keys: [OPERATOR_KEY] });
    expect(doc.write_files.map((w: any) => w.path)).toContain(SSHD_DROP_IN_PATH);
    expect(doc.packages).toContain('prometheus-node-exporter');
    const ufw = doc.runcmd.filter((c: any) => Array.isArray(c) && c[0] === 'ufw').map((c: string[]) => c.join(' '));
    expect(ufw).toEqual([
      'ufw default deny incoming',
      'ufw default allow outgoing',
      'ufw allow proto tcp from 10.0.0.0/16 to any port 8000 comment orchestrator-api',
      `ufw allow proto tcp from ${ADMIN_CIDR} to any port 22 comment ssh`,
      'ufw allow proto tcp from 10.0.0.0/16 to any port 22 comment ssh',
      'ufw allow proto tcp from 10.0.0.0/16 to any port 9100 comment node-exporter',
      'ufw --force enable',
    ]);
    // The firewall is closed before anything else runs.
    expect(doc.runcmd.findIndex((c: any) => Array.isArray(c) && c.join(' ') === 'ufw --force enable')).toBe(ufw.length - 1);
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
    expect(parse(s.user_data, { version: '1.1' }).users[0].groups).toBe('docker');
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

  describe('user_data size and encoding', () => {
    // Random base64 does not compress much below 3/4 of its size.
    const body = randomBytes(30_000).toString('base64');
    const huge = () => new HostConfig().addFile({ path: '/etc/huge.txt', content: body });
    const serverJson = (f: Fixture) => onlyResource(synth(f.stack), 'hcloud_server');

    test('small documents go as plain #cloud-config text (readable plan diffs)', () => {
      const f = fixture();
      const h = server(f);
      expect(unescapeTerraformTemplate(h.userDataEncoded)).toBe(h.userData);
      expect(serverJson(f).user_data.startsWith('#cloud-config\n')).toBe(true);
    });

    test('fails if user_data exceeds 32 KiB (compression off)', () => {
      const err = validationError(() => server(fixture(), { hostConfig: huge(), compressUserData: 'never' }));
      expectProblem(err, {
        path: 'test/Host',
        property: 'userData',
        allowed: /^at most 32768 bytes \(Hetzner's user_data limit\); set compressUserData: 'auto' or 'always', or move file bodies out of cloud-init$/,
      });
      expect(err.message).toMatch(/userData: got "\d{5,} bytes";/);
    });

    test('fails if user_data exceeds 32 KiB even compressed', () => {
      const err = validationError(() => server(fixture(), { hostConfig: huge(), compressUserData: 'always' }));
      expectProblem(err, { path: 'test/Host', property: 'userData', allowed: /^at most 32768 bytes \(Hetzner's user_data limit\), or move file bodies out of cloud-init$/ });
      expect(err.message).toMatch(/userData: got "\d{5,} bytes \(base64 of gzip\)";/);
    });

    test('auto: a large compressible document is sent as base64 of its gzip, which decodes back to it', () => {
      const text = Array.from({ length: 3000 }, (_, i) => `option_${i % 50} = ${i % 7}`).join('\n') + '\n';
      const f = fixture();
      const h = server(f, { hostConfig: new HostConfig().addFile({ path: '/etc/big.conf', content: text }) });
      expect(Buffer.byteLength(h.userData)).toBeGreaterThan(32768);
      const sent = serverJson(f).user_data;
      expect(sent).toBe(h.userDataEncoded);
      expect(sent).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(32768);
      expect(gunzipSync(Buffer.from(sent, 'base64')).toString('utf8')).toBe(h.userData);
      expect(parse(h.userData, { version: '1.1' }).write_files.find((w: any) => w.path === '/etc/big.conf').content).toBe(text);
    });

    test('always: even a small document is compressed; the encoding is deterministic', () => {
      const a = fixture();
      const b = fixture();
      const ha = server(a, { compressUserData: 'always' });
      const hb = server(b, { compressUserData: 'always' });
      expect(ha.userDataEncoded).not.toBe(ha.userData);
      expect(ha.userDataEncoded).toBe(hb.userDataEncoded);
      expect(gunzipSync(Buffer.from(ha.userDataEncoded, 'base64')).toString('utf8')).toBe(ha.userData);
    });
  });

  describe('operator keys known only at plan (existing Hetzner keys)', () => {
    const withExisting = (netProps = {}): Fixture => {
      const stack = testStack();
      return { stack, net: network(stack, netProps), acc: access(stack, { existingSshKeys: ['ops-shared'] }) };
    };
    const PLACEHOLDER = 'aiai-public-key-known-at-plan-1';
    const dataKey = (json: Record<string, any>) => Object.keys(json.data.hcloud_ssh_key)[0];

    test('plain: the key goes in as its JSON-quoted value, the rest of the text escaped as before', () => {
      const f = withExisting();
      const h = server(f);
      const json = synth(f.stack);
      const s = onlyResource(json, 'hcloud_server');
      // The rendered document holds a placeholder where the key goes, as the second authorized key.
      expect(parse(h.userData, { version: '1.1' }).users[0].ssh_authorized_keys).toEqual([OPERATOR_KEY, PLACEHOLDER]);
      const [before, after] = h.userData.split(PLACEHOLDER);
      expect(s.user_data).toBe(`${escapeTerraformTemplate(before)}\${jsonencode(data.hcloud_ssh_key.${dataKey(json)}.public_key)}${escapeTerraformTemplate(after)}`);
      expect(s.ssh_keys).toEqual([expect.stringMatching(/^\$\{hcloud_ssh_key\./), `\${data.hcloud_ssh_key.${dataKey(json)}.id}`]);
    });

    test('compressed: Terraform gzips the document with the key in (base64gzip at plan)', () => {
      const f = withExisting();
      server(f, { compressUserData: 'always' });
      const json = synth(f.stack);
      const sent: string = onlyResource(json, 'hcloud_server').user_data;
      expect(sent.startsWith('${base64gzip("#cloud-config\\nhostname: aiai-test-host\\n')).toBe(true);
      expect(sent.endsWith('")}')).toBe(true);
      expect(sent).toContain(`\${jsonencode(data.hcloud_ssh_key.${dataKey(json)}.public_key)}`);
      expect(sent).not.toContain(PLACEHOLDER);
    });

    test('the size check counts 1 KiB for each key known at plan', () => {
      const padded = (n: number) => new HostConfig().addFile({ path: '/etc/pad.txt', content: 'x'.repeat(n) });
      const size = (f: Fixture, n: number) => Buffer.byteLength(server(f, { hostConfig: padded(n), compressUserData: 'never' }).userDataEncoded);
      const base = size(fixture(), 1000);
      // 400 bytes below the limit with the literal key alone: fits.
      const n = 1000 + 32768 - 400 - base;
      expect(size(fixture(), n)).toBe(32768 - 400);
      // The same with an existing key (about 40 bytes of placeholder, counted as 1 KiB): too big.
      const err = validationError(() => server(withExisting(), { hostConfig: padded(n), compressUserData: 'never' }));
      expectProblem(err, { path: 'test/Host', property: 'userData', allowed: /^at most 32768 bytes/ });
      const got = Number(/userData: got "(\d+) bytes"/.exec(err.message)![1]);
      expect(got).toBeGreaterThan(32768 - 400 + 1000);
    });

    describeWithTool('terraform', 'terraform (HashiCorp apt repository)', 'through real terraform', () => {
      test('terraform yields the rendered document with the key in, plain and compressed, whatever the key comment holds', () => {
        const f = withExisting();
        const plain = server(f, { name: 'plain-host' }, 'Plain');
        const gz = server(f, { name: 'gz-host', privateIp: '10.0.1.11', compressUserData: 'always' }, 'Gz');
        const json = synth(f.stack);
        const ref = `data.hcloud_ssh_key.${dataKey(json)}.public_key`;
        const servers = Object.values(json.resource.hcloud_server as Record<string, any>);
        const sent = (name: string) => servers.find((s) => s.name === name)!.user_data as string;
        expect([sent('plain-host'), sent('gz-host')].every((u) => u.includes(ref))).toBe(true);
        // The data source needs the hcloud provider: a variable stands in for its public_key.
        const outputs = { plain: { value: sent('plain-host').split(ref).join('var.key') }, gz: { value: sent('gz-host').split(ref).join('var.key') } };
        const dir = tempDir('tf-keys-');
        writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ variable: { key: { type: 'string' } }, output: outputs }));
        const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostileComment bob\'s "key": #1 <&> ${x} %{y} \\ é';
        const env = { PATH: process.env.PATH, HOME: dir, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_VAR_key: key };
        for (const args of [['init', '-input=false', '-no-color'], ['apply', '-auto-approve', '-input=false', '-no-color']]) {
          const r = run('terraform', [`-chdir=${dir}`, ...args], { env });
          expect({ args, status: r.status, stderr: r.stderr }).toEqual({ args, status: 0, stderr: '' });
        }
        const out = run('terraform', [`-chdir=${dir}`, 'output', '-json', '-no-color'], { env });
        const values = JSON.parse(out.stdout) as Record<string, { value: string }>;
        const docs = { plain: values.plain.value, gz: gunzipSync(Buffer.from(values.gz.value, 'base64')).toString('utf8') };
        for (const [name, h] of [['plain', plain], ['gz', gz]] as const) {
          const text = docs[name];
          // Exactly the rendered document, the placeholder replaced by one quoted YAML scalar ...
          const line = text.split('\n').find((l) => l.includes('AAAAIHostileComment'))!;
          expect(text.replace(line, `      - ${PLACEHOLDER}`)).toBe(h.userData);
          // ... that cloud-init reads as the key, character for character.
          expect(parse(text, { version: '1.1' }).users[0].ssh_authorized_keys).toEqual([OPERATOR_KEY, key]);
        }
      }, 120_000);
    });
  });
});
