import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/assets';

/** The package root (defined in lib/core/assets.ts; re-exported for the runner manager's users). */
export { packageRoot };

let cached: { name: string; version: string } | undefined;

/** `name` and `version` from the package.json this code ships in. */
export function packageInfo(): { readonly name: string; readonly version: string } {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { name: string; version: string };
    cached = { name: pkg.name, version: pkg.version };
  }
  return cached;
}
