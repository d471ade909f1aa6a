/**
 * `systemd-analyze verify` on every unit the reference app's servers install.
 *
 * How the harness works (and why): the units run /opt/aiai/current/.venv/bin/python, which exists only on a
 * provisioned host, and `verify` refuses units whose executables are missing. So each server's
 * write_files are unpacked into a fake root (see support/synth.ts) and verified with `--root=<root>`:
 *  - the distribution's unit directory (/usr/lib/systemd/system) is copied into the root, so targets
 *    such as multi-user.target and network-online.target resolve;
 *  - every Exec*= program that the root lacks gets an executable stub, but only if it exists on this
 *    machine (a system binary such as /bin/kill) or lies in a directory the host creates at boot
 *    (the virtualenv of the current release, made by aiai-release); anything else stays missing and fails verification.
 * `verify` exits 0 on unknown directives or unparsable values (it only warns), so a unit counts as
 * clean only with exit 0 AND no output. The last tests prove the harness fails on broken units.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HostPaths } from '../../lib/core/paths';
import { ExtractedServer, referenceServers } from '../support/synth';
import { tempDir } from '../support/tmp';
import { describeWithTool, RunResult } from '../support/tools';
import { runAll } from './parallel';

const SYSTEM_UNIT_DIRS = ['/usr/lib/systemd/system', '/lib/systemd/system'];
/** Directories whose programs are created on the host at boot (not by write_files). */
const CREATED_AT_BOOT = [`${HostPaths.venvDir}/bin/`];
const EXEC_KEYS = /^(ExecStart|ExecStartPre|ExecStartPost|ExecReload|ExecStop|ExecStopPost|ExecCondition)=(.*)$/;

/** Programs the unit runs: first word of each Exec*= line, without systemd's prefixes (-@:+!). */
export function execPrograms(unitText: string): string[] {
  const out: string[] = [];
  for (const line of unitText.split('\n')) {
    const m = EXEC_KEYS.exec(line);
    if (!m || m[2].trim() === '') continue;
    out.push(m[2].trim().replace(/^[-@:+!]+/, '').split(/\s+/)[0]);
  }
  return out;
}

function stub(root: string, program: string): void {
  const p = join(root, program);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, '#!/bin/sh\nexit 0\n');
  chmodSync(p, 0o755);
}

/** Makes `root` verifiable: system units copied in, stubs for programs that exist at run time. */
function prepareRoot(root: string, unitTexts: readonly string[]): void {
  const systemDir = SYSTEM_UNIT_DIRS.find((d) => existsSync(join(d, 'multi-user.target')));
  if (!systemDir) throw new Error('no systemd unit directory with multi-user.target on this machine');
  const target = join(root, 'usr/lib/systemd/system');
  if (!existsSync(target)) cpSync(systemDir, target, { recursive: true, verbatimSymlinks: true });
  for (const program of unitTexts.flatMap(execPrograms)) {
    if (!program.startsWith('/')) continue; // systemd searches PATH; verify reports it if not found
    if (existsSync(join(root, program))) continue;
    if (existsSync(program) || CREATED_AT_BOOT.some((d) => program.startsWith(d))) stub(root, program);
  }
}

const verifyJob = (root: string, units: readonly string[]) => ({
  cmd: 'systemd-analyze',
  args: ['verify', '--man=no', `--root=${root}`, ...units],
  env: { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: 'cat', LC_ALL: 'C' },
});

const output = (r: RunResult) => (r.stdout + r.stderr).trim();

describeWithTool('systemd-analyze', 'systemd', 'systemd-analyze verify on the reference app units', () => {
  const servers: ExtractedServer[] = referenceServers();
  const withUnits = servers.filter((s) => s.units.length > 0);

  // Deliberately broken units in a root of their own.
  const brokenRoot = tempDir('broken-units-');
  const broken: Record<string, string> = {
    'unknown-key.service': '[Service]\nExecStart=/bin/true\nRestartt=always\n',
    'bad-value.service': '[Service]\nType=notifyy\nExecStart=/bin/true\n',
    'missing-exec.service': '[Service]\nExecStart=/opt/nowhere/bin/app\n',
    'continued.service': '[Unit]\nDescription=ends with \\\n[Service]\nExecStart=/bin/true\n',
    // The research doc's mistake: StartLimitIntervalSec belongs in [Unit].
    'wrong-section.service': '[Service]\nExecStart=/bin/true\nStartLimitIntervalSec=300\n',
    'bad-limit.service': '[Service]\nExecStart=/bin/true\nMemoryMax=6X\n',
  };
  for (const [name, text] of Object.entries(broken)) {
    mkdirSync(join(brokenRoot, 'etc/systemd/system'), { recursive: true });
    writeFileSync(join(brokenRoot, 'etc/systemd/system', name), text);
  }

  let results: RunResult[] = [];
  let brokenResults: RunResult[] = [];
  beforeAll(async () => {
    for (const s of withUnits) prepareRoot(s.root, s.units.map((u) => u.content));
    prepareRoot(brokenRoot, Object.values(broken));
    const all = await runAll([
      ...withUnits.map((s) => verifyJob(s.root, s.units.map((u) => u.path.split('/').pop()!))),
      ...Object.keys(broken).map((name) => verifyJob(brokenRoot, [name])),
    ]);
    results = all.slice(0, withUnits.length);
    brokenResults = all.slice(withUnits.length);
  }, 120_000);

  test('the app installs units to check', () => {
    expect(withUnits.length).toBeGreaterThanOrEqual(2);
    const names = withUnits.flatMap((s) => s.units.map((u) => u.path));
    expect(names).toEqual(expect.arrayContaining(['/etc/systemd/system/aiai-orchestrator.service', '/etc/systemd/system/aiai-evolution.timer']));
  });

  test.each(withUnits.map((s, i) => [s.constructPath, s.units.map((u) => u.path.split('/').pop()).join(', '), i] as const))(
    '%s: %s verify cleanly',
    (_path, _units, i) => {
      expect({ status: results[i].status, output: output(results[i]) }).toEqual({ status: 0, output: '' });
    },
  );

  test('every Exec program is shipped in write_files, exists on a real system, or is created at boot', () => {
    const programs = withUnits.flatMap((s) => s.units.flatMap((u) => execPrograms(u.content).map((p) => ({ server: s.constructPath, p, shipped: s.files.some((f) => f.path === p) }))));
    expect(programs.map((x) => x.p)).toContain(`${HostPaths.venvDir}/bin/python`);
    for (const { server, p, shipped } of programs) {
      expect({ server, p, ok: p.startsWith('/') && (shipped || existsSync(p) || CREATED_AT_BOOT.some((d) => p.startsWith(d))) }).toEqual({ server, p, ok: true });
    }
  });

  describe('the harness catches broken units', () => {
    const result = (name: string) => brokenResults[Object.keys(broken).indexOf(name)];

    test('an unknown directive is reported (exit 0, but output)', () => {
      expect(output(result('unknown-key.service'))).toMatch(/Unknown key( name)? 'Restartt' in section '?\[?Service\]?'?/);
    });

    test('an unparsable value is reported', () => {
      expect(output(result('bad-value.service'))).toMatch(/Failed to parse service type, ignoring: notifyy/);
    });

    test('a missing executable fails', () => {
      const r = result('missing-exec.service');
      expect(r.status).not.toBe(0);
      expect(output(r)).toMatch(/\/opt\/nowhere\/bin\/app is not executable/);
    });

    test('a trailing backslash swallows the next line and the unit is refused', () => {
      const r = result('continued.service');
      expect(r.status).not.toBe(0);
      expect(output(r)).toMatch(/has no ExecStart=/);
    });

    test('a directive in the wrong section is reported', () => {
      expect(output(result('wrong-section.service'))).toMatch(/Unknown key( name)? 'StartLimitIntervalSec' in section '?\[?Service\]?'?/);
    });

    test('an invalid resource limit is reported', () => {
      expect(output(result('bad-limit.service'))).toMatch(/Invalid memory limit '6X'/);
    });
  });
});
