/**
 * actionlint on every workflow the reference app commits to GitHub (github_repository_file), as
 * synthesized: the file content is a Terraform template string, so it is unescaped first.
 */
import { unescapeTerraformTemplate } from '../../lib/core/terraform-template';
import { lintWorkflow } from '../support/actionlint';
import { referenceApp, resourcesOfType } from '../support/synth';

const app = referenceApp();
const files = resourcesOfType(app, 'github_repository_file').map((r) => r.config);
const variables = resourcesOfType(app, 'github_actions_variable').map((r) => r.config.variable_name as string);

test('the reference app commits its pool workflows (main and reap): aiai-production’s pool ci, aiai-production-ha’s ci-ha', () => {
  expect(files.map((f) => f.file).sort()).toEqual([
    '.github/workflows/aiai-runner-ci-ha-reap.yml',
    '.github/workflows/aiai-runner-ci-ha.yml',
    '.github/workflows/aiai-runner-ci-reap.yml',
    '.github/workflows/aiai-runner-ci.yml',
  ]);
});

test.each(files.map((f) => [f.file as string, f] as const))('%s passes actionlint', async (path, f) => {
  const content = unescapeTerraformTemplate(f.content as string);
  expect(content).toMatch(/^name: /m);
  expect({ path, findings: await lintWorkflow(content, path, variables) }).toEqual({ path, findings: [] });
});

test('the linter reports a broken workflow (the check is real)', async () => {
  const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n        uses: actions/checkout@v5\n';
  expect((await lintWorkflow(broken, 'broken.yml', [])).length).toBeGreaterThan(0);
});
