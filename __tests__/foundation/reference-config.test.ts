import { EXAMPLE_CONFIG, referenceConfig } from '../../lib/app/reference-config';

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
    expect(() => referenceConfig({ AIAI_SSH_PUBLIC_KEYS: entry })).toThrow(/^AIAI_SSH_PUBLIC_KEYS entries must be name=<public key>, got /);
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
