/** The real `bin/aiai-ops.ts` as a process (through tsx; `npm run build` compiles it to dist/bin/aiai-ops.js). */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpsExitCode } from '../../lib/operator/errors';
import { Platform } from './support/platform';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'aiai-ops.ts');

test('the bin starts with a node shebang and is the package\'s aiai-ops', () => {
  expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  expect(pkg.bin['aiai-ops']).toBe('dist/bin/aiai-ops.js');
});

test('as a process: the exit code of health reaches the shell, stdout carries the report', async () => {
  const p = await new Platform().start();
  try {
    p.seedHealthy();
    p.standby.status = 'off';
    // spawnSync would block the fake API in this process: run it asynchronously.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'health', '--environment', 'production', '--quiet', '--no-ssh'], {
        cwd: ROOT,
        env: p.env() as NodeJS.ProcessEnv,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(OpsExitCode.unhealthy);
    expect(r.stdout).toMatch(/^FAIL {2}server\.running {3}aiai-production-orchestrator-standby: status is off \(expected running\)$/m);
  } finally {
    await p.close();
  }
});

test('as a process without a token: exit 3', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', BIN, 'status', '--environment', 'production'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(r.status).toBe(OpsExitCode.config);
  expect(r.stderr).toMatch(/HCLOUD_TOKEN is not set/);
});
