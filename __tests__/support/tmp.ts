import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder inside this test run's folder (removed by the global teardown). */
export function tempDir(prefix = 'case-'): string {
  const base = process.env.AIAI_TEST_TMP ?? tmpdir();
  return mkdtempSync(join(base, prefix));
}
