import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package root: from lib/runtime (sources, tsx, jest) or dist/lib/runtime (built). */
export function packageRoot(): string {
  const up = __dirname.includes(join('dist', 'lib')) ? ['..', '..', '..'] : ['..', '..'];
  return join(__dirname, ...up);
}

let cached: { name: string; version: string } | undefined;

/** `name` and `version` from the package.json this code ships in. */
export function packageInfo(): { readonly name: string; readonly version: string } {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { name: string; version: string };
    cached = { name: pkg.name, version: pkg.version };
  }
  return cached;
}
