import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Package root: works from lib/core (sources, tsx, jest) and from dist/lib/core (built package). */
export function packageRoot(): string {
  const up = __dirname.includes(`${join('dist', 'lib')}`) ? ['..', '..', '..'] : ['..', '..'];
  return join(__dirname, ...up);
}

const cache = new Map<string, string>();

/** Reads a static file body shipped under `cloud-init/` (e.g. `hardening/sshd-hardening.conf`). */
export function asset(relativePath: string): string {
  let body = cache.get(relativePath);
  if (body === undefined) {
    body = readFileSync(join(packageRoot(), 'cloud-init', relativePath), 'utf8');
    cache.set(relativePath, body);
  }
  return body;
}
