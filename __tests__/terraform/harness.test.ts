/**
 * Self-tests of the offline terraform harness (__tests__/support/terraform): real terraform, with
 * the stand-in providers, rejects what the real providers' schemas reject (each assertion names
 * terraform's own error text), plans replacements and updates the way the real providers do for the
 * attributes in the force-new table, and an apply followed by a plan of the same JSON changes
 * nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredInstances, describeWithTerraform, instancesInState, StandIn, startStandIn, TerraformError, TerraformJson, ValidateResult, Workspace } from '../support/terraform';

const HCLOUD = { source: 'hetznercloud/hcloud', version: '1.68.0' };

/** A small hcloud configuration: a network, a subnet and a server in it. */
function config(server: Record<string, unknown> = {}, more: Record<string, Record<string, unknown>> = {}): TerraformJson {
  return {
    terraform: { required_providers: { hcloud: HCLOUD } },
    variable: { hcloud_token: { type: 'string', sensitive: true } },
    provider: { hcloud: [{ token: '${var.hcloud_token}' }] },
    resource: {
      hcloud_network: { net: { name: 'net', ip_range: '10.0.0.0/16' } },
      hcloud_network_subnet: { sub: { network_id: '${hcloud_network.net.id}', type: 'cloud', network_zone: 'eu-central', ip_range: '10.0.1.0/24' } },
      hcloud_server: {
        web: {
          name: 'web',
          server_type: 'cx23',
          image: 'debian-12',
          location: 'fsn1',
          user_data: '#cloud-config\n',
          labels: { role: 'web' },
          network: [{ network_id: '${hcloud_network.net.id}', ip: '10.0.1.10' }],
          depends_on: ['hcloud_network_subnet.sub'],
          ...server,
        },
      },
      ...more,
    },
  };
}

/** Configurations the real providers' schemas (or terraform itself) reject. */
const INVALID: Readonly<Record<string, TerraformJson>> = {
  unknownArgument: config({ colour: 'red' }),
  undeclaredReference: config({ placement_group_id: '${hcloud_placement_group.missing.id}' }),
  wrongType: config({ labels: ['role', 'web'] }),
  missingRequired: config({ server_type: undefined }),
  blockAsString: config({ public_net: 'yes' }),
  tooManyBlocks: {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '6.25.0' } } },
    provider: { aws: [{ region: 'fsn1' }] },
    resource: { aws_s3_bucket_versioning: { v: { bucket: 'b', versioning_configuration: [{ status: 'Enabled' }, { status: 'Suspended' }] } } },
  },
  cycle: config({}, {
    hcloud_placement_group: { a: { name: '${hcloud_placement_group.b.name}-a', type: 'spread' }, b: { name: '${hcloud_placement_group.a.name}-b', type: 'spread' } },
  }),
  connectionArgument: config({}, {
    terraform_data: {
      deliver: { provisioner: [{ 'remote-exec': { connection: { type: 'ssh', host: '${hcloud_server.web.ipv4_address}', usr: 'root' }, inline: ['true'] } }] },
    },
  }),
};

describeWithTerraform('terraform with the stand-in providers', () => {
  let tf: StandIn;
  // Each invalid configuration is validated in its own workspace, all at once (beforeAll).
  const invalid: Record<string, Promise<ValidateResult>> = {};
  const messages = async (name: keyof typeof INVALID) => {
    const r = await invalid[name];
    expect(r.valid).toBe(false);
    return r.messages;
  };
  beforeAll(async () => {
    tf = await startStandIn();
    for (const [name, json] of Object.entries(INVALID)) {
      invalid[name] = tf.workspace(json).validate();
      invalid[name].catch(() => undefined); // reported by the test that awaits it
    }
  });
  afterAll(async () => {
    await Promise.allSettled(Object.values(invalid));
    await tf?.close();
  });

  test('the valid configuration validates and plans three creates', async () => {
    const ws = tf.workspace(config());
    expect((await ws.validate()).messages).toEqual([]);
    const plan = await ws.plan();
    expect(plan.counts).toMatchObject({ create: 3, update: 0, replace: 0, delete: 0 });
    // Computed attributes are unknown until apply, configured ones are known.
    const server = plan.resources['hcloud_server.web'];
    expect(server.afterUnknown).toMatchObject({ id: true, ipv4_address: true, status: true });
    expect(server.after).toMatchObject({ name: 'web', user_data: '#cloud-config\n', labels: { role: 'web' } });
  });

  test('an unknown argument fails validation', async () => {
    // The JSON syntax's wording for HCL's "Unsupported argument".
    expect(await messages('unknownArgument')).toEqual(['Extraneous JSON object property: No argument or block type is named "colour".']);
  });

  test('a reference to an undeclared resource fails validation', async () => {
    expect(await messages('undeclaredReference')).toEqual([
      'Reference to undeclared resource: A managed resource "hcloud_placement_group" "missing" has not been declared in the root module.',
    ]);
  });

  test('a value of the wrong type fails validation', async () => {
    expect(await messages('wrongType')).toEqual(['Incorrect attribute value type: Inappropriate value for attribute "labels": map of string required.']);
  });

  test('a missing required argument fails validation', async () => {
    expect(await messages('missingRequired')).toEqual(['Missing required argument: The argument "server_type" is required, but no definition was found.']);
  });

  test('a block given as a string fails validation', async () => {
    expect((await messages('blockAsString')).join('\n')).toMatch(
      /Incorrect JSON value type: Either a JSON object or a JSON array is required, representing the contents of one or more "public_net" blocks\./,
    );
  });

  test('too many blocks for a block of at most one fails validation (aws schema from the bindings)', async () => {
    expect(await messages('tooManyBlocks')).toEqual(['Too many versioning_configuration blocks: No more than 1 "versioning_configuration" blocks are allowed']);
  });

  test('a dependency cycle fails validation', async () => {
    expect((await messages('cycle')).join('\n')).toMatch(/^Cycle: hcloud_placement_group\.(a|b), hcloud_placement_group\.(a|b)/);
  });

  test('an unknown argument in a provisioner’s connection block fails validation', async () => {
    expect(await messages('connectionArgument')).toEqual(['Extraneous JSON object property: No argument or block type is named "usr". Did you mean "user"?']);
  });

  test('an error in an expression fails the plan with terraform’s message', async () => {
    const ws = tf.workspace(config({ name: '${upper(var.hcloud_token, 1)}' }));
    const err = await ws.plan().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerraformError);
    expect((err as TerraformError).run.stderr).toMatch(/Too many function arguments/);
    // planHasChanges() too: a failed plan is an error, not "changes".
    const failed = await ws.planHasChanges().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TerraformError);
    expect((failed as TerraformError).run.stderr).toMatch(/Too many function arguments/);
  });

  describe('after applying version A', () => {
    // One applied workspace; each test plans another configuration against its state.
    let ws: Workspace;
    beforeAll(async () => {
      ws = tf.workspace(config());
      await ws.apply();
    });
    afterEach(() => ws.setConfig(config()));

    test('planning the same JSON again changes nothing', async () => {
      const plan = await ws.plan();
      expect(plan.changed).toEqual([]);
      expect(plan.counts['no-op']).toBe(3);
      // The same answer from -detailed-exitcode, and the state holds what the JSON declares.
      expect(await ws.planHasChanges()).toBe(false);
      expect(instancesInState(ws.localState())).toEqual(declaredInstances(config()));
    });

    test('changing an hcloud_server’s user_data plans a replace; changing its labels an in-place update', async () => {
      ws.setConfig(config({ user_data: '#cloud-config\npackages: [curl]\n' }));
      const replaced = await ws.plan();
      expect(replaced.changed).toEqual(['hcloud_server.web']);
      expect(replaced.resources['hcloud_server.web']).toMatchObject({ action: 'replace', replacePaths: ['user_data'], reason: 'replace_because_cannot_update' });

      ws.setConfig(config({ labels: { role: 'web', tier: 'front' } }));
      expect(await ws.planHasChanges()).toBe(true);
      const updated = await ws.plan();
      expect(updated.changed).toEqual(['hcloud_server.web']);
      expect(updated.resources['hcloud_server.web']).toMatchObject({ action: 'update', replacePaths: [] });
    });

    test('a replaced network replaces what references its id (the new id is unknown)', async () => {
      ws.setConfig({ ...config(), resource: { ...config().resource, hcloud_network: { net: { name: 'net', ip_range: '10.1.0.0/16' } } } });
      const plan = await ws.plan();
      expect(plan.resources['hcloud_network.net']).toMatchObject({ action: 'replace', replacePaths: ['ip_range'] });
      expect(plan.resources['hcloud_network_subnet.sub']).toMatchObject({ action: 'replace', replacePaths: ['network_id'] });
      expect(plan.resources['hcloud_server.web'].action).toBe('update');
    });

    test('applied fake values are stable: numeric ids, documentation-range IPs, the subnet id format', async () => {
      const other = tf.workspace(config());
      await other.apply();
      const values = async (w: Workspace) => Object.fromEntries(((await w.state()).values.root_module.resources as any[]).map((r) => [r.address, r.values]));
      const [va, vb] = [await values(ws), await values(other)];
      expect(va).toEqual(vb);
      expect(va['hcloud_server.web'].id).toMatch(/^\d{7}$/);
      expect(va['hcloud_server.web'].ipv4_address).toMatch(/^203\.0\.113\.\d+$/);
      expect(va['hcloud_network_subnet.sub'].id).toBe(`${va['hcloud_network.net'].id}-10.0.1.0/24`);
      // The network block keeps its configured ip; its computed mac_address got a value.
      expect(va['hcloud_server.web'].network).toEqual([
        expect.objectContaining({ ip: '10.0.1.10', network_id: Number(va['hcloud_network.net'].id), mac_address: expect.any(String) }),
      ]);
    });
  });

  test('a changed variable value (a rotated secret) replaces the terraform_data that hashes it', async () => {
    const ws = tf.workspace(config({}, { terraform_data: { delivery: { triggers_replace: { digest: '${sha256(var.hcloud_token)}' } } } }), { vars: { hcloud_token: 'first' } });
    await ws.apply();
    expect((await ws.plan()).changed).toEqual([]);
    ws.setVars({ hcloud_token: 'rotated' });
    const plan = await ws.plan();
    expect(plan.byAction.replace).toEqual(['terraform_data.delivery']);
    expect(plan.changed).toEqual(['terraform_data.delivery']);
  });

  describe('provisioners at apply', () => {
    const withProvisioners = () =>
      config({}, {
        terraform_data: {
          deliver: {
            provisioner: [
              { 'local-exec': { command: 'echo delivered > local-exec-ran' } },
              { file: { connection: { type: 'ssh', host: '${hcloud_server.web.ipv4_address}', user: 'root' }, content: 'x', destination: '/tmp/x' } },
              { 'remote-exec': { connection: { host: '${hcloud_server.web.ipv4_address}', user: 'root' }, inline: ['true'] } },
            ],
          },
        },
      });

    test('file/remote-exec are stripped for the apply, local-exec runs, and the workspace keeps the JSON as given', async () => {
      const ws = tf.workspace(withProvisioners());
      expect((await ws.validate()).messages).toEqual([]);
      await ws.apply();
      expect(readFileSync(join(ws.dir, 'local-exec-ran'), 'utf8')).toBe('delivered\n');
      const written = JSON.parse(readFileSync(join(ws.dir, 'main.tf.json'), 'utf8'));
      expect(Object.keys(written.resource.terraform_data.deliver.provisioner.flatMap((p: object) => Object.keys(p)))).toHaveLength(3);
      expect((await ws.plan()).changed).toEqual([]);
    });

    test('without stripping, the harness refuses to apply them', async () => {
      const ws = tf.workspace(withProvisioners());
      await expect(ws.apply({ stripSshProvisioners: false })).rejects.toThrow(/2 file\/remote-exec provisioners, which would connect to fake addresses/);
      expect(existsSync(join(ws.dir, 'local-exec-ran'))).toBe(false);
    });
  });

  test('the providers answered over the reattached gRPC servers (no download)', () => {
    const rpcs = new Set(tf.calls.map((c) => c.rpc));
    for (const rpc of ['GetProviderSchema', 'ValidateResourceConfig', 'PlanResourceChange', 'ApplyResourceChange', 'UpgradeResourceState', 'ReadResource']) expect(rpcs).toContain(rpc);
  });
});
