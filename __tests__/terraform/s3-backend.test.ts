/**
 * The reference app's platform stack (`aiai-production`) with `stateBackend: 's3'`, planned and
 * applied by the real terraform against the Ceph-like fake S3 (__tests__/support/fake-s3.ts, which
 * checks SigV4) with the offline stand-in providers. The synthesized backend block is used as is;
 * only its endpoint is replaced by partial backend configuration
 * (`terraform init -backend-config='endpoints={s3="http://127.0.0.1:<port>"}'`), the way a CI job
 * could point it elsewhere; the Object Storage keys and the checksum settings come from the
 * environment, as docs/remote-state.md prescribes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_CONFIG } from '../../lib/app/reference-config';
// Deep imports, not main.ts or the object-store barrel: this file reads the shared synthesis and
// loads neither cdktf nor the library (0.5 s of CPU).
import { ReferenceStackNames as StackNames } from '../../lib/app/scenarios';
import { S3_CHECKSUM_ENVIRONMENT } from '../../lib/object-store/locations';
import { FAKE_S3_CREDENTIALS, FakeS3, FakeS3Request, startFakeS3 } from '../support/fake-s3';
import { referenceApp } from '../support/synth';
import { declaredInstances, describeWithTerraform, instancesInState, StandIn, startStandIn, TerraformRun, Workspace } from '../support/terraform';

const total = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n, 0);

/** How CI passes the Object Storage keys (never in the configuration) plus the documented checksum settings. */
function objectStorageEnvironment(secretAccessKey = FAKE_S3_CREDENTIALS.secretAccessKey): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, ...S3_CHECKSUM_ENVIRONMENT };
}

/** `terraform init` with the synthesized backend, only its endpoint overridden (partial configuration). */
function initAgainst(ws: Workspace, endpoint: string): Promise<TerraformRun> {
  return ws.run(['init', '-input=false', '-no-color', `-backend-config=endpoints={s3=${JSON.stringify(endpoint)}}`]);
}

/** Requests the fake received from `from` on (an index into `fake.requests`). */
const requestsSince = (fake: FakeS3, from: number): FakeS3Request[] => fake.requests.slice(from);
/** An object without its null attributes, nested objects too (terraform saves every backend argument, null when unset). */
function setValues(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, typeof v === 'object' && !Array.isArray(v) ? setValues(v as Record<string, unknown>) : v]),
  );
}
const summary = (reqs: readonly FakeS3Request[]) => reqs.map((r) => `${r.operation} ${r.status}${r.errorCode ? ` ${r.errorCode}` : ''}`);

describeWithTerraform('the reference app’s platform stack on the S3 state backend (Ceph-like fake S3, stand-in providers)', () => {
  // Synthesis blocks the event loop the stand-in answers on: synthesize before terraform runs.
  const s3Json = referenceApp({ ...EXAMPLE_CONFIG, stateBackend: 's3' }).stacks[StackNames.production];
  const localJson = referenceApp().stacks[StackNames.production];
  const backend = s3Json.terraform?.backend?.s3 as Record<string, any>;
  const stateObject = `${EXAMPLE_CONFIG.stateBucketName}/${StackNames.production}/terraform.tfstate`;

  let tf: StandIn;
  let fake: FakeS3;
  /** One working directory for init -> plan -> apply -> plan, in test order (jest runs a file's tests in sequence). */
  let ws: Workspace;
  /** The plan after the apply (terraform's default locking) and the requests it made: two tests read it. */
  let replan: { run: TerraformRun; requests: FakeS3Request[] } | undefined;
  const opened: FakeS3[] = [];

  beforeAll(async () => {
    fake = await startFakeS3({ region: EXAMPLE_CONFIG.location, buckets: [EXAMPLE_CONFIG.stateBucketName] });
    opened.push(fake);
    tf = await startStandIn();
    ws = tf.workspace(s3Json, { backend: 'as-synthesized', env: objectStorageEnvironment() });
  });
  afterAll(async () => {
    await tf?.close();
    await Promise.all(opened.map((f) => f.close()));
  });

  test('the synthesized backend: the documented settings, no lock of any kind, and nothing else differs from the local-backend JSON', () => {
    expect(backend).toEqual({
      bucket: EXAMPLE_CONFIG.stateBucketName,
      key: `${StackNames.production}/terraform.tfstate`,
      region: EXAMPLE_CONFIG.location,
      endpoints: { s3: `https://${EXAMPLE_CONFIG.location}.your-objectstorage.com` },
      use_path_style: true,
      skip_credentials_validation: true,
      skip_region_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_s3_checksum: true,
    }); // exactly these: no credentials either
    // No S3-native lock (use_lockfile: conditional writes Hetzner is not known to honour) and no
    // DynamoDB lock (none at Hetzner): see lib/state/hetzner-s3-backend.ts, docs/remote-state.md.
    expect(backend.use_lockfile).toBeUndefined();
    expect(backend.dynamodb_table).toBeUndefined();
    const withoutBackend = (json: Record<string, any>) => {
      const copy = structuredClone(json);
      delete copy.terraform.backend;
      delete copy['//'].metadata.backend;
      return copy;
    };
    expect(withoutBackend(s3Json)).toEqual(withoutBackend(localJson));
  });

  test('init with only the endpoint overridden, then plan: every resource of the JSON, the same counts as with the local backend', async () => {
    const init = await initAgainst(ws, fake.url);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    // The backend terraform saved: the synthesized settings with the fake's endpoint, no credentials.
    const saved = JSON.parse(readFileSync(join(ws.dir, '.terraform', 'terraform.tfstate'), 'utf8')).backend;
    expect(saved.type).toBe('s3');
    expect(setValues(saved.config)).toEqual({ ...backend, endpoints: { s3: fake.url } });

    // ws.plan() runs a plain `init` first: with the block unchanged and no -backend-config, terraform
    // keeps the saved (overridden) backend (hashicorp/terraform internal/command/meta_backend.go,
    // backendFromConfig: equal hash and no ConfigOverride -> savedBackend).
    const plan = await ws.plan();
    const declared = declaredInstances(s3Json);
    expect(declared).toEqual(declaredInstances(localJson));
    expect(plan.countsByType).toEqual(Object.fromEntries(Object.entries(declared).map(([t, n]) => [t, { create: n }])));
    expect(plan.counts.create).toBe(total(declared));
    expect(plan.changed.length).toBe(total(declared));

    // Every request came from the environment's key, signed for the location, path-style, without
    // the SDK's default checksums; and nothing but the (absent) state was refused.
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const r of fake.requests) {
      expect(r.headers.authorization).toMatch(new RegExp(`Credential=${FAKE_S3_CREDENTIALS.accessKeyId}/\\d{8}/${EXAMPLE_CONFIG.location}/s3/aws4_request`));
      expect(r.url.startsWith(`/${EXAMPLE_CONFIG.stateBucketName}`)).toBe(true);
      expect(Object.keys(r.headers).filter((h) => /checksum|content-md5/.test(h))).toEqual([]);
    }
    expect(fake.requests.filter((r) => r.status >= 400 && !(r.operation === 'HeadObject' && r.errorCode === 'NoSuchKey'))).toEqual([]);
    expect(fake.objects.size).toBe(0);
  });

  test('apply writes the state object at the synthesized key; a second plan reads it back and changes nothing', async () => {
    const before = fake.requests.length;
    await ws.apply({ stripLocalExec: true });
    expect([...fake.objects.keys()]).toEqual([stateObject]);
    const puts = requestsSince(fake, before).filter((r) => r.operation === 'PutObject');
    expect(summary(puts)).toEqual(['PutObject 200']);
    // The state upload carries no checksum: without S3_CHECKSUM_ENVIRONMENT terraform 1.11.4 (aws-sdk-go-v2
    // 1.36) sends x-amz-checksum-crc32 here despite skip_s3_checksum (measured; the fake accepts it).
    expect(Object.keys(puts[0].headers).filter((h) => /checksum|content-md5/.test(h))).toEqual([]);
    expect(puts[0].headers.authorization).toMatch(new RegExp(`Credential=${FAKE_S3_CREDENTIALS.accessKeyId}/\\d{8}/${EXAMPLE_CONFIG.location}/s3/aws4_request`));

    const state = JSON.parse(fake.objects.get(stateObject)!.toString('utf8'));
    expect(state).toMatchObject({ version: 4, serial: expect.any(Number), lineage: expect.any(String), terraform_version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(instancesInState(state)).toEqual(declaredInstances(s3Json));

    // The second plan runs with terraform's default locking (the harness's plan() passes -lock=false):
    // the next test reads what this one run asked of the backend.
    const readFrom = fake.requests.length;
    const run = await ws.run(['plan', '-input=false', '-no-color', '-lock=true', '-detailed-exitcode']);
    replan = { run, requests: requestsSince(fake, readFrom) };
    expect(run.stderr).toBe('');
    // 0: succeeded, an empty plan (no resource instance or output changes): with every instance of
    // the JSON in the state read back (above), each is a no-op.
    expect(run.status).toBe(0);
    expect(summary(replan.requests)).toContain('GetObject 200');
    expect(replan.requests.filter((r) => r.operation === 'PutObject')).toEqual([]);
  });

  test('with locking on (terraform’s default; the harness passes -lock=false) the backend takes no lock: no lock object, no conditional write', () => {
    // The plan after the apply (previous test) ran with -lock=true.
    expect(replan?.run.args).toContain('-lock=true');
    const reqs = replan!.requests;
    expect(reqs.length).toBeGreaterThan(0);
    expect(reqs.filter((r) => r.url.includes('.tflock') || r.headers['if-none-match'] !== undefined || r.headers['if-match'] !== undefined)).toEqual([]);
    expect(new Set(reqs.map((r) => r.operation))).toEqual(new Set(['ListObjectsV2', 'HeadObject', 'GetObject']));
    expect([...fake.objects.keys()]).toEqual([stateObject]);
  });

  test('a wrong secret key fails init with SignatureDoesNotMatch from the same fake; the state is untouched', async () => {
    const stored = fake.objects.get(stateObject);
    const from = fake.requests.length;
    const wrong = tf.workspace(s3Json, { backend: 'as-synthesized', env: objectStorageEnvironment('not-the-secret-key') });
    const init = await initAgainst(wrong, fake.url);
    expect(init.status).toBe(1);
    expect(init.stderr).toMatch(/StatusCode: 403.*SignatureDoesNotMatch/s);
    expect(summary(requestsSince(fake, from))).toEqual(['ListObjectsV2 403 SignatureDoesNotMatch']);
    expect(fake.objects.get(stateObject)).toBe(stored);
  });

  test('a missing state bucket fails init clearly (NoSuchBucket, "does not exist")', async () => {
    const empty = await startFakeS3({ region: EXAMPLE_CONFIG.location });
    opened.push(empty);
    const missing = tf.workspace(s3Json, { backend: 'as-synthesized', env: objectStorageEnvironment() });
    const init = await initAgainst(missing, empty.url);
    expect(init.status).toBe(1);
    expect(init.stderr).toContain(`S3 bucket "${EXAMPLE_CONFIG.stateBucketName}" does not exist`);
    expect(init.stderr).toContain('NoSuchBucket');
    expect(summary(empty.requests)).toEqual(['ListObjectsV2 404 NoSuchBucket']);
    expect(empty.objects.size).toBe(0);
  });
});
