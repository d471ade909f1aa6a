/**
 * BucketLifecycle as terraform runs it: a stack with only the lifecycle rules (terraform_data is
 * built in, so no provider is downloaded), synthesized by cdktf, applied by the real terraform
 * against the Ceph-like fake S3 on 127.0.0.1 (the construct's `endpoint` points at it; everything
 * else is as synthesized, including the program copied into the stack folder).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { BucketLifecycle, BucketLifecycleRule } from '../../lib/object-store';
import { FAKE_S3_CREDENTIALS, FakeS3, startFakeS3 } from '../support/fake-s3';
import { describeWithTool } from '../support/tools';
import { tempDir } from '../support/tmp';
import { runCommand } from './lifecycle-support';
import { TERRAFORM_SOURCE } from '../support/tools';

const BUCKET = 'acme-aiai-prod-logs';
const STACK = 'lifecycle-e2e';
const RULES: BucketLifecycleRule[] = [
  { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadDays: 7 },
  { id: 'expire-objects', expirationDays: 90 },
];

// terraform is not a Debian package: it is on this project's machine image, and the suite is
// skipped loudly (even in CI) where it is missing, as in __tests__/state/backend-terraform.test.ts.
describeWithTool('terraform', 'terraform', 'BucketLifecycle applied by terraform against a Ceph-like S3', () => {
  let fake: FakeS3;
  let outdir: string;
  let stateFile: string;
  let home: string;
  let address: string;
  let document: string;
  const stackDir = () => join(outdir, 'stacks', STACK);

  const env = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = {
      // node for the provisioner: the same one that runs the tests.
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
      HOME: home,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_S3_CREDENTIALS.secretAccessKey,
      AIAI_LIFECYCLE_ATTEMPTS: '2',
      AIAI_LIFECYCLE_RETRY_DELAY_MS: '20',
      ...overrides,
    };
    for (const [k, v] of Object.entries(e)) if (v === undefined) delete e[k];
    return e;
  };
  const tf = (args: string[], e = env()) => runCommand('terraform', [`-chdir=${stackDir()}`, ...args, '-input=false', '-no-color'], e, 120_000);
  const ops = () => fake.requests.map((r) => `${r.operation} ${r.status}`);

  async function synth(rules: readonly BucketLifecycleRule[]): Promise<void> {
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, STACK);
    new LocalBackend(stack, { path: stateFile });
    const lifecycle = new BucketLifecycle(stack, 'logs-lifecycle', { bucketName: BUCKET, location: 'fsn1', endpoint: fake.url, rules });
    app.synth();
    document = lifecycle.document;
    const doc = JSON.parse(readFileSync(join(stackDir(), 'cdk.tf.json'), 'utf8'));
    address = `terraform_data.${Object.keys(doc.resource.terraform_data)[0]}`;
    const init = await tf(['init']);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
  }

  beforeAll(async () => {
    fake = await startFakeS3({ buckets: [BUCKET] });
    outdir = tempDir('lifecycle-tf-');
    home = tempDir('lifecycle-home-');
    stateFile = join(tempDir('lifecycle-state-'), 'terraform.tfstate');
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  test('1. the first apply puts the rules and converges, in the same graph', async () => {
    await synth(RULES);
    const apply = await tf(['apply', '-auto-approve']);
    expect(apply.stderr).toBe('');
    expect(apply.status).toBe(0);
    expect(ops()).toEqual(['PutBucketLifecycleConfiguration 200', 'GetBucketLifecycleConfiguration 200']);
    expect(fake.lifecycle.get(BUCKET)).toBe(document);
    expect(apply.stdout).toContain(`${address} (local-exec): bucket-lifecycle: verified: bucket ${BUCKET} at ${fake.url} has exactly the 2 configured rule(s)`);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 1 added, 0 changed, 0 destroyed\./);
  }, 60_000);

  test('2. a second apply with nothing changed is a no-op at the terraform level (same triggers): no request at all', async () => {
    await synth(RULES);
    const plan = await tf(['plan', '-detailed-exitcode']);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('No changes.');
    const apply = await tf(['apply', '-auto-approve']);
    expect(apply.status).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 0 added, 0 changed, 0 destroyed\./);
    expect(fake.requests).toEqual([]);
  }, 60_000);

  test('3. running it again on purpose (apply -replace) is idempotent', async () => {
    const before = fake.lifecycle.get(BUCKET);
    const apply = await tf(['apply', '-auto-approve', `-replace=${address}`]);
    expect(apply.status).toBe(0);
    expect(ops()).toEqual(['PutBucketLifecycleConfiguration 200', 'GetBucketLifecycleConfiguration 200']);
    expect(fake.lifecycle.get(BUCKET)).toBe(before);
  }, 60_000);

  test('4. a changed rule shows in the plan, replaces the resource, re-PUTs and converges', async () => {
    await synth([RULES[0], { id: 'expire-objects', expirationDays: 30 }]);
    const plan = await tf(['plan']);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain(`${address} must be replaced`);
    // What changes, in words (input.rules), and why it is a replacement (triggers_replace).
    expect(plan.stdout).toMatch(/~ expire-objects\s+= "whole bucket: expire current objects after 90 days" -> "whole bucket: expire current objects after 30 days"/);
    expect(plan.stdout).toMatch(/~ triggers_replace = \{\n\s+~ lifecycle_sha256 = "[0-9a-f]{64}" -> "[0-9a-f]{64}"\n\s+# \(2 unchanged attributes hidden\)/);
    expect(plan.stdout).toContain('Plan: 1 to add, 0 to change, 1 to destroy.');
    const apply = await tf(['apply', '-auto-approve']);
    expect(apply.status).toBe(0);
    expect(ops()).toEqual(['PutBucketLifecycleConfiguration 200', 'GetBucketLifecycleConfiguration 200']);
    expect(fake.lifecycleAnswer(BUCKET)).toContain('<Expiration><Days>30</Days></Expiration>');
  }, 60_000);

  test('5. a store that answers with other rules fails the apply with the difference', async () => {
    fake.tamperLifecycleAnswer = (a) => a.replace('<Days>30</Days>', '<Days>3</Days>');
    try {
      const apply = await tf(['apply', '-auto-approve', `-replace=${address}`]);
      expect(apply.status).toBe(1);
      expect(apply.stderr).toContain('Error: local-exec provisioner error');
      expect(apply.stdout + apply.stderr).toMatch(/verify lifecycle on bucket acme-aiai-prod-logs at http:\/\/127\.0\.0\.1:\d+ failed after 2 attempts: the bucket's rules do not match the configuration:/);
      expect(apply.stdout + apply.stderr).toMatch(/rule "expire-objects" differs: sent .*"Days":\["30"\].*read back .*"Days":\["3"\]/);
      expect(ops()).toEqual(['PutBucketLifecycleConfiguration 200', 'GetBucketLifecycleConfiguration 200', 'GetBucketLifecycleConfiguration 200']);
    } finally {
      fake.tamperLifecycleAnswer = undefined;
    }
    // The failed instance is tainted: the next plan puts the rules again.
    const plan = await tf(['plan']);
    expect(plan.stdout).toMatch(new RegExp(`${address.replace('.', '\\.')} is tainted, so must be replaced`));
  }, 60_000);

  test('6. wrong or missing credentials fail the apply clearly and no secret reaches output, state or configuration', async () => {
    const wrong = 'wrong-secret-for-the-terraform-test';
    const bad = await tf(['apply', '-auto-approve'], env({ AWS_SECRET_ACCESS_KEY: wrong }));
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/PUT lifecycle on bucket acme-aiai-prod-logs at .* was refused: HTTP 403 SignatureDoesNotMatch.*\(check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    expect(ops()).toEqual(['PutBucketLifecycleConfiguration 403']);
    const missing = await tf(['apply', '-auto-approve'], env({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }));
    expect(missing.status).toBe(1);
    expect(missing.stdout + missing.stderr).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    const good = await tf(['apply', '-auto-approve']);
    expect(good.status).toBe(0);
    const everything = [bad.stdout, bad.stderr, missing.stdout, missing.stderr, good.stdout, good.stderr, readFileSync(stateFile, 'utf8'), readFileSync(join(stackDir(), 'cdk.tf.json'), 'utf8')].join('\n');
    for (const secret of [wrong, FAKE_S3_CREDENTIALS.secretAccessKey]) expect(everything).not.toContain(secret);
    // Nor the access key id: the configuration and the state never see the keys at all.
    expect(readFileSync(stateFile, 'utf8') + readFileSync(join(stackDir(), 'cdk.tf.json'), 'utf8')).not.toContain(FAKE_S3_CREDENTIALS.accessKeyId);
  }, 60_000);

  test('7. destroy deletes nothing on the bucket (the rules stay; the bucket, when destroyed, takes them along)', async () => {
    const destroy = await tf(['destroy', '-auto-approve']);
    expect(destroy.status).toBe(0);
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: 1 destroyed\./);
    expect(fake.requests).toEqual([]);
    expect(fake.lifecycle.get(BUCKET)).toBe(document);
  }, 60_000);
}, { source: TERRAFORM_SOURCE });
