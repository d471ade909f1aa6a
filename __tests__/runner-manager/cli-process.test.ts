/**
 * The real `bin/aiai-runner.ts` as a separate process (run through tsx; `npm run build` compiles
 * it to dist/bin/aiai-runner.js): signals, and a process killed half way through `up`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../lib/runner-manager/errors';
import { World } from './support/world';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'aiai-runner.ts');

interface Proc {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function cli(args: string[], env: Record<string, string | undefined>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

test('the bin starts with a node shebang', () => {
  expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
});

describe('against the stand-ins', () => {
  let world: World;
  beforeEach(async () => {
    world = await new World().start();
  });
  afterEach(async () => {
    await world.close();
  });

  test('a process killed hard right after creating its server: down (the always() job) still deletes server and runner', async () => {
    const proc = cli(['up', '--job', 'build'], world.env());
    world.hetzner.onCreate = () => proc.child.kill('SIGKILL');
    const r = await proc.done;
    expect(r.signal).toBe('SIGKILL');
    expect(world.hetzner.servers.size).toBe(1);
    expect(world.github.runners.size).toBe(1);

    const down = await world.run(['down']);
    expect(down.code).toBe(0);
    expect(down.outputs).toEqual({ 'deleted-servers': '1', 'deleted-runners': '1' });
    expect(world.hetzner.servers.size).toBe(0);
    expect(world.github.runners.size).toBe(0);
  });

  test('SIGTERM (a cancelled workflow) while up waits: exit 130 after deleting what it created', async () => {
    world.runnersStart = false;
    const proc = cli(['up', '--job', 'build'], world.env());
    world.hetzner.onCreate = () => setTimeout(() => proc.child.kill('SIGTERM'), 50);
    const r = await proc.done;
    expect(r.code).toBe(ExitCode.interrupted);
    expect(r.stderr).toMatch(/deleted server \d+ \(interrupted\)/);
    expect(world.hetzner.servers.size).toBe(0);
    expect(world.github.runners.size).toBe(0);
  });
});
