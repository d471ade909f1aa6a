import { inlineTemplateLocals } from '../../lib/core/terraform-template';
import { EXAMPLE_CONFIG, referenceConfig } from '../../lib/app/reference-config';
import { StackNames } from '../../main';
import { withConnectionsPerProvisioner } from '../support/fingerprint';
import { referenceApp, resourcesOfType, SynthesizedApp, synthReferenceApp } from '../support/synth';

/** Every provisioner step of the app's terraform_data, with the connection Terraform uses for it (its own, else the resource's). */
function provisionerSteps(a: SynthesizedApp): Record<string, any>[] {
  return Object.values(a.stacks).flatMap((json) =>
    Object.values(withConnectionsPerProvisioner(json).resource?.terraform_data ?? {}).flatMap((r: Record<string, any>) => (r.provisioner ?? []).map((p: Record<string, any>) => Object.values(p)[0] as Record<string, any>)),
  );
}

describe('referenceConfig', () => {
  test('without overrides it is the documentation config (RFC 5737 admin address, example key)', () => {
    expect(referenceConfig({})).toEqual(EXAMPLE_CONFIG);
    expect(EXAMPLE_CONFIG.adminCidrs).toEqual(['203.0.113.10/32']);
    expect(EXAMPLE_CONFIG.location).toBe('fsn1');
    expect(Object.values(EXAMPLE_CONFIG.sshPublicKeys)[0]).toMatch(/^ssh-ed25519 AAAA/);
  });

  test('reads the operator-specific values from the environment', () => {
    const c = referenceConfig({
      AIAI_ENVIRONMENT: 'staging',
      AIAI_ADMIN_CIDRS: ' 198.51.100.7/32 , 2001:db8::/64,,',
      AIAI_SSH_PUBLIC_KEYS: 'alice=ssh-ed25519 AAAAC3Nza alice@x; bob = ssh-ed25519 AAAAC3Nzb bob@y\n',
      AIAI_REPOSITORY_URL: 'https://github.com/acme/aiai.git',
      AIAI_REPOSITORY_REF: 'release',
      AIAI_GITHUB_OWNER: 'acme',
      AIAI_GITHUB_REPOSITORY: 'agents',
    });
    expect(c).toEqual({
      ...EXAMPLE_CONFIG,
      environment: 'staging',
      adminCidrs: ['198.51.100.7/32', '2001:db8::/64'],
      sshPublicKeys: { alice: 'ssh-ed25519 AAAAC3Nza alice@x', bob: 'ssh-ed25519 AAAAC3Nzb bob@y' },
      repositoryUrl: 'https://github.com/acme/aiai.git',
      repositoryRef: 'release',
      githubOwner: 'acme',
      githubRepository: 'agents',
    });
  });

  test('a key value may itself contain =', () => {
    expect(referenceConfig({ AIAI_SSH_PUBLIC_KEYS: 'k=ssh-rsa AAAAB3Nza== me' }).sshPublicKeys).toEqual({ k: 'ssh-rsa AAAAB3Nza== me' });
  });

  test.each(['ssh-ed25519 AAAA no-name', '=ssh-ed25519 AAAA'])('fails if an AIAI_SSH_PUBLIC_KEYS entry has no name (%j)', (entry) => {
    expect(() => referenceConfig({ AIAI_SSH_PUBLIC_KEYS: entry })).toThrow(/^Invalid props for the environment \(AIAI_\* variables\):\n  - AIAI_SSH_PUBLIC_KEYS: got .*; allowed: entries of the form name=<public key>/);
  });

  test('existing Hetzner SSH keys by name or ID; the documentation key is then left out', () => {
    const c = referenceConfig({ AIAI_EXISTING_SSH_KEYS: ' alice@laptop , 4711,,' });
    expect(c.existingSshKeys).toEqual(['alice@laptop', '4711']);
    expect(c.sshPublicKeys).toEqual({});
    // Both kinds together when both are given.
    const both = referenceConfig({ AIAI_EXISTING_SSH_KEYS: 'ops', AIAI_SSH_PUBLIC_KEYS: 'bob=ssh-ed25519 AAAAC3Nzb bob@y' });
    expect(both).toMatchObject({ existingSshKeys: ['ops'], sshPublicKeys: { bob: 'ssh-ed25519 AAAAC3Nzb bob@y' } });
    expect(referenceConfig({}).existingSshKeys).toEqual([]);
  });

  test('SSH authentication of secret delivery: the agent by default, or a private key', () => {
    expect(referenceConfig({}).sshAuth).toBe('agent');
    expect(referenceConfig({ AIAI_SSH_AUTH: 'agent' }).sshAuth).toBe('agent');
    expect(referenceConfig({ AIAI_SSH_AUTH: 'private-key' }).sshAuth).toBe('private-key');
  });

  test.each(['key', 'password', 'Agent'])('fails if AIAI_SSH_AUTH is %j', (value) => {
    expect(() => referenceConfig({ AIAI_SSH_AUTH: value })).toThrow(`AIAI_SSH_AUTH: got ${JSON.stringify(value)}; allowed: 'agent' or 'private-key'`);
  });

  test('reads process.env by default', () => {
    const saved = process.env.AIAI_REPOSITORY_REF;
    process.env.AIAI_REPOSITORY_REF = 'from-env';
    try {
      expect(referenceConfig().repositoryRef).toBe('from-env');
    } finally {
      if (saved === undefined) delete process.env.AIAI_REPOSITORY_REF;
      else process.env.AIAI_REPOSITORY_REF = saved;
    }
  });
});

describe('the platform with existing keys and private-key SSH (what CI deploys)', () => {
  // Synthesized as CI does, with the private key set in the environment (TF_VAR_ssh_private_key).
  const marker = '-----BEGIN OPENSSH PRIVATE KEY-----\nMARKER-ssh-private-key-4f1c\n-----END OPENSSH PRIVATE KEY-----';
  const app = synthReferenceApp({ ...EXAMPLE_CONFIG, sshPublicKeys: {}, existingSshKeys: ['ops-laptop', '4711'], sshAuth: 'private-key' }, { env: { TF_VAR_ssh_private_key: marker } });
  const stack = app.stacks[StackNames.production];

  test('no Hetzner SSH key is created (none can collide with the project\'s); both are read with data sources', () => {
    expect(stack.resource?.hcloud_ssh_key).toBeUndefined();
    const lookups = Object.values(stack.data!.hcloud_ssh_key).map(({ name, id }) => ({ name, id }));
    expect(lookups).toHaveLength(2);
    expect(lookups).toEqual(expect.arrayContaining([{ name: 'ops-laptop', id: undefined }, { name: undefined, id: 4711 }]));
  });

  test('every server and the runner pool get both keys', () => {
    const byName = Object.keys(stack.data!.hcloud_ssh_key).find((k) => stack.data!.hcloud_ssh_key[k].name === 'ops-laptop');
    const servers = resourcesOfType(app, 'hcloud_server');
    expect(servers.length).toBeGreaterThanOrEqual(3);
    for (const s of servers) expect(s.config.ssh_keys).toEqual([`\${data.hcloud_ssh_key.${byName}.id}`, '4711']);
    const sshKeysVar = resourcesOfType(app, 'github_actions_variable').find((v) => v.config.variable_name === 'AIAI_RUNNER_SSH_KEYS');
    expect(sshKeysVar!.config.value).toBe(`\${data.hcloud_ssh_key.${byName}.id},4711`);
  });

  test('the key texts never reach user_data; each host\'s delivered authorized_keys gets them through Terraform (JSON-escaped)', () => {
    const unescaped = (text: string) => [...text.matchAll(/(?<![$%])(\$\{|%\{)[^}(]{0,40}\(?/g)].map((m) => m[0]);
    for (const s of resourcesOfType(app, 'hcloud_server')) {
      const userData = s.config.user_data as string;
      expect(userData.startsWith('#cloud-config\n')).toBe(true);
      expect(unescaped(userData)).toEqual([]);
    }
    const configurations = resourcesOfType(app, 'terraform_data').filter((r) => (r.config.provisioner ?? []).some((p: any) => String(p.file?.destination ?? '').endsWith('/host-manifest.json')));
    // One per server, in every scenario stack.
    expect(configurations.length).toBe(resourcesOfType(app, 'hcloud_server').length);
    expect(configurations.length).toBeGreaterThanOrEqual(3);
    for (const c of configurations) {
      // Shared file entries are locals (lib/core/shared-text.ts): the upload as one template.
      const upload = inlineTemplateLocals(c.config.provisioner.find((p: any) => String(p.file?.destination ?? '').endsWith('/host-manifest.json')).file.content as string, app.stacks[c.stack].locals);
      // One interpolation per existing key (by name and by id) known only at plan; everything else escaped.
      expect(unescaped(upload)).toEqual(['${trimsuffix(', '${trimsuffix(']);
    }
  });

  test('every SSH connection uses the private key from a sensitive variable, never the agent', () => {
    const provisioners = provisionerSteps(app);
    const connections = provisioners.filter((p) => p.when !== 'destroy').map((p) => p.connection).filter((c) => c);
    expect(connections.length).toBeGreaterThan(0);
    for (const c of connections) expect(c).toMatchObject({ type: 'ssh', user: 'aiai', agent: false, private_key: '${var.ssh_private_key}', timeout: '300s' });
    // Destroy-time steps may only read self: the key travels in their input.
    const destroy = provisioners.filter((p) => p.when === 'destroy');
    // One unmount step per data volume (one per stack with a monitoring node).
    expect(destroy.length).toBe(resourcesOfType(app, 'hcloud_volume').length);
    expect(destroy.length).toBeGreaterThanOrEqual(1);
    for (const p of destroy) expect(p.connection).toMatchObject({ type: 'ssh', user: 'aiai', agent: false, private_key: '${self.input.private_key}' });
    expect(stack.variable!.ssh_private_key).toMatchObject({ type: 'string', sensitive: true });
    // A PEM key has line breaks: only emptiness is rejected.
    expect(stack.variable!.ssh_private_key.validation).toEqual([{ condition: '${length(var.ssh_private_key) > 0}', error_message: 'ssh_private_key must be non-empty.' }]);
  });

  test('the private key never reaches the synthesized files, even when set at synth', () => {
    for (const raw of Object.values(app.rawStacks)) {
      expect(raw).not.toContain('MARKER-ssh-private-key');
      expect(raw).not.toContain('BEGIN OPENSSH');
    }
    expect(Object.values(app.rawStacks).join('')).toContain('var.ssh_private_key');
  });

  test('with the agent (the default), connections say so and there is no private key variable', () => {
    // The documentation config: the run's shared synthesis of it.
    const agentApp = referenceApp();
    // Every provisioner but the bucket lifecycles' local-exec connects over SSH.
    const connections = provisionerSteps(agentApp)
      .map((p) => p.connection)
      .filter((c) => c !== undefined);
    expect(connections.length).toBeGreaterThan(10);
    for (const c of connections) {
      expect(c.agent).toBe(true);
      expect(c).not.toHaveProperty('private_key');
    }
    expect(agentApp.stacks[StackNames.production].variable!.ssh_private_key).toBeUndefined();
  });
});

describe('every server the reference app writes', () => {
  const servers = resourcesOfType(referenceApp(), 'hcloud_server');

  test('network blocks carry alias_ips = [] (no detach/attach on every plan, provider issue 650); disks are kept on a type change', () => {
    expect(servers.length).toBeGreaterThanOrEqual(3);
    for (const { name, config } of servers) {
      expect({ name, networks: config.network.map((n: Record<string, unknown>) => n.alias_ips) }).toEqual({ name, networks: [[]] });
      expect({ name, keep_disk: config.keep_disk }).toEqual({ name, keep_disk: true });
    }
  });

  test('only the monitoring node (its data is on a volume) shuts down before deletion', () => {
    const graceful = servers.filter((s) => s.config.shutdown_before_deletion === true).map((s) => `${s.stack} ${s.config.labels.role}`);
    const monitoring = servers.filter((s) => s.config.labels.role === 'monitoring').map((s) => `${s.stack} monitoring`);
    expect(graceful).toEqual(monitoring);
    expect(graceful).toContain(`${StackNames.production} monitoring`);
  });
});
