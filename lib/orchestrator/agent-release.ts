import { dependable, ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { SERVICE_USER } from '../core/paths';
import { TerraformData } from '../core/terraform-data';
import { sshConnection } from '../core/ssh-connection';
import { PropValidator, requireProps } from '../core/validation-error';
import { HardenedServer } from '../host/hardened-server';
import { GIT_REF_RULES, isReleasableGitRef } from './git-ref';
import { RELEASE_SCRIPT_PATH, releaseScriptDigest } from './release-config';
import { checkSecretToken } from '../core/tokens';

export interface AgentReleaseProps {
  /** The orchestrator host to release on; it must carry the release script (`applyOrchestratorRole`). */
  readonly host: HardenedServer;
  /** Branch, tag or commit id of the agent repository to run. */
  readonly ref: string;
  /**
   * Resources that must be applied first: the host's secret delivery, the release of another host
   * (to roll hosts one after the other). More can be added with {@link AgentRelease.addDependency}.
   * @default - none
   */
  readonly after?: readonly ITerraformDependable[];
  /**
   * Private key for the SSH connection (a sensitive variable's token; a literal is rejected).
   * @default - the SSH agent of whoever runs terraform (SSH_AUTH_SOCK)
   */
  readonly sshPrivateKey?: string;
}

/**
 * Runs one release of the agent app on one host, inside the Terraform graph: a `terraform_data`
 * resource whose `remote-exec` provisioner connects as the service user and runs
 * `sudo aiai-release <ref>` (cloud-init/orchestrator/aiai-release.sh). The script switches the host
 * to the ref, restarts the services, checks their health and rolls back by itself when they are not
 * healthy, exiting non-zero: the apply then fails here, and whatever depends on this resource (the
 * next host's release) is not applied. The resource is replaced, and so the release runs again, when
 * the ref, the server or the release script changes; a release that failed is tainted by Terraform
 * (a failed creation-time provisioner taints its resource: Terraform docs, "Provisioners: Failure
 * Behavior") and runs again at the next apply.
 *
 * The ref lives only here (the trigger and the command), never in the host's `user_data`: a new ref
 * replaces no server.
 */
export class AgentRelease extends Construct {
  public readonly resource: TerraformData;
  /** The ref released. */
  public readonly ref: string;
  /** The command run on the host (exposed for shellcheck and tests). */
  public readonly command: string;

  constructor(scope: Construct, id: string, props: AgentReleaseProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    v.check('ref', props.ref, !Token.isUnresolved(props.ref) && isReleasableGitRef(props.ref), GIT_REF_RULES);
    if (props.sshPrivateKey !== undefined) {
      checkSecretToken(v, 'sshPrivateKey', props.sshPrivateKey);
    }
    v.throwIfInvalid();
    this.ref = props.ref;
    // The ref has no character a shell treats specially (checked above); quoted all the same.
    this.command = `sudo ${RELEASE_SCRIPT_PATH} '${props.ref}'`;

    const connection = sshConnection(props.host.ipv4Address, SERVICE_USER, { privateKey: props.sshPrivateKey });
    this.resource = new TerraformData(this, 'Release', {
      // Terraform's resource-level connection block, as for every SSH step of the library.
      connection,
      triggersReplace: {
        server: props.host.server.id,
        ref: props.ref,
        script: releaseScriptDigest(),
      },
      dependsOn: props.after ? [...props.after] : undefined,
      provisioners: [
        {
          type: 'remote-exec',
          // cloud-init installs the script: wait for it on a fresh server.
          inline: ['set -eu', 'cloud-init status --wait > /dev/null || true', this.command],
        },
      ],
    });
  }

  /** Makes the release wait for more resources (e.g. the host configuration's delivery). */
  public addDependency(...deps: ITerraformDependable[]): void {
    // The same conversion cdktf applies to the `dependsOn` prop (cdktf/lib/terraform-resource.js).
    this.resource.dependsOn = [...(this.resource.dependsOn ?? []), ...deps.map((d) => dependable(d))];
  }
}
