/**
 * The JSON documents `aiai-ops status --json` and `aiai-ops health --json` print. They are a
 * stable interface (documented in lib/operator/README.md): fields are only ever added; a change
 * that removes or renames a field or changes its meaning bumps the version in `schema`.
 * Absent values are `null`, never missing; lists are sorted by ID (servers, load balancers,
 * volumes, firewalls) or in check order.
 */

export const STATUS_SCHEMA = 'aiai-ops/status/v1';
export const HEALTH_SCHEMA = 'aiai-ops/health/v1';

/** A reference to a server: its name is null when it is not one of the platform's servers. */
export interface ServerRef {
  readonly id: number;
  readonly name: string | null;
}

export interface UnitStatus {
  readonly unit: string;
  /** False for units the role installs only with some props (skipped when not installed). */
  readonly required: boolean;
  /** What puts the unit on the host (`hardening`, `orchestrator`, `log shipping`, ...). */
  readonly source: string;
  /** systemd LoadState (`loaded`, `not-found`, ...). */
  readonly load: string;
  /** systemd ActiveState (`active`, `failed`, `inactive`, `activating`, ...). */
  readonly active: string;
  /** systemd SubState (`running`, `exited`, `waiting`, `mounted`, `dead`, ...). */
  readonly sub: string;
}

export interface ServiceStatus {
  /** `checked`: units read over SSH; `skipped`: not checked (see message); `error`: the check failed (see message). */
  readonly state: 'checked' | 'skipped' | 'error';
  /** Why skipped, or the error; null when checked. */
  readonly message: string | null;
  /** The units read (empty unless checked). */
  readonly units: readonly UnitStatus[];
}

export interface ServerStatus {
  readonly id: number;
  readonly name: string;
  /** `role` label (`orchestrator`, `monitoring`, `ci-runner`, ...); null when missing. */
  readonly role: string | null;
  /** `instance-role` label of orchestrators (`primary`, `standby`); null otherwise. */
  readonly instanceRole: string | null;
  readonly serverType: string;
  readonly location: string | null;
  /** Hetzner status: `running`, `off`, `starting`, `initializing`, ... */
  readonly status: string;
  readonly publicIpv4: string | null;
  /** Private network IPs (one per attached network). */
  readonly privateIps: readonly string[];
  /** Cloud firewalls on the public interface, with Hetzner's `applied` / `pending` status. */
  readonly firewalls: readonly { readonly id: number; readonly name: string | null; readonly status: string }[];
  readonly deleteProtection: boolean;
  readonly services: ServiceStatus;
}

export interface LoadBalancerServiceStatus {
  readonly protocol: string;
  readonly listenPort: number;
  readonly destinationPort: number;
  /** The health check, or null when the service has none. */
  readonly healthCheck: { readonly protocol: string; readonly port: number; readonly path: string | null } | null;
}

export interface LoadBalancerTargetStatus {
  /** `server` or `ip` (targets of a label selector are listed one by one, with `labelSelector` set). */
  readonly type: string;
  /** The target server; null for an `ip` target. */
  readonly server: ServerRef | null;
  /** The target IP for an `ip` target; null otherwise. */
  readonly ip: string | null;
  /** The label selector this target came from; null for a direct target. */
  readonly labelSelector: string | null;
  readonly usePrivateIp: boolean;
  /** Health per service (`status`: `healthy`, `unhealthy`, `unknown`), one entry per service. */
  readonly health: readonly { readonly listenPort: number; readonly status: string }[];
}

export interface LoadBalancerStatus {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly location: string;
  readonly publicIpv4: string | null;
  readonly privateIps: readonly string[];
  readonly deleteProtection: boolean;
  readonly services: readonly LoadBalancerServiceStatus[];
  readonly targets: readonly LoadBalancerTargetStatus[];
}

export interface VolumeStatus {
  readonly id: number;
  readonly name: string;
  readonly sizeGb: number;
  readonly location: string;
  /** `available` or `creating`. */
  readonly status: string;
  /** The server it is attached to; null when detached. */
  readonly server: ServerRef | null;
  readonly deleteProtection: boolean;
  readonly linuxDevice: string | null;
}

export interface FirewallStatus {
  readonly id: number;
  readonly name: string;
  readonly rules: number;
  /** Servers it is applied to (directly or through a label selector). */
  readonly appliedTo: readonly ServerRef[];
  /** Label selectors it is applied through. */
  readonly labelSelectors: readonly string[];
}

/** Stable check names (see the README for what each one tests). */
export type CheckName =
  | 'platform.servers'
  | 'server.running'
  | 'server.firewall'
  | 'server.ssh'
  | 'unit.active'
  | 'lb.present'
  | 'lb.targets'
  | 'lb.target'
  | 'lb.service'
  | 'volume.attached'
  | 'volume.status';

export interface HealthCheck {
  readonly check: CheckName;
  /** The resource checked: server, load balancer or volume name (`<project>/<environment>` for platform checks). */
  readonly subject: string;
  /** What on the subject: a unit, `target <server> port <n>`, `service <proto> <port>`; null for the subject itself. */
  readonly item: string | null;
  readonly healthy: boolean;
  /** One line for a human: what was found (and expected). */
  readonly message: string;
}

export interface StatusReport {
  readonly schema: typeof STATUS_SCHEMA;
  readonly project: string;
  readonly environment: string;
  /** The label selector every list used. */
  readonly labelSelector: string;
  /** ISO 8601, when the data was read. */
  readonly generatedAt: string;
  readonly servers: readonly ServerStatus[];
  readonly loadBalancers: readonly LoadBalancerStatus[];
  readonly volumes: readonly VolumeStatus[];
  readonly firewalls: readonly FirewallStatus[];
  /** True when every check passed. */
  readonly healthy: boolean;
  readonly checks: readonly HealthCheck[];
}

export interface HealthReport {
  readonly schema: typeof HEALTH_SCHEMA;
  readonly project: string;
  readonly environment: string;
  readonly labelSelector: string;
  readonly generatedAt: string;
  readonly healthy: boolean;
  /** Number of failed checks. */
  readonly failed: number;
  readonly checks: readonly HealthCheck[];
}
