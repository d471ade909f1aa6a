/**
 * shellcheck over script texts, each distinct text checked once per test run: shellcheck's verdict
 * is a function of the bytes it reads and its arguments (`--norc`: no rc file is consulted), and the
 * same scripts ship to many hosts (aiai-release on every orchestrator, the firewall script on every
 * server) and are checked by several test files. The first file that checks a text stores the
 * result under `$AIAI_TEST_TMP/shellcheck/<sha256 of arguments and text>.json` (written whole, then
 * renamed); later checks of the same bytes, in any jest worker, read it. Without the run's folder
 * (outside jest's global setup) every check runs shellcheck.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAll } from '../validators/parallel';
import type { RunResult } from './tools';

/** What every check runs: all findings down to style, no rc file, one line per finding (`-:line:col: ...`). */
export const SHELLCHECK_ARGS: readonly string[] = ['--norc', '--severity=style', '--format=gcc', '-'];

/** shellcheck (with {@link SHELLCHECK_ARGS}) on each text, on stdin; results in the order of `texts`. */
export async function shellcheckTexts(texts: readonly string[]): Promise<RunResult[]> {
  const base = process.env.AIAI_TEST_TMP;
  const dir = base ? join(base, 'shellcheck') : undefined;
  const keyOf = (text: string) => createHash('sha256').update(JSON.stringify(SHELLCHECK_ARGS)).update('\0').update(text).digest('hex');
  const distinct = [...new Set(texts)];
  const known = new Map<string, RunResult>();
  const missing: string[] = [];
  for (const text of distinct) {
    const file = dir && join(dir, `${keyOf(text)}.json`);
    if (file && existsSync(file)) known.set(text, JSON.parse(readFileSync(file, 'utf8')) as RunResult);
    else missing.push(text);
  }
  const fresh = await runAll(missing.map((text) => ({ cmd: 'shellcheck', args: SHELLCHECK_ARGS, input: text })));
  if (dir) mkdirSync(dir, { recursive: true });
  missing.forEach((text, i) => {
    const r = fresh[i];
    known.set(text, r);
    // Only verdicts are kept (0 clean, 1 findings), not a shellcheck that could not run.
    if (dir && (r.status === 0 || r.status === 1)) {
      const file = join(dir, `${keyOf(text)}.json`);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(r));
      renameSync(tmp, file);
    }
  });
  return texts.map((t) => known.get(t)!);
}
