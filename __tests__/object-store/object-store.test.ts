import { TerraformVariable } from 'cdktf';
import {
  BucketRemovalPolicy,
  HetznerBucket,
  HetznerObjectStorage,
  LifecycleRuleIds,
  ObjectStore,
} from '../../lib/object-store';
import { bucketId, lifecycleOf, lifecycleRules, ruleById, synthStack, versioningOf, withStore } from './helpers';

const NAMES = {
  logs: 'acme-aiai-prod-logs',
  metrics: 'acme-aiai-prod-metrics',
  artifacts: 'acme-aiai-prod-artifacts',
  backups: 'acme-aiai-prod-backups',
};

describe('ObjectStore buckets', () => {
  const { doc, store } = withStore();

  test('creates the four buckets named from the prefix', () => {
    const names = Object.values(doc.resource.aws_s3_bucket).map((b) => (b as { bucket: string }).bucket).sort();
    expect(names).toEqual(Object.values(NAMES).sort());
  });

  test('every bucket is protected from destroy and not force-destroyed by default', () => {
    for (const name of Object.values(NAMES)) {
      const bucket = doc.resource.aws_s3_bucket[bucketId(doc, name)];
      expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
      expect(bucket.force_destroy).toBe(false);
      expect(bucket.provider).toBe('aws');
    }
  });

  test.each([
    ['logs', 90],
    ['metrics', 365],
    ['artifacts', 30],
    ['backups', 90],
  ] as const)('%s objects expire after %i days, for the whole bucket', (purpose, days) => {
    const rule = ruleById(lifecycleOf(doc, NAMES[purpose]), LifecycleRuleIds.expireObjects)!;
    expect(rule.status).toBe('Enabled');
    expect(rule.expirationDays).toBe(days);
    // Whole bucket: an empty Filter (Ceph answers it with a rule-level empty Prefix, which the program accepts).
    expect(rule.filter).toBe('<Filter></Filter>');
    expect(rule.rulePrefix).toBeUndefined();
  });

  test('every bucket aborts incomplete multipart uploads after 7 days', () => {
    for (const name of Object.values(NAMES)) {
      const rule = ruleById(lifecycleOf(doc, name), LifecycleRuleIds.abortMultipart)!;
      expect(rule).toBeDefined();
      expect(rule.status).toBe('Enabled');
      expect(rule.abortDays).toBe(7);
      expect(rule.filter).toBe('<Filter></Filter>');
    }
  });

  test('only the backups bucket is versioned, with noncurrent versions expiring after 30 days', () => {
    const versioning = versioningOf(doc, NAMES.backups);
    expect(versioning.versioning_configuration).toEqual({ status: 'Enabled' });
    expect(versioning.lifecycle).toEqual({ prevent_destroy: true });
    const lifecycle = lifecycleOf(doc, NAMES.backups);
    expect(ruleById(lifecycle, LifecycleRuleIds.expireNoncurrentVersions)!.noncurrentDays).toBe(30);
    // The rules are put after the bucket and its versioning exist.
    expect(lifecycle.depends_on).toEqual([`aws_s3_bucket.${bucketId(doc, NAMES.backups)}`, expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
    for (const name of [NAMES.logs, NAMES.metrics, NAMES.artifacts]) {
      expect(versioningOf(doc, name)).toBeUndefined();
      expect(ruleById(lifecycleOf(doc, name), LifecycleRuleIds.expireNoncurrentVersions)).toBeUndefined();
      expect(lifecycleOf(doc, name).depends_on).toEqual([`aws_s3_bucket.${bucketId(doc, name)}`]);
    }
  });

  test('no aws_s3_bucket_lifecycle_configuration (it never converges on Ceph RGW): one terraform_data per bucket', () => {
    expect(doc.resource.aws_s3_bucket_lifecycle_configuration).toBeUndefined();
    expect(Object.keys(doc.resource.terraform_data)).toHaveLength(4);
    for (const name of Object.values(NAMES)) {
      const lifecycle = lifecycleOf(doc, name);
      expect(lifecycle.triggers_replace.endpoint).toBe('https://fsn1.your-objectstorage.com');
      expect(lifecycle.lifecycle).toEqual({ replace_triggered_by: [`aws_s3_bucket.${bucketId(doc, name)}.id`] });
      // No transitions (Hetzner has one storage class).
      expect(lifecycle.provisioner[0]['local-exec'].environment.AIAI_LIFECYCLE_DOCUMENT).not.toMatch(/Transition/);
    }
  });

  test('outputs the endpoint and the bucket names under stable names', () => {
    expect(doc.output.object_store_endpoint.value).toBe('https://fsn1.your-objectstorage.com');
    for (const purpose of ['logs', 'metrics', 'artifacts', 'backups'] as const) {
      expect(doc.output[`object_store_${purpose}_bucket`].value).toBe(`\${aws_s3_bucket.${bucketId(doc, NAMES[purpose])}.bucket}`);
    }
  });

  test('exposes typed accessors for other constructs', () => {
    expect(store.bucketNames).toEqual(NAMES);
    expect(store.endpoint).toBe('https://fsn1.your-objectstorage.com');
    expect(store.location).toBe('fsn1');
    expect(store.region).toBe('fsn1');
    expect(store.credentials.accessKeyId).toMatch(/\$\{TfToken\[/);
    expect(store.credentials.secretAccessKey).toMatch(/\$\{TfToken\[/);
  });

  test('matches the snapshot', () => {
    expect(doc).toMatchSnapshot();
  });
});

describe('ObjectStore props', () => {
  test('retention, noncurrent expiry and multipart abort are configurable', () => {
    const { doc } = withStore({
      logsExpirationDays: 14,
      metricsExpirationDays: 730,
      artifactsExpirationDays: 7,
      backupsExpirationDays: 180,
      backupsNoncurrentVersionExpirationDays: 5,
      abortIncompleteMultipartUploadDays: 2,
    });
    expect(ruleById(lifecycleOf(doc, NAMES.logs), LifecycleRuleIds.expireObjects)!.expirationDays).toBe(14);
    expect(ruleById(lifecycleOf(doc, NAMES.metrics), LifecycleRuleIds.expireObjects)!.expirationDays).toBe(730);
    expect(ruleById(lifecycleOf(doc, NAMES.artifacts), LifecycleRuleIds.expireObjects)!.expirationDays).toBe(7);
    const backups = lifecycleOf(doc, NAMES.backups);
    expect(ruleById(backups, LifecycleRuleIds.expireObjects)!.expirationDays).toBe(180);
    expect(ruleById(backups, LifecycleRuleIds.expireNoncurrentVersions)!.noncurrentDays).toBe(5);
    expect(ruleById(backups, LifecycleRuleIds.abortMultipart)!.abortDays).toBe(2);
  });

  test('scratch environments can opt out of destroy protection explicitly', () => {
    const { doc } = withStore({ removalPolicy: BucketRemovalPolicy.DESTROY_WITH_CONTENTS });
    for (const name of Object.values(NAMES)) {
      const bucket = doc.resource.aws_s3_bucket[bucketId(doc, name)];
      expect(bucket.lifecycle).toBeUndefined();
      expect(bucket.force_destroy).toBe(true);
    }
    expect(versioningOf(doc, NAMES.backups).lifecycle).toBeUndefined();
  });

  test('DESTROY removes protection but keeps force_destroy off', () => {
    const { doc } = withStore({ removalPolicy: BucketRemovalPolicy.DESTROY });
    const bucket = doc.resource.aws_s3_bucket[bucketId(doc, NAMES.logs)];
    expect(bucket.lifecycle).toBeUndefined();
    expect(bucket.force_destroy).toBe(false);
  });

  test('outputPrefix renames the outputs', () => {
    const { doc } = withStore({ outputPrefix: 'secondary' });
    expect(Object.keys(doc.output).sort()).toEqual([
      'secondary_artifacts_bucket',
      'secondary_backups_bucket',
      'secondary_endpoint',
      'secondary_logs_bucket',
      'secondary_metrics_bucket',
    ]);
  });

  test.each([
    ['Acme', /"Acme-logs" contains uppercase letters/],
    ['acme.aiai', /contains a period/],
    ['acme..aiai', /contains two adjacent periods/],
    ['acme_aiai', /contains "_"/],
    ['-acme', /does not start with a lowercase letter or digit/],
    ['xn--acme', /starts with the reserved prefix xn--/],
    ['a'.repeat(54), /"a{54}-artifacts" is 64 characters long/],
    ['', /"-logs" does not start/],
  ])('fails if the bucket prefix is %j', (prefix, message) => {
    expect(() => withStore({ bucketPrefix: prefix })).toThrow(message);
  });

  test('fails if the bucket prefix makes the longest name exceed 63 characters, naming the limit', () => {
    expect(() => withStore({ bucketPrefix: 'a'.repeat(54) })).toThrow(/bucketPrefix: got "a{54}"; allowed: a prefix of at most 53 characters[^]*"a{54}-artifacts" is 64 characters long/);
    expect(() => withStore({ bucketPrefix: 'a'.repeat(53) })).not.toThrow();
  });

  test('fails if the bucket prefix is a token', () => {
    expect(() =>
      synthStack((stack) => {
        const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
        const prefix = new TerraformVariable(stack, 'prefix', { type: 'string' });
        new ObjectStore(stack, 'object-store', { provider, bucketPrefix: prefix.stringValue });
      }),
    ).toThrow(/bucketPrefix: .*allowed: a literal string/);
  });

  test.each([
    ['logsExpirationDays', 0],
    ['metricsExpirationDays', -1],
    ['artifactsExpirationDays', 1.5],
    ['backupsExpirationDays', Number.NaN],
    ['backupsNoncurrentVersionExpirationDays', 0],
    ['abortIncompleteMultipartUploadDays', -7],
    ['logsExpirationDays', 36_501],
  ] as const)('fails if %s is %p (non-positive or not whole)', (prop, value) => {
    expect(() => withStore({ [prop]: value })).toThrow(new RegExp(`${prop}: got [^;]+; allowed: a positive whole number of days`));
  });

  test('fails if a day count is a token (the lifecycle document and its digest are built at synth)', () => {
    expect(() =>
      synthStack((stack) => {
        const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
        const days = new TerraformVariable(stack, 'days', { type: 'number' });
        new ObjectStore(stack, 'object-store', { provider, bucketPrefix: 'acme-aiai-prod', logsExpirationDays: days.numberValue });
      }),
    ).toThrow(/logsExpirationDays: got [^;]+; allowed: a positive whole number of days \(1-36500\) given as a literal, not a token/);
  });

  test('fails with every problem at once and the construct path', () => {
    expect(() => withStore({ bucketPrefix: 'Bad', logsExpirationDays: 0, outputPrefix: 'Bad-Prefix' })).toThrow(
      /Invalid props for test\/object-store:\n  - bucketPrefix: [^\n]*\n  - logsExpirationDays: got 0[^\n]*\n  - outputPrefix: got "Bad-Prefix"/,
    );
  });
});

describe('HetznerBucket', () => {
  test('fails if noncurrent expiry is set on an unversioned bucket', () => {
    expect(() =>
      synthStack((stack) => {
        const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'nbg1' });
        new HetznerBucket(stack, 'bucket', { provider, bucketName: 'acme-scratch', noncurrentVersionExpirationDays: 3 });
      }),
    ).toThrow(/noncurrentVersionExpirationDays: got 3; allowed: only on a versioned bucket/);
  });

  test('a bucket without expiration only aborts multipart uploads', () => {
    const { doc } = synthStack((stack) => {
      const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'hel1' });
      new HetznerBucket(stack, 'bucket', { provider, bucketName: 'acme-keep' });
    });
    const lifecycle = lifecycleOf(doc, 'acme-keep');
    expect(lifecycleRules(lifecycle).map((r) => r.id)).toEqual([LifecycleRuleIds.abortMultipart]);
    expect(lifecycle.depends_on).toEqual([`aws_s3_bucket.${bucketId(doc, 'acme-keep')}`]);
  });

  test('fails if the bucket name breaks S3 rules, listing each broken rule', () => {
    expect(() =>
      synthStack((stack) => {
        const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
        new HetznerBucket(stack, 'bucket', { provider, bucketName: '192.168.1.1' });
      }),
    ).toThrow(/bucketName: got "192.168.1.1"; allowed: .*\(it contains a period .*; is formatted as an IP address\)/);
  });
});
