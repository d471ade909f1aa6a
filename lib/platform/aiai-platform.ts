import { Construct } from 'constructs';
import { PlatformIdentity, resourceName, roleLabels } from '../core/platform';
import { PropValidator, requireProps } from '../core/validation-error';
import { DEFAULT_LOCATION, serverType as lookupServerType } from '../hetzner/catalog';
import { AdminAccess, AdminAccessProps } from '../host/admin-access';
import { HardenedServer } from '../host/hardened-server';
import { MonitoringNode, MonitoringNodeProps } from '../monitoring/monitoring-node';
import { PrivateNetwork, PrivateNetworkProps } from '../network/private-network';
import { ObjectStore, ObjectStoreProps } from '../object-store/object-store';
import { AiaiOrchestrator, AiaiOrchestratorProps } from '../orchestrator/aiai-orchestrator';
import { EphemeralRunnerPool, EphemeralRunnerPoolProps } from '../runner-pool/ephemeral-runner-pool';
import { checkVolumeSize } from '../volume/data-volume';
import { mergeSizing, PlatformPreset, PlatformSizing, PlatformSizingOverrides } from './presets';

/** Props of a part that the platform wires itself (shared identity, network, access, log target): never given per part. */
export type PlatformWiredProp = 'project' | 'environment' | 'network' | 'access' | 'location' | 'logShipping' | 'sshPrivateKey';

/** The orchestrator tier's own settings (its size is the sizing's `orchestrator`). */
export type PlatformOrchestratorProps = Omit<
  AiaiOrchestratorProps,
  PlatformWiredProp | 'offsiteBackup' | 'primaryServerType' | 'standby' | 'standbyServerType' | 'loadBalancer' | 'loadBalancerType' | 'backups'
>;

/** The monitoring node's own settings and secrets (its size is the sizing's `monitoring`). */
export interface PlatformMonitoringProps extends Omit<MonitoringNodeProps, PlatformWiredProp | 'serverType' | 'volumeSizeGb' | 'disasterRecovery' | 'serverBackups'> {
  /**
   * Read/write Hetzner Cloud API token (a sensitive variable's token) the monitoring node takes and
   * rotates the nightly server snapshots with. Required when the sizing has snapshots, refused
   * when it has none (it would be unused).
   * @default - none (only valid when the sizing takes no snapshots)
   */
  readonly hcloudSnapshotToken?: string;
}

/** The runner pool's own settings and secrets (its size is the sizing's `runnerPool`). */
export interface PlatformRunnerPoolProps extends Omit<EphemeralRunnerPoolProps, PlatformWiredProp | 'pool' | 'serverType' | 'maxRunners' | 'scrapeNodeExporter'> {
  /** Pool name (see EphemeralRunnerPoolProps.pool). @default 'ci' */
  readonly pool?: string;
}

/** Operator access (see AdminAccessProps); the names and labels follow the platform's identity. */
export interface PlatformAccessProps extends Omit<AdminAccessProps, 'namePrefix' | 'labels'> {
  /** Prefix of the new Hetzner SSH keys' names. @default '<project>-<environment>-key' */
  readonly namePrefix?: string;
}

/** The private network (see PrivateNetworkProps); name and labels follow the platform's identity. */
export interface PlatformNetworkProps extends Omit<PrivateNetworkProps, 'name' | 'labels'> {
  /** Network name. @default '<project>-<environment>-net' */
  readonly name?: string;
}

export interface AiaiPlatformProps extends PlatformIdentity {
  /**
   * Which parts exist and how big they are: one of the research doc's scenarios.
   * @default PlatformPreset.standardProduction()
   */
  readonly preset?: PlatformPreset;
  /**
   * Changes to the preset's sizing, merged over it value by value (`false` removes a part, e.g.
   * `{ runnerPool: false }`; an object changes or adds one, e.g. `{ monitoring: { volumeSizeGb: 100 } }`).
   * @default - the preset's sizing unchanged
   */
  readonly sizing?: PlatformSizingOverrides;
  /** Location of every server, the load balancer and the runners. @default 'fsn1' (DEFAULT_LOCATION) */
  readonly location?: string;
  /** The private network. @default '<project>-<environment>-net' with the IP plan's ranges */
  readonly network?: PlatformNetworkProps;
  /** Who may log in, and from where. */
  readonly access: PlatformAccessProps;
  /** Private key for secret delivery over SSH (a sensitive variable's token). @default - the operator's SSH agent */
  readonly sshPrivateKey?: string;
  /** The orchestrator tier: agent repository, secrets, settings. */
  readonly orchestrator: PlatformOrchestratorProps;
  /**
   * The monitoring node's secrets and settings. Required when the sizing has a monitoring node,
   * refused when it has none.
   * @default - none (only valid without a monitoring node)
   */
  readonly monitoring?: PlatformMonitoringProps;
  /**
   * The CI runner pool: repository, jobs, credentials. Required when the sizing has a runner pool,
   * refused when it has none. The stack creates the GitHub provider.
   * @default - none (only valid without a runner pool)
   */
  readonly runnerPool?: PlatformRunnerPoolProps;
  /**
   * The object store: the stack's Hetzner Object Storage provider and the bucket prefix. Required
   * when the sizing has an object store, refused when it has none.
   * @default - none (only valid without an object store)
   */
  readonly objectStore?: ObjectStoreProps;
}

/**
 * The whole aiai platform of the research doc (section 1) in one construct, wired together:
 *
 * - a private network and operator access shared by every host, each role with its own firewall;
 * - the orchestrator tier (primary, optional standby and load balancer), the monitoring node and
 *   the per-job CI runner pool, each optional but the primary, sized by a {@link PlatformPreset};
 * - every host (orchestrators, monitoring, runners) is scraped by the monitoring node's Prometheus
 *   exactly once (Hetzner service discovery on the `monitoring=true` label) and ships its logs to
 *   its Loki over the private network; without a monitoring node there is no log shipping target
 *   and runners are labelled not to be scraped;
 * - secrets reach the hosts after boot (SecretFiles, over SSH);
 * - backups go to the object store's backups bucket (the primary's nightly off-site backup, and
 *   the monitoring node's when it takes snapshots); snapshots and Hetzner server backups as the
 *   sizing says.
 *
 * The platform creates no provider and no variable: the stack creates the hcloud, object storage
 * and GitHub providers and passes secrets as sensitive variables' tokens.
 */
export class AiaiPlatform extends Construct {
  /** The preset the platform was sized from (before `sizing`). */
  public readonly preset: PlatformPreset;
  /** The effective sizing (preset merged with the `sizing` prop). */
  public readonly sizing: PlatformSizing;
  public readonly network: PrivateNetwork;
  public readonly access: AdminAccess;
  public readonly orchestrator: AiaiOrchestrator;
  /** @default - none when the sizing has no monitoring node */
  public readonly monitoring?: MonitoringNode;
  /** @default - none when the sizing has no runner pool */
  public readonly runners?: EphemeralRunnerPool;
  /** @default - none when the sizing has no object store */
  public readonly objectStore?: ObjectStore;

  constructor(scope: Construct, id: string, props: AiaiPlatformProps) {
    requireProps(scope, id, props);
    super(scope, id);
    this.preset = props.preset ?? PlatformPreset.standardProduction();
    const sizing = mergeSizing(this.preset.sizing, props.sizing);
    this.sizing = sizing;
    this.validate(props, sizing);

    const identity: PlatformIdentity = { project: props.project, environment: props.environment };
    const location = props.location ?? DEFAULT_LOCATION;
    const sshPrivateKey = props.sshPrivateKey;
    const { name: networkName, ...networkProps } = props.network ?? {};

    // Shared pieces. (Construct ids are those of the reference app before this construct existed:
    // with the id `Default` in a stack, every Terraform address stays what it was.)
    this.network = new PrivateNetwork(this, 'Network', { ...networkProps, name: networkName ?? resourceName(identity, 'net'), labels: roleLabels(identity, 'network') });
    const { namePrefix, ...accessProps } = props.access;
    this.access = new AdminAccess(this, 'Access', { ...accessProps, namePrefix: namePrefix ?? resourceName(identity, 'key'), labels: roleLabels(identity, 'access') });
    if (sizing.objectStore && props.objectStore) this.objectStore = new ObjectStore(this, 'ObjectStore', props.objectStore);

    // Monitoring first: every other host ships its logs to it.
    if (sizing.monitoring !== false && props.monitoring) {
      const { hcloudSnapshotToken, ...monitoringProps } = props.monitoring;
      const snapshots = sizing.monitoring.snapshots;
      this.monitoring = new MonitoringNode(this, 'Monitoring', {
        ...monitoringProps,
        ...identity,
        network: this.network,
        access: this.access,
        location,
        sshPrivateKey,
        serverType: sizing.monitoring.serverType,
        volumeSizeGb: sizing.monitoring.volumeSizeGb,
        serverBackups: sizing.monitoring.serverBackups,
        disasterRecovery:
          snapshots !== false && hcloudSnapshotToken !== undefined
            ? { hcloudSnapshotToken, keepSnapshots: snapshots.keep, objectStore: this.objectStore }
            : undefined,
      });
    }

    const o = sizing.orchestrator;
    this.orchestrator = new AiaiOrchestrator(this, 'Orchestrator', {
      ...props.orchestrator,
      ...identity,
      network: this.network,
      access: this.access,
      location,
      sshPrivateKey,
      primaryServerType: o.primaryServerType,
      standby: o.standby !== false,
      standbyServerType: o.standby === false ? undefined : o.standby.serverType,
      loadBalancer: o.loadBalancer !== false,
      loadBalancerType: o.loadBalancer === false ? undefined : o.loadBalancer.type,
      backups: o.serverBackups,
      logShipping: this.monitoring,
      offsiteBackup: this.objectStore,
    });

    if (sizing.runnerPool !== false && props.runnerPool) {
      const { pool, ...poolProps } = props.runnerPool;
      this.runners = new EphemeralRunnerPool(this, 'Runners', {
        ...poolProps,
        ...identity,
        pool: pool ?? 'ci',
        network: this.network,
        access: this.access,
        location,
        serverType: sizing.runnerPool.serverType,
        maxRunners: sizing.runnerPool.maxRunners,
        logShipping: this.monitoring,
        // Scraped only when there is a Prometheus to scrape them.
        scrapeNodeExporter: this.monitoring !== undefined,
      });
    }
  }

  /** Every server Terraform manages (orchestrators first, then the monitoring node); runners come and go at run time. */
  public get hosts(): HardenedServer[] {
    return [...this.orchestrator.hosts, ...(this.monitoring ? [this.monitoring.host] : [])];
  }

  /** Rejects sizings and props that contradict each other, naming the property and what is allowed. */
  private validate(props: AiaiPlatformProps, sizing: PlatformSizing): void {
    const v = new PropValidator(this);
    const preset = `the preset '${this.preset.name}'`;
    const type = (property: string, name: string) => v.attempt(property, name, () => lookupServerType(name));
    const o = sizing.orchestrator;
    type('sizing.orchestrator.primaryServerType', o.primaryServerType);
    if (o.standby !== false) {
      type('sizing.orchestrator.standby.serverType', o.standby.serverType);
      v.check('sizing.orchestrator.loadBalancer', o.loadBalancer, o.loadBalancer !== false, 'a load balancer when there is a standby (it is how the standby takes traffic); or sizing.orchestrator.standby: false');
    }
    const part = (property: 'monitoring' | 'runnerPool' | 'objectStore', sized: boolean, what: string) => {
      const given = props[property] !== undefined;
      if (sized) v.check(property, props[property], given, `the ${what}'s props (${preset}, with the sizing, has a ${what}); or sizing.${property}: false`);
      else v.check(property, '(given)', !given, `unset: ${preset}, with the sizing, has no ${what} (add one with sizing.${property})`);
    };
    part('monitoring', sizing.monitoring !== false, 'monitoring node');
    part('runnerPool', sizing.runnerPool !== false, 'runner pool');
    part('objectStore', sizing.objectStore, 'object store');
    if (sizing.monitoring !== false) {
      type('sizing.monitoring.serverType', sizing.monitoring.serverType);
      checkVolumeSize(v, 'sizing.monitoring.volumeSizeGb', sizing.monitoring.volumeSizeGb);
      const token = props.monitoring?.hcloudSnapshotToken;
      if (props.monitoring && sizing.monitoring.snapshots !== false) {
        v.check('monitoring.hcloudSnapshotToken', token, token !== undefined, `a sensitive variable's token: the sizing takes snapshots (sizing.monitoring.snapshots); or sizing.monitoring.snapshots: false`);
      } else if (props.monitoring) {
        v.check('monitoring.hcloudSnapshotToken', token === undefined ? undefined : '(given)', token === undefined, 'unset: the sizing takes no snapshots (add them with sizing.monitoring.snapshots)');
      }
    }
    if (sizing.runnerPool !== false) {
      type('sizing.runnerPool.serverType', sizing.runnerPool.serverType);
      const max = sizing.runnerPool.maxRunners;
      v.check('sizing.runnerPool.maxRunners', max, Number.isInteger(max) && max >= 1, 'an integer of at least 1 (runner servers at a time)');
    }
    v.throwIfInvalid();
  }
}
