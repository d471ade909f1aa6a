import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { secretEnvFileContent } from '../../lib/orchestrator/orchestrator-secrets';
import { describeWithTool, run } from '../support/tools';
import { tempDir } from '../support/tmp';
import { TERRAFORM_SOURCE } from '../support/tools';

/** Synthesizes the expression for two variables and returns it as Terraform JSON text. */
function synthesizedExpression(): string {
  const app = new App({ outdir: tempDir('envfile-synth-'), skipValidation: true });
  const stack = new TerraformStack(app, 's');
  const a = new TerraformVariable(stack, 'a', { type: 'string' });
  const b = new TerraformVariable(stack, 'b', { type: 'string' });
  new TerraformOutput(stack, 'content', { value: secretEnvFileContent({ FIRST_KEY: a.stringValue, SECOND: b.stringValue }) });
  app.synth();
  const json = JSON.parse(require('node:fs').readFileSync(join(app.outdir, 'stacks', 's', 'cdk.tf.json'), 'utf8'));
  return json.output.content.value as string;
}

test('the secret env file is a Terraform expression over the variables, without any value', () => {
  const expr = synthesizedExpression();
  expect(expr).toMatch(/^\$\{join\("", \[/);
  expect(expr).toContain('var.a');
  expect(expr).toContain('var.b');
  expect(expr).toContain('FIRST_KEY=\\"');
});

// terraform is not a Debian package (it is on this project's machine image): skipped loudly where missing, required in CI.
describeWithTool(
  'terraform',
  'terraform',
  'secret env file evaluated by terraform',
  () => {
    test('backslashes and double quotes are escaped for systemd EnvironmentFile double quotes', () => {
      const dir = tempDir('envfile-tf-');
      writeFileSync(
        join(dir, 'main.tf.json'),
        JSON.stringify({ variable: { a: { type: 'string' }, b: { type: 'string' } }, locals: { content: synthesizedExpression() } }),
      );
      const env = { ...process.env, TF_VAR_a: 'sk-a\\b"c', TF_VAR_b: 'plain', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
      expect(run('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env }).status).toBe(0);
      const out = run('terraform', ['console', '-no-color'], { cwd: dir, env, input: 'jsonencode(local.content)\n' });
      expect(out.status).toBe(0);
      // console prints the JSON string of the JSON encoding: decode twice.
      const content = JSON.parse(JSON.parse(out.stdout.trim()));
      expect(content).toBe('FIRST_KEY="sk-a\\\\b\\"c"\nSECOND="plain"\n');
    }, 60_000);
  },
  { source: TERRAFORM_SOURCE },
);
