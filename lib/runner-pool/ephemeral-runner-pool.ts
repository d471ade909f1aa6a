import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ActionsSecret } from '@cdktf/provider-github/lib/actions-secret';
import { ActionsVariable } from '@cdktf/provider-github/lib/actions-variable';
import { RepositoryFile } from '@cdktf/provider-github/lib/repository-file';
import { Aspects, IAspect, TerraformProvider, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { Firewall } from '../../.gen/providers/hcloud/firewall';
import { AiaiStack } from '../core/aiai-stack';
import { checkLabels } from '../core/label-checks';
import { LabelKeys, Roles } from '../core/labels';
import { ENVIRONMENT_PATTERN as ENVIRONMENT, ENVIRONMENT_ALLOWED } from '../core/patterns';
import { PlatformIdentity, resourceName, roleLabels } from '../core/platform';
import { PropValidator, requireProps, ValidationProblem } from '../core/validation-error';
import { checkPropKinds } from '../core/prop-kinds';
import { checkSecretToken } from '../core/tokens';
import { DEFAULT_LOCATION, LOCATIONS } from '../hetzner/catalog';
import { AdminAccess } from '../host/admin-access';
import { ILogSink } from '../host/log-shipping';
import { parseCidr, parseIpv4 } from '../network/cidr';
import { IPrivateNetwork } from '../network/private-network';
import {
  checkPoolWorkflowProps,
  PoolJob,
  PoolWorkflowProps,
  PoolWorkflows,
  renderPoolWorkflows,
  WorkflowFile,
} from '../render/workflow';
import { ActionsRunnerRelease, PoolLimits, PoolSettings, PoolSettingsInput, RUNNER_PUBLIC_NET } from '../runtime/pool-settings';
import { costHintName, recordCostHint } from '../cost/record-cost-hint';
import { checkPoolSettings, resolvePoolSettings, SettingProblem } from '../runtime/pool-settings-check';
import { DEFAULT_NAME_PREFIX, PoolGithubNames, poolGithubNames, PoolSecret, SETTING_VARIABLE_SUFFIXES, SettingVariable } from '../runtime/pool-names';
import { poolVariableValues } from '../runtime/pool-settings-env';
import { escapeTerraformTemplate } from '../core/terraform-template';
import { WorkflowDelivery } from './workflow-delivery';

/**
 * The two credentials of a pool, each a sensitive Terraform variable's token (e.g.
 * `secretVariable(stack, 'runner_hcloud_token', {...}).stringValue`). A literal is rejected: it
 * would be written into the synthesized JSON. The values still land in Terraform state, as every
 * `github_actions_secret.plaintext_value` does: keep the state encrypted and access-controlled.
 */
export interface EphemeralRunnerPoolSecrets {
  /**
   * Hetzner Cloud API token (read & write) of the project the pool runs in; the runner manager
   * creates and deletes servers with it. A token of its own (not the one Terraform uses) can be
   * revoked without touching the rest of the platform.
   */
  readonly hcloudToken: string;
  /**
   * GitHub credential that manages the repository's self-hosted runners: a fine-grained token with
   * "Administration: read and write" on the repository (or a GitHub App installation token with the
   * same permission). Only the GitHub-hosted manager jobs see it; runner servers get single-use
   * just-in-time configs instead.
   */
  readonly githubToken: string;
}

/** Workflow options besides the jobs (see `PoolWorkflowProps` of lib/render/workflow). */
export type PoolWorkflowOptions = Omit<PoolWorkflowProps, 'settings' | 'names' | 'jobs' | 'otherJobs'>;

export interface EphemeralRunnerPoolProps extends PlatformIdentity {
  /**
   * Pool name: the `pool` label of everything the pool creates and the prefix of its server and
   * runner names. Unique per Hetzner project (two pools of one name would count and reap each
   * other's servers). Lower-case letters, digits and inner hyphens, at most 20 characters.
   */
  readonly pool: string;
  /**
   * Name of the GitHub repository the pool serves, without the owner (the owner is the stack's
   * GitHub provider's `owner`).
   */
  readonly repository: string;
  /** The pool's credentials, stored as GitHub Actions secrets of the repository. */
  readonly secrets: EphemeralRunnerPoolSecrets;
  /** The jobs that run on pool runners, by job ID; one single-use runner per job. */
  readonly jobs: Readonly<Record<string, PoolJob>>;
  /** Jobs of the same workflow that do not run on the pool (included as given). @default none */
  readonly otherJobs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Workflow name, triggers, file name, CLI source, reap schedule, ... @default the renderer's defaults */
  readonly workflow?: PoolWorkflowOptions;
  /** Where the generated workflows go. @default WorkflowDelivery.repositoryFile() */
  readonly workflowDelivery?: WorkflowDelivery;
  /**
   * Private network to attach runner servers to (so they reach the monitoring node and can be
   * scraped). Each runner is attached to the network's runner subnet (`runnerSubnetIpRange`), where
   * Hetzner assigns its address: never one of the fixed hosts' addresses in the host subnet.
   * `maxRunners` must fit the runner subnet.
   * @default no private network
   */
  readonly network?: IPrivateNetwork;
  /**
   * Operator access: its Hetzner SSH keys are put on runner servers (Hetzner then sets no root
   * password; root login stays disabled and the firewall has no inbound rule, so the keys only
   * matter if you open a way in yourself).
   * @default no SSH keys from the platform
   */
  readonly access?: AdminAccess;
  /** Further Hetzner SSH key names or IDs. @default none */
  readonly sshKeys?: readonly string[];
  /** Hetzner server type of the runners. @default 'cpx32' (x86, 4 vCPU, 8 GB) */
  readonly serverType?: string;
  /** Tried in order when `serverType` cannot be placed (same CPU architecture). @default ['cx33'] with the default type, else none */
  readonly fallbackServerTypes?: readonly string[];
  /** Location of the runners. @default 'fsn1' */
  readonly location?: string;
  /** Tried in order when no type can be placed in `location`. @default ['nbg1', 'hel1'] with the default location, else none */
  readonly fallbackLocations?: readonly string[];
  /** `ubuntu-24.04` or the numeric ID of a snapshot built from it. @default 'ubuntu-24.04' */
  readonly image?: string;
  /** Extra GitHub runner labels (jobs target the per-job label the manager prints). @default none */
  readonly runnerLabels?: readonly string[];
  /** Extra Hetzner labels on runner servers (not project, environment, monitoring: the construct sets those). @default none */
  readonly serverLabels?: Readonly<Record<string, string>>;
  /** Max runner servers at a time. @default 5 */
  readonly maxRunners?: number;
  /**
   * Minutes after creation at which a runner server is deleted by the reaper whatever it does; a
   * job's `timeoutMinutes` must stay 10 minutes below (runner start allowance).
   * @default 120
   */
  readonly maxLifetimeMinutes?: number;
  /** GitHub runner group ID for the runners' JIT configs. @default 1 (the repository's default group) */
  readonly runnerGroupId?: number;
  /** The GitHub Actions runner release with its SHA-256 per architecture. @default PINNED_ACTIONS_RUNNER */
  readonly actionsRunner?: ActionsRunnerRelease;
  /** Further Hetzner firewall IDs for runner servers (at most 4: Hetzner allows 5 per server). @default none */
  readonly extraFirewallIds?: readonly string[];
  /**
   * Label runner servers `monitoring=true` so that Prometheus' Hetzner service discovery scrapes
   * their node exporter over the private network (needs `network`); `false` labels them
   * `monitoring=false` (not scraped).
   * @default true with a network, false without
   */
  readonly scrapeNodeExporter?: boolean;
  /**
   * Where runner servers ship their logs (the monitoring node): each runner installs Grafana Alloy
   * and ships its journal and /var/log/aiai/*.log to Loki over the private network, labelled
   * `host=<server name>`, `role=ci-runner`, `environment`, `project`. Needs `network`. The runner
   * does not wait for Alloy to start; installing it adds a package download to every runner's boot.
   * @default no log shipping (node exporter only)
   */
  readonly logShipping?: ILogSink;
  /**
   * Prefix of the pool's GitHub variable and secret names (`<prefix>_SERVER_TYPE`, ...). Give each
   * pool of one repository its own.
   * @default 'AIAI_RUNNER'
   */
  readonly variablePrefix?: string;
  /** GitHub provider of the secrets, variables and workflow files. @default the stack's default GitHub provider */
  readonly githubProvider?: TerraformProvider;
}

const REPOSITORY_NAME = /^[A-Za-z0-9._-]{1,100}$/;
/** Server label keys the construct sets itself. */
const CONSTRUCT_LABEL_KEYS: readonly string[] = [LabelKeys.project, LabelKeys.environment, LabelKeys.scrape];

/** Pools per stack, to reject two pools that would share variable names, workflow files or a pool name. */
const registry = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Per-job GitHub Actions runners on Hetzner Cloud servers that live for one job, with everything
 * they need in the same Terraform graph:
 *
 * - Hetzner: a firewall with no inbound rule at all (labels `role=ci-runner`, `pool=<pool>`,
 *   `project`, `environment`) that every runner server gets at creation;
 * - GitHub: the two credentials as `github_actions_secret` (values from sensitive variables; they
 *   still land in Terraform state) and every non-secret setting as `github_actions_variable`
 *   (`<prefix>_SERVER_TYPE`, `<prefix>_FIREWALL_IDS`, ... from lib/runtime/pool-names.ts);
 * - the workflow that uses the pool (a `runner-up-<job>` job per pool job, the job on its own
 *   single-use runner, an always-running `runner-down`) and a scheduled reaper, committed through
 *   the GitHub provider or written to a checkout (see {@link WorkflowDelivery}).
 *
 * Servers are created and deleted at run time by the `aiai-runner` CLI (lib/runner-manager), not by
 * Terraform. The construct never creates providers: the stack creates the hcloud provider and the
 * GitHub provider (`@cdktf/provider-github/lib/provider`, with `owner` and a sensitive `token`).
 */
export class EphemeralRunnerPool extends Construct {
  /** The resolved settings the variables carry. */
  public readonly settings: PoolSettings;
  /** Names of the pool's GitHub variables and secrets. */
  public readonly names: PoolGithubNames;
  /** The runner firewall (no inbound rules). */
  public readonly firewall: Firewall;
  public readonly actionsSecrets: Readonly<Record<PoolSecret, ActionsSecret>>;
  /** The `github_actions_variable` resources, by variable name. */
  public readonly actionsVariables: Readonly<Record<string, ActionsVariable>>;
  /** The rendered workflows (also when they are delivered some other way). */
  public readonly workflows: PoolWorkflows;
  /** The `github_repository_file` resources (with `WorkflowDelivery.repositoryFile`). */
  public readonly workflowFiles: readonly RepositoryFile[];
  public readonly workflowDelivery: WorkflowDelivery;

  constructor(scope: Construct, id: string, props: EphemeralRunnerPoolProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    const kinds = checkPropKinds(v, props, {
      environment: 'string', project: 'string', pool: 'string', repository: 'string', secrets: 'object', jobs: 'object', otherJobs: 'object', workflow: 'object',
      sshKeys: 'string[]', serverType: 'string', fallbackServerTypes: 'string[]', location: 'string', fallbackLocations: 'string[]', image: 'string',
      runnerLabels: 'string[]', serverLabels: 'record<string>', maxRunners: 'number', maxLifetimeMinutes: 'number', runnerGroupId: 'number',
      actionsRunner: 'object', extraFirewallIds: 'string[]', scrapeNodeExporter: 'boolean', variablePrefix: 'string',
    }, ['environment', 'pool', 'repository', 'secrets', 'jobs']);
    if (!kinds) v.throwIfInvalid();
    const idn: PlatformIdentity = { project: props.project, environment: props.environment };
    const delivery = props.workflowDelivery ?? WorkflowDelivery.repositoryFile();
    const prefix = props.variablePrefix ?? DEFAULT_NAME_PREFIX;

    const { names, labels } = this.checkIdentity(v, props, idn, prefix);
    this.checkNetworkUse(v, props);
    const input = this.settingsInput(props, labels);
    this.checkSettings(v, props, input);
    v.throwIfInvalid();

    // The workflows (settings are valid from here on), then the names they claim in the stack.
    this.workflows = this.renderWorkflows(v, props, names!, resolvePoolSettings(input('1'), { isUnresolved: Token.isUnresolved }));
    this.claimNames(v, props, prefix);

    // Hetzner: the runner firewall. No rule at all: nothing reaches a runner from outside.
    this.firewall = new Firewall(this, 'Firewall', {
      name: resourceName(idn, `runners-${props.pool}`),
      labels: { ...labels },
      rule: [],
    });

    // GitHub: secrets and variables.
    this.names = names!;
    this.settings = resolvePoolSettings(input(this.firewall.id), { isUnresolved: Token.isUnresolved });
    this.actionsSecrets = this.createSecrets(props);
    this.actionsVariables = this.createVariables(props);

    // The workflows.
    this.workflowDelivery = delivery;
    this.workflowFiles = this.deliverWorkflows(props, delivery);
    checkDeliveryOptions(this, delivery);

    // For the cost estimate: runner servers exist per job, so the JSON has no hcloud_server for them.
    recordCostHint(this, costHintName(this), {
      kind: 'runner-pool',
      pool: this.settings.pool,
      serverType: this.settings.serverType,
      maxRunners: this.settings.maxRunners,
      ipv4: RUNNER_PUBLIC_NET.enable_ipv4,
    });
  }

  /** Identity, repository, credentials, variable prefix and the labels of what the pool creates. */
  private checkIdentity(
    v: PropValidator,
    props: EphemeralRunnerPoolProps,
    idn: PlatformIdentity,
    prefix: string,
  ): { names: PoolGithubNames | undefined; labels: Record<string, string> } {
    // Identity, repository, credentials.
    v.check('environment', props.environment, ENVIRONMENT.test(props.environment), ENVIRONMENT_ALLOWED);
    const poolResolved = v.check('pool', '<token>', !Token.isUnresolved(props.pool), 'a literal pool name (it is part of the workflow and of label selectors)');
    v.check(
      'repository',
      props.repository,
      Token.isUnresolved(props.repository) || (REPOSITORY_NAME.test(props.repository) && props.repository !== '.' && props.repository !== '..'),
      props.repository.includes('/')
        ? 'the repository name without its owner (the owner is the GitHub provider\'s `owner`)'
        : 'a GitHub repository name: letters, digits, ., _ and -, at most 100 characters',
    );
    for (const key of ['hcloudToken', 'githubToken'] as const) {
      checkSecretToken(v, `secrets.${key}`, props.secrets[key]);
    }
    v.check(
      'maxLifetimeMinutes',
      '<token>',
      props.maxLifetimeMinutes === undefined || !Token.isUnresolved(props.maxLifetimeMinutes),
      'a literal number (it sets the job timeouts in the workflow)',
    );
    const names = v.attempt('variablePrefix', prefix, () => poolGithubNames(prefix));
    const labels = roleLabels(idn, Roles.ciRunner, poolResolved ? { [LabelKeys.pool]: props.pool } : {});
    checkLabels(v, labels);
    return { names, labels };
  }

  /** Server labels the construct owns, and what needs the private network (scraping, log shipping, the location's zone). */
  private checkNetworkUse(v: PropValidator, props: EphemeralRunnerPoolProps): void {
    // Server labels the construct owns; the scrape label needs the private network.
    for (const key of Object.keys(props.serverLabels ?? {})) {
      if (CONSTRUCT_LABEL_KEYS.includes(key)) {
        v.fail(`serverLabels.${key}`, key, `a key other than ${CONSTRUCT_LABEL_KEYS.join(', ')} (set by the construct from project, environment and scrapeNodeExporter)`);
      }
    }
    const scrape = props.scrapeNodeExporter ?? props.network !== undefined;
    v.check('scrapeNodeExporter', scrape, !scrape || props.network !== undefined, 'false without a network (Prometheus scrapes over the private network only)');
    // Log shipping: Loki is reached over the private network only, at an address inside it.
    const lokiHost = props.logShipping?.lokiHost;
    if (props.logShipping) {
      v.check('logShipping', lokiHost, props.network !== undefined, 'unset without a network (runners reach Loki over the private network only)');
      const range = props.network && !Token.isUnresolved(props.network.ipRange) ? parseCidr(props.network.ipRange) : undefined;
      const ip = lokiHost !== undefined && !Token.isUnresolved(lokiHost) ? parseIpv4(lokiHost) : undefined;
      if (range && ip !== undefined) {
        v.check('logShipping', lokiHost, ip >= range.first && ip <= range.last, `a sink whose Loki host is in the network's range ${props.network!.ipRange}`);
      }
    }
    // The primary location must be in the network's zone (fallbacks are checked against it below).
    const location = props.location ?? DEFAULT_LOCATION;
    const zone = LOCATIONS[location]?.networkZone;
    if (props.network && zone && !Token.isUnresolved(location)) {
      v.check('location', location, zone === props.network.networkZone, `a location in the network's zone ${props.network.networkZone}`);
    }
  }

  /** The settings the construct's props stand for, with the pool firewall's ID. */
  private settingsInput(props: EphemeralRunnerPoolProps, labels: Record<string, string>): (firewallId: string) => PoolSettingsInput {
    const scrape = props.scrapeNodeExporter ?? props.network !== undefined;
    const accessKeys = props.access?.sshKeyIds ?? [];
    const extraFirewalls = props.extraFirewallIds ?? [];
    const serverLabels = {
      ...(props.serverLabels ?? {}),
      [LabelKeys.project]: labels[LabelKeys.project],
      [LabelKeys.environment]: labels[LabelKeys.environment],
      [LabelKeys.scrape]: scrape ? 'true' : 'false',
    };
    return (firewallId: string): PoolSettingsInput => ({
      pool: props.pool,
      serverType: props.serverType,
      fallbackServerTypes: props.fallbackServerTypes,
      location: props.location,
      fallbackLocations: props.fallbackLocations,
      image: props.image,
      networkId: props.network ? networkIdString(props.network.networkId) : undefined,
      subnetIpRange: props.network?.runnerSubnetIpRange,
      // Without a network the problem is reported under `logShipping` (checkNetworkUse).
      lokiHost: props.network ? props.logShipping?.lokiHost : undefined,
      firewallIds: [firewallId, ...extraFirewalls],
      sshKeys: [...accessKeys, ...(props.sshKeys ?? [])],
      runnerLabels: props.runnerLabels,
      serverLabels,
      maxRunners: props.maxRunners,
      maxLifetimeMinutes: props.maxLifetimeMinutes,
      runnerGroupId: props.runnerGroupId,
      actionsRunner: props.actionsRunner,
    });
  }

  /** Settings: the runner manager's own rules, with our prop names. */
  private checkSettings(v: PropValidator, props: EphemeralRunnerPoolProps, input: (firewallId: string) => PoolSettingsInput): void {
    const accessKeyCount = (props.access?.sshKeyIds ?? []).length;
    // The firewall does not exist yet: validate with a stand-in ID.
    for (const p of checkPoolSettings(input('1'), { isUnresolved: Token.isUnresolved })) {
      const mapped = mapSettingProblem(p, accessKeyCount);
      if (mapped) v.fail(mapped.property, mapped.value, mapped.allowed);
    }
  }

  /** Checks the workflow props (under the construct's prop names) and renders the workflows. */
  private renderWorkflows(v: PropValidator, props: EphemeralRunnerPoolProps, names: PoolGithubNames, settings: PoolSettings): PoolWorkflows {
    const workflowProps: PoolWorkflowProps = {
      ...(props.workflow ?? {}),
      settings,
      names,
      jobs: props.jobs,
      otherJobs: props.otherJobs,
    };
    for (const p of checkPoolWorkflowProps(workflowProps)) {
      v.fail(p.property.startsWith('jobs') || p.property.startsWith('otherJobs') ? p.property : `workflow.${p.property}`, p.value, p.allowed);
    }
    v.throwIfInvalid();
    const workflows = renderPoolWorkflows(workflowProps);
    for (const file of workflowFiles(workflows)) {
      // The workflow is committed as text: a Terraform token in a job would end up as garbage.
      v.check('jobs', file.path, !Token.isUnresolved(file.content), 'jobs and workflow options without Terraform tokens (the workflow is committed as plain text)');
    }
    return workflows;
  }

  /** One pool per name, per repository and variable prefix, per workflow file in a stack. Throws with every problem so far. */
  private claimNames(v: PropValidator, props: EphemeralRunnerPoolProps, prefix: string): void {
    const seen = registryOf(this);
    const claims: [string, string, string][] = [
      [`pool:${props.pool}`, 'pool', props.pool],
      [`vars:${props.repository}:${prefix}`, 'variablePrefix', prefix],
      ...workflowFiles(this.workflows).map((f): [string, string, string] => [`file:${props.repository}:${f.path}`, 'workflow.fileName', f.path]),
    ];
    for (const [key, property, value] of claims) {
      const owner = seen.get(key);
      if (owner !== undefined && owner !== this.node.path) {
        v.fail(property, value, `a value not already used by ${owner} in this stack (pool names, variable prefixes per repository and workflow files must be unique)`);
      }
    }
    v.throwIfInvalid();
    for (const [key] of claims) seen.set(key, this.node.path);
  }

  /** The two credentials as `github_actions_secret`. */
  private createSecrets(props: EphemeralRunnerPoolProps): Record<PoolSecret, ActionsSecret> {
    const secret = (id: string, key: PoolSecret) =>
      new ActionsSecret(this, id, {
        provider: props.githubProvider,
        repository: props.repository,
        secretName: this.names.secrets[key],
        plaintextValue: props.secrets[key],
      });
    return { hcloudToken: secret('HcloudTokenSecret', 'hcloudToken'), githubToken: secret('GithubTokenSecret', 'githubToken') };
  }

  /** Every set setting as `github_actions_variable`, by variable name. */
  private createVariables(props: EphemeralRunnerPoolProps): Record<string, ActionsVariable> {
    const values = poolVariableValues(this.settings, this.names);
    const variables: Record<string, ActionsVariable> = {};
    for (const key of Object.keys(SETTING_VARIABLE_SUFFIXES) as SettingVariable[]) {
      const name = this.names.variables[key];
      const value = values[name];
      if (value === undefined) continue; // unset optional setting (no network): the workflow reads ''
      variables[name] = new ActionsVariable(this, `Variable-${key}`, {
        provider: props.githubProvider,
        repository: props.repository,
        variableName: name,
        value,
        // A workflow may run as soon as the variable exists: the subnet it names must exist first.
        dependsOn: key === 'subnetIpRange' && props.network ? [...props.network.attachDependencies] : undefined,
      });
    }
    return variables;
  }

  /** Commits the workflows (`github_repository_file`) or registers writing them at synth (local file). */
  private deliverWorkflows(props: EphemeralRunnerPoolProps, delivery: WorkflowDelivery): RepositoryFile[] {
    const files: RepositoryFile[] = [];
    if (delivery.kind === 'repository-file') {
      const o = delivery.repositoryFileOptions;
      workflowFiles(this.workflows).forEach((file, i) => {
        files.push(
          new RepositoryFile(this, i === 0 ? 'WorkflowFile' : 'ReapWorkflowFile', {
            provider: props.githubProvider,
            repository: props.repository,
            file: file.path,
            // Terraform would read ${{ ... }} and %{...} in the text as its own template syntax.
            content: escapeTerraformTemplate(file.content),
            branch: o.branch,
            commitMessage: o.commitMessage ?? `Update ${file.path} (runner pool ${props.pool}, generated by aiai-hetzner)`,
            commitAuthor: o.commitAuthor,
            commitEmail: o.commitEmail,
            overwriteOnCreate: true,
            // Committing the workflow may start a run at once: its secrets and variables must exist.
            dependsOn: [...Object.values(this.actionsSecrets), ...Object.values(this.actionsVariables)],
          }),
        );
      });
    } else if (delivery.kind === 'local-file') {
      const pool = this;
      // Writes files at synth and changes no element (an AiaiStack keeps its resolution).
      const writer: IAspect = AiaiStack.aspectLeavesElements({
        visit(node: IConstruct): void {
          if (node === pool) pool.writeLocalFiles(delivery.resolvedRoot!);
        },
      });
      Aspects.of(this).add(writer);
    }
    return files;
  }

  /** Writes the workflows below `root` (with `WorkflowDelivery.localFile`, at synth). */
  private writeLocalFiles(root: string): void {
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      const v = new PropValidator(this);
      v.fail('workflowDelivery', root, 'an existing folder (a checkout of the repository) to write .github/workflows/ into');
      v.throwIfInvalid();
    }
    for (const file of workflowFiles(this.workflows)) {
      const path = join(root, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }
  }
}

/** The network ID as the variable's string: a token stays a (string) token, a literal number its digits. */
function networkIdString(id: number): string {
  return Token.isUnresolved(id) ? Token.asString(id) : String(id);
}

function workflowFiles(w: PoolWorkflows): WorkflowFile[] {
  return w.reap ? [w.main, w.reap] : [w.main];
}

function registryOf(scope: IConstruct): Map<string, string> {
  const stack = TerraformStack.of(scope);
  let map = registry.get(stack);
  if (!map) {
    map = new Map();
    registry.set(stack, map);
  }
  return map;
}

const AUTHOR = /^[^\r\n<>]{1,100}$/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*\.lock$|.*\/$|-)[A-Za-z0-9._/-]{1,200}$/;

function checkDeliveryOptions(scope: IConstruct, d: WorkflowDelivery): void {
  const v = new PropValidator(scope);
  const o = d.repositoryFileOptions;
  if (o.branch !== undefined && !Token.isUnresolved(o.branch)) v.check('workflowDelivery.branch', o.branch, BRANCH.test(o.branch), 'a branch name');
  if (o.commitMessage !== undefined) v.check('workflowDelivery.commitMessage', o.commitMessage, o.commitMessage.trim().length > 0, 'a non-empty commit message');
  v.check(
    'workflowDelivery.commitAuthor',
    o.commitAuthor,
    (o.commitAuthor === undefined) === (o.commitEmail === undefined),
    'commitAuthor and commitEmail together (GitHub needs both or neither)',
  );
  if (o.commitAuthor !== undefined) v.check('workflowDelivery.commitAuthor', o.commitAuthor, AUTHOR.test(o.commitAuthor), 'a name without line breaks or <>');
  if (o.commitEmail !== undefined) v.check('workflowDelivery.commitEmail', o.commitEmail, EMAIL.test(o.commitEmail), 'an e-mail address');
  if (d.kind === 'local-file') v.check('workflowDelivery', d.repositoryRoot, (d.repositoryRoot ?? '').trim() !== '', 'a folder');
  v.throwIfInvalid();
}

/** A settings problem under the construct's prop names (undefined: the construct's own stand-in). */
function mapSettingProblem(p: SettingProblem, accessKeyCount: number): ValidationProblem | undefined {
  const fw = /^firewallIds\[(\d+)\]$/.exec(p.property);
  if (fw) return Number(fw[1]) === 0 ? undefined : { ...p, property: `extraFirewallIds[${Number(fw[1]) - 1}]` };
  if (p.property === 'firewallIds') {
    return { property: 'extraFirewallIds', value: p.value, allowed: `at most ${PoolLimits.firewallsPerServer - 1} (the pool's own firewall is one of Hetzner's ${PoolLimits.firewallsPerServer} per server)` };
  }
  const key = /^sshKeys\[(\d+)\]$/.exec(p.property);
  if (key) {
    const i = Number(key[1]);
    return i < accessKeyCount ? { ...p, property: 'access' } : { ...p, property: `sshKeys[${i - accessKeyCount}]` };
  }
  if (p.property === 'networkId' || p.property === 'subnetIpRange') return { ...p, property: 'network' };
  if (p.property === 'lokiHost') return { ...p, property: 'logShipping' };
  return { property: p.property, value: p.value, allowed: p.allowed };
}

