import { TerraformVariable } from 'cdktf';
import {
  HetznerObjectStorage,
  HetznerObjectStorageProvider,
  objectStorageEndpoint,
  ObjectStore,
  S3_CHECKSUM_ENVIRONMENT,
} from '../../lib/object-store';
import { synthStack } from './helpers';

describe('HetznerObjectStorage.provider', () => {
  test.each(['fsn1', 'nbg1', 'hel1'])('configures the AWS provider for %s', (location) => {
    let provider!: HetznerObjectStorageProvider;
    const { doc } = synthStack((stack) => {
      provider = HetznerObjectStorage.provider(stack, 'object-storage', { location });
    });
    expect(doc.provider.aws).toEqual([
      {
        region: location,
        endpoints: [{ s3: `https://${location}.your-objectstorage.com` }],
        s3_use_path_style: true,
        skip_credentials_validation: true,
        skip_region_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: 'true',
        access_key: '${var.object_storage_access_key}',
        secret_key: '${var.object_storage_secret_key}',
      },
    ]);
    expect(provider.location).toBe(location);
    expect(provider.endpoint).toBe(`https://${location}.your-objectstorage.com`);
  });

  test('declares the credentials as sensitive, non-nullable string variables', () => {
    const { doc } = synthStack((stack) => {
      HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
    });
    for (const name of ['object_storage_access_key', 'object_storage_secret_key']) {
      expect(doc.variable[name]).toMatchObject({ type: 'string', sensitive: true, nullable: false });
      expect(doc.variable[name].default).toBeUndefined();
      expect(doc.variable[name].validation[0].condition).toContain(`length(var.${name}) > 0`);
    }
  });

  test('uses given credential variables and a prefix for its own ones', () => {
    const { doc } = synthStack((stack) => {
      const key = new TerraformVariable(stack, 'my_key', { type: 'string', sensitive: true });
      const secret = new TerraformVariable(stack, 'my_secret', { type: 'string', sensitive: true });
      HetznerObjectStorage.provider(stack, 'a', { location: 'fsn1', accessKey: key.stringValue, secretKey: secret.stringValue });
      HetznerObjectStorage.provider(stack, 'b', { location: 'hel1', alias: 'helsinki', variablePrefix: 'backup_storage' });
    });
    expect(doc.provider.aws[0]).toMatchObject({ access_key: '${var.my_key}', secret_key: '${var.my_secret}' });
    expect(doc.provider.aws[1]).toMatchObject({ alias: 'helsinki', access_key: '${var.backup_storage_access_key}' });
    expect(Object.keys(doc.variable).sort()).toEqual(['backup_storage_access_key', 'backup_storage_secret_key', 'my_key', 'my_secret']);
  });

  test.each(['ash', 'hil', 'sin', 'FSN1', 'fsn', 'eu-central-1', ''])('fails if the location is %j (no Object Storage there)', (location) => {
    expect(() => synthStack((stack) => HetznerObjectStorage.provider(stack, 'object-storage', { location }))).toThrow(
      new RegExp(`Invalid props for test/object-storage:\\n  - location: got ${JSON.stringify(location)}; allowed: one of fsn1, nbg1, hel1`),
    );
  });

  test('fails if the location is a token', () => {
    expect(() =>
      synthStack((stack) => {
        const location = new TerraformVariable(stack, 'location', { type: 'string' });
        HetznerObjectStorage.provider(stack, 'object-storage', { location: location.stringValue });
      }),
    ).toThrow(/location: .*allowed: one of fsn1, nbg1, hel1/);
  });

  test('fails if a credential is a literal, without echoing it', () => {
    const literal = 'AKIA-LITERAL-CANARY-123';
    let message = '';
    try {
      synthStack((stack) => HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1', accessKey: literal, secretKey: literal }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/accessKey: got "<literal, not shown>"; allowed: a sensitive Terraform variable token/);
    expect(message).toMatch(/secretKey: got "<literal, not shown>"/);
    expect(message).not.toContain(literal);
  });

  test('fails if the variable prefix is not snake_case', () => {
    expect(() => synthStack((stack) => HetznerObjectStorage.provider(stack, 'p', { location: 'fsn1', variablePrefix: 'Object-Storage' }))).toThrow(
      /variablePrefix: got "Object-Storage"; allowed: lowercase letters/,
    );
  });

  test('the endpoint helper rejects other locations with the allowed ones', () => {
    expect(HetznerObjectStorage.endpoint('nbg1')).toBe('https://nbg1.your-objectstorage.com');
    expect(() => objectStorageEndpoint('ash')).toThrow(/^Invalid props for objectStorageEndpoint:\n  - location: got "ash"; allowed: one of fsn1, nbg1, hel1/);
  });

  test('documents the checksum environment terraform needs against Hetzner', () => {
    expect(S3_CHECKSUM_ENVIRONMENT).toEqual({
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
    });
    expect(HetznerObjectStorage.checksumEnvironment).toBe(S3_CHECKSUM_ENVIRONMENT);
  });
});

describe('secrets', () => {
  test('no secret value appears in the synthesized JSON', () => {
    // Values terraform would read at deploy time: synth must not see or write them.
    const canaries = { TF_VAR_object_storage_access_key: 'canary-access-7f3a', TF_VAR_object_storage_secret_key: 'canary-secret-9b2c' };
    const saved = { ...process.env };
    Object.assign(process.env, canaries);
    try {
      const { json } = synthStack((stack) => {
        const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
        new ObjectStore(stack, 'object-store', { provider, bucketPrefix: 'acme-aiai-prod' });
      });
      for (const value of Object.values(canaries)) expect(json).not.toContain(value);
      expect(json).toContain('${var.object_storage_secret_key}');
      expect(json).not.toMatch(/"(access_key|secret_key)": "(?!\$\{var\.)/);
    } finally {
      process.env = saved;
    }
  });
});
