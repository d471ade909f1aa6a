import { EXAMPLE_CONFIG } from '../../lib/app/reference-config';
import { S3_CHECKSUM_ENVIRONMENT } from '../../lib/object-store';
import { StackNames } from '../../main';
import { FAKE_S3_CREDENTIALS, startFakeS3 } from '../support/fake-s3';
import { synthReferenceApp } from '../support/synth';
import { declaredInstances, describeWithTerraform, startStandIn } from '../support/terraform';

describeWithTerraform('explore', () => {
  const t0 = Date.now();
  const s3App = synthReferenceApp({ ...EXAMPLE_CONFIG, stateBackend: 's3' });
  const t1 = Date.now();
  const localApp = synthReferenceApp(EXAMPLE_CONFIG);
  console.log('synth', t1 - t0, Date.now() - t1);
  test('x', async () => {
    const json = s3App.stacks[StackNames.platform];
    console.log(JSON.stringify(json.terraform, null, 1), JSON.stringify(localApp.stacks[StackNames.platform].terraform));
    const strip = (j: any) => { const c = structuredClone(j); delete c.terraform.backend; delete c["//"].metadata.backend; return c; };
    expect(strip(json)).toEqual(strip(localApp.stacks[StackNames.platform]));
    const extra = new Map<string, Record<string, string>>();
    const childProcess: typeof import('node:child_process') = jest.requireActual('node:child_process');
    const orig = childProcess.spawn;
    const spy = jest.spyOn(childProcess, 'spawn').mockImplementation(((cmd: string, args: string[], opts: any) => {
      const e = extra.get(opts?.cwd);
      return (orig as any)(cmd, args, e ? { ...opts, env: { ...opts.env, ...e } } : opts);
    }) as any);
    const fake = await startFakeS3({ buckets: ['your-org-aiai-tfstate'] });
    const tf = await startStandIn();
    try {
      const ws = tf.workspace(json, { backend: 'as-synthesized' });
      extra.set(ws.dir, { AWS_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_S3_CREDENTIALS.secretAccessKey, ...S3_CHECKSUM_ENVIRONMENT,
      });
      const i = await ws.run(['init', '-input=false', '-no-color', `-backend-config=endpoints={s3="${fake.url}"}`]);
      console.log(i.status, i.stdout, i.stderr);
      const ws2 = tf.workspace(json, { backend: 'as-synthesized' });
      extra.set(ws2.dir, { AWS_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: 'wrong', ...S3_CHECKSUM_ENVIRONMENT });
      const w = await ws2.run(['init', '-input=false', '-no-color', `-backend-config=endpoints={s3="${fake.url}"}`]);
      console.log('WRONG', w.status, w.stderr);
      const fake2 = await startFakeS3({ buckets: [] });
      const ws3 = tf.workspace(json, { backend: 'as-synthesized' });
      extra.set(ws3.dir, { AWS_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_S3_CREDENTIALS.secretAccessKey, ...S3_CHECKSUM_ENVIRONMENT });
      const m = await ws3.run(['init', '-input=false', '-no-color', `-backend-config=endpoints={s3="${fake2.url}"}`]);
      console.log('MISSING', m.status, m.stderr, fake2.requests.map((r) => `${r.method} ${r.url} ${r.operation} ${r.status} ${r.errorCode ?? ''}`).join('\n'));
      const ws4 = tf.workspace(json, { backend: 'as-synthesized' });
      extra.set(ws4.dir, { AWS_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_S3_CREDENTIALS.secretAccessKey });
      const n = await ws4.run(['init', '-input=false', '-no-color', `-backend-config=endpoints={s3="${fake2.url}"}`]);
      console.log('NOCHECKSUMENV', n.status, n.stderr);
      const p = await ws.plan();
      console.log(p.counts, declaredInstances(json));
      await ws.apply({ stripLocalExec: true });
      console.log([...fake.objects.keys()]);
      const p2 = await ws.plan();
      console.log(p2.counts);
      console.log(ws.runs.map((r) => `${r.args[0]} ${r.seconds}`));
      console.log(fake.requests.map((r) => `${r.method} ${r.url} ${r.operation} ${r.status} ${r.errorCode ?? ''}`).join('\n'));
    } finally {
      spy.mockRestore();
      await tf.close();
      await fake.close();
    }
  });
});
