import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Volume } from '../../.gen/providers/hcloud/volume';
import { VolumeAttachment } from '../../.gen/providers/hcloud/volume-attachment';
import { checkLabels } from '../core/label-checks';
import { PropValidator } from '../core/validation-error';
import { HetznerLimits } from '../hetzner/catalog';
import { HardenedServer } from '../host/hardened-server';

export interface DataVolumeProps {
  /** Volume name. */
  readonly name: string;
  /** The server it is attached to (same location). */
  readonly server: HardenedServer;
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

  constructor(scope: Construct, id: string, props: DataVolumeProps) {
    super(scope, id);
    const size = props.sizeGb ?? 50;
    const v = new PropValidator(this);
    checkVolumeSize(v, 'sizeGb', size);
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
      serverId: Token.asNumber(props.server.server.id),
      automount: false,
    });
  }
}
