import { SSHProvisionerConnection } from 'cdktf';
import { PropValidator } from './validation-error';
import { checkSecretToken } from './tokens';

/**
 * How terraform authenticates when it connects to a host over SSH (provisioners), and how long it
 * tries. The one place the library builds an SSH `connection` block: every provisioner that
 * connects to a host gets it from `sshConnection` (lib/core/ssh-connection.ts).
 */
export interface SshConnectionOptions {
  /**
   * Private key for CI, where no SSH agent runs: a sensitive Terraform variable's token (e.g.
   * `secretVariable(stack, 'ssh_private_key', {...}).stringValue`; a literal is rejected, it would be
   * written into the synthesized JSON). With a key the agent is switched off (`agent = false`):
   * terraform would otherwise offer the agent's keys as well (both go into the auth methods,
   * `buildSSHClientConfig` in internal/communicator/ssh/provisioner.go of hashicorp/terraform).
   * The key must be unencrypted (terraform rejects passphrase-protected keys).
   * @default - the SSH agent of whoever runs terraform (`agent = true` explicitly: without
   *   SSH_AUTH_SOCK the provisioner fails at once with "SSH agent requested but SSH_AUTH_SOCK
   *   not-specified" (xanzy/ssh-agent, which terraform uses) instead of connecting with no key
   *   until the timeout)
   */
  readonly privateKey?: string;
  /**
   * Seconds terraform keeps trying to connect before the apply fails: long enough for a new server
   * to boot and cloud-init to create the service user, short enough that a deploy from outside the
   * admin CIDRs (the firewalls drop its SSH packets) fails within minutes.
   * @default 300 (5 minutes; terraform's own default too)
   */
  readonly timeoutSeconds?: number;
}

export const SshConnectionLimits = {
  defaultTimeoutSeconds: 300,
  minTimeoutSeconds: 30,
  maxTimeoutSeconds: 30 * 60,
} as const;

/** Property names under which a construct exposes the options (for its validation messages). */
export interface SshConnectionPropNames {
  readonly privateKey: string;
  readonly timeoutSeconds: string;
}

/** Records every problem of `opts` on `v` (property names as the construct calls them). */
export function checkSshConnectionOptions(v: PropValidator, opts: SshConnectionOptions, names: SshConnectionPropNames): void {
  if (opts.privateKey !== undefined) {
    checkSecretToken(v, names.privateKey, opts.privateKey);
  }
  const t = opts.timeoutSeconds;
  if (t !== undefined) {
    const { minTimeoutSeconds: min, maxTimeoutSeconds: max } = SshConnectionLimits;
    v.check(names.timeoutSeconds, t, Number.isInteger(t) && t >= min && t <= max, `an integer from ${min} to ${max} (seconds)`);
  }
}

/** The SSH `connection` of a provisioner: options checked first with {@link checkSshConnectionOptions}. */
export function sshConnection(host: string, user: string, opts: SshConnectionOptions): SSHProvisionerConnection {
  const timeout = `${opts.timeoutSeconds ?? SshConnectionLimits.defaultTimeoutSeconds}s`;
  // cdktf types `agent` as a string; Terraform's connection schema has a bool, written as one here.
  const agent = (opts.privateKey === undefined) as unknown as string;
  return {
    type: 'ssh',
    host,
    user,
    agent,
    timeout,
    ...(opts.privateKey !== undefined ? { privateKey: opts.privateKey } : {}),
  };
}
