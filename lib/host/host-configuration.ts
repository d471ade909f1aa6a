import { Fn, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { asset } from '../core/assets';
import { StackMemo } from '../core/memo';
import type { IDeliveryTarget } from '../core/host-target';
import { SERVICE_USER } from '../core/paths';
import { TerraformData } from '../core/terraform-data';
import { sshConnection } from '../core/ssh-connection';
import { PropValidator, requireProps } from '../core/validation-error';
import { sha256Hex } from '../core/digest';
import { HostManifest, manifestJsonParts } from '../render/host-manifest';
import { sharedTemplate } from '../core/shared-text';
import { SECRET_INBOX_DIR } from './hardening';
import { checkSecretToken } from '../core/tokens';

/** The converge script shipped with the library (uploaded with every manifest). */
export const CONVERGE_SCRIPT_ASSET = 'host/aiai-converge.sh';

/** Digest of the converge script, the same for every host: computed once. */
let convergeMemo: { script: string; digest: string } | undefined;
function convergeDigest(script: string): string {
  if (convergeMemo?.script !== script) convergeMemo = { script, digest: sha256Hex(script).slice(0, 16) };
  return convergeMemo.digest;
}

/**
 * Per stack: the trigger digest of each file body (by content, then mode and owner). Hosts of one
 * role carry equal bodies; each is hashed once per stack.
 */
const fileDigests = new StackMemo<string, Map<string, string>>();
function fileDigest(stack: TerraformStack, content: string, mode: string, owner: string): string {
  const byMode = fileDigests.get(stack, content, () => new Map());
  const key = JSON.stringify([mode, owner]);
  let d = byMode.get(key);
  if (d === undefined) byMode.set(key, (d = sha256Hex(JSON.stringify([content, mode, owner])).slice(0, 16)));
  return d;
}

export type { IDeliveryTarget } from '../core/host-target';

export interface HostConfigurationProps {
  readonly host: IDeliveryTarget;
  /** What the host must look like (see `renderHostManifest`). */
  readonly manifest: HostManifest;
  /**
   * Private key for the SSH connection (a sensitive variable's token; a literal is rejected).
   * @default - the SSH agent of whoever runs terraform (SSH_AUTH_SOCK)
   */
  readonly sshPrivateKey?: string;
}

/**
 * Delivers a host's configuration to the running server and converges it, inside the Terraform
 * graph: a `terraform_data` resource that waits for cloud-init's bootstrap, uploads the converge
 * script and the host's manifest over SSH as the service user, and runs the script with sudo. The
 * script changes only what differs, restarts or reloads only the services whose files changed,
 * and fails the deploy with the unit's status and journal when a service does not come up.
 *
 * `triggers_replace` holds the server id and a digest per file, package set and unit set, so the
 * plan names what changed on the host and a change re-runs the delivery, never replacing the server.
 */
export class HostConfiguration extends Construct {
  public readonly resource: TerraformData;
  private readonly manifestParts: readonly string[];

  constructor(scope: Construct, id: string, props: HostConfigurationProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    if (props.sshPrivateKey !== undefined) {
      checkSecretToken(v, 'sshPrivateKey', props.sshPrivateKey);
    }
    v.throwIfInvalid();

    const manifestParts = manifestJsonParts(props.manifest);
    this.manifestParts = manifestParts;
    const script = asset(CONVERGE_SCRIPT_ASSET);
    const digest = (text: string) => sha256Hex(text).slice(0, 16);
    const convergeScriptDigest = convergeDigest(script);
    const files: Record<string, string> = {};
    const stack = TerraformStack.of(this);
    // Content known only at plan (e.g. an existing key's public_key): Terraform computes its digest.
    for (const f of props.manifest.files) {
      files[f.path] = Token.isUnresolved(f.content) ? Fn.substr(Fn.sha256(Fn.join('', [f.content, f.mode, f.owner])), 0, 16) : fileDigest(stack, f.content, f.mode, f.owner);
    }

    const connection = sshConnection(props.host.ipv4Address, SERVICE_USER, { privateKey: props.sshPrivateKey });
    const scriptPath = `${SECRET_INBOX_DIR}/aiai-converge`;
    const manifestPath = `${SECRET_INBOX_DIR}/host-manifest.json`;
    this.resource = new TerraformData(this, 'Converge', {
      // One connection for every step (Terraform's resource-level connection block).
      connection,
      triggersReplace: {
        server: props.host.serverId,
        converge: convergeScriptDigest,
        // One update of the joined text: hashing piece by piece costs a call per piece.
        manifest: digest(manifestParts.join('')),
        packages: digest(JSON.stringify([props.manifest.aptSources, props.manifest.packages])),
        units: digest(JSON.stringify([props.manifest.units, props.manifest.services, props.manifest.commands])),
        files,
      },
      provisioners: [
        // The bootstrap is done (and the inbox exists) once cloud-init finished.
        { type: 'remote-exec', inline: ['cloud-init status --wait > /dev/null || true', `test -d ${SECRET_INBOX_DIR}`] },
        // The script, and each long file entry of the manifest, are written once per stack as Terraform
        // locals (lib/core/shared-text.ts): the bytes uploaded are the same.
        { type: 'file', content: sharedTemplate(this, [script]), destination: scriptPath },
        { type: 'file', content: sharedTemplate(this, manifestParts), destination: manifestPath },
        { type: 'remote-exec', inline: [`sudo bash ${scriptPath} ${manifestPath}`, `rm -f ${manifestPath}`] },
      ],
    });
  }

  /** The manifest JSON as uploaded. */
  public get manifestJson(): string {
    return this.manifestParts.join('');
  }
}
