/**
 * Deliberate replacement is safe: a DataVolume with a mountpoint stops the host's mount unit (and
 * every service that requires it) over SSH before its attachment is destroyed, and the host's
 * configuration (which starts those services) is delivered only once the volume is attached.
 */
import { TerraformStack } from 'cdktf';
import { roleLabels } from '../../lib/core/platform';
import { HardenedServer } from '../../lib/host/hardened-server';
import { HostConfig } from '../../lib/host/host-config';
import { DataVolume, DataVolumeProps } from '../../lib/volume/data-volume';
import { applyDataVolumeMount, mountUnitName } from '../../lib/volume/data-volume-mount';
import { isHostConfiguration } from '../foundation/helpers';
import { access, network, resources, secretToken, synth, testStack } from '../support/stack';

type Json = Record<string, any>;
const MOUNT = { mountpoint: '/mnt/data', label: 'aiai-data' };

function volumeStack(props: Partial<DataVolumeProps> = {}): { json: Json; stack: TerraformStack } {
  const stack = testStack();
  const hostConfig = new HostConfig();
  applyDataVolumeMount(hostConfig, MOUNT);
  const server = new HardenedServer(stack, 'Host', {
    name: 'aiai-test-data',
    serverType: 'cx23',
    network: network(stack),
    privateIp: '10.0.1.40',
    access: access(stack),
    labels: roleLabels({ environment: 'test' }, 'data'),
    hostConfig,
  });
  new DataVolume(stack, 'Data', { name: 'aiai-test-data', server, location: 'fsn1', ...props });
  return { json: synth(stack), stack };
}

const unmountOf = (json: Json) => resources(json, 'terraform_data').filter((r) => !isHostConfiguration(r));

describe('DataVolume before its attachment goes', () => {
  test('with a mountpoint: a destroy-time SSH step stops the mount unit on the old server, before the attachment is destroyed', () => {
    const { json } = volumeStack({ mountpoint: MOUNT.mountpoint });
    const [u] = unmountOf(json);
    expect(unmountOf(json)).toHaveLength(1);
    // Depends on the attachment, so Terraform destroys it first.
    expect(u.depends_on).toEqual([expect.stringMatching(/^hcloud_volume_attachment\.Data_Attachment_[0-9A-F]+$/)]);
    // Replaced with the server or the volume: its destroy step runs against the old server.
    expect(u.triggers_replace).toEqual({
      server: expect.stringMatching(/^\$\{hcloud_server\.Host_Server_[0-9A-F]+\.id\}$/),
      volume: expect.stringMatching(/^\$\{hcloud_volume\.Data_Volume_[0-9A-F]+\.id\}$/),
    });
    expect(u.input).toEqual({ host: expect.stringMatching(/\.ipv4_address\}$/), mount_unit: mountUnitName(MOUNT.mountpoint) });
    const step = u.provisioner[0]['remote-exec'];
    expect(step.when).toBe('destroy');
    // Destroy-time provisioners may only read self.
    expect(step.connection).toEqual({ type: 'ssh', host: '${self.input.host}', user: 'aiai', timeout: '2m', agent: true });
    expect(step.inline).toEqual(['sudo systemctl stop mnt-data.mount', 'sync', '! mountpoint -q /mnt/data']);
  });

  test('with a private key: it travels in input (state) and the connection reads it from self', () => {
    const stack = testStack();
    const key = secretToken(stack, 'ssh_private_key');
    const hostConfig = new HostConfig();
    applyDataVolumeMount(hostConfig, MOUNT);
    const server = new HardenedServer(stack, 'Host', { name: 'h', serverType: 'cx23', network: network(stack), privateIp: '10.0.1.40', access: access(stack), labels: roleLabels({ environment: 'test' }, 'data'), hostConfig });
    new DataVolume(stack, 'Data', { name: 'd', server, location: 'fsn1', mountpoint: MOUNT.mountpoint, sshPrivateKey: key });
    const [u] = unmountOf(synth(stack));
    expect(u.input.private_key).toBe('${var.ssh_private_key}');
    expect(u.provisioner[0]['remote-exec'].connection).toMatchObject({ private_key: '${self.input.private_key}', agent: false });
  });

  test('without a mountpoint: no unmount step', () => {
    expect(unmountOf(volumeStack().json)).toEqual([]);
  });

  test('the host configuration waits for the attachment (its services require the mount)', () => {
    const { json } = volumeStack({ mountpoint: MOUNT.mountpoint });
    const [c] = resources(json, 'terraform_data').filter(isHostConfiguration);
    expect(c.depends_on).toEqual([expect.stringMatching(/^hcloud_volume_attachment\.Data_Attachment_[0-9A-F]+$/)]);
  });
});
