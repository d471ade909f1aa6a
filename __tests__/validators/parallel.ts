import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { RunResult } from '../support/tools';

export interface Job {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
}

function runOne(job: Job): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(job.cmd, job.args as string[], { env: job.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => resolve({ status: null, stdout, stderr: stderr + String(e) }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(job.input ?? '');
  });
}

/** Runs the jobs with at most one per CPU at a time; results in job order. */
export async function runAll(jobs: readonly Job[]): Promise<RunResult[]> {
  const results: RunResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runOne(jobs[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(cpus().length, jobs.length)) }, worker));
  return results;
}
