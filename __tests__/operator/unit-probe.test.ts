/** The SSH unit probe: the command it runs, how it reads systemctl's answer, and its time bound. */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapLimit, parseSystemctlShow, remoteCommand, SshUnitProbe, sshArguments } from '../../lib/operator/unit-probe';
import { tempDir } from '../support/tmp';

const SHOW = `Id=ssh.service
LoadState=loaded
ActiveState=active
SubState=running

Id=aiai-offsite-backup.timer
LoadState=not-found
ActiveState=inactive
SubState=dead

SubState=failed
ActiveState=failed
LoadState=loaded
Id=aiai-metrics.service
`;

test('parses systemctl show per unit in the order asked, whatever the property order', () => {
  expect(parseSystemctlShow(SHOW, ['ssh.service', 'aiai-offsite-backup.timer', 'aiai-metrics.service'])).toEqual([
    { unit: 'ssh.service', load: 'loaded', active: 'active', sub: 'running' },
    { unit: 'aiai-offsite-backup.timer', load: 'not-found', active: 'inactive', sub: 'dead' },
    { unit: 'aiai-metrics.service', load: 'loaded', active: 'failed', sub: 'failed' },
  ]);
  // An alias is reported under its canonical Id; the answer still belongs to the unit asked for.
  expect(parseSystemctlShow('Id=ssh.service\nLoadState=loaded\nActiveState=active\nSubState=running\n', ['sshd.service'])[0].unit).toBe('sshd.service');
});

test('fails if systemctl answered for a different number of units or without the states', () => {
  expect(() => parseSystemctlShow(SHOW, ['ssh.service'])).toThrow('systemctl show printed 3 unit(s) for 1 asked');
  expect(() => parseSystemctlShow('Id=ssh.service\n', ['ssh.service'])).toThrow('no LoadState/ActiveState for ssh.service');
  expect(() => parseSystemctlShow('', ['ssh.service'])).toThrow('printed 0 unit(s)');
});

test('the remote command and ssh options take no shell metacharacters and no option-like address', () => {
  expect(remoteCommand(['ssh.service', 'mnt-monitoring.mount'])).toEqual(['systemctl', 'show', '--property=Id,LoadState,ActiveState,SubState', '--', 'ssh.service', 'mnt-monitoring.mount']);
  expect(() => remoteCommand(['ssh.service; reboot'])).toThrow('not a unit name: "ssh.service; reboot"');
  expect(() => remoteCommand(['$(id).service'])).toThrow('not a unit name');
  expect(() => sshArguments({ user: 'aiai', connectTimeoutSeconds: 5 }, '-oProxyCommand=x', ['ssh.service'])).toThrow('not an IPv4 address');
  expect(() => sshArguments({ user: 'aiai', connectTimeoutSeconds: 5 }, '192.0.2.300', ['ssh.service'])).toThrow('not an IPv4 address');
  expect(sshArguments({ user: 'aiai', connectTimeoutSeconds: 5 }, '192.0.2.1', ['ssh.service'])).toEqual([
    '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'StrictHostKeyChecking=accept-new', '-o', 'LogLevel=ERROR', '-T', 'aiai@192.0.2.1',
    'systemctl', 'show', '--property=Id,LoadState,ActiveState,SubState', '--', 'ssh.service',
  ]);
});

describe('a hanging ssh', () => {
  const dir = tempDir('probe-');
  // Hangs (like an ssh stuck after the connect).
  const program = join(dir, 'hanging-ssh');
  writeFileSync(program, `#!${process.execPath}\nsetInterval(() => {}, 1000);\n`);
  chmodSync(program, 0o755);

  test('is killed at the deadline and reported as timed out', async () => {
    const probe = new SshUnitProbe({ connectTimeoutSeconds: 1, deadlineMs: 300, env: { PATH: process.env.PATH }, program });
    const t0 = Date.now();
    const r = await probe.probe({ name: 'h', address: '192.0.2.9' }, ['ssh.service']);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r).toEqual({ ok: false, error: 'ssh aiai@192.0.2.9 timed out after 0.3 s' });
  });

  test('is killed when the command is interrupted', async () => {
    const probe = new SshUnitProbe({ connectTimeoutSeconds: 1, deadlineMs: 60_000, env: { PATH: process.env.PATH }, program });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const t0 = Date.now();
    expect(await probe.probe({ name: 'h', address: '192.0.2.9' }, ['ssh.service'], ac.signal)).toEqual({ ok: false, error: 'interrupted' });
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

test('a missing ssh program is reported, not thrown', async () => {
  const probe = new SshUnitProbe({ connectTimeoutSeconds: 1, deadlineMs: 1000, env: { PATH: '/nonexistent' } });
  expect(await probe.probe({ name: 'h', address: '192.0.2.9' }, ['ssh.service'])).toEqual({ ok: false, error: 'ssh not found on PATH (install openssh-client, or pass --no-ssh)' });
});

test('mapLimit keeps the order and never runs more than the limit at once', async () => {
  let running = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
    peak = Math.max(peak, ++running);
    await new Promise((r) => setTimeout(r, n * 3));
    running--;
    return n * 10;
  });
  expect(out).toEqual([50, 10, 40, 20, 30, 0]);
  expect(peak).toBe(2);
});
