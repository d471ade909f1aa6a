/**
 * The CLI runs on a bare GitHub-hosted runner through npx: its import graph (and that of the
 * workflow renderer the construct uses) may only reach node built-ins, `yaml` and our own pure
 * modules, never cdktf/constructs/providers.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createLogger } from '../../lib/runner-manager/cli';
import { realClock } from '../../lib/runner-manager/http';
import { graph, ROOT } from '../support/import-graph';

test('the runner CLI and the workflow renderer import only node built-ins and yaml', () => {
  const { files, external } = graph([join(ROOT, 'bin/aiai-runner.ts'), join(ROOT, 'lib/runner-manager/index.ts'), join(ROOT, 'lib/render/workflow/index.ts')]);
  expect([...external].sort()).toEqual(['yaml']);
  expect([...files].map((f) => f.slice(ROOT.length + 1))).toEqual(
    expect.arrayContaining([
      'lib/hetzner/catalog.ts',
      'lib/core/labels.ts',
      'lib/render/systemd.ts',
      'lib/runner-manager/manager.ts',
      // Log shipping of runners: the Alloy pipeline and install plan, rendered at run time.
      'lib/render/monitoring/alloy-pipeline.ts',
      'lib/render/monitoring/alloy-syntax.ts',
      'lib/render/monitoring/install-plan.ts',
      'lib/network/cidr.ts',
    ]),
  );
});

test('the runtime-safe monitoring renderers reach no package at all; their validating wrappers do reach cdktf', () => {
  const runtime = ['alloy-pipeline.ts', 'alloy-syntax.ts', 'install-plan.ts', 'strings.ts', 'paths.ts'].map((f) => join(ROOT, 'lib/render/monitoring', f));
  expect([...graph(runtime).external]).toEqual([]);
  // The check sees through the graph: the synth-time modules (which validate with cdktf tokens) are caught.
  for (const wrapper of ['alloy-config.ts', 'install.ts']) {
    expect([...graph([join(ROOT, 'lib/render/monitoring', wrapper)]).external]).toEqual(expect.arrayContaining(['cdktf (imported by lib/core/tokens.ts)']));
  }
});

test('at run time: rendering a runner with log shipping loads no cdktf, constructs or provider module (the synth-time wrapper does)', () => {
  // A separate node process (through tsx, as the CLI runs in development) that records every
  // package resolution, renders a runner's user_data with Alloy, then loads the validating wrapper.
  const script = `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    const seen = [];
    Module._resolveFilename = function (request, ...rest) {
      if (/^(cdktf|constructs|@cdktf)(\\/|$)/.test(request)) seen.push(request);
      return resolve.call(this, request, ...rest);
    };
    require('./lib/runner-manager/index.ts');
    const { renderRunnerUserData } = require('./lib/runner-manager/user-data.ts');
    const { PINNED_ACTIONS_RUNNER } = require('./lib/runtime/pool-settings.ts');
    const text = renderRunnerUserData({ name: 'ci-1-1-a', encodedJitConfig: 'QUJD', architecture: 'arm64', actionsRunner: PINNED_ACTIONS_RUNNER, logShipping: { lokiHost: '10.0.1.20', environment: 'production' } });
    const runtime = [...seen];
    require('./lib/render/monitoring/alloy-config.ts');
    console.log(JSON.stringify({ runtime, alloy: text.includes('loki.write "monitoring"'), wrapper: seen.slice(runtime.length) }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout) as { runtime: string[]; alloy: boolean; wrapper: string[] };
  expect(out.alloy).toBe(true);
  expect(out.runtime).toEqual([]);
  expect(out.wrapper).toContain('cdktf');
});

test('the operator CLI (aiai-ops) imports only node built-ins and yaml, and reads its unit lists from the role modules', () => {
  const { files, external } = graph([join(ROOT, 'bin/aiai-ops.ts'), join(ROOT, 'lib/operator/index.ts')]);
  expect([...external].sort()).toEqual(['yaml']);
  expect([...files].map((f) => f.slice(ROOT.length + 1))).toEqual(
    expect.arrayContaining([
      'lib/runner-manager/hcloud-client.ts',
      'lib/runner-manager/http.ts',
      'lib/orchestrator/orchestrator-host.ts',
      'lib/render/monitoring/paths.ts',
      'lib/runner-pool/persistent-runner-host.ts',
      'lib/host/hardening.ts',
    ]),
  );
});

test('at run time: the operator CLI loads no cdktf, constructs or provider module', () => {
  const script = `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    const seen = [];
    Module._resolveFilename = function (request, ...rest) {
      if (/^(cdktf|constructs|@cdktf)(\\/|$)/.test(request)) seen.push(request);
      return resolve.call(this, request, ...rest);
    };
    const { main } = require('./lib/operator/index.ts');
    const { expectedUnits } = require('./lib/operator/expected-units.ts');
    let out = '';
    main(['--help'], {}, { stdout: { write: (s) => (out += s) }, stderr: { write: () => true } }).then((code) => {
      const units = expectedUnits({ role: 'monitoring' }).units.length;
      console.log(JSON.stringify({ seen, code, help: out.startsWith('aiai-ops '), units }));
    });
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ seen: [], code: 0, help: true, units: expect.any(Number) });
});

test('progress: rewritten in place on a terminal, printed now and then in CI logs', () => {
  let tty = '';
  const clock = realClock(1000);
  const onTty = createLogger({ stdout: { write: () => true }, stderr: { write: (s: string) => (tty += s), isTTY: true } }, {}, clock, 30);
  onTty.progress('waiting 1 s');
  onTty.progress('waiting 2 s');
  onTty.info('online');
  expect(tty).toBe('\r\x1b[Kwaiting 1 s\r\x1b[Kwaiting 2 s\nonline\n');

  let log = '';
  const inCi = createLogger({ stdout: { write: () => true }, stderr: { write: (s: string) => (log += s) } }, { GITHUB_ACTIONS: 'true' }, clock, 30);
  inCi.progress('waiting 1 s');
  inCi.progress('waiting 2 s'); // within 30 s of the last line: not printed
  inCi.warn('slow\nstart');
  expect(log).toBe('waiting 1 s\n::warning title=aiai-runner::slow%0Astart\n');
});
