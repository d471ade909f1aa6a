/**
 * A user's machine may have no terraform: the reference app must synthesize there, and must not
 * even try to run it (cdktf's DataResource spawns `terraform version` at every synth).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from '../support/tools';
import { tempDir } from '../support/tmp';

const root = resolve(__dirname, '../..');

describe('synth on a machine without terraform', () => {
  test('the reference app synthesizes every stack and never spawns terraform', () => {
    const dir = tempDir('no-terraform-');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    // A `terraform` that records being called and fails: synth must neither need nor call it.
    const marker = join(dir, 'terraform-was-called');
    writeFileSync(join(bin, 'terraform'), `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
    chmodSync(join(bin, 'terraform'), 0o755);
    const outdir = join(dir, 'out');
    const r = run(process.execPath, ['--import', 'tsx', 'main.ts'], {
      cwd: root,
      env: { PATH: bin, HOME: dir, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    });
    expect(r.stderr).not.toMatch(/Could not determine version of terraform/);
    expect(r.status).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(['aiai-bootstrap', 'aiai-minimal', 'aiai-production', 'aiai-production-ha', 'aiai-state']);
  });

  test('fails if a terraform_data resource is created through cdktf\'s DataResource (it spawns terraform)', () => {
    const r = run('grep', ['-rlE', 'new DataResource\\b', 'lib', 'main.ts'], { cwd: root });
    expect(r.stdout.trim()).toBe('');
  });
});
