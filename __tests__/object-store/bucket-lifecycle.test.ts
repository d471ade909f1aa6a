import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { App, LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
import {
  BUCKET_LIFECYCLE_PROGRAM,
  BucketLifecycle,
  BucketLifecycleProps,
  describeLifecycleRule,
  HetznerObjectStorage,
  lifecycleDocumentSha256,
  ObjectStore,
  renderLifecycleDocument,
} from '../../lib/object-store';
import { localStatePath, StateBootstrapStack } from '../../lib/state';
import { tempDir } from '../support/tmp';
import { Json, synthStack } from './helpers';

const RULES = [
  { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadDays: 7 },
  { id: 'expire-objects', expirationDays: 90 },
];

function lifecycleStack(props: Partial<BucketLifecycleProps> = {}): { doc: Json; lifecycle: BucketLifecycle } {
  let lifecycle!: BucketLifecycle;
  const { doc } = synthStack((stack) => {
    lifecycle = new BucketLifecycle(stack, 'lifecycle', { bucketName: 'acme-aiai-prod-logs', location: 'nbg1', rules: RULES, ...props });
  });
  return { doc, lifecycle };
}

/** Every file below `dir` (relative path -> bytes). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('BucketLifecycle', () => {
  test('synthesizes a terraform_data keyed on bucket, endpoint and the document digest, with the rules in words', () => {
    const { doc, lifecycle } = lifecycleStack();
    const [[name, data]] = Object.entries(doc.resource.terraform_data) as [string, Json][];
    expect(name).toMatch(/^lifecycle_apply_/);
    const document = renderLifecycleDocument(RULES);
    expect(lifecycle.document).toBe(document);
    expect(lifecycle.sha256).toBe(lifecycleDocumentSha256(document));
    expect(data.triggers_replace).toEqual({ bucket: 'acme-aiai-prod-logs', endpoint: 'https://nbg1.your-objectstorage.com', lifecycle_sha256: lifecycle.sha256 });
    expect(data.input).toEqual({
      rules: {
        'abort-incomplete-multipart-uploads': 'whole bucket: abort incomplete multipart uploads after 7 days',
        'expire-objects': 'whole bucket: expire current objects after 90 days',
      },
    });
    expect(data.provisioner).toEqual([
      {
        'local-exec': {
          interpreter: ['node'],
          command: expect.stringMatching(/^assets\/bucket-lifecycle-program\/[0-9A-F]{32}\/bucket-lifecycle\.mjs$/),
          environment: {
            AIAI_LIFECYCLE_BUCKET: 'acme-aiai-prod-logs',
            AIAI_LIFECYCLE_ENDPOINT: 'https://nbg1.your-objectstorage.com',
            AIAI_LIFECYCLE_REGION: 'nbg1',
            AIAI_LIFECYCLE_DOCUMENT: document,
            AIAI_LIFECYCLE_SHA256: lifecycle.sha256,
          },
        },
      },
    ]);
    // No credentials anywhere in the configuration: the program reads them from terraform's environment.
    expect(JSON.stringify(doc)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secret_key|access_key/);
    // Built-in resource only: no provider to install.
    expect(doc.provider).toBeUndefined();
  });

  test('the document: one enabled whole-bucket rule per entry (empty Filter), only the actions asked for', () => {
    expect(renderLifecycleDocument([{ id: 'a&b', expirationDays: 1, noncurrentVersionExpirationDays: 2, abortIncompleteMultipartUploadDays: 3 }])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Rule><ID>a&amp;b</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>' +
        '<NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays></NoncurrentVersionExpiration>' +
        '<AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>\n',
    );
    expect(describeLifecycleRule({ id: 'x', expirationDays: 1, noncurrentVersionExpirationDays: 30 })).toBe('whole bucket: expire current objects after 1 day; delete noncurrent versions after 30 days');
  });

  test('a changed rule changes the digest (so terraform replaces the resource and the program runs again); the same rules do not', () => {
    const a = lifecycleStack().lifecycle.sha256;
    expect(lifecycleStack().lifecycle.sha256).toBe(a);
    expect(lifecycleStack({ rules: [RULES[0], { id: 'expire-objects', expirationDays: 91 }] }).lifecycle.sha256).not.toBe(a);
  });

  test('an endpoint override (e.g. a local fake) lands in the triggers and the environment', () => {
    const { doc } = lifecycleStack({ endpoint: 'http://127.0.0.1:9000' });
    const [data] = Object.values(doc.resource.terraform_data) as Json[];
    expect(data.triggers_replace.endpoint).toBe('http://127.0.0.1:9000');
    expect(data.provisioner[0]['local-exec'].environment.AIAI_LIFECYCLE_ENDPOINT).toBe('http://127.0.0.1:9000');
  });

  test('every bucket of a stack shares one copy of the program', () => {
    const { doc } = synthStack((stack) => {
      const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
      new ObjectStore(stack, 'object-store', { provider, bucketPrefix: 'acme-aiai-prod' });
    });
    const commands = new Set((Object.values(doc.resource.terraform_data) as Json[]).map((d) => d.provisioner[0]['local-exec'].command));
    expect(commands.size).toBe(1);
  });

  test.each([
    [{ rules: [] }, /rules: got 0; allowed: 1 to 1000 rules/],
    [{ rules: [RULES[0], { id: RULES[0].id, expirationDays: 3 }] }, /rules\[1\]\.id: got "abort-incomplete-multipart-uploads"; allowed: an id no other rule of the bucket has/],
    [{ rules: [{ id: 'nothing' }] }, /rules\[0\]: got \{"id":"nothing"\}; allowed: a rule with at least one of expirationDays, noncurrentVersionExpirationDays, abortIncompleteMultipartUploadDays/],
    [{ rules: [{ id: '', expirationDays: 3 }] }, /rules\[0\]\.id: got ""; allowed: 1-255 printable ASCII characters/],
    [{ rules: [{ id: 'x'.repeat(256), expirationDays: 3 }] }, /rules\[0\]\.id: got "x{256}"; allowed: 1-255/],
    [{ rules: [{ id: 'x', expirationDays: 0 }] }, /rules\[0\]\.expirationDays: got 0; allowed: a positive whole number of days/],
    [{ rules: [{ id: 'x', noncurrentVersionExpirationDays: 1.5 }] }, /rules\[0\]\.noncurrentVersionExpirationDays: got 1\.5/],
    [{ location: 'ash' }, /location: got "ash"; allowed: one of fsn1, nbg1, hel1/],
    [{ bucketName: 'Acme' }, /bucketName: got "Acme"; allowed: .*contains uppercase letters/],
    [{ endpoint: 'http://fsn1.your-objectstorage.com' }, /endpoint: got "http:\/\/fsn1.your-objectstorage.com"; allowed: an https:\/\/ origin without path \(plain http:\/\/ only to 127.0.0.1, localhost or \[::1\]\)/],
    [{ endpoint: 'https://fsn1.your-objectstorage.com/bucket' }, /endpoint: got "https:\/\/fsn1.your-objectstorage.com\/bucket"/],
    [{ endpoint: 'https://fsn1.your-objectstorage.com/' }, /endpoint: got "https:\/\/fsn1.your-objectstorage.com\/"/],
    [{ endpoint: 'not a url' }, /endpoint: got "not a url"/],
  ])('fails at synth for %j', (props, message) => {
    expect(() => lifecycleStack(props as Partial<BucketLifecycleProps>)).toThrow(message);
  });

  test('fails for a token day count or location, naming the construct path and every problem', () => {
    expect(() =>
      synthStack((stack) => {
        const days = new TerraformVariable(stack, 'days', { type: 'number' });
        const loc = new TerraformVariable(stack, 'loc', { type: 'string' });
        new BucketLifecycle(stack, 'lifecycle', { bucketName: 'acme-aiai-prod-logs', location: loc.stringValue, rules: [{ id: 'x', expirationDays: days.numberValue }] });
      }),
    ).toThrow(/Invalid props for test\/lifecycle:\n {2}- location: got "\$\{TfToken\[TOKEN\.\d+\]\}"; allowed: one of fsn1[^\n]*\n {2}- rules\[0\]\.expirationDays: got [^;]+; allowed: a positive whole number of days \(1-36500\) given as a literal/);
  });
});

describe('synth output of the lifecycle rules', () => {
  const SECRET_ENV = {
    AWS_ACCESS_KEY_ID: 'SYNTHSENTINELACCESSKEY',
    AWS_SECRET_ACCESS_KEY: 'synth-sentinel-secret-key-value',
    TF_VAR_object_storage_access_key: 'SYNTHSENTINELTFVARKEY',
    TF_VAR_object_storage_secret_key: 'synth-sentinel-tfvar-secret',
  };

  function synthIn(cwd: string, env: Record<string, string> = {}): string {
    const outdir = tempDir('lifecycle-synth-');
    const before = process.cwd();
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    process.chdir(cwd);
    try {
      const app = new App({ outdir, skipValidation: true });
      new StateBootstrapStack(app, 'aiai-state', { location: 'fsn1', bucketName: 'acme-aiai-tfstate' });
      const stack = new TerraformStack(app, 'aiai-production');
      // (cdktf's default local backend path is absolute; the reference app's is relative.)
      new LocalBackend(stack, { path: localStatePath('aiai-production') });
      const provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'hel1' });
      new ObjectStore(stack, 'object-store', { provider, bucketPrefix: 'acme-aiai-prod' });
      app.synth();
    } finally {
      process.chdir(before);
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    return outdir;
  }

  test('is byte-identical from another working directory and output folder (no machine-specific path)', () => {
    const a = synthIn(process.cwd());
    const b = synthIn(tempDir('elsewhere-'));
    const ta = tree(a);
    expect(tree(b)).toEqual(ta);
    expect(Object.keys(ta).filter((f) => f.endsWith('.mjs'))).toEqual([
      expect.stringMatching(/^stacks\/aiai-production\/assets\/bucket-lifecycle-program\/[0-9A-F]{32}\/bucket-lifecycle\.mjs$/),
      expect.stringMatching(/^stacks\/aiai-state\/assets\/bucket-lifecycle-program\/[0-9A-F]{32}\/bucket-lifecycle\.mjs$/),
    ]);
    const program = readFileSync(resolve(__dirname, '..', '..', BUCKET_LIFECYCLE_PROGRAM), 'utf8');
    for (const [file, body] of Object.entries(ta)) {
      if (file.endsWith('.mjs')) expect(body).toBe(program);
      else for (const path of [a, b, process.cwd(), resolve(__dirname, '..', '..')]) expect(body).not.toContain(path);
    }
  });

  test('holds no credential from the environment of synth', () => {
    const files = tree(synthIn(process.cwd(), SECRET_ENV));
    for (const body of Object.values(files)) for (const value of Object.values(SECRET_ENV)) expect(body).not.toContain(value);
  });
});

describe('BucketLifecycle: props found by __tests__/properties', () => {
  test('fails if the bucket name is not a string (a TypeError before)', () => {
    expect(() => lifecycleStack({ bucketName: null as any })).toThrow(/Invalid props for test\/lifecycle:\n {2}- bucketName: got null; allowed: a string of 3-63 characters/);
  });

  test('fails if a rule is not an object (a TypeError before)', () => {
    expect(() => lifecycleStack({ rules: [null as any] })).toThrow(/Invalid props for test\/lifecycle:\n {2}- rules: got \[null\]; allowed: an array of lifecycle rules/);
  });
});
