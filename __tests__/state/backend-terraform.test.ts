import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { S3_CHECKSUM_ENVIRONMENT } from '../../lib/object-store';
import { HetznerS3Backend } from '../../lib/state';
import { runAsync, startFakeS3 } from '../render/backup/fake-servers';
import { describeWithTool } from '../support/tools';
import { tempDir } from '../support/tmp';
import { TERRAFORM_SOURCE } from '../support/tools';

/**
 * The backend block as terraform itself reads it: `terraform init` and `apply` of a stack with
 * only an output, against a fake path-style S3 endpoint on 127.0.0.1 (the synthesized endpoint is
 * swapped for the fake's URL; everything else is as synthesized).
 */
// terraform is not a Debian package: it is on this project's machine image, and the test is
// skipped loudly (even in CI) where it is missing rather than failing the run.
describeWithTool('terraform', 'terraform', 'HetznerS3Backend with real terraform', () => {
  test('terraform accepts the backend, stores state path-style, takes no lock and sends no checksum headers', async () => {
    const outdir = tempDir('tf-backend-');
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, 'aiai-production');
    new HetznerS3Backend(stack, { bucket: 'acme-aiai-tfstate', location: 'fsn1' });
    new TerraformOutput(stack, 'hello', { value: 'world' });
    app.synth();
    const stackDir = join(outdir, 'stacks', 'aiai-production');
    const file = join(stackDir, 'cdk.tf.json');
    const s3 = await startFakeS3();
    try {
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      doc.terraform.backend.s3.endpoints.s3 = s3.url;
      writeFileSync(file, JSON.stringify(doc));
      const env = {
        PATH: process.env.PATH,
        HOME: outdir,
        TF_IN_AUTOMATION: '1',
        CHECKPOINT_DISABLE: '1',
        // How CI passes the Object Storage keys to the backend (never in the configuration).
        AWS_ACCESS_KEY_ID: 'TESTSTATEKEY',
        AWS_SECRET_ACCESS_KEY: 'test-state-secret',
        ...S3_CHECKSUM_ENVIRONMENT,
      };
      const init = await runAsync('terraform', [`-chdir=${stackDir}`, 'init', '-input=false', '-no-color'], env, 120_000);
      expect(init.stderr).toBe('');
      expect(init.status).toBe(0);
      const apply = await runAsync('terraform', [`-chdir=${stackDir}`, 'apply', '-auto-approve', '-input=false', '-no-color'], env, 120_000);
      expect(apply.stderr).toBe('');
      expect(apply.status).toBe(0);

      expect([...s3.objects.keys()]).toEqual(['acme-aiai-tfstate/aiai-production/terraform.tfstate']);
      expect(JSON.parse(s3.objects.get('acme-aiai-tfstate/aiai-production/terraform.tfstate')!.toString()).outputs.hello.value).toBe('world');
      for (const req of s3.requests) {
        // Path-style, signed for region fsn1 with the environment's key.
        expect(req.url.startsWith('/acme-aiai-tfstate')).toBe(true);
        expect(req.headers.authorization).toMatch(/Credential=TESTSTATEKEY\/\d{8}\/fsn1\/s3\/aws4_request/);
        // No conditional writes (use_lockfile), no lock objects, no SDK checksums.
        expect(req.headers['if-none-match']).toBeUndefined();
        expect(req.url).not.toMatch(/\.tflock/);
        expect(Object.keys(req.headers).filter((h) => /checksum|content-md5/.test(h))).toEqual([]);
      }
    } finally {
      await s3.close();
    }
  }, 180_000);
}, { source: TERRAFORM_SOURCE });
