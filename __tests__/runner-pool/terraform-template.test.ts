/**
 * Literal text in Terraform JSON: `${` and `%{` must be escaped or Terraform reads them as its own
 * template syntax. Unit tests, then the proof: real `terraform apply` of outputs holding the escaped
 * text (and the workflow exactly as the pool synthesizes it) gives back the original text.
 */
import { EphemeralRunnerPool } from '../../lib/runner-pool/ephemeral-runner-pool';
import { escapeTerraformTemplate, unescapeTerraformTemplate } from '../../lib/core/terraform-template';
import { describeWithTool, terraformOutputValues } from '../support/tools';
import { githubStack, poolSecrets } from './helpers';
import { byType, synth } from '../support/stack';

const HOSTILE = [
  'plain text',
  'run: echo ${{ github.sha }}',
  "curl -w '%{http_code}' https://example.com",
  '%{ if true }yes%{ endif }',
  'already escaped? $${x} and %%{y}',
  '$$$${ and %%%{',
  'lonely $ and % and $$ and %% at the end $',
  '${',
  '%{',
  '$}{ %}{ {$ {%',
  'line\nbreaks\r\nand "quotes" and \\backslashes\\ and ünïcødé',
];

describe('escapeTerraformTemplate', () => {
  test('escapes interpolations and directives', () => {
    expect(escapeTerraformTemplate('a ${{ b }} c %{d}')).toBe('a $${{ b }} c %%{d}');
    expect(escapeTerraformTemplate('no markers: $ % {} $$ %%')).toBe('no markers: $ % {} $$ %%');
  });

  test('a `$$` in the text stays two dollars (no replacement-pattern surprises)', () => {
    expect(escapeTerraformTemplate('$${')).toBe('$$${');
    expect(escapeTerraformTemplate('$$')).toBe('$$');
  });

  test.each(HOSTILE)('round-trips %j', (text) => {
    expect(unescapeTerraformTemplate(escapeTerraformTemplate(text))).toBe(text);
  });
});

describeWithTool('terraform', 'terraform (HashiCorp apt repository)', 'escaped text through real terraform', () => {
  test('terraform apply yields exactly the original text, for hostile strings and the synthesized workflow', () => {
    const stack = githubStack();
    const pool = new EphemeralRunnerPool(stack, 'Pool', {
      environment: 'test',
      pool: 'ci',
      repository: 'aiai',
      secrets: poolSecrets(stack),
      jobs: {
        test: {
          steps: [
            { run: "status=$(curl -s -o /dev/null -w '%{http_code}' https://example.com) && echo \"$status\"" },
            { run: 'echo "${HOME}" "$${NOT_AN_ESCAPE}" %%{literal}', env: { SHA: '${{ github.sha }}' } },
          ],
        },
      },
    });
    const json = synth(stack);
    const files = Object.values(byType(json, 'github_repository_file'));
    expect(files.map((f) => f.file).sort()).toEqual([pool.workflows.main.path, pool.workflows.reap!.path].sort());
    const expected: Record<string, string> = {};
    const outputs: Record<string, { value: string }> = {};
    HOSTILE.forEach((text, i) => {
      expected[`hostile_${i}`] = text;
      outputs[`hostile_${i}`] = { value: escapeTerraformTemplate(text) };
    });
    for (const f of files) {
      const key = f.file === pool.workflows.main.path ? 'main' : 'reap';
      expected[key] = key === 'main' ? pool.workflows.main.content : pool.workflows.reap!.content;
      // Exactly the string the github_repository_file resource would get.
      outputs[key] = { value: f.content };
    }

    expect(terraformOutputValues({ output: outputs }, 'tf-template-')).toEqual(expected);
    // The workflow text really contains what Terraform would have mangled.
    expect(expected.main).toContain("-w '%{http_code}'");
    expect(expected.main).toContain('${{ github.sha }}');
  }, 120_000);
});
