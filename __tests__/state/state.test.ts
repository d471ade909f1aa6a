import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Aspects, TerraformStack, Testing } from 'cdktf';
import { FloatingIp } from '../../.gen/providers/hcloud/floating-ip';
import { LoadBalancer } from '../../.gen/providers/hcloud/load-balancer';
import { Network } from '../../.gen/providers/hcloud/network';
import { PrimaryIp } from '../../.gen/providers/hcloud/primary-ip';
import { HcloudProvider } from '../../.gen/providers/hcloud/provider';
import { Server } from '../../.gen/providers/hcloud/server';
import { Volume } from '../../.gen/providers/hcloud/volume';
import { BucketRemovalPolicy } from '../../lib/object-store';
import { HetznerS3Backend, StateBootstrapStack, StatefulResourceProtection } from '../../lib/state';
import { lifecycleRules } from '../object-store/helpers';
import { tempDir } from '../support/tmp';

type Json = Record<string, any>;

function synth(stack: TerraformStack): Json {
  return JSON.parse(Testing.synth(stack));
}

const EXPECTED_BACKEND = {
  bucket: 'acme-aiai-tfstate',
  key: 'aiai-production/terraform.tfstate',
  region: 'fsn1',
  endpoints: { s3: 'https://fsn1.your-objectstorage.com' },
  use_path_style: true,
  skip_credentials_validation: true,
  skip_region_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_s3_checksum: true,
};

describe('HetznerS3Backend', () => {
  test('configures the S3 backend for Hetzner, with no locking and no credentials', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'aiai-production');
    const backend = new HetznerS3Backend(stack, { bucket: 'acme-aiai-tfstate', location: 'fsn1' });
    const doc = synth(stack);
    expect(doc.terraform.backend).toEqual({ s3: EXPECTED_BACKEND });
    expect(backend.key).toBe('aiai-production/terraform.tfstate');
    const s3 = doc.terraform.backend.s3;
    for (const absent of ['use_lockfile', 'dynamodb_table', 'dynamodb_endpoint', 'access_key', 'secret_key', 'encrypt', 'endpoint', 'force_path_style']) {
      expect(s3[absent]).toBeUndefined();
    }
  });

  test('takes an explicit key', () => {
    const config = HetznerS3Backend.backendConfig('x', { bucket: 'acme-aiai-tfstate', location: 'hel1', key: 'env/staging.tfstate' });
    expect(config).toMatchObject({ key: 'env/staging.tfstate', region: 'hel1', endpoints: { s3: 'https://hel1.your-objectstorage.com' } });
  });

  test.each([
    [{ bucket: 'acme-aiai-tfstate', location: 'ash', key: 'k' }, /location: got "ash"; allowed: one of fsn1, nbg1, hel1/],
    [{ bucket: 'Acme_State', location: 'fsn1', key: 'k' }, /bucket: got "Acme_State"; allowed: .*contains uppercase letters/],
    [{ bucket: 'acme-aiai-tfstate', location: 'fsn1', key: '/abs' }, /key: got "\/abs"; allowed: an object key/],
    [{ bucket: 'acme-aiai-tfstate', location: 'fsn1', key: 'dir/' }, /key: got "dir\/"/],
    [{ bucket: 'acme-aiai-tfstate', location: 'fsn1', key: 'a//b' }, /key: got "a\/\/b"/],
  ])('fails if %j', (props, message) => {
    expect(() => HetznerS3Backend.backendConfig('stack', props)).toThrow(message);
  });
});

describe('StateBootstrapStack', () => {
  function build(props: Partial<ConstructorParameters<typeof StateBootstrapStack>[2]> = {}) {
    const app = Testing.app();
    const bootstrap = new StateBootstrapStack(app, 'aiai-state', { location: 'fsn1', bucketName: 'acme-aiai-tfstate', ...props });
    const main = new TerraformStack(app, 'aiai-production');
    bootstrap.useAsBackend(main);
    return { app, bootstrap, main, doc: synth(bootstrap), mainDoc: synth(main) };
  }

  test('keeps its own state locally in terraform.tfstate.d/', () => {
    const { doc } = build();
    // Relative to where terraform runs (cdktf.out/stacks/aiai-state): the project's terraform.tfstate.d.
    expect(doc.terraform.backend).toEqual({ local: { path: '../../../terraform.tfstate.d/aiai-state.tfstate' } });
    expect(path.resolve('cdktf.out/stacks/aiai-state', doc.terraform.backend.local.path)).toBe(path.resolve('terraform.tfstate.d/aiai-state.tfstate'));
    const explicit = build({ statePath: '/srv/state/bootstrap.tfstate' }).doc;
    expect(explicit.terraform.backend.local.path).toBe('/srv/state/bootstrap.tfstate');
  });

  test('creates a versioned, destroy-protected state bucket with noncurrent expiry', () => {
    const { doc } = build();
    const buckets = Object.values(doc.resource.aws_s3_bucket) as Json[];
    expect(buckets).toHaveLength(1);
    expect(buckets[0]).toMatchObject({ bucket: 'acme-aiai-tfstate', lifecycle: { prevent_destroy: true }, force_destroy: false });
    const versioning = Object.values(doc.resource.aws_s3_bucket_versioning) as Json[];
    expect(versioning).toHaveLength(1);
    expect(versioning[0].versioning_configuration).toEqual({ status: 'Enabled' });
    expect(versioning[0].lifecycle).toEqual({ prevent_destroy: true });
    // The rules: a terraform_data that puts and verifies them (aws_s3_bucket_lifecycle_configuration never converges on Ceph RGW).
    expect(doc.resource.aws_s3_bucket_lifecycle_configuration).toBeUndefined();
    const [lifecycle] = Object.values(doc.resource.terraform_data) as Json[];
    expect(lifecycleRules(lifecycle).map((r) => r.id).sort()).toEqual(['abort-incomplete-multipart-uploads', 'expire-noncurrent-versions']);
    expect(lifecycleRules(lifecycle).find((r) => r.id === 'expire-noncurrent-versions')!.noncurrentDays).toBe(90);
    expect(lifecycle.triggers_replace).toEqual({
      bucket: expect.stringMatching(/^\$\{aws_s3_bucket\..+\.bucket\}$/),
      endpoint: 'https://fsn1.your-objectstorage.com',
      lifecycle_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(lifecycle.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket\./), expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
    // Not protected itself: it must be replaceable when the rules change, and destroying it deletes nothing.
    expect(lifecycle.lifecycle.prevent_destroy).toBeUndefined();
  });

  test('owns its Hetzner AWS provider with sensitive credential variables', () => {
    const { doc } = build();
    expect(doc.provider.aws[0]).toMatchObject({ region: 'fsn1', s3_use_path_style: true, access_key: '${var.object_storage_access_key}' });
    expect(doc.variable.object_storage_secret_key).toMatchObject({ sensitive: true });
    expect(doc.output.state_bucket.value).toMatch(/^\$\{aws_s3_bucket\..+\.bucket\}$/);
    expect(doc.output.state_endpoint.value).toBe('https://fsn1.your-objectstorage.com');
  });

  test('useAsBackend points the other stack at the bucket and orders the deploy', () => {
    const { mainDoc, main, bootstrap } = build();
    expect(mainDoc.terraform.backend).toEqual({ s3: { ...EXPECTED_BACKEND } });
    expect(main.dependencies).toContain(bootstrap);
  });

  test('scratch environments may let the state bucket go', () => {
    const { doc } = build({ removalPolicy: BucketRemovalPolicy.DESTROY_WITH_CONTENTS, noncurrentVersionExpirationDays: 3 });
    const bucket = Object.values(doc.resource.aws_s3_bucket)[0] as Json;
    expect(bucket.lifecycle).toBeUndefined();
    expect(bucket.force_destroy).toBe(true);
    const [lifecycle] = Object.values(doc.resource.terraform_data) as Json[];
    expect(lifecycleRules(lifecycle).find((r) => r.id === 'expire-noncurrent-versions')!.noncurrentDays).toBe(3);
  });

  test.each([0, -5, 2.5])('fails if noncurrentVersionExpirationDays is %p', (days) => {
    expect(() => build({ noncurrentVersionExpirationDays: days })).toThrow(/Invalid props for aiai-state:\n  - noncurrentVersionExpirationDays: got .*; allowed: a positive whole number of days/);
  });

  test('fails if the location has no Object Storage', () => {
    expect(() => build({ location: 'sin' })).toThrow(/location: got "sin"; allowed: one of fsn1, nbg1, hel1/);
  });

  test('the state stack copies the lifecycle program into its own output folder', () => {
    const outdir = tempDir('cdktf-out-');
    const app = new App({ outdir, skipValidation: true });
    new StateBootstrapStack(app, 'aiai-state', { location: 'fsn1', bucketName: 'acme-aiai-tfstate' });
    app.synth();
    const stackDir = path.join(outdir, 'stacks', 'aiai-state');
    const doc = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    const [lifecycle] = Object.values(doc.resource.terraform_data) as Json[];
    const command: string = lifecycle.provisioner[0]['local-exec'].command;
    // local-exec runs in the stack folder, where the relative asset path points at the copy.
    expect(command).toMatch(/^assets\/bucket-lifecycle-program\/[0-9A-F]{32}\/bucket-lifecycle\.mjs$/);
    expect(readFileSync(path.join(stackDir, command), 'utf8')).toBe(readFileSync(path.resolve('lib/object-store/assets/bucket-lifecycle.mjs'), 'utf8'));
  });

  test('synthesizes as its own stack, before the stacks that use it', () => {
    const outdir = tempDir('cdktf-out-');
    const app = new App({ outdir, skipValidation: true });
    const bootstrap = new StateBootstrapStack(app, 'aiai-state', { location: 'nbg1', bucketName: 'acme-aiai-tfstate' });
    bootstrap.useAsBackend(new TerraformStack(app, 'aiai-production'));
    app.synth();
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.stacks['aiai-production'].dependencies).toEqual(['aiai-state']);
    const stateStack = JSON.parse(readFileSync(path.join(outdir, manifest.stacks['aiai-state'].synthesizedStackPath), 'utf8'));
    expect(Object.keys(stateStack.terraform.backend)).toEqual(['local']);
    const platform = JSON.parse(readFileSync(path.join(outdir, manifest.stacks['aiai-production'].synthesizedStackPath), 'utf8'));
    expect(platform.terraform.backend.s3.endpoints).toEqual({ s3: 'https://nbg1.your-objectstorage.com' });
  });
});

describe('StatefulResourceProtection', () => {
  function build(props?: ConstructorParameters<typeof StatefulResourceProtection>[0]): Json {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'protected');
    new HcloudProvider(stack, 'hcloud', { token: 'unused-in-synth' });
    new Volume(stack, 'volume', { name: 'data', size: 20, location: 'fsn1' });
    new LoadBalancer(stack, 'lb', { name: 'lb', loadBalancerType: 'lb11', location: 'fsn1', lifecycle: { ignoreChanges: ['labels'] } });
    new PrimaryIp(stack, 'ip', { name: 'ip', type: 'ipv4', assigneeType: 'server', autoDelete: true, location: 'fsn1' });
    new FloatingIp(stack, 'fip', { type: 'ipv4', homeLocation: 'fsn1' });
    new Network(stack, 'net', { name: 'net', ipRange: '10.0.0.0/16' });
    new Server(stack, 'server', { name: 's', serverType: 'cx23', image: 'ubuntu-24.04' });
    Aspects.of(stack).add(new StatefulResourceProtection(props));
    return synth(stack);
  }

  test('sets delete_protection and prevent_destroy on volumes, load balancers, primary and floating IPs', () => {
    const doc = build();
    for (const type of ['hcloud_volume', 'hcloud_load_balancer', 'hcloud_primary_ip', 'hcloud_floating_ip']) {
      const [resource] = Object.values(doc.resource[type]) as Json[];
      expect(resource.delete_protection).toBe(true);
      expect(resource.lifecycle.prevent_destroy).toBe(true);
    }
    const [primaryIp] = Object.values(doc.resource.hcloud_primary_ip) as Json[];
    expect(primaryIp.auto_delete).toBe(false);
    const [lb] = Object.values(doc.resource.hcloud_load_balancer) as Json[];
    expect(lb.lifecycle.ignore_changes).toEqual(['labels']);
  });

  test('leaves servers and networks alone', () => {
    const doc = build();
    for (const type of ['hcloud_server', 'hcloud_network']) {
      const [resource] = Object.values(doc.resource[type]) as Json[];
      expect(resource.delete_protection).toBeUndefined();
      expect(resource.lifecycle).toBeUndefined();
    }
  });

  test('each protection can be switched off', () => {
    const doc = build({ deleteProtection: false });
    const [volume] = Object.values(doc.resource.hcloud_volume) as Json[];
    expect(volume.delete_protection).toBeUndefined();
    expect(volume.lifecycle.prevent_destroy).toBe(true);
    const doc2 = build({ preventDestroy: false, resourceTypes: ['hcloud_volume'] });
    const [volume2] = Object.values(doc2.resource.hcloud_volume) as Json[];
    expect(volume2.delete_protection).toBe(true);
    expect(volume2.lifecycle).toBeUndefined();
    const [lb2] = Object.values(doc2.resource.hcloud_load_balancer) as Json[];
    expect(lb2.delete_protection).toBeUndefined();
  });
});
