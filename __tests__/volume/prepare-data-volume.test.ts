/**
 * cloud-init/host/prepare-data-volume.sh: shellcheck, and its behaviour against a fake /dev tree.
 *
 * The fake tree: `by-id/scsi-0HC_Volume_<n>` are symlinks to disk image files (what udev makes for
 * attached Hetzner volumes), `by-label/` starts empty. The script runs with the real blkid,
 * mkfs.ext4 and e2label on those images; only three programs are stand-ins on PATH:
 *   - `udevadm`: does udev's job for the fake tree (a by-label link for every labelled image);
 *   - `sleep`: returns at once (and counts its calls) so the 10-minute wait takes milliseconds;
 *     `ATTACH_AFTER=<n>` makes the n-th sleep "attach" a blank volume (a late attachment);
 *   - in one case `mkfs.ext4`/`e2label` are recorders, to prove nothing touches the disk.
 * The two link roots are the script's only test hooks (AIAI_DISK_BY_ID_DIR, AIAI_DISK_BY_LABEL_DIR),
 * which the systemd unit never sets.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithTool, hasTool, run, RunResult, testWithTool } from '../support/tools';
import { tempDir } from '../support/tmp';

const SCRIPT = join(__dirname, '..', '..', 'cloud-init', 'host', 'prepare-data-volume.sh');
const LABEL = 'aiai-monitoring';
const IMAGE_BYTES = 8 * 1024 * 1024;

interface FakeDev {
  readonly dir: string;
  readonly byId: string;
  readonly byLabel: string;
  readonly bin: string;
  readonly log: string;
  /** Creates a blank image and its by-id link; returns the image path. */
  attach(n: number): string;
  run(args?: string[], env?: Record<string, string>): RunResult;
  calls(): string[];
}

function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

function fakeDev(): FakeDev {
  const dir = tempDir('fake-dev-');
  const byId = join(dir, 'dev/disk/by-id');
  const byLabel = join(dir, 'dev/disk/by-label');
  const bin = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  for (const d of [byId, byLabel, bin]) mkdirSync(d, { recursive: true });
  writeFileSync(log, '');
  const attach = (n: number) => {
    const image = join(dir, `volume-${n}.img`);
    writeFileSync(image, Buffer.alloc(0));
    run('truncate', ['-s', String(IMAGE_BYTES), image]);
    symlinkSync(image, join(byId, `scsi-0HC_Volume_${n}`));
    return image;
  };
  // udev stand-in: a by-label link for every labelled image behind a by-id link.
  script(
    join(bin, 'udevadm'),
    [
      `echo "udevadm $*" >> '${log}'`,
      'for dev in "$AIAI_DISK_BY_ID_DIR"/*; do',
      '  [ -e "$dev" ] || continue',
      '  l=$(blkid -p -s LABEL -o value "$dev" || true)',
      '  [ -n "$l" ] && ln -sfn "$dev" "$AIAI_DISK_BY_LABEL_DIR/$l"',
      'done',
      'exit 0',
    ].join('\n'),
  );
  // sleep stand-in: count calls; the ATTACH_AFTER-th call attaches a blank volume.
  script(
    join(bin, 'sleep'),
    [
      `echo "sleep $*" >> '${log}'`,
      '[ -n "${ATTACH_AFTER:-}" ] || exit 0',
      `n=$(grep -c '^sleep ' '${log}')`,
      'if [ "$n" -eq "$ATTACH_AFTER" ]; then',
      `  truncate -s ${IMAGE_BYTES} '${dir}/late.img'`,
      `  ln -s '${dir}/late.img' "$AIAI_DISK_BY_ID_DIR/scsi-0HC_Volume_99"`,
      'fi',
      'exit 0',
    ].join('\n'),
  );
  return {
    dir,
    byId,
    byLabel,
    bin,
    log,
    attach,
    run(args = [LABEL], env = {}) {
      return run('sh', [SCRIPT, ...args], {
        env: {
          PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
          AIAI_DISK_BY_ID_DIR: byId,
          AIAI_DISK_BY_LABEL_DIR: byLabel,
          LC_ALL: 'C',
          ...env,
        },
      });
    },
    calls: () => readFileSync(log, 'utf8').split('\n').filter((l) => l !== ''),
  };
}

const probe = (image: string, tag: 'TYPE' | 'LABEL' | 'PTTYPE') => run('blkid', ['-p', '-s', tag, '-o', 'value', image]).stdout.trim();
const sleeps = (f: FakeDev) => f.calls().filter((c) => c.startsWith('sleep ')).length;

describeWithTool('shellcheck', 'shellcheck', 'prepare-data-volume.sh under shellcheck', () => {
  test('is clean at every severity, as POSIX sh', () => {
    const r = run('shellcheck', ['--severity=style', '--shell=sh', SCRIPT]);
    expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({ status: 0, output: '' });
  });
});

const HAVE_E2FS = ['blkid', 'mkfs.ext4', 'e2label', 'truncate'].every(hasTool);

describeWithTool('mkfs.ext4', 'e2fsprogs', 'prepare-data-volume.sh against a fake /dev tree (real blkid, mkfs.ext4, e2label on images)', () => {
  beforeAll(() => {
    if (!HAVE_E2FS) throw new Error('needs blkid (util-linux), mkfs.ext4 and e2label (e2fsprogs), truncate (coreutils)');
  });

  test('a blank volume gets an ext4 filesystem with the label, and udev is asked to re-read it', () => {
    const f = fakeDev();
    const image = f.attach(1);
    const r = f.run();
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(probe(image, 'TYPE')).toBe('ext4');
    expect(probe(image, 'LABEL')).toBe(LABEL);
    expect(readlinkSync(join(f.byLabel, LABEL))).toBe(join(f.byId, 'scsi-0HC_Volume_1'));
    expect(f.calls()).toEqual([`udevadm trigger --action=change ${join(f.byId, 'scsi-0HC_Volume_1')}`, 'udevadm settle --timeout=30']);
  });

  test('an unlabelled ext4 volume (Hetzner formatted it) is labelled, its data kept', () => {
    const f = fakeDev();
    const image = f.attach(1);
    expect(run('mkfs.ext4', ['-q', '-U', '0b4a9ad0-1c9e-4e57-9d1a-2f5b7f1f0c01', image]).status).toBe(0);
    const r = f.run();
    expect(r.status).toBe(0);
    expect(probe(image, 'LABEL')).toBe(LABEL);
    // Same filesystem (UUID unchanged): relabelled, not reformatted.
    expect(run('blkid', ['-p', '-s', 'UUID', '-o', 'value', image]).stdout.trim()).toBe('0b4a9ad0-1c9e-4e57-9d1a-2f5b7f1f0c01');
  });

  test('an ext4 volume with another label is relabelled', () => {
    const f = fakeDev();
    const image = f.attach(1);
    run('mkfs.ext4', ['-q', '-L', 'old-data', image]);
    expect(f.run().status).toBe(0);
    expect(probe(image, 'LABEL')).toBe(LABEL);
  });

  test('when the label is already there, nothing is probed or written', () => {
    const f = fakeDev();
    const image = f.attach(1);
    run('mkfs.ext4', ['-q', '-L', LABEL, image]);
    symlinkSync(image, join(f.byLabel, LABEL));
    const before = readFileSync(image);
    // Recorders instead of the real tools: any call would show up in the log.
    for (const tool of ['mkfs.ext4', 'e2label', 'blkid']) script(join(f.bin, tool), `echo "${tool} $*" >> '${f.log}'`);
    const r = f.run();
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(f.calls()).toEqual([]);
    expect(readFileSync(image).equals(before)).toBe(true);
  });

  test('a volume attached late is waited for (2 s steps), then formatted', () => {
    const f = fakeDev();
    const r = f.run([LABEL], { ATTACH_AFTER: '5' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(sleeps(f)).toBe(5);
    expect(f.calls().filter((c) => c.startsWith('sleep ')).every((c) => c === 'sleep 2')).toBe(true);
    expect(probe(join(f.dir, 'late.img'), 'LABEL')).toBe(LABEL);
  });

  test('fails if no volume is attached within 300 tries of 2 s (10 minutes)', () => {
    const f = fakeDev();
    const r = f.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^prepare-data-volume: no Hetzner volume attached after 10 minutes\n$/);
    expect(sleeps(f)).toBe(300);
  });

  test('fails if the volume holds another filesystem, and leaves it alone', () => {
    const f = fakeDev();
    const image = f.attach(1);
    expect(run('mkswap', [image]).status).toBe(0);
    const r = f.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/scsi-0HC_Volume_1 holds a swap filesystem, expected ext4 or none/);
    expect(probe(image, 'TYPE')).toBe('swap');
    expect(existsSync(join(f.byLabel, LABEL))).toBe(false);
  });

  testWithTool('sfdisk', 'fdisk', 'fails if the volume holds a partition table, and does not format over it', () => {
    const f = fakeDev();
    const image = f.attach(1);
    expect(run('sfdisk', ['--quiet', image], { input: 'label: dos\n' }).status).toBe(0);
    const r = f.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/scsi-0HC_Volume_1 holds a dos partition table, expected a bare ext4 filesystem or nothing/);
    expect(probe(image, 'PTTYPE')).toBe('dos');
    expect(probe(image, 'TYPE')).toBe('');
  });

  test('fails if several unlabelled volumes are attached, and touches none', () => {
    const f = fakeDev();
    const images = [f.attach(1), f.attach(2)];
    const r = f.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/2 Hetzner volumes attached and none is labelled aiai-monitoring; label one by hand \(e2label\)/);
    for (const i of images) expect(probe(i, 'TYPE')).toBe('');
  });

  test('fails (bounded, no second format) if udev never shows the label', () => {
    const f = fakeDev();
    const image = f.attach(1);
    script(join(f.bin, 'udevadm'), `echo "udevadm $*" >> '${f.log}'`);
    const mkfsLog = join(f.dir, 'mkfs.log');
    script(join(f.bin, 'mkfs.ext4'), `echo x >> '${mkfsLog}'\nexec /usr/sbin/mkfs.ext4 "$@"`);
    const r = f.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/scsi-0HC_Volume_1 was prepared but .*by-label\/aiai-monitoring did not appear within 10 minutes/);
    expect(readFileSync(mkfsLog, 'utf8')).toBe('x\n');
    expect(sleeps(f)).toBe(299);
    expect(probe(image, 'LABEL')).toBe(LABEL);
  });

  test('fails if no label is given', () => {
    const f = fakeDev();
    const r = f.run([]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/usage: prepare-data-volume.sh <label>/);
  });

  test('the fake tree is what the script sees (by-id links to images)', () => {
    const f = fakeDev();
    f.attach(7);
    expect(lstatSync(join(f.byId, 'scsi-0HC_Volume_7')).isSymbolicLink()).toBe(true);
  });
});
