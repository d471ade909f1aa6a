import { access, ADMIN_CIDR, expectProblem, OPERATOR_KEY, resources, synth, testStack, validationError } from './helpers';

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

  test('fails if there is no SSH key', () => {
    expectProblem(validationError(() => access(testStack(), { sshPublicKeys: {} })), {
      path: 'test/Access',
      property: 'sshPublicKeys',
      value: [],
      allowed: /^at least one public key$/,
    });
  });

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
