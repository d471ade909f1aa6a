/**
 * The fake S3 of __tests__/support/fake-s3.ts: it must refuse what Hetzner refuses (bad signatures
 * and friends), answer lifecycle like Ceph RGW, and serve the terraform S3 backend, so tests built
 * on it prove something. The backend case runs the real terraform (its Go AWS SDK signs the
 * requests, independently of the fake's own signing helper).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { S3_CHECKSUM_ENVIRONMENT } from '../../lib/object-store';
import { HetznerS3Backend } from '../../lib/state';
import { FAKE_S3_CREDENTIALS, FakeS3, signedS3Request, startFakeS3 } from '../support/fake-s3';
import { describeWithTool } from '../support/tools';
import { tempDir } from '../support/tmp';
import { runCommand } from './lifecycle-support';
import { TERRAFORM_SOURCE } from '../support/tools';

const BUCKET = 'acme-aiai-tfstate';
let fake: FakeS3;
beforeEach(async () => {
  fake = await startFakeS3({ buckets: [BUCKET] });
});
afterEach(async () => {
  await fake.close();
});

const code = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
const md5 = (s: string) => createHash('md5').update(s).digest('base64');

describe('fake S3: SigV4 is checked like the real service', () => {
  test('a correctly signed request is served', async () => {
    const put = await signedS3Request(fake.url, { method: 'PUT', path: `/${BUCKET}/a/b.txt`, body: 'hello' });
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe(`"${createHash('md5').update('hello').digest('hex')}"`);
    const get = await signedS3Request(fake.url, { method: 'GET', path: `/${BUCKET}/a/b.txt` });
    expect(get).toMatchObject({ status: 200, body: 'hello' });
    expect(fake.requests.map((r) => `${r.operation} ${r.status}`)).toEqual(['PutObject 200', 'GetObject 200']);
  });

  test.each([
    ['no Authorization header', { anonymous: true }, 403, 'AccessDenied'],
    ['a wrong secret key', { credentials: { accessKeyId: FAKE_S3_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong' } }, 403, 'SignatureDoesNotMatch'],
    ['an unknown access key', { credentials: { accessKeyId: 'NOSUCHKEY', secretAccessKey: 'x' } }, 403, 'InvalidAccessKeyId'],
    ['another region', { region: 'nbg1' }, 400, 'AuthorizationHeaderMalformed'],
    ['a date 20 minutes old', { date: new Date(Date.now() - 20 * 60 * 1000) }, 403, 'RequestTimeTooSkewed'],
    ['a body other than the signed one', { sendBody: 'tampered' }, 400, 'XAmzContentSHA256Mismatch'],
    ['an unsigned x-amz- header', { unsignedHeaders: { 'x-amz-meta-color': 'red' } }, 403, 'AccessDenied'],
  ])('%s is refused', async (_name, opts, status, errorCode) => {
    const r = await signedS3Request(fake.url, { method: 'PUT', path: `/${BUCKET}/k`, body: 'data', ...opts });
    expect(r.status).toBe(status);
    expect(code(r.body)).toBe(errorCode);
    expect(fake.objects.size).toBe(0);
  });

  test('an unknown bucket is NoSuchBucket', async () => {
    const r = await signedS3Request(fake.url, { method: 'GET', path: '/acme-other', query: 'lifecycle' });
    expect(r.status).toBe(404);
    expect(code(r.body)).toBe('NoSuchBucket');
  });
});

describe('fake S3: lifecycle like Ceph RGW', () => {
  const doc = (rules: string) => `<LifecycleConfiguration>${rules}</LifecycleConfiguration>`;
  const put = (body: string, headers: Record<string, string> = { 'content-md5': md5(body) }) => signedS3Request(fake.url, { method: 'PUT', path: `/${BUCKET}`, query: 'lifecycle', body, headers });
  const get = () => signedS3Request(fake.url, { method: 'GET', path: `/${BUCKET}`, query: 'lifecycle' });

  test('GET before any PUT is NoSuchLifecycleConfiguration; PUT, GET, DELETE, GET', async () => {
    expect(code((await get()).body)).toBe('NoSuchLifecycleConfiguration');
    const body = doc('<Rule><ID>b</ID><Filter/><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule><Rule><ID>a</ID><Prefix></Prefix><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>');
    expect((await put(body)).status).toBe(200);
    expect(fake.lifecycle.get(BUCKET)).toBe(body);
    const answer = await get();
    // Ordered by id; the whole-bucket scope as a rule-level empty Prefix either way it was sent.
    expect(answer.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Rule><ID>a</ID><Prefix></Prefix><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>' +
        '<Rule><ID>b</ID><Prefix></Prefix><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule></LifecycleConfiguration>',
    );
    expect((await signedS3Request(fake.url, { method: 'DELETE', path: `/${BUCKET}`, query: 'lifecycle' })).status).toBe(204);
    expect(code((await get()).body)).toBe('NoSuchLifecycleConfiguration');
  });

  test('a prefix and a tag are echoed as Filter/And', async () => {
    expect((await put(doc('<Rule><ID>t</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>'))).status).toBe(200);
    expect((await get()).body).toContain('<ID>t</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status>');
  });

  test.each([
    ['no Content-MD5', doc('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'), {}, 'InvalidRequest'],
    ['a wrong Content-MD5', doc('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'), { 'content-md5': md5('other') }, 'BadDigest'],
    ['a rule without action', doc('<Rule><ID>a</ID><Filter/><Status>Enabled</Status></Rule>'), undefined, 'MalformedXML'],
    ['a bad status', doc('<Rule><ID>a</ID><Filter/><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>'), undefined, 'MalformedXML'],
    ['an unterminated element', '<LifecycleConfiguration><Rule>', undefined, 'MalformedXML'],
    ['two rules with one id', doc('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'.repeat(2)), undefined, 'InvalidArgument'],
  ])('refuses %s', async (_name, body, headers, errorCode) => {
    const r = await put(body, headers ?? { 'content-md5': md5(body) });
    expect(r.status).toBe(400);
    expect(code(r.body)).toBe(errorCode);
    expect(fake.lifecycle.has(BUCKET)).toBe(false);
  });
});

describe('fake S3: objects', () => {
  test('ListObjectsV2 with prefix, delimiter and continuation; HEAD and DELETE', async () => {
    for (const k of ['env:/a/state', 'env:/b/state', 'main/terraform.tfstate', 'main2']) expect((await signedS3Request(fake.url, { method: 'PUT', path: `/${BUCKET}/${k}`, body: k })).status).toBe(200);
    const list = (query: string) => signedS3Request(fake.url, { method: 'GET', path: `/${BUCKET}`, query });
    const workspaces = await list('list-type=2&prefix=env%3A%2F&delimiter=%2F');
    expect(workspaces.body).toContain('<KeyCount>2</KeyCount>');
    expect(workspaces.body).toContain('<CommonPrefixes><Prefix>env:/a/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>env:/b/</Prefix></CommonPrefixes>');
    const page1 = await list('list-type=2&max-keys=3');
    expect(page1.body).toContain('<IsTruncated>true</IsTruncated>');
    const token = /<NextContinuationToken>([^<]+)</.exec(page1.body)![1];
    const page2 = await list(`list-type=2&max-keys=3&continuation-token=${encodeURIComponent(token)}`);
    expect(page2.body).toContain('<Key>main2</Key>');
    expect(page2.body).toContain('<KeyCount>1</KeyCount>');
    expect((await signedS3Request(fake.url, { method: 'HEAD', path: `/${BUCKET}/main2` })).status).toBe(200);
    expect((await signedS3Request(fake.url, { method: 'DELETE', path: `/${BUCKET}/main2` })).status).toBe(204);
    expect((await signedS3Request(fake.url, { method: 'HEAD', path: `/${BUCKET}/main2` })).status).toBe(404);
    expect(code((await signedS3Request(fake.url, { method: 'GET', path: `/${BUCKET}/main2` })).body)).toBe('NoSuchKey');
  });
});

describeWithTool('terraform', 'terraform', 'fake S3 serves the terraform S3 backend', () => {
  test('init, apply and plan with the HetznerS3Backend settings; a wrong key is refused', async () => {
    const dir = tempDir('fake-s3-backend-');
    const backend = HetznerS3Backend.backendConfig('test', { bucket: BUCKET, location: 'fsn1', key: 'aiai-production/terraform.tfstate' });
    const config = { terraform: { backend: { s3: { ...Object.fromEntries(Object.entries(backend).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v])), endpoints: { s3: fake.url } } } }, output: { hello: { value: 'world' } } };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    const env = (secret = FAKE_S3_CREDENTIALS.secretAccessKey) => ({
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
      HOME: dir,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: secret,
      ...S3_CHECKSUM_ENVIRONMENT,
    });
    const tf = (args: string[], e = env()) => runCommand('terraform', [`-chdir=${dir}`, ...args, '-input=false', '-no-color'], e, 120_000);
    const init = await tf(['init']);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect((await tf(['apply', '-auto-approve'])).status).toBe(0);
    const plan = await tf(['plan', '-detailed-exitcode']);
    expect(plan.status).toBe(0);
    expect(JSON.parse(fake.objects.get(`${BUCKET}/aiai-production/terraform.tfstate`)!.toString()).outputs.hello.value).toBe('world');
    // Every request of terraform's own SDK passed the signature check (no 4xx but HEAD of a missing state).
    const failures = fake.requests.filter((r) => r.status >= 400 && !(r.operation === 'HeadObject' && r.status === 404));
    expect(failures).toEqual([]);
    expect(new Set(fake.requests.map((r) => r.operation))).toEqual(new Set(['ListObjectsV2', 'HeadObject', 'PutObject', 'GetObject']));
    const wrong = await tf(['plan'], env('not-the-secret'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/SignatureDoesNotMatch/);
  }, 120_000);
}, { source: TERRAFORM_SOURCE });
