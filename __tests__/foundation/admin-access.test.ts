import { TerraformOutput, TerraformVariable } from 'cdktf';
import { access, ADMIN_CIDR, expectProblem, OPERATOR_KEY, resources, synth, testStack, validationError } from '../support/stack';

const BOB_KEY = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEXAMPLEKEYexampleKEY0123456789abcdefABCDEF= bob@example';

describe('AdminAccess', () => {
  test('one Hetzner SSH key per operator, named with the prefix, labelled', () => {
    const stack = testStack();
    const a = access(stack, {
      sshPublicKeys: { alice: `  ${OPERATOR_KEY}\n`, bob: BOB_KEY },
      namePrefix: 'aiai-test-key',
      labels: { project: 'aiai', role: 'access', environment: 'test' },
    });
    const keys = resources(synth(stack), 'hcloud_ssh_key');
    expect(keys.map((k) => k.name).sort()).toEqual(['aiai-test-key-alice', 'aiai-test-key-bob']);
    expect(keys.find((k) => k.name.endsWith('alice'))!.public_key).toBe(OPERATOR_KEY);
    expect(keys.every((k) => k.labels.project === 'aiai' && k.labels.role === 'access' && k.labels.environment === 'test')).toBe(true);
    expect(a.publicKeys).toEqual([OPERATOR_KEY, BOB_KEY]);
    expect(a.adminCidrs).toEqual([ADMIN_CIDR]);
    expect(a.sshKeyIds).toHaveLength(2);
    expect(a.sshKeyIds[0]).toMatch(/^\$\{TfToken\[/);
  });

  test('existing keys: read by name or ID with data sources, no hcloud_ssh_key created for them (no uniqueness_error)', () => {
    const stack = testStack();
    const a = access(stack, { sshPublicKeys: undefined, existingSshKeys: ['alice@laptop', '4711'] });
    const json = synth(stack);
    expect(json.resource?.hcloud_ssh_key).toBeUndefined();
    const data = json.data.hcloud_ssh_key;
    expect(Object.values(data)).toHaveLength(2);
    expect(Object.values(data)).toEqual(expect.arrayContaining([{ name: 'alice@laptop' }, { id: 4711 }]));
    const byName = Object.keys(data).find((k) => data[k].name === 'alice@laptop')!;
    const byId = Object.keys(data).find((k) => data[k].id === 4711)!;
    // The name resolves to the ID the data source found; an ID is used as it is.
    expect(a.sshKeyIds).toHaveLength(2);
    expect(a.sshKeyIds[1]).toBe('4711');
    const server = { ssh_keys: a.sshKeyIds, keys: a.publicKeys };
    new TerraformOutput(stack, 'probe', { value: server });
    const probe = synth(stack).output.probe.value;
    expect(probe.ssh_keys).toEqual([`\${data.hcloud_ssh_key.${byName}.id}`, '4711']);
    // The public key texts are tokens (known at plan), one per key, in the same order.
    expect(probe.keys).toEqual([byName, byId].map((k) => `\${data.hcloud_ssh_key.${k}.public_key}`));
    expect(a.existingSshKeys).toHaveLength(2);
    expect(a.sshKeys).toEqual([]);
  });

  test('new and existing keys together: new ones first, in both lists', () => {
    const stack = testStack();
    const a = access(stack, { existingSshKeys: ['ops-shared'] });
    expect(resources(synth(stack), 'hcloud_ssh_key').map((k) => k.name)).toEqual(['aiai-alice']);
    expect(a.publicKeys[0]).toBe(OPERATOR_KEY);
    expect(a.publicKeys[1]).toMatch(/^\$\{TfToken\[/);
    expect(a.sshKeyIds.map((id) => /^\$\{TfToken\[/.test(id))).toEqual([true, true]);
  });

  test.each([
    ['a name with a comma', 'alice,bob', /^the name or numeric ID of an SSH key in the Hetzner project \(no commas, no surrounding spaces\)$/],
    ['a name with surrounding spaces', ' alice ', /no surrounding spaces/],
    ['an empty name', '', /no commas, no surrounding spaces/],
    ['a name with a line break', 'alice\nbob', /no commas/],
  ])('fails if an existing key is %s', (_what, ref, allowed) => {
    expectProblem(validationError(() => access(testStack(), { existingSshKeys: [ref] })), {
      path: 'test/Access',
      property: 'existingSshKeys[0]',
      value: ref,
      allowed,
    });
  });

  test('fails if an existing key is a token (the lookup needs a literal name or ID)', () => {
    const stack = testStack();
    const token = new TerraformVariable(stack, 'key_name', { type: 'string' }).stringValue;
    expectProblem(validationError(() => access(stack, { existingSshKeys: [token] })), {
      path: 'test/Access',
      property: 'existingSshKeys[0]',
      value: '<token>',
      allowed: /^a literal key name or numeric ID/,
    });
  });

  test('fails if an existing key is listed twice', () => {
    expectProblem(validationError(() => access(testStack(), { existingSshKeys: ['ops', '12', 'ops'] })), {
      path: 'test/Access',
      property: 'existingSshKeys[2]',
      value: 'ops',
      allowed: /^a key not listed twice$/,
    });
  });

  test('fails if an existing key has the name of a key this construct creates (names are unique per project)', () => {
    expectProblem(validationError(() => access(testStack(), { existingSshKeys: ['aiai-alice'] })), {
      path: 'test/Access',
      property: 'existingSshKeys[0]',
      value: 'aiai-alice',
      allowed: /^a key other than the one sshPublicKeys creates under the name aiai-alice$/,
    });
  });

  test('the default name prefix is aiai', () => {
    const stack = testStack();
    access(stack);
    expect(resources(synth(stack), 'hcloud_ssh_key')[0].name).toBe('aiai-alice');
  });

  test('IPv6 admin CIDRs are accepted', () => {
    expect(access(testStack(), { adminCidrs: ['2001:db8::/64', ADMIN_CIDR] }).adminCidrs).toEqual(['2001:db8::/64', ADMIN_CIDR]);
  });

  test('SSH from anywhere needs the explicit opt-in', () => {
    expect(access(testStack(), { adminCidrs: ['0.0.0.0/0', '::/0'], allowSshFromAnywhere: true }).adminCidrs).toEqual(['0.0.0.0/0', '::/0']);
  });

  test.each(['0.0.0.0/0', '::/0', '0::/0', '::0/0', '0:0:0:0:0:0:0:0/0'])('fails if %s is an admin CIDR without allowSshFromAnywhere', (cidr) => {
    expectProblem(validationError(() => access(testStack(), { adminCidrs: [ADMIN_CIDR, cidr] })), {
      path: 'test/Access',
      property: 'adminCidrs[1]',
      value: cidr,
      allowed: /^a restricted CIDR; set allowSshFromAnywhere: true to open SSH to the world$/,
    });
  });

  test('fails if there are no admin CIDRs (SSH is never open by default)', () => {
    expectProblem(validationError(() => access(testStack(), { adminCidrs: [] })), {
      path: 'test/Access',
      property: 'adminCidrs',
      value: [],
      allowed: /^at least one CIDR \(SSH is never opened to the world by default\)$/,
    });
  });

  test.each(['203.0.113.7', '203.0.113.7/24', 'my-office', '2001:db8::/200'])('fails if the admin CIDR %j is not a CIDR', (cidr) => {
    expectProblem(validationError(() => access(testStack(), { adminCidrs: [cidr] })), {
      path: 'test/Access',
      property: 'adminCidrs[0]',
      value: cidr,
      allowed: /^an IPv4 or IPv6 CIDR such as 203\.0\.113\.7\/32/,
    });
  });

  test.each([{ sshPublicKeys: {} }, { sshPublicKeys: undefined, existingSshKeys: [] }, { sshPublicKeys: {}, existingSshKeys: [] }])(
    'fails if there is no SSH key at all (%j)',
    (props) => {
      expectProblem(validationError(() => access(testStack(), props)), {
        path: 'test/Access',
        property: 'sshPublicKeys',
        value: [],
        allowed: /^at least one public key, here or in existingSshKeys$/,
      });
    },
  );

  test.each([
    ['a private key', '-----BEGIN OPENSSH PRIVATE KEY-----'],
    ['a key without its type', 'AAAAC3NzaC1lZDI1NTE5AAAAIOsbTQigH4tHGtjCYMX5OdD1HLNPlzKVmeBauS5oRfGr'],
    ['an unknown key type', 'ssh-dss AAAAB3NzaC1kc3MAAACBAP alice'],
    ['two keys in one entry', `${OPERATOR_KEY}\n${OPERATOR_KEY}`],
  ])('fails if the SSH key is %s', (_what, key) => {
    const err = validationError(() => access(testStack(), { sshPublicKeys: { alice: key } }));
    expectProblem(err, {
      path: 'test/Access',
      property: 'sshPublicKeys.alice',
      allowed: /^an OpenSSH public key line \(ssh-ed25519 AAAA\.\.\. comment\)$/,
    });
    // The value is shown shortened, never a whole (possibly private) key.
    expect(err.message).toContain(`got ${JSON.stringify(key.slice(0, 40) + (key.length > 40 ? '...' : ''))}`);
  });

  test('fails if a label breaks Hetzner\'s label rules', () => {
    expectProblem(validationError(() => access(testStack(), { labels: { environment: '-prod' } })), {
      path: 'test/Access',
      property: 'labels.environment',
      value: '-prod',
      allowed: /^a label value of at most 63 letters, digits, `-_\.`, starting and ending alphanumeric$/,
    });
  });

  test('fails if the same public key is given twice (Hetzner rejects a duplicate fingerprint)', () => {
    const sameKeyOtherComment = OPERATOR_KEY.replace('alice@example', 'alice@laptop');
    expectProblem(validationError(() => access(testStack(), { sshPublicKeys: { alice: OPERATOR_KEY, laptop: sameKeyOtherComment } })), {
      path: 'test/Access',
      property: 'sshPublicKeys.laptop',
      value: 'laptop',
      allowed: /^a key not already given as sshPublicKeys\.alice \(Hetzner allows each public key once per project\)$/,
    });
  });

  test('fails if the key name is not usable in a Hetzner key name', () => {
    expectProblem(validationError(() => access(testStack(), { sshPublicKeys: { 'Alice Smith': OPERATOR_KEY } })), {
      path: 'test/Access',
      property: 'sshPublicKeys.Alice Smith',
      value: 'Alice Smith',
      allowed: /^a key name of lowercase letters, digits and -$/,
    });
  });
});

describe('wrong-typed props (found by __tests__/properties)', () => {
  test('fails if existingSshKeys is not an array of strings (a TypeError before)', () => {
    expectProblem(validationError(() => access(testStack(), { existingSshKeys: {} as any })), { path: 'test/Access', property: 'existingSshKeys', value: {}, allowed: /^an array of SSH key names/ });
  });

  test('fails if a public key is not a string (a TypeError before)', () => {
    expectProblem(validationError(() => access(testStack(), { sshPublicKeys: { alice: 42 as any } })), { path: 'test/Access', property: 'sshPublicKeys', allowed: /^an object of key names to public key lines$/ });
  });

  test('fails if adminCidrs is not an array, or holds an array whose text is a CIDR', () => {
    expectProblem(validationError(() => access(testStack(), { adminCidrs: ADMIN_CIDR as any })), { path: 'test/Access', property: 'adminCidrs', value: ADMIN_CIDR, allowed: /^an array of CIDRs$/ });
    expectProblem(validationError(() => access(testStack(), { adminCidrs: [[ADMIN_CIDR]] as any })), { path: 'test/Access', property: 'adminCidrs[0]', value: [ADMIN_CIDR], allowed: /^an IPv4 or IPv6 CIDR/ });
  });

  test('fails if namePrefix makes key names the settings lists cannot carry (empty, spaces, commas)', () => {
    for (const namePrefix of ['', 'has space', 'a,b']) {
      expectProblem(validationError(() => access(testStack(), { namePrefix })), { path: 'test/Access', property: 'namePrefix', value: namePrefix, allowed: /^a prefix of 1-40/ });
    }
  });
});
