import { TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { DataHcloudLoadBalancer } from '../../.gen/providers/hcloud/data-hcloud-load-balancer';
import { LoadBalancer } from '../../.gen/providers/hcloud/load-balancer';
import { LoadBalancerNetwork } from '../../.gen/providers/hcloud/load-balancer-network';
import { LoadBalancerService } from '../../.gen/providers/hcloud/load-balancer-service';
import { LoadBalancerTargetA as LoadBalancerTarget } from '../../.gen/providers/hcloud/load-balancer-target';
import { PlacementGroup } from '../../.gen/providers/hcloud/placement-group';
import { LabelKeys, Roles } from '../core/labels';
import { ENVIRONMENT_PATTERN, ENVIRONMENT_ALLOWED } from '../core/patterns';
import { PlatformIdentity, resourceName, roleLabels } from '../core/platform';
import { Ports } from '../core/ports';
import { PropValidator, requireProps } from '../core/validation-error';
import { DEFAULT_LOCATION, LOAD_BALANCER_TYPES, SERVER_TYPES } from '../hetzner/catalog';
import { AdminAccess } from '../host/admin-access';
import { HardenedServer } from '../host/hardened-server';
import { HostConfig } from '../host/host-config';
import { ILogSink } from '../host/log-shipping';
import { IpPlan } from '../network/ip-plan';
import { IPrivateNetwork } from '../network/private-network';
import { IRoleFirewall, RoleFirewall } from '../network/role-firewall';
import { SecretFiles } from '../secrets/secret-files';
import { IObjectStore } from '../object-store/object-store';
import { applyOffsiteBackup, offsiteBackupSecretFiles, SECRET_ENV_FILE_NAME, secretEnvFileContent } from './orchestrator-secrets';
import { AgentRelease } from './agent-release';
import { GIT_REF_RULES, isReleasableGitRef } from './git-ref';
import { HEALTH_CHECK_PATH, LoadBalancerHealthCheck } from './health-check';
import { applyOrchestratorRole, BUILT_IN_SETTINGS, METRICS_UNIT, ORCHESTRATOR_UNIT } from './orchestrator-host';
import { checkSecretToken } from '../core/tokens';
import { checkPropKinds } from '../core/prop-kinds';

/** A load balancer that exists already, which the orchestrator tier joins instead of creating one. */
export interface ExistingLoadBalancer {
  /**
   * The load balancer's numeric Hetzner ID (`hcloud load-balancer list`), a literal or a number
   * token. The orchestrator adds its HTTP service and its server targets to it; the load balancer
   * itself (type, location, algorithm, protection, other services) is left as it is.
   */
  readonly loadBalancerId: number;
  /**
   * Its address in `network` when it is attached to the network already: reserved in the IP plan,
   * so no host takes it.
   * @default - not attached yet: the orchestrator attaches it at the IP plan's load balancer address (IpPlan.loadBalancer)
   */
  readonly privateIp?: string;
  /**
   * The port of the HTTP service the orchestrator adds (it must be free on that load balancer).
   * @default 80 (as on the load balancer the orchestrator creates)
   */
  readonly listenPort?: number;
}

/** The HTTP port of the orchestrator's load balancer service. */
const HTTP_LISTEN_PORT = 80;

export interface AiaiOrchestratorProps extends PlatformIdentity {
  readonly network: IPrivateNetwork;
  readonly access: AdminAccess;
  /**
   * Further firewalls the orchestrator hosts join besides the role's own, e.g. a project-wide firewall that
   * exists already (`RoleFirewall.fromExisting(scope, id, { firewallId })`).
   * @default - only the role's own firewall
   */
  readonly firewalls?: readonly IRoleFirewall[];
  /** https:// URL of the agent repository; `aiai-release` fetches it without credentials. */
  readonly repositoryUrl: string;
  /**
   * Branch, tag or commit id to run, released by `AgentRelease` on the standby first, then on the
   * primary, each health-checked and rolled back on failure. A new ref replaces no server. A branch
   * is resolved when released: prefer tags or commit ids (a branch that moves is not re-released).
   * @default 'main'
   */
  readonly repositoryRef?: string;
  /** Primary server type. @default 'cx33' */
  readonly primaryServerType?: string;
  /** Run a warm standby behind the load balancer too. @default true */
  readonly standby?: boolean;
  /** Standby server type. @default 'cx23' */
  readonly standbyServerType?: string;
  /** Location of servers and load balancer. @default 'fsn1' */
  readonly location?: string;
  /**
   * Put the tier behind a load balancer (a new one of `loadBalancerType`, or `existingLoadBalancer`;
   * on the private network, HTTP 80 -> the API port). Without it the single orchestrator's API is
   * reachable on the private network only (the bootstrapping scenario); a standby needs it (it is
   * how the standby takes traffic).
   * @default true
   */
  readonly loadBalancer?: boolean;
  /** Load balancer type (of the load balancer the orchestrator creates). @default 'lb11' */
  readonly loadBalancerType?: string;
  /**
   * Join a load balancer that exists already instead of creating one: the orchestrator adds its
   * HTTP service (with the `/health` check) and its server targets to it. `loadBalancerType` must
   * then be unset, and `protect` does not apply to it.
   * @default - a new load balancer of `loadBalancerType`
   */
  readonly existingLoadBalancer?: ExistingLoadBalancer;
  /**
   * Secret environment variables for the aiai services, by name (e.g. `OPENROUTER_API_KEY`), each a
   * sensitive Terraform variable's token. Delivered after boot to /etc/aiai/secrets/aiai.env; the
   * services start once it exists.
   */
  readonly secretEnvironment: Readonly<Record<string, string>>;
  /**
   * Non-secret settings for /etc/aiai/env (UPPER_SNAKE keys). The built-ins derived from props and
   * port constants (AIAI_ENVIRONMENT, AIAI_ROLE, AIAI_LOG_DIR, AIAI_API_PORT, AIAI_METRICS_PORT)
   * cannot be overridden; AIAI_LOG_LEVEL (INFO) can.
   * @default - none beyond the built-ins
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** Watchdog timeout of the orchestrator unit, seconds. @default 60 */
  readonly watchdogSec?: number;
  /** Max duration of one evolution analysis run, seconds. @default 1800 */
  readonly evolutionTimeoutSec?: number;
  /** Python modules of the services. @default src.orchestrator, src.metrics.exporter, src.evolution.analyze */
  readonly modules?: { readonly orchestrator: string; readonly metrics: string; readonly evolution: string };
  /** Hetzner automated backups on the orchestrators (+20 % of the server price). @default false */
  readonly backups?: boolean;
  /**
   * Delete protection and `prevent_destroy` on the load balancer (its public IPv4 is what DNS points
   * at). The servers are never protected: they hold no state, are rebuilt from cloud-init, and any
   * change of their user_data or SSH keys must be able to replace them.
   * @default true
   */
  readonly protect?: boolean;
  /**
   * Nightly off-site backup of the primary to this object store's backups bucket: a git bundle of
   * the agent repository and the configuration files (never the secrets folder).
   * @default - no off-site backup
   */
  readonly offsiteBackup?: IObjectStore;
  /** Ship journald and /var/log/aiai logs to Loki (e.g. a `MonitoringNode`). @default - no log shipping */
  readonly logShipping?: ILogSink;
  /** Private key for secret delivery over SSH (sensitive token). @default - the operator's SSH agent */
  readonly sshPrivateKey?: string;
}

const SECRETISH = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/;

/**
 * The aiai orchestrator tier: a primary and an optional warm standby on hardened Ubuntu hosts in a
 * spread placement group, behind an `lb11` load balancer on the private network (HTTP 80 -> 8000 with
 * the `/health` check), running the orchestrator (systemd notify + watchdog), the metrics exporter
 * and the 6-hourly evolution timer. Secrets arrive after boot through `SecretFiles`; the agent app
 * arrives through `AgentRelease` (`aiai-release <repositoryRef>` on the standby, then on the primary,
 * each health-checked and rolled back on failure), so a new ref replaces no server.
 */
export class AiaiOrchestrator extends Construct {
  public readonly primary: HardenedServer;
  public readonly standby?: HardenedServer;
  /** The load balancer the orchestrator creates. @default - none with `existingLoadBalancer` or `loadBalancer: false` */
  public readonly loadBalancer?: LoadBalancer;
  /**
   * The ID of the load balancer in front of the tier (created or existing; a token or a literal).
   * @default - none with `loadBalancer: false`
   */
  public readonly loadBalancerId?: string;
  public readonly firewall: RoleFirewall;
  public readonly placementGroup: PlacementGroup;
  public readonly secrets: SecretFiles[] = [];
  /** The primary's release; it runs after the standby's. */
  public readonly primaryRelease: AgentRelease;
  /** The standby's release, which runs first. @default - none without a standby */
  public readonly standbyRelease?: AgentRelease;

  constructor(scope: Construct, id: string, props: AiaiOrchestratorProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    const kinds = checkPropKinds(v, props, {
      environment: 'string', project: 'string', repositoryUrl: 'string', repositoryRef: 'string', primaryServerType: 'string', standby: 'boolean', standbyServerType: 'string',
      location: 'string', loadBalancerType: 'string', secretEnvironment: 'object', settings: 'record<string>', watchdogSec: 'number',
      evolutionTimeoutSec: 'number', backups: 'boolean', protect: 'boolean', sshPrivateKey: 'string',
    }, ['environment', 'repositoryUrl', 'secretEnvironment']);
    if (!kinds) v.throwIfInvalid();
    const ref = props.repositoryRef ?? 'main';
    const location = props.location ?? DEFAULT_LOCATION;
    const lbType = props.loadBalancerType ?? 'lb11';
    const watchdogSec = props.watchdogSec ?? 60;
    const evolutionTimeoutSec = props.evolutionTimeoutSec ?? 1800;
    v.check('environment', props.environment, ENVIRONMENT_PATTERN.test(props.environment), ENVIRONMENT_ALLOWED);
    // Part of every resource name: reported as itself, not as a child's bad name.
    if (props.project !== undefined) v.check('project', props.project, ENVIRONMENT_PATTERN.test(props.project), ENVIRONMENT_ALLOWED);
    // aiai-release fetches as the service user, which has no SSH key, no known_hosts and no token:
    // only a public https repository can be fetched. The URL lands in a settings file read verbatim.
    v.check('repositoryUrl', props.repositoryUrl, /^https:\/\/[^\s@]+$/.test(props.repositoryUrl), 'a public https:// git URL without embedded credentials (aiai-release fetches without any secret)');
    v.check('repositoryRef', ref, !Token.isUnresolved(ref) && isReleasableGitRef(ref), GIT_REF_RULES);
    v.check('loadBalancerType', lbType, (LOAD_BALANCER_TYPES as readonly string[]).includes(lbType), `one of ${LOAD_BALANCER_TYPES.join(', ')}`);
    const existingLb = props.existingLoadBalancer;
    const withLoadBalancer = props.loadBalancer ?? true;
    const withStandby = props.standby ?? true;
    v.check('loadBalancer', withLoadBalancer, withLoadBalancer || !withStandby, 'true when the tier has a standby (the load balancer is how the standby takes traffic); or standby: false');
    v.check('loadBalancer', withLoadBalancer, withLoadBalancer || !existingLb, 'true (or unset) with existingLoadBalancer');
    if (existingLb) {
      v.check('loadBalancerType', props.loadBalancerType, props.loadBalancerType === undefined, 'unset with existingLoadBalancer (the existing load balancer keeps its type)');
      const lbId = existingLb.loadBalancerId;
      v.check('existingLoadBalancer.loadBalancerId', lbId, Token.isUnresolved(lbId) || (Number.isSafeInteger(lbId) && lbId > 0), 'the numeric ID of an existing Hetzner load balancer (a positive integer, or a number token)');
      const port = existingLb.listenPort ?? HTTP_LISTEN_PORT;
      v.check('existingLoadBalancer.listenPort', port, Number.isInteger(port) && port >= 1 && port <= 65535, 'a TCP port from 1 to 65535 that is free on the load balancer');
    }
    v.check('watchdogSec', watchdogSec, Number.isInteger(watchdogSec) && watchdogSec >= 10 && watchdogSec <= 3600, 'an integer from 10 to 3600');
    v.check('evolutionTimeoutSec', evolutionTimeoutSec, Number.isInteger(evolutionTimeoutSec) && evolutionTimeoutSec >= 60 && evolutionTimeoutSec <= 6 * 3600, 'an integer from 60 to 21600 (the timer fires every 6 h)');
    const secretNames = Object.keys(props.secretEnvironment);
    v.check('secretEnvironment', secretNames, secretNames.length > 0, 'at least one secret (e.g. OPENROUTER_API_KEY)');
    for (const [k, val] of Object.entries(props.secretEnvironment)) {
      v.check(`secretEnvironment.${k}`, k, /^[A-Z][A-Z0-9_]*$/.test(k), 'an UPPER_SNAKE_CASE variable name');
      checkSecretToken(v, `secretEnvironment.${k}`, val);
    }
    for (const [k, val] of Object.entries(props.settings ?? {})) {
      v.check(`settings.${k}`, k, /^[A-Z][A-Z0-9_]*$/.test(k), 'an UPPER_SNAKE_CASE variable name');
      v.check(`settings.${k}`, k, !SECRETISH.test(k), 'a non-secret setting; pass keys, tokens and passwords in secretEnvironment');
      v.check(`settings.${k}`, k, !(BUILT_IN_SETTINGS as readonly string[]).includes(k), `a name other than ${BUILT_IN_SETTINGS.join(', ')} (set by the construct)`);
      v.check(`settings.${k}`, val, !/[\r\n]/.test(val), 'a single-line value');
    }
    v.throwIfInvalid();

    const idn = { project: props.project, environment: props.environment };
    const labels = roleLabels(idn, Roles.orchestrator);
    const protect = props.protect ?? true;

    this.firewall = new RoleFirewall(this, 'Firewall', {
      name: resourceName(idn, 'orchestrator'),
      rules: [],
      privateRange: props.network.ipRange,
      adminCidrs: props.access.adminCidrs,
      labels,
    });
    this.placementGroup = new PlacementGroup(this, 'PlacementGroup', {
      name: resourceName(idn, 'orchestrator-spread'),
      type: 'spread',
      labels,
    });

    const modules = props.modules ?? { orchestrator: 'src.orchestrator', metrics: 'src.metrics.exporter', evolution: 'src.evolution.analyze' };
    const instances = [
      { id: 'Primary', role: 'primary' as const, serverType: props.primaryServerType ?? 'cx33', offset: IpPlan.orchestratorPrimary },
      ...(withStandby ? [{ id: 'Standby', role: 'standby' as const, serverType: props.standbyServerType ?? 'cx23', offset: IpPlan.orchestratorStandby }] : []),
    ];
    const [primary, standby] = instances.map((inst) => {
      const name = resourceName(idn, `orchestrator-${inst.role}`);
      const privateIp = props.network.addressAt(inst.offset);
      // HardenedServer renders user_data in its constructor, so the role's config comes first.
      const hostConfig = new HostConfig();
      const info = SERVER_TYPES[inst.serverType];
      // An unknown type is reported by HardenedServer with its construct path.
      if (info) {
        applyOrchestratorRole(hostConfig, {
          serverType: info,
          hostName: name,
          privateIp,
          repositoryUrl: props.repositoryUrl,
          instanceRole: inst.role,
          environment: props.environment,
          settings: props.settings ?? {},
          watchdogSec,
          evolutionTimeoutSec,
          modules,
        });
      }
      if (inst.role === 'primary' && props.offsiteBackup) applyOffsiteBackup(hostConfig, name, props.offsiteBackup);
      return new HardenedServer(this, inst.id, {
        name,
        serverType: inst.serverType,
        location,
        network: props.network,
        privateIp,
        access: props.access,
        labels: { ...labels, [LabelKeys.scrape]: 'true', [LabelKeys.instanceRole]: inst.role },
        hostConfig,
        firewalls: [this.firewall, ...(props.firewalls ?? [])],
        logShipping: props.logShipping,
        placementGroupId: Token.asNumber(this.placementGroup.id),
        backups: props.backups ?? false,
        // Disposable: the data that matters is off-host (see `protect`); configuration changes never replace it.
        protect: false,
        sshPrivateKey: props.sshPrivateKey,
      });
    });
    this.primary = primary;
    this.standby = standby;

    let lbIp: string | undefined;
    if (withLoadBalancer) {
      if (!existingLb) {
        this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
          name: resourceName(idn, 'lb'),
          loadBalancerType: lbType,
          location,
          labels,
          deleteProtection: protect,
          algorithm: { type: 'round_robin' },
          lifecycle: protect ? { preventDestroy: true } : undefined,
        });
      }
      const lbIdNumber = existingLb ? existingLb.loadBalancerId : Token.asNumber(this.loadBalancer!.id);
      this.loadBalancerId = existingLb ? (Token.isUnresolved(existingLb.loadBalancerId) ? Token.asString(existingLb.loadBalancerId) : String(existingLb.loadBalancerId)) : this.loadBalancer!.id;
      // An existing load balancer already on the network keeps its address (reserved, so no host takes it).
      const attached = existingLb?.privateIp !== undefined;
      lbIp = props.network.reserveAddress(this, attached ? 'existingLoadBalancer.privateIp' : 'loadBalancerIp', existingLb?.privateIp ?? props.network.addressAt(IpPlan.loadBalancer));
      const lbNet = attached
        ? undefined
        : new LoadBalancerNetwork(this, 'LoadBalancerNetwork', {
            loadBalancerId: lbIdNumber,
            networkId: props.network.networkId,
            ip: lbIp,
            enablePublicInterface: true,
            dependsOn: [...props.network.attachDependencies],
          });
      new LoadBalancerService(this, 'HttpService', {
        loadBalancerId: this.loadBalancerId,
        protocol: 'http',
        listenPort: existingLb?.listenPort ?? HTTP_LISTEN_PORT,
        destinationPort: Ports.orchestratorApi.port,
        healthCheck: {
          protocol: 'http',
          port: Ports.orchestratorApi.port,
          interval: LoadBalancerHealthCheck.intervalSec,
          timeout: LoadBalancerHealthCheck.timeoutSec,
          retries: LoadBalancerHealthCheck.retries,
          http: { path: HEALTH_CHECK_PATH, statusCodes: [...LoadBalancerHealthCheck.statusCodes] },
        },
      });
      for (const [tid, host] of [['PrimaryTarget', this.primary], ['StandbyTarget', this.standby]] as const) {
        if (!host) continue;
        new LoadBalancerTarget(this, tid, {
          type: 'server',
          loadBalancerId: lbIdNumber,
          serverId: Token.asNumber(host.server.id),
          usePrivateIp: true,
          dependsOn: lbNet ? [lbNet] : undefined,
        });
      }
    }

    const secretsOf = (sid: string, host: HardenedServer) => {
      const backup = host === this.primary && props.offsiteBackup ? offsiteBackupSecretFiles(props.offsiteBackup) : [];
      const delivery = new SecretFiles(this, sid, {
        host,
        files: [{ name: SECRET_ENV_FILE_NAME, content: secretEnvFileContent(props.secretEnvironment) }, ...backup],
        restartUnits: [ORCHESTRATOR_UNIT, METRICS_UNIT],
        sshPrivateKey: props.sshPrivateKey,
      });
      this.secrets.push(delivery);
      return delivery;
    };
    const primarySecrets = secretsOf('PrimarySecrets', this.primary);
    const standbySecrets = this.standby ? secretsOf('StandbySecrets', this.standby) : undefined;

    // Releases after the host's secrets (the services need them to become healthy). The standby goes
    // first; the primary's release waits for it, so a release that fails on the standby (rolled back
    // there by aiai-release) fails the apply before the primary is touched: the primary keeps serving.
    if (this.standby && standbySecrets) {
      this.standbyRelease = new AgentRelease(this, 'StandbyRelease', { host: this.standby, ref, after: [standbySecrets.resource], sshPrivateKey: props.sshPrivateKey });
    }
    this.primaryRelease = new AgentRelease(this, 'PrimaryRelease', {
      host: this.primary,
      ref,
      after: [primarySecrets.resource, ...(this.standbyRelease ? [this.standbyRelease.resource] : [])],
      sshPrivateKey: props.sshPrivateKey,
    });
    // Configuration and secret changes roll the same way: the primary's converge (which restarts
    // services whose files changed) and, after it, its secret delivery wait for the standby's release.
    if (this.standbyRelease) {
      const converge = this.primary.configuration.resource;
      const standby = this.standbyRelease.resource;
      converge.dependsOn = [...(converge.dependsOn ?? []), `${standby.terraformResourceType}.${standby.friendlyUniqueId}`];
    }

    // An existing load balancer's address is read at plan (the data source fails the plan if the ID does not exist).
    if (withLoadBalancer) {
      const ipv4 = this.loadBalancer ? this.loadBalancer.ipv4 : new DataHcloudLoadBalancer(this, 'ExistingLoadBalancer', { id: existingLb!.loadBalancerId }).ipv4;
      new TerraformOutput(this, 'LoadBalancerIpv4', { value: ipv4, description: 'Public IPv4 of the orchestrator load balancer' });
    }
    new TerraformOutput(this, 'PrivateIps', {
      value: { primary: this.primary.privateIp, ...(this.standby ? { standby: this.standby.privateIp } : {}), ...(lbIp !== undefined ? { loadBalancer: lbIp } : {}) },
      description: 'Private IPs of the orchestrator tier',
    });
  }

  /** All orchestrator hosts (primary first). */
  public get hosts(): HardenedServer[] {
    return this.standby ? [this.primary, this.standby] : [this.primary];
  }

  /** The releases in the order they run (standby first). */
  public get releases(): AgentRelease[] {
    return this.standbyRelease ? [this.standbyRelease, this.primaryRelease] : [this.primaryRelease];
  }
}
