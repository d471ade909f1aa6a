import { Fn, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { IConfiguredHost } from '../core/host-target';
import { StackMemo } from '../core/memo';
import { HostPaths, SECRET_INBOX_DIR, SERVICE_USER } from '../core/paths';
import { TerraformData } from '../core/terraform-data';
import { PropValidator, requireProps } from '../core/validation-error';
import { checkSshConnectionOptions, sshConnection, SshConnectionOptions } from '../core/ssh-connection';
import { checkSecretToken } from '../core/tokens';

/**
 * Per stack: the trigger digest expression of each list of file contents. Hosts given the same
 * secrets (every runner of a pool: one token variable) share one expression, which synth then
 * resolves once (lib/core/resolve.ts ResolveCache).
 */
const digests = new StackMemo<string, string>();
function contentDigest(stack: TerraformStack, contents: readonly string[]): string {
  return digests.get(stack, JSON.stringify(contents), () => Fn.sha256(Fn.join('\n', contents.map((c) => Fn.sha256(c)))));
}

/** One secret file on a host. */
export interface SecretFile {
  /** File name under /etc/aiai/secrets (letters, digits, `._-`). */
  readonly name: string;
  /**
   * The content: a Terraform expression built from sensitive variables (e.g. `secretVariable(...).stringValue`
   * or a template of such tokens). A literal string is rejected: it would be written into the
   * synthesized JSON.
   */
  readonly content: string;
  /** Mode of the installed file (owner root, group the service user). @default '0600' (read by systemd as root) */
  readonly mode?: string;
}

export interface SecretFilesProps {
  /** The host that receives the files (a HardenedServer). */
  readonly host: IConfiguredHost;
  readonly files: readonly SecretFile[];
  /** Units to (re)start after the files changed. @default - none */
  readonly restartUnits?: readonly string[];
  /**
   * Private key for the SSH connection, for CI (a sensitive variable's token; a literal is
   * rejected); the SSH agent is then not used. See {@link SshConnectionOptions.privateKey}.
   * @default - the SSH agent of whoever runs terraform (`agent = true`, SSH_AUTH_SOCK must be set)
   */
  readonly sshPrivateKey?: string;
  /**
   * Seconds terraform keeps trying to connect to the host (from 30 to 1800).
   * @default 300
   */
  readonly sshTimeoutSeconds?: number;
}

/**
 * Delivers secret files to a host after it is up, inside the Terraform graph: a `terraform_data`
 * resource that waits for cloud-init, uploads each file over SSH as the service user and installs it
 * under /etc/aiai/secrets with sudo. It is replaced (and so runs again) when the server is replaced
 * or any secret's value changes (tracked by a SHA-256 digest in state, never the value).
 * Secrets never pass through cloud-init `user_data`.
 */
export class SecretFiles extends Construct {
  public readonly resource: TerraformData;
  /** The shell lines run on the host after upload (exposed for shellcheck). */
  public readonly installScript: readonly string[];

  constructor(scope: Construct, id: string, props: SecretFilesProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    v.check('files', props.files.length, props.files.length > 0, 'at least one file');
    const names = new Set<string>();
    props.files.forEach((f, i) => {
      v.check(`files[${i}].name`, f.name, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(f.name) && !names.has(f.name), 'a unique file name of letters, digits, `._-`');
      names.add(f.name);
      checkSecretToken(v, `files[${i}].content`, f.content, 'a Terraform expression from sensitive variables (a literal would land in the synthesized JSON)');
      v.check(`files[${i}].mode`, f.mode, f.mode === undefined || /^0[0-7]{3}$/.test(f.mode), "an octal mode like '0640'");
    });
    const ssh: SshConnectionOptions = { privateKey: props.sshPrivateKey, timeoutSeconds: props.sshTimeoutSeconds };
    checkSshConnectionOptions(v, ssh, { privateKey: 'sshPrivateKey', timeoutSeconds: 'sshTimeoutSeconds' });
    (props.restartUnits ?? []).forEach((u, i) =>
      v.check(`restartUnits[${i}]`, u, /^[a-zA-Z0-9:_.@-]+\.(service|timer)$/.test(u), 'a unit name like aiai-orchestrator.service'),
    );
    v.throwIfInvalid();

    const script: string[] = ['set -eu'];
    for (const f of props.files) {
      script.push(
        `sudo install -m ${f.mode ?? '0600'} -o root -g ${SERVICE_USER} ${SECRET_INBOX_DIR}/${f.name} ${HostPaths.secretsDir}/${f.name}`,
        `rm -f ${SECRET_INBOX_DIR}/${f.name}`,
      );
    }
    for (const u of props.restartUnits ?? []) {
      script.push(`sudo systemctl reset-failed ${u} || true`, `sudo systemctl restart ${u}`);
    }
    this.installScript = script;

    // Over the public IPv4: the cloud firewall and ufw allow SSH from the admin CIDRs only, so
    // terraform must run inside them.
    const connection = sshConnection(props.host.ipv4Address, SERVICE_USER, ssh);
    this.resource = new TerraformData(this, 'Delivery', {
      // One connection for every step (Terraform's resource-level connection block).
      connection,
      // The units it restarts exist once the host's configuration is delivered.
      dependsOn: [props.host.configurationResource],
      triggersReplace: {
        server: props.host.serverId,
        files: props.files.map((f) => `${f.name}:${f.mode ?? '0600'}`).join(','),
        digest: contentDigest(TerraformStack.of(this), props.files.map((f) => f.content)),
      },
      provisioners: [
        // Wait until cloud-init created the service user's inbox (and finished provisioning).
        { type: 'remote-exec', inline: ['cloud-init status --wait > /dev/null || true', `test -d ${SECRET_INBOX_DIR}`] },
        ...props.files.map((f) => ({ type: 'file' as const, content: f.content, destination: `${SECRET_INBOX_DIR}/${f.name}` })),
        { type: 'remote-exec', inline: script },
      ],
    });
  }
}
