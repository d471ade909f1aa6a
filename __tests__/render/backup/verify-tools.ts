import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HostFile } from '../../../lib/render/cloud-config';
import { renderSystemdUnit, SystemdUnit } from '../../../lib/render/systemd';
import { run, RunResult } from '../../support/tools';
import { tempDir } from '../../support/tmp';

const SYSTEM_UNIT_DIRS = ['/usr/lib/systemd/system', '/lib/systemd/system'];

/**
 * `systemd-analyze verify` checks that every ExecStart= binary exists and that every unit it
 * references (sysinit.target, network-online.target, timers.target, ...) can be loaded. We verify
 * against a throw-away root (`--root=DIR`) that holds:
 *   - the host's own system units, copied as regular files (their absolute symlinks would point
 *     outside the root and loop), so the standard targets resolve;
 *   - our units in /etc/systemd/system;
 *   - our scripts at their real paths, executable, so the ExecStart= check is meaningful.
 * `--man=no` skips the Documentation= man page lookup (no man pages in CI).
 */
export function verifyUnits(units: readonly SystemdUnit[], files: readonly HostFile[]): RunResult {
  const root = tempDir('systemd-root-');
  const target = join(root, 'usr/lib/systemd/system');
  mkdirSync(target, { recursive: true });
  for (const dir of SYSTEM_UNIT_DIRS) {
    if (!existsSync(dir) || lstatSync(dir).isSymbolicLink()) continue;
    for (const name of readdirSync(dir)) {
      const source = join(dir, name);
      const stat = lstatSync(source);
      if (stat.isFile() && !existsSync(join(target, name))) copyFileSync(source, join(target, name));
    }
  }
  const unitDir = join(root, 'etc/systemd/system');
  mkdirSync(unitDir, { recursive: true });
  for (const unit of units) writeFileSync(join(unitDir, unit.name), renderSystemdUnit(unit));
  for (const file of files) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
    chmodSync(path, parseInt(file.permissions ?? '0644', 8));
  }
  return run('systemd-analyze', ['verify', '--man=no', `--root=${root}`, ...units.map((u) => u.name)]);
}

/** shellcheck a script body (bash dialect from its shebang). */
export function shellcheck(content: string): RunResult {
  const dir = tempDir('shellcheck-');
  const path = join(dir, 'script.sh');
  writeFileSync(path, content);
  return run('shellcheck', ['--severity=style', path]);
}
