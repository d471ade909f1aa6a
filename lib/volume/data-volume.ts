import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Volume } from '../../.gen/providers/hcloud/volume';
import { VolumeAttachment } from '../../.gen/providers/hcloud/volume-attachment';
import { checkLabels } from '../core/label-checks';
import { HETZNER_NAME_ALLOWED, HETZNER_NAME_PATTERN } from '../core/patterns';
import { PropValidator, requireProps } from '../core/validation-error';
import { HetznerLimits, location as lookupLocation } from '../hetzner/catalog';
import { SERVICE_USER } from '../core/paths';
import type { IConfiguredHost } from '../core/host-target';
import { TerraformData } from '../core/terraform-data';
import { mountUnitName } from './data-volume-mount';

export interface DataVolumeProps {
  /** Volume name. */
  readonly name: string;
  /** The server it is attached to (same location; a HardenedServer). */
  readonly server: IConfiguredHost;
  /** Location of the server. */
  readonly location: string;
  /** Size in GB. @default 50 */
  readonly sizeGb?: number;
  /** Labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Delete protection through the API and Terraform `prevent_destroy`. Turn off only for scratch
   * environments: destroying the volume destroys the data.
   * @default true
   */
  readonly protect?: boolean;
  /**
   * Where the host mounts the volume (its mount unit, see `applyDataVolumeMount`). Before the
   * attachment is removed (the server is replaced, or the volume detached), an SSH step stops that
   * mount unit, and with it every service that requires it (`RequiresMountsFor=`), so no running
   * service loses its disk. The host's configuration is delivered only once the volume is attached.
   * @default - no unmount step (the attachment goes with the filesystem mounted)
   */
  readonly mountpoint?: string;
  /**
   * Private key for that SSH step (a sensitive variable's token; kept in state, which holds secrets anyway).
   * @default - the SSH agent of whoever runs terraform
   */
  readonly sshPrivateKey?: string;
}

/** Records a problem unless `size` is a whole number of GB that Hetzner accepts for a volume. */
export function checkVolumeSize(v: PropValidator, property: string, size: number): void {
  v.check(
    property,
    size,
    Token.isUnresolved(size) || (Number.isInteger(size) && size >= HetznerLimits.volumeMinGb && size <= HetznerLimits.volumeMaxGb),
    `an integer from ${HetznerLimits.volumeMinGb} to ${HetznerLimits.volumeMaxGb} (GB)`,
  );
}

/**
 * A Hetzner volume (ext4) attached to a server. The server mounts it by filesystem label through
 * `applyDataVolumeMount` (so its user_data does not depend on the volume id). Replacing the server
 * only replaces the attachment; the volume and its data stay.
 */
export class DataVolume extends Construct {
  public readonly volume: Volume;
  public readonly attachment: VolumeAttachment;
  /** The step that stops the mount before the attachment goes (with `mountpoint`). */
  public readonly unmount?: TerraformData;

  constructor(scope: Construct, id: string, props: DataVolumeProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const size = props.sizeGb ?? 50;
    const v = new PropValidator(this);
    checkVolumeSize(v, 'sizeGb', size);
    v.check('name', props.name, typeof props.name === 'string' && HETZNER_NAME_PATTERN.test(props.name), HETZNER_NAME_ALLOWED);
    v.attempt('location', props.location, () => lookupLocation(props.location));
    if (props.mountpoint !== undefined) v.attempt('mountpoint', props.mountpoint, () => mountUnitName(props.mountpoint!));
    checkLabels(v, props.labels);
    v.throwIfInvalid();
    const protect = props.protect ?? true;
    this.volume = new Volume(this, 'Volume', {
      name: props.name,
      size,
      location: props.location,
      format: 'ext4',
      labels: props.labels ? { ...props.labels } : undefined,
      deleteProtection: protect,
      lifecycle: protect ? { preventDestroy: true } : undefined,
    });
    this.attachment = new VolumeAttachment(this, 'Attachment', {
      volumeId: Token.asNumber(this.volume.id),
      serverId: Token.asNumber(props.server.serverId),
      automount: false,
    });
    // The converge starts services that need the mount: deliver only once the volume is attached.
    const configuration = props.server.configurationResource;
    configuration.dependsOn = [...(configuration.dependsOn ?? []), `${this.attachment.terraformResourceType}.${this.attachment.friendlyUniqueId}`];

    if (props.mountpoint !== undefined) {
      // Destroy-time provisioners may only read `self`: the address (and key) travel in `input`.
      // Replaced with the server (triggers_replace), so its destroy step runs on the old server,
      // before the attachment (which it depends on) is destroyed.
      const mountUnit = mountUnitName(props.mountpoint);
      this.unmount = new TerraformData(this, 'Unmount', {
        input: { host: props.server.ipv4Address, mount_unit: mountUnit, ...(props.sshPrivateKey ? { private_key: props.sshPrivateKey } : {}) },
        triggersReplace: { server: props.server.serverId, volume: this.volume.id },
        dependsOn: [this.attachment],
      });
      // cdktf's provisioner types have no `when`: the block is written as Terraform JSON.
      this.unmount.addOverride('provisioner', [
        {
          'remote-exec': {
            when: 'destroy',
            connection: {
              type: 'ssh',
              host: '${self.input.host}',
              user: SERVICE_USER,
              timeout: '2m',
              ...(props.sshPrivateKey ? { private_key: '${self.input.private_key}', agent: false } : { agent: true }),
            },
            inline: [`sudo systemctl stop ${mountUnit}`, 'sync', `! mountpoint -q ${props.mountpoint}`],
          },
        },
      ]);
    }
  }
}
