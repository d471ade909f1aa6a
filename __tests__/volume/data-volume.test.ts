/**
 * DataVolume (the Hetzner volume and its attachment) and the label mount on the host
 * (data-volume-mount: prepare service, mount unit, device drop-in), with systemd-analyze verify.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { parse } from 'yaml';
import { roleLabels } from '../../lib/core/platform';
import { HardenedServer } from '../../lib/host/hardened-server';
import { HostConfig } from '../../lib/host/host-config';
import { decodeUserData } from '../../lib/render/cloud-config';
import { deliveredManifest } from '../support/synth';
import { renderSystemdUnit } from '../../lib/render/systemd';
import { asset } from '../../lib/core/assets';
import { DataVolume, DataVolumeProps } from '../../lib/volume/data-volume';
import {
  applyDataVolumeMount,
  checkVolumeLabel,
  dataVolumeDeviceDropIn,
  dataVolumeUnits,
  labelDeviceUnitName,
  mountUnitName,
  PREPARE_VOLUME_SCRIPT,
  PREPARE_VOLUME_UNIT,
  VOLUME_WAIT_SEC,
} from '../../lib/volume/data-volume-mount';
import { access, expectProblem, network, synth, testStack, validationError } from '../support/stack';
import { tempDir } from '../support/tmp';
import { describeWithTool, run } from '../support/tools';

type Json = Record<string, any>;
const MOUNT = { mountpoint: '/mnt/monitoring', label: 'aiai-monitoring' };

function hostIn(stack: TerraformStack, withMount = true): HardenedServer {
  const hostConfig = new HostConfig();
  if (withMount) applyDataVolumeMount(hostConfig, MOUNT);
  return new HardenedServer(stack, 'Host', {
    name: 'aiai-test-data',
    serverType: 'cx23',
    network: network(stack),
    privateIp: '10.0.1.40',
    access: access(stack),
    labels: roleLabels({ environment: 'test' }, 'data'),
    hostConfig,
  });
}

function volumeStack(props: Partial<DataVolumeProps> = {}): { json: Json; server: HardenedServer; volume: DataVolume } {
  const stack = testStack();
  const server = hostIn(stack);
  const volume = new DataVolume(stack, 'Data', { name: 'aiai-test-data', server, location: 'fsn1', labels: roleLabels({ environment: 'test' }, 'data'), ...props });
  return { json: synth(stack), server, volume };
}

const only = (json: Json, type: string): Json => {
  const all = Object.values(json.resource?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0] as Json;
};

describe('DataVolume', () => {
  const { json } = volumeStack();
  const volume = only(json, 'hcloud_volume');
  const attachment = only(json, 'hcloud_volume_attachment');

  test('an ext4 volume of 50 GB by default, in the server location, with its labels', () => {
    expect(volume).toMatchObject({ name: 'aiai-test-data', size: 50, format: 'ext4', location: 'fsn1' });
    expect(volume.labels).toEqual({ project: 'aiai', environment: 'test', role: 'data' });
  });

  test('delete protection and prevent_destroy by default', () => {
    expect(volume.delete_protection).toBe(true);
    expect(volume.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('attached to the server without Hetzner automount (the host mounts it by label)', () => {
    expect(attachment.volume_id).toMatch(/^\$\{hcloud_volume\.Data_Volume_[0-9A-F]{8}\.id\}$/);
    expect(attachment.server_id).toMatch(/^\$\{hcloud_server\.Host_Server_[0-9A-F]{8}\.id\}$/);
    expect(attachment.automount).toBe(false);
  });

  test('neither the server user_data nor its delivered configuration references the volume (no id, no device path by id)', () => {
    const server = only(json, 'hcloud_server');
    const userData = decodeUserData(server.user_data);
    expect(server.user_data).not.toMatch(/hcloud_volume/);
    expect(userData).not.toMatch(/hcloud_volume|scsi-0HC_Volume_\d|disk\/by-label/);
    // The mount is delivered after boot, by label; the delivery waits for the attachment (its
    // services need the mount), but nothing it delivers or triggers on names the volume.
    const [serverId] = Object.keys(json.resource.hcloud_server);
    const { resource, manifest } = deliveredManifest(json, serverId);
    const { depends_on: dependsOn, ...rest } = json.resource.terraform_data[resource];
    expect(dependsOn).toEqual([expect.stringMatching(/^hcloud_volume_attachment\.Data_Attachment_[0-9A-F]{8}$/)]);
    expect(JSON.stringify(rest)).not.toMatch(/hcloud_volume|scsi-0HC_Volume_\d/);
    expect(manifest.files.find((f) => f.path === '/etc/systemd/system/mnt-monitoring.mount')?.content).toContain('What=/dev/disk/by-label/aiai-monitoring\n');
  });

  test('protect: false drops both protections (scratch environments)', () => {
    const v = only(volumeStack({ protect: false }).json, 'hcloud_volume');
    expect(v.delete_protection).toBe(false);
    expect(v.lifecycle).toBeUndefined();
  });

  test.each([10, 10240])('accepts %i GB (Hetzner\'s bounds)', (sizeGb) => {
    expect(only(volumeStack({ sizeGb }).json, 'hcloud_volume').size).toBe(sizeGb);
  });

  test('accepts an unresolved size (checked by Hetzner at apply)', () => {
    const stack = testStack();
    const size = new TerraformVariable(stack, 'size', { type: 'number' }).numberValue;
    new DataVolume(stack, 'Data', { name: 'x', server: hostIn(stack), location: 'fsn1', sizeGb: size });
    expect(only(synth(stack), 'hcloud_volume').size).toBe('${var.size}');
  });

  test.each([9, 10241, 50.5, 0, -10])('fails if the size is %p GB (outside 10-10240 or not whole)', (sizeGb) => {
    const err = validationError(() => volumeStack({ sizeGb }));
    expectProblem(err, { path: 'test/Data', property: 'sizeGb', value: sizeGb, allowed: /^an integer from 10 to 10240 \(GB\)$/ });
  });

  test('fails if a label value is not a Hetzner label value', () => {
    const err = validationError(() => volumeStack({ labels: { role: 'data volume!' } }));
    expectProblem(err, { path: 'test/Data', property: 'labels.role', value: 'data volume!', allowed: /label value/ });
  });
});

describe('mounting the volume by label', () => {
  test('mount unit names follow systemd path escaping', () => {
    expect(mountUnitName('/mnt/monitoring')).toBe('mnt-monitoring.mount');
    expect(mountUnitName('/srv/data/tsdb_1')).toBe('srv-data-tsdb_1.mount');
    expect(labelDeviceUnitName('aiai-monitoring')).toBe('dev-disk-by\\x2dlabel-aiai\\x2dmonitoring.device');
    expect(labelDeviceUnitName('data1')).toBe('dev-disk-by\\x2dlabel-data1.device');
  });

  test.each(['mnt/monitoring', '/', '/mnt/', '/mnt//x', '/mnt/x-y', '/mnt/X', '/mnt/../etc', '/mnt/with space', '/mnt/a.b'])(
    'fails if the mountpoint is %p (not an absolute path of [a-z0-9_] segments)',
    (mountpoint) => {
      expect(() => mountUnitName(mountpoint)).toThrow(/^Invalid props for DataVolumeMount:\n  - mountpoint: got .*; allowed: an absolute path matching /);
      expect(() => dataVolumeUnits({ ...MOUNT, mountpoint })).toThrow(new RegExp(`got ${JSON.stringify(mountpoint).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; allowed: `));
    },
  );

  test.each(['', 'aiai-monitoring-x', 'Aiai', 'a_b', 'a b', 'a/b'])('fails if the label is %p (ext4 labels here: 1-16 of [a-z0-9-])', (label) => {
    expect(checkVolumeLabel(label)).toBe(false);
    expect(() => dataVolumeUnits({ ...MOUNT, label })).toThrow(/^Invalid props for DataVolumeMount:\n  - label: got .*; allowed: a volume label of 1-16 of \[a-z0-9-\]$/);
    expect(() => labelDeviceUnitName(label)).toThrow(/allowed: a volume label of 1-16/);
    expect(() => applyDataVolumeMount(new HostConfig(), { ...MOUNT, label })).toThrow(/allowed: a volume label of 1-16/);
  });

  test('a 16-character label is accepted (the ext4 limit)', () => {
    expect(checkVolumeLabel('a'.repeat(16))).toBe(true);
  });

  const [prepare, mount] = dataVolumeUnits(MOUNT);
  const text = (u: typeof prepare) => renderSystemdUnit(u).split('\n');

  test('the prepare service runs once before the mount, only while the label is missing, and is required by the mount', () => {
    expect(prepare.name).toBe(PREPARE_VOLUME_UNIT);
    expect(prepare.start).toBe(false);
    const lines = text(prepare);
    expect(lines).toEqual(
      expect.arrayContaining([
        'DefaultDependencies=no',
        'Before=mnt-monitoring.mount',
        'ConditionPathExists=!/dev/disk/by-label/aiai-monitoring',
        'Type=oneshot',
        'RemainAfterExit=yes',
        `ExecStart=${PREPARE_VOLUME_SCRIPT} aiai-monitoring`,
        `TimeoutStartSec=${VOLUME_WAIT_SEC}`,
        'RequiredBy=mnt-monitoring.mount',
      ]),
    );
    expect(lines.find((l) => l.startsWith('After='))).toMatch(/systemd-udev-trigger\.service/);
    // Longer than the script's own 300 x 2 s.
    expect(VOLUME_WAIT_SEC).toBeGreaterThan(600);
  });

  test('the mount unit mounts the label as ext4, nofail (a missing volume never holds up boot)', () => {
    expect(mount.name).toBe('mnt-monitoring.mount');
    expect(text(mount)).toEqual(
      expect.arrayContaining([
        'After=aiai-data-volume.service',
        'What=/dev/disk/by-label/aiai-monitoring',
        'Where=/mnt/monitoring',
        'Type=ext4',
        'WantedBy=multi-user.target',
      ]),
    );
    const options = text(mount).find((l) => l.startsWith('Options='))!.slice('Options='.length).split(',');
    expect(options).toEqual(expect.arrayContaining(['noatime', 'nofail']));
  });

  test('the by-label device waits as long as the prepare script (systemd gives up after 90 s by default)', () => {
    const dropIn = dataVolumeDeviceDropIn(MOUNT);
    expect(dropIn.path).toBe('/etc/systemd/system/dev-disk-by\\x2dlabel-aiai\\x2dmonitoring.device.d/50-aiai.conf');
    expect(dropIn.content).toBe(`[Unit]\nJobRunningTimeoutSec=${VOLUME_WAIT_SEC}\n`);
  });

  test('applyDataVolumeMount adds the script (the shipped file, 0755), the drop-in and both units', () => {
    const host = new HostConfig();
    applyDataVolumeMount(host, MOUNT);
    const script = host.fileList.find((f) => f.path === PREPARE_VOLUME_SCRIPT)!;
    expect(script.content).toBe(asset('host/prepare-data-volume.sh'));
    expect(script.permissions).toBe('0755');
    expect(host.fileList.map((f) => f.path)).toContain(dataVolumeDeviceDropIn(MOUNT).path);
    expect(host.unitList.map((u) => u.name)).toEqual([PREPARE_VOLUME_UNIT, 'mnt-monitoring.mount']);
  });

  test('the host configuration enables the prepare service (never starts it: the mount pulls it in) and enables and starts the mount', () => {
    const stack = testStack();
    const server = hostIn(stack);
    // aiai-converge enables every unit marked enable, then starts those marked start, in manifest order.
    const units = server.manifest.units;
    expect(units.map((u) => u.name)).toEqual([PREPARE_VOLUME_UNIT, 'mnt-monitoring.mount']);
    expect(units).toEqual([
      { name: PREPARE_VOLUME_UNIT, enable: true, start: false },
      { name: 'mnt-monitoring.mount', enable: true, start: true },
    ]);
    // A changed prepare unit restarts nothing (it runs once, before the mount); a changed mount unit remounts.
    const file = (name: string) => server.manifest.files.find((f) => f.path === `/etc/systemd/system/${name}`)!;
    expect(file(PREPARE_VOLUME_UNIT)).toMatchObject({ unit: true, restart: [] });
    expect(file('mnt-monitoring.mount')).toMatchObject({ unit: true, restart: ['mnt-monitoring.mount'] });
    // Nothing of the volume is in the bootstrap.
    expect(parse(server.userData, { version: '1.1' }).runcmd.map((c: string[]) => c.join(' ')).join('\n')).not.toMatch(/mount|aiai-data-volume/);
  });
});

describeWithTool('systemd-escape', 'systemd', 'unit names agree with systemd-escape', () => {
  test.each(['/mnt/monitoring', '/srv/data/tsdb_1'])('%s', (mountpoint) => {
    expect(run('systemd-escape', ['--path', '--suffix=mount', mountpoint]).stdout.trim()).toBe(mountUnitName(mountpoint));
  });
  test.each(['aiai-monitoring', 'data1', 'a-b-c'])('label %s', (label) => {
    expect(run('systemd-escape', ['--path', '--suffix=device', `/dev/disk/by-label/${label}`]).stdout.trim()).toBe(labelDeviceUnitName(label));
  });
});

const SYSTEM_UNIT_DIRS = ['/usr/lib/systemd/system', '/lib/systemd/system'];

describeWithTool('systemd-analyze', 'systemd', 'the volume units under systemd-analyze verify', () => {
  /** A fake root with the distribution's units, ours, the device drop-in and the script at its path. */
  function root(extra: Record<string, string> = {}): string {
    const dir = tempDir('volume-root-');
    const system = SYSTEM_UNIT_DIRS.find((d) => existsSync(join(d, 'multi-user.target')))!;
    cpSync(system, join(dir, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    const write = (path: string, content: string, mode = 0o644) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
      chmodSync(join(dir, path), mode);
    };
    for (const u of dataVolumeUnits(MOUNT)) write(`/etc/systemd/system/${u.name}`, renderSystemdUnit(u));
    const dropIn = dataVolumeDeviceDropIn(MOUNT);
    write(dropIn.path, dropIn.content);
    write(PREPARE_VOLUME_SCRIPT, asset('host/prepare-data-volume.sh'), 0o755);
    for (const [path, content] of Object.entries(extra)) write(path, content);
    return dir;
  }
  const verify = (dir: string, units: string[]) =>
    run('systemd-analyze', ['verify', '--man=no', `--root=${dir}`, ...units], { env: { ...process.env, SYSTEMD_LOG_COLOR: '0', LC_ALL: 'C' } });
  const units = [PREPARE_VOLUME_UNIT, 'mnt-monitoring.mount', labelDeviceUnitName(MOUNT.label)];

  test('the prepare service, the mount and the device (with its drop-in) verify cleanly', () => {
    const r = verify(root(), units);
    expect({ status: r.status, output: (r.stdout + r.stderr).trim() }).toEqual({ status: 0, output: '' });
  });

  test('the check reads the device drop-in (a bad key in it is reported)', () => {
    const dropIn = dataVolumeDeviceDropIn(MOUNT);
    const r = verify(root({ [dropIn.path]: `${dropIn.content}JobRunningTimeoutSecs=1\n` }), [labelDeviceUnitName(MOUNT.label)]);
    expect(r.stdout + r.stderr).toMatch(/50-aiai\.conf:3: Unknown key( name)? 'JobRunningTimeoutSecs'/);
  });

  test('the check needs the script (a missing ExecStart program fails)', () => {
    const dir = root();
    const r = verify(dir, [PREPARE_VOLUME_UNIT]);
    expect(r.status).toBe(0);
    run('rm', [join(dir, PREPARE_VOLUME_SCRIPT)]);
    const missing = verify(dir, [PREPARE_VOLUME_UNIT]);
    expect(missing.status).not.toBe(0);
    expect(missing.stdout + missing.stderr).toMatch(/prepare-data-volume\.sh/);
  });
});

describe('DataVolume: props found by __tests__/properties', () => {
  test('fails if the name or the location is not one Hetzner accepts (both went to the JSON unchecked)', () => {
    const err = validationError(() => volumeStack({ name: 'has space', location: 'fra1' }));
    expectProblem(err, { path: 'test/Data', property: 'name', value: 'has space', allowed: /^a name of 1-63/ });
    expectProblem(err, { path: 'test/Data', property: 'location', value: 'fra1', allowed: /^one of fsn1, nbg1, hel1/ });
  });

  test('fails if the mountpoint is malformed, naming the volume (the error named "DataVolumeMount" before)', () => {
    expectProblem(validationError(() => volumeStack({ mountpoint: 'relative/path' })), { path: 'test/Data', property: 'mountpoint', value: 'relative/path', allowed: /^an absolute path/ });
    expectProblem(validationError(() => volumeStack({ mountpoint: ['/mnt/data'] as any })), { path: 'test/Data', property: 'mountpoint', value: ['/mnt/data'], allowed: /^an absolute path/ });
  });
});
