/**
 * What the building blocks that act on a running server (secret delivery, volumes, the host's own
 * configuration) need of it: small interfaces, so that lib/secrets and lib/volume do not import
 * lib/host's HardenedServer (which implements them).
 */
import type { TerraformResource } from 'cdktf';

/** What a delivery resource needs of a server: its id (a new server is configured anew) and its address. */
export interface IDeliveryTarget {
  /** The `hcloud_server` id (a token). */
  readonly serverId: string;
  /** The public IPv4 the deploy connects to over SSH. */
  readonly ipv4Address: string;
}

/** A server whose configuration (packages, files, units) a Terraform resource delivers after boot. */
export interface IConfiguredHost extends IDeliveryTarget {
  /**
   * The resource that delivers and converges the host's configuration (`HostConfiguration.resource`):
   * steps that need its units depend on it; what its units need (a volume attachment) is added to
   * its `dependsOn`.
   */
  readonly configurationResource: TerraformResource;
}
