import { Construct } from 'constructs';
import { LabelKeys, Roles, RunnerModes } from '../core/labels';
import { ENVIRONMENT_PATTERN as ENVIRONMENT, RELEASE_VERSION_PATTERN, SHA256_HEX_PATTERN, ENVIRONMENT_ALLOWED } from '../core/patterns';
import { PlatformIdentity, resourceName, roleLabels } from '../core/platform';
import { PropValidator, requireProps } from '../core/validation-error';
import { checkPropKinds } from '../core/prop-kinds';
import { SERVER_TYPES } from '../hetzner/catalog';
import { AdminAccess } from '../host/admin-access';
import { HardenedServer } from '../host/hardened-server';
import { HostConfig } from '../host/host-config';
import { ILogSink } from '../host/log-shipping';
import { IpPlan } from '../network/ip-plan';
import { IPrivateNetwork } from '../network/private-network';
import { IRoleFirewall, RoleFirewall } from '../network/role-firewall';
import { SecretFiles } from '../secrets/secret-files';
import { ActionsRunnerRelease, PINNED_ACTIONS_RUNNER, RunnerArchitecture } from '../runtime/pool-settings';
import { poolRunnerLabel, RUN_RUNNER_LABEL_PREFIX } from '../runtime/pool-labels';
import { runnerArchitecture } from '../runtime/pool-settings-check';
import { applyPersistentRunnerRole, REGISTER_UNIT, RUNNER_TOKEN_SECRET } from './persistent-runner-host';
import { checkSecretToken } from '../core/tokens';

export interface PersistentRunnerProps extends PlatformIdentity {
  readonly network: IPrivateNetwork;
  readonly access: AdminAccess;
  /**
   * Further firewalls the runner host join besides the role's own, e.g. a project-wide firewall that
   * exists already (`RoleFirewall.fromExisting(scope, id, { firewallId })`).
   * @default - only the role's own firewall
   */
  readonly firewalls?: readonly IRoleFirewall[];
  /** The repository the runner serves, `owner/name`. */
  readonly repository: string;
  /**
   * GitHub credential that registers the runner: a sensitive Terraform variable's token (a literal is
   * rejected). A fine-grained token with "Administration: read and write" on the repository. It is
   * delivered after boot to /etc/aiai/secrets (root only, invisible to jobs), never in user_data;
   * it also lands in Terraform state through the delivery resource's inputs.
   */
  readonly githubToken: string;
  /**
   * Which persistent runner of the deployment this is: server and runner name
   * `<project>-<environment>-runner-<instance>`, private IP `.30 + instance` of the subnet.
   * @default 0
   */
  readonly instance?: number;
  /** Server type (its CPU architecture picks the runner tarball). @default 'cpx32' */
  readonly serverType?: string;
  /** Location. @default 'fsn1' */
  readonly location?: string;
  /**
   * Runner labels besides GitHub's defaults (`self-hosted`, `linux`, `x64`/`arm64`); jobs select the
   * runner with `runs-on: [self-hosted, <label>]`.
   * @default ['aiai-persistent']
   */
  readonly runnerLabels?: readonly string[];
  /** Runner group (organisation runner groups). @default the repository's default */
  readonly runnerGroup?: string;
  /**
   * Install Docker and put the runner user in the docker group. That makes every job root on the
   * host (the docker socket is root-equivalent); only for repositories whose every job you trust.
   * Published container ports bypass ufw but not the cloud firewall (SSH from admin CIDRs only).
   * @default false
   */
  readonly docker?: boolean;
  /** The runner release with its SHA-256 per architecture. @default PINNED_ACTIONS_RUNNER */
  readonly actionsRunner?: ActionsRunnerRelease;
  /** Ship journald to Loki (e.g. a `MonitoringNode`). @default no log shipping */
  readonly logShipping?: ILogSink;
  /** Private key for the credential delivery over SSH (sensitive token). @default the operator's SSH agent */
  readonly sshPrivateKey?: string;
  /** Hetzner automated backups (+20 % of the server price). @default false (a runner is rebuilt, not restored) */
  readonly backups?: boolean;
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const RUNNER_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RUNNER_GROUP = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
/** Label prefixes of the ephemeral pools: `reap` deletes offline runners that carry them. */
const POOL_LABEL_PREFIXES = [poolRunnerLabel(''), RUN_RUNNER_LABEL_PREFIX];

/**
 * An always-on GitHub Actions runner under systemd, for teams that want one besides (or instead of)
 * the ephemeral pool: a hardened host (role `ci-runner`, private IP from `.30`, node exporter scraped
 * by monitoring, SSH from the admin CIDRs only) with a `runner` system user (no sudo, no SSH, not in
 * the docker group unless `docker`), the pinned runner release for the host's architecture checked
 * against its SHA-256, and a sandboxed unit. The runner registers itself after boot, once
 * `SecretFiles` delivered the GitHub credential. Jobs on it share one machine over time: prefer the
 * ephemeral pool for untrusted code (pull requests from forks).
 *
 * Its address is a fixed one in the network's host subnet (`.30 + instance`, reserved at synth), not
 * in the runner subnet: there Hetzner assigns addresses to ephemeral runners, and one created while
 * this host is replaced could take its address.
 *
 * Destroying it does not remove the runner from GitHub: delete the offline runner in the
 * repository's settings (the pool's reaper only removes its own runners).
 */
export class PersistentRunner extends Construct {
  public readonly host: HardenedServer;
  public readonly firewall: RoleFirewall;
  public readonly credential: SecretFiles;
  /** The GitHub runner name (= server name). */
  public readonly runnerName: string;
  public readonly architecture: RunnerArchitecture;

  constructor(scope: Construct, id: string, props: PersistentRunnerProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    const kinds = checkPropKinds(v, props, {
      environment: 'string', project: 'string', repository: 'string', githubToken: 'string', instance: 'number', serverType: 'string',
      location: 'string', runnerLabels: 'string[]', runnerGroup: 'string', docker: 'boolean', actionsRunner: 'object', sshPrivateKey: 'string', backups: 'boolean',
    }, ['environment', 'repository', 'githubToken']);
    if (!kinds) v.throwIfInvalid();
    const idn: PlatformIdentity = { project: props.project, environment: props.environment };
    const instance = props.instance ?? 0;
    const serverType = props.serverType ?? 'cpx32';
    const labels = props.runnerLabels ?? ['aiai-persistent'];
    const release = props.actionsRunner ?? PINNED_ACTIONS_RUNNER;

    v.check('environment', props.environment, ENVIRONMENT.test(props.environment), ENVIRONMENT_ALLOWED);
    v.check('repository', props.repository, REPOSITORY.test(props.repository), 'owner/name of a GitHub repository');
    checkSecretToken(v, 'githubToken', props.githubToken);
    v.check('instance', instance, Number.isInteger(instance) && instance >= 0 && instance <= 99, 'an integer from 0 to 99');
    labels.forEach((l, i) => {
      if (!v.check(`runnerLabels[${i}]`, l, RUNNER_LABEL.test(l), "a label of letters, digits, '.', '_' and '-' (at most 64 characters)")) return;
      v.check(`runnerLabels[${i}]`, l, !POOL_LABEL_PREFIXES.some((p) => l.startsWith(p)), `a label not starting with ${POOL_LABEL_PREFIXES.join(' or ')} (the ephemeral pools' reaper deletes offline runners with those)`);
    });
    if (props.runnerGroup !== undefined) v.check('runnerGroup', props.runnerGroup, RUNNER_GROUP.test(props.runnerGroup), 'a runner group name (letters, digits, space, ., _, -)');
    v.check('actionsRunner.version', release.version, RELEASE_VERSION_PATTERN.test(release.version), 'a runner release version like 2.329.0');
    // An unknown type is reported by HardenedServer, with the replacement of a deprecated one.
    const architecture = SERVER_TYPES[serverType] ? runnerArchitecture(serverType) : undefined;
    if (architecture) {
      const sha = release.sha256[architecture];
      v.check(`actionsRunner.sha256.${architecture}`, sha, SHA256_HEX_PATTERN.test(sha ?? ''), `the lower-case hex SHA-256 of actions-runner-linux-${architecture}-${release.version}.tar.gz`);
    }
    v.throwIfInvalid();

    const name = resourceName(idn, `runner-${instance}`);
    const roleLabelSet = roleLabels(idn, Roles.ciRunner);
    this.runnerName = name;
    this.firewall = new RoleFirewall(this, 'Firewall', {
      name,
      rules: [],
      privateRange: props.network.ipRange,
      adminCidrs: props.access.adminCidrs,
      labels: roleLabelSet,
    });

    const hostConfig = new HostConfig();
    if (architecture) {
      applyPersistentRunnerRole(hostConfig, {
        serverType: SERVER_TYPES[serverType],
        architecture,
        actionsRunner: release,
        repository: props.repository,
        name,
        labels,
        runnerGroup: props.runnerGroup,
        docker: props.docker ?? false,
      });
    }
    this.host = new HardenedServer(this, 'Host', {
      name,
      serverType,
      location: props.location,
      network: props.network,
      privateIp: props.network.addressAt(IpPlan.runnersFrom + instance),
      access: props.access,
      // No `pool` label: the ephemeral pools' `down` and `reap` select on it and never touch this host.
      labels: { ...roleLabelSet, [LabelKeys.scrape]: 'true', [LabelKeys.runnerMode]: RunnerModes.persistent },
      hostConfig,
      firewalls: [this.firewall, ...(props.firewalls ?? [])],
      logShipping: props.logShipping,
      backups: props.backups ?? false,
      protect: false,
      sshPrivateKey: props.sshPrivateKey,
    });
    this.architecture = architecture!;

    this.credential = new SecretFiles(this, 'Credential', {
      host: this.host,
      // Root only: the runner user (and so every job) cannot read it.
      files: [{ name: RUNNER_TOKEN_SECRET, content: props.githubToken, mode: '0600' }],
      restartUnits: [REGISTER_UNIT],
      sshPrivateKey: props.sshPrivateKey,
    });
  }
}
