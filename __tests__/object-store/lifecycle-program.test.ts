/**
 * The lifecycle program (lib/object-store/assets/bucket-lifecycle.mjs) run as terraform's local-exec
 * runs it (`node <file>`, configuration in the environment), against the fake S3 that answers like
 * Ceph RGW. No terraform needed: lifecycle-terraform.test.ts drives the same program through
 * terraform itself.
 */
import { createHash } from 'node:crypto';
import { renderLifecycleDocument } from '../../lib/object-store';
import { FAKE_S3_CREDENTIALS, FakeS3, parseXml, signedS3Request, startFakeS3 } from '../support/fake-s3';
import { BACKUP_RULES, PROGRAM, programEnv, runNode } from './lifecycle-support';

const BUCKET = 'acme-aiai-prod-backups';

let fake: FakeS3;
beforeEach(async () => {
  fake = await startFakeS3({ buckets: [BUCKET] });
});
afterEach(async () => {
  await fake.close();
});

const run = (env: NodeJS.ProcessEnv) => runNode([PROGRAM], env);
const ops = () => fake.requests.map((r) => `${r.operation} ${r.status}`);

describe('bucket-lifecycle program against a Ceph-like S3', () => {
  test('puts the rules, reads back Ceph\'s echo (whole bucket as a rule-level empty Prefix, rules by id) and converges', async () => {
    const r = await run(programEnv(fake, BUCKET, BACKUP_RULES));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(ops()).toEqual(['PutBucketLifecycleConfiguration 200', 'GetBucketLifecycleConfiguration 200']);
    // What was stored is the synthesized document, byte for byte.
    expect(fake.lifecycle.get(BUCKET)).toBe(renderLifecycleDocument(BACKUP_RULES));
    // What came back differs in shape: no Filter, a rule-level Prefix, another rule order.
    const answer = fake.lifecycleAnswer(BUCKET)!;
    expect(answer).not.toContain('<Filter>');
    const ids = parseXml(answer).children.map((rule) => rule.children.map((c) => c.name).join(','));
    expect(ids).toEqual(['ID,Prefix,Status,AbortIncompleteMultipartUpload', 'ID,Prefix,Status,NoncurrentVersionExpiration', 'ID,Prefix,Status,Expiration']);
    expect(r.stdout).toMatch(/verified: bucket acme-aiai-prod-backups at http:\/\/127\.0\.0\.1:\d+ has exactly the 3 configured rule\(s\)/);
    // Signed like the real service wants it: region fsn1, payload hash and Content-MD5 on the PUT.
    const put = fake.operations('PutBucketLifecycleConfiguration')[0];
    expect(put.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${FAKE_S3_CREDENTIALS.accessKeyId}/\\d{8}/fsn1/s3/aws4_request, SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$`));
    expect(put.url).toBe(`/${BUCKET}?lifecycle`);
  });

  test('is idempotent: running it again puts the same document and converges again', async () => {
    const env = programEnv(fake, BUCKET, BACKUP_RULES);
    expect((await run(env)).status).toBe(0);
    const first = fake.lifecycle.get(BUCKET);
    const again = await run(env);
    expect(again.status).toBe(0);
    expect(fake.lifecycle.get(BUCKET)).toBe(first);
    expect(ops()).toEqual(['PutBucketLifecycleConfiguration 200', 'GetBucketLifecycleConfiguration 200', 'PutBucketLifecycleConfiguration 200', 'GetBucketLifecycleConfiguration 200']);
  });

  test('a changed rule replaces the configuration and converges', async () => {
    expect((await run(programEnv(fake, BUCKET, BACKUP_RULES))).status).toBe(0);
    const changed = BACKUP_RULES.map((r) => (r.id === 'expire-objects' ? { ...r, expirationDays: 180 } : r));
    const r = await run(programEnv(fake, BUCKET, changed));
    expect(r.status).toBe(0);
    expect(fake.lifecycleAnswer(BUCKET)).toContain('<Expiration><Days>180</Days></Expiration>');
    expect(fake.lifecycleAnswer(BUCKET)).not.toContain('<Days>90</Days>');
  });

  test.each([
    [
      'a different value',
      (a: string) => a.replace('<Days>90</Days>', '<Days>30</Days>'),
      /rule "expire-objects" differs: sent \{"scope":\{"prefix":""\},"Expiration":\[\{"Days":\["90"\]\}\],"Status":\["Enabled"\]\}, read back \{"scope":\{"prefix":""\},"Expiration":\[\{"Days":\["30"\]\}\],"Status":\["Enabled"\]\}/,
    ],
    ['a missing rule', (a: string) => a.replace(/<Rule><ID>expire-objects<\/ID>.*?<\/Rule>/, ''), /rule "expire-objects" is not on the bucket/],
    [
      'an extra rule',
      (a: string) => a.replace('</LifecycleConfiguration>', '<Rule><ID>console-rule</ID><Prefix></Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>'),
      /rule "console-rule" is on the bucket but not in the configuration/,
    ],
    ['a narrower scope', (a: string) => a.replace('<ID>expire-objects</ID><Prefix></Prefix>', '<ID>expire-objects</ID><Filter><Prefix>logs/</Prefix></Filter>'), /rule "expire-objects" differs: sent \{"scope":\{"prefix":""\}.*read back \{"scope":\{"prefix":"logs\/"\}/],
    ['a disabled rule', (a: string) => a.replace(/(<ID>expire-objects<\/ID><Prefix><\/Prefix><Status>)Enabled/, '$1Disabled'), /rule "expire-objects" differs: .*"Status":\["Disabled"\]/],
  ])('a store that answers with %s fails clearly after a bounded number of reads', async (_name, tamper, message) => {
    fake.tamperLifecycleAnswer = tamper;
    const r = await run(programEnv(fake, BUCKET, BACKUP_RULES));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bucket-lifecycle: verify lifecycle on bucket acme-aiai-prod-backups at http:\/\/127\.0\.0\.1:\d+ failed after 3 attempts: the bucket's rules do not match the configuration:\n {2}- /);
    expect(r.stderr).toMatch(message);
    // One PUT, then exactly AIAI_LIFECYCLE_ATTEMPTS reads.
    expect(ops()).toEqual(['PutBucketLifecycleConfiguration 200', ...Array(3).fill('GetBucketLifecycleConfiguration 200')]);
  });

  test('a store that is slow to show the rules converges on a later read', async () => {
    let reads = 0;
    fake.tamperLifecycleAnswer = (a) => (++reads < 3 ? a.replace('<Days>90</Days>', '<Days>1</Days>') : a);
    const r = await run(programEnv(fake, BUCKET, BACKUP_RULES));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/verify lifecycle: the bucket's rules do not match[^]*attempt 2 of 3/);
    expect(fake.operations('GetBucketLifecycleConfiguration')).toHaveLength(3);
  });

  test('the default retry bound: 6 reads with linearly growing waits', async () => {
    fake.tamperLifecycleAnswer = (a) => a.replace('<Days>90</Days>', '<Days>1</Days>');
    const env = programEnv(fake, BUCKET, BACKUP_RULES, { extra: { AIAI_LIFECYCLE_ATTEMPTS: '', AIAI_LIFECYCLE_RETRY_DELAY_MS: '5' } });
    const r = await run(env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/failed after 6 attempts/);
    expect(fake.operations('GetBucketLifecycleConfiguration')).toHaveLength(6);
    // Waits of 1..5 x 5 ms between the reads.
    expect(r.stdout.match(/attempt \d of 6 in [\d.]+ s/g)).toEqual(['attempt 2 of 6 in 0.005 s', 'attempt 3 of 6 in 0.01 s', 'attempt 4 of 6 in 0.015 s', 'attempt 5 of 6 in 0.02 s', 'attempt 6 of 6 in 0.025 s']);
  });
});

describe('bucket-lifecycle program: credentials and bad input', () => {
  const SECRET = 'wrong-secret-value-that-must-never-be-printed';

  test('a wrong secret key fails at once with the S3 error and the variables to check, printing no secret', async () => {
    const r = await run(programEnv(fake, BUCKET, BACKUP_RULES, { credentials: { accessKeyId: FAKE_S3_CREDENTIALS.accessKeyId, secretAccessKey: SECRET } }));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^bucket-lifecycle: PUT lifecycle on bucket acme-aiai-prod-backups at http:\/\/127\.0\.0\.1:\d+ was refused: HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match .* \(check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: the S3 keys of the Hetzner project that owns the bucket, and the machine's clock\)\n$/,
    );
    // Not retried: an authentication error does not heal.
    expect(ops()).toEqual(['PutBucketLifecycleConfiguration 403']);
    expect(fake.lifecycle.has(BUCKET)).toBe(false);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout + r.stderr).not.toMatch(/Signature=/);
  });

  test('an unknown access key fails with InvalidAccessKeyId', async () => {
    const r = await run(programEnv(fake, BUCKET, BACKUP_RULES, { credentials: { accessKeyId: 'UNKNOWNKEY', secretAccessKey: SECRET } }));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/HTTP 403 InvalidAccessKeyId: .*\(check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  test('missing credentials fail before any request, naming the variables', async () => {
    const r = await run(programEnv(fake, BUCKET, BACKUP_RULES, { credentials: null }));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'bucket-lifecycle: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the Object Storage S3 keys, as for the terraform S3 backend) in the environment of cdktf deploy / terraform apply\n',
    );
    const onlySecret = await run({ ...programEnv(fake, BUCKET, BACKUP_RULES), AWS_SECRET_ACCESS_KEY: '' });
    expect(onlySecret.stderr).toMatch(/^bucket-lifecycle: AWS_SECRET_ACCESS_KEY not set: export/);
    expect(fake.requests).toEqual([]);
  });

  test('a document that does not match its digest (hand-edited cdk.tf.json) is refused before any request', async () => {
    const env = programEnv(fake, BUCKET, BACKUP_RULES);
    const r = await run({ ...env, AIAI_LIFECYCLE_DOCUMENT: String(env.AIAI_LIFECYCLE_DOCUMENT).replace('90', '9') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the lifecycle document's SHA-256 is [0-9a-f]{64}, not [0-9a-f]{64} as configured: was cdk.tf.json edited by hand\?/);
    expect(fake.requests).toEqual([]);
  });

  test('a bucket that does not exist is retried a bounded number of times, then fails', async () => {
    const r = await run(programEnv(fake, 'acme-missing-bucket', BACKUP_RULES));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PUT lifecycle on bucket acme-missing-bucket at .* failed after 3 attempts: HTTP 404 NoSuchBucket: The specified bucket does not exist/);
    expect(ops()).toEqual(Array(3).fill('PutBucketLifecycleConfiguration 404'));
  });

  test.each([
    ['http to a host that is not loopback', { AIAI_LIFECYCLE_ENDPOINT: 'http://fsn1.your-objectstorage.com' }, /AIAI_LIFECYCLE_ENDPOINT must be an https:\/\/ origin \(plain http only to loopback\)/],
    ['an endpoint with a path', { AIAI_LIFECYCLE_ENDPOINT: 'https://fsn1.your-objectstorage.com/bucket' }, /AIAI_LIFECYCLE_ENDPOINT must be an https:\/\/ origin/],
    ['no bucket', { AIAI_LIFECYCLE_BUCKET: '' }, /AIAI_LIFECYCLE_BUCKET not set \(the terraform_data resource's local-exec provisioner sets them\)/],
    ['a bad attempt count', { AIAI_LIFECYCLE_ATTEMPTS: '0' }, /AIAI_LIFECYCLE_ATTEMPTS must be a whole number from 1 to 20, got "0"/],
  ])('refuses %s before any request', async (_name, extra, message) => {
    const r = await run({ ...programEnv(fake, BUCKET, BACKUP_RULES), ...extra });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(fake.requests).toEqual([]);
  });
});

/**
 * Why aws_s3_bucket_lifecycle_configuration cannot converge here. The provider sends a whole-bucket
 * rule with a Filter: a rule-level `prefix = ""` is treated as null and the rule gets an empty
 * `<Filter/>`; `filter { prefix = "" }` is sent as `<Filter><Prefix/></Filter>`
 * (lifecycleRuleModel.Expand in internal/service/s3/bucket_lifecycle_configuration.go of
 * hashicorp/terraform-provider-aws). It then polls until the rules it reads are reflect.DeepEqual to
 * those it sent (lifecycleConfigEqual). Ceph RGW answers both with a rule-level empty Prefix and no
 * Filter, so that never happens (hashicorp/terraform-provider-aws#49019, PR #49547).
 */
describe('the AWS provider\'s equality wait against Ceph RGW', () => {
  const sent = (scope: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>expire-objects</ID>${scope}<Status>Enabled</Status><Expiration><Days>90</Days></Expiration></Rule></LifecycleConfiguration>`;
  /** The rule as the provider compares it: every element, structurally (LifecycleRule.Filter nil vs. set). */
  const structure = (xml: string) => {
    const rule = parseXml(xml).children[0];
    const fields = (n: typeof rule): unknown => (n.children.length === 0 ? n.text : Object.fromEntries(n.children.map((c) => [c.name, fields(c)])));
    return fields(rule);
  };

  test.each([
    ['rule-level prefix = "" (sent as an empty Filter)', '<Filter></Filter>'],
    ['filter { prefix = "" }', '<Filter><Prefix></Prefix></Filter>'],
  ])('%s: the echo has no Filter but a rule-level Prefix, so a structural comparison never matches', async (_name, scope) => {
    const body = sent(scope);
    const md5 = createHash('md5').update(body).digest('base64');
    const put = await signedS3Request(fake.url, { method: 'PUT', path: `/${BUCKET}`, query: 'lifecycle', body, headers: { 'content-md5': md5, 'content-type': 'application/xml' } });
    expect(put.status).toBe(200);
    const get = await signedS3Request(fake.url, { method: 'GET', path: `/${BUCKET}`, query: 'lifecycle' });
    expect(get.status).toBe(200);
    expect(get.body).not.toContain('<Filter>');
    expect(get.body).toContain('<Rule><ID>expire-objects</ID><Prefix></Prefix><Status>Enabled</Status>');
    // The provider's view: what it sent and what it reads back are not equal, on every poll.
    expect(structure(get.body)).not.toEqual(structure(body));
    expect(structure(body)).toMatchObject({ Filter: expect.anything() });
    expect(structure(get.body)).toMatchObject({ Prefix: '' });
    expect(structure(get.body)).not.toHaveProperty('Filter');
    // The program's view of the same exchange: the same rules.
    const r = await run(programEnv(fake, BUCKET, [{ id: 'expire-objects', expirationDays: 90 }]));
    expect(r.status).toBe(0);
  });

  test('a filter that selects something is echoed as a Filter (only the whole-bucket scope changes shape)', async () => {
    const body = sent('<Filter><Prefix>logs/</Prefix></Filter>');
    const md5 = createHash('md5').update(body).digest('base64');
    expect((await signedS3Request(fake.url, { method: 'PUT', path: `/${BUCKET}`, query: 'lifecycle', body, headers: { 'content-md5': md5 } })).status).toBe(200);
    const get = await signedS3Request(fake.url, { method: 'GET', path: `/${BUCKET}`, query: 'lifecycle' });
    expect(get.body).toContain('<ID>expire-objects</ID><Filter><Prefix>logs/</Prefix></Filter><Status>');
  });
});
