/**
 * Reads the platform from the Hetzner Cloud API (servers, load balancers, volumes, firewalls that
 * carry the platform's `project` and `environment` labels) and each host's units over SSH, into
 * the {@link StatusReport} model.
 */
import { isValidLabelValue, LabelKeys } from '../core/labels';
import {
  HcloudClient,
  HcloudFirewall,
  HcloudLoadBalancer,
  HcloudLoadBalancerTarget,
  HcloudServer,
  HcloudVolume,
  serverLocation,
} from '../runner-manager/hcloud-client';
import { expectedUnits } from './expected-units';
import { healthChecks } from './health';
import {
  FirewallStatus,
  LoadBalancerStatus,
  LoadBalancerTargetStatus,
  ServerRef,
  ServerStatus,
  ServiceStatus,
  STATUS_SCHEMA,
  StatusReport,
  UnitStatus,
  VolumeStatus,
} from './model';
import { mapLimit, UnitProbe } from './unit-probe';

export interface PlatformSelector {
  readonly project: string;
  readonly environment: string;
}

/** Why a project or environment name cannot be used (a label value), or undefined when it can. */
export function selectorProblem(what: string, value: string): string | undefined {
  if (value.length === 0 || !isValidLabelValue(value)) {
    return `${what} must be a Hetzner label value (1-63 letters, digits, '-', '_', '.', starting and ending alphanumeric), got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** `project=<p>,environment=<e>`: what every list asks the API for. */
export function platformLabelSelector(s: PlatformSelector): string {
  for (const [what, v] of [['project', s.project], ['environment', s.environment]] as const) {
    const p = selectorProblem(what, v);
    if (p) throw new Error(p);
  }
  return `${LabelKeys.project}=${s.project},${LabelKeys.environment}=${s.environment}`;
}

/** True when a resource's labels say it belongs to the platform (checked again after the API's own selection). */
function belongs(labels: Readonly<Record<string, string>> | undefined, s: PlatformSelector): boolean {
  return labels?.[LabelKeys.project] === s.project && labels?.[LabelKeys.environment] === s.environment;
}

export interface CollectOptions {
  readonly hcloud: HcloudClient;
  readonly selector: PlatformSelector;
  /** Reads units over SSH; undefined skips the service check (`--no-ssh`). */
  readonly probe?: UnitProbe;
  /** Hosts checked at the same time. @default 8 */
  readonly sshConcurrency?: number;
  readonly signal?: AbortSignal;
  /** @default Date.now */
  readonly now?: () => number;
}

function ref(id: number, names: ReadonlyMap<number, string>): ServerRef {
  return { id, name: names.get(id) ?? null };
}

function serverStatus(s: HcloudServer, firewallNames: ReadonlyMap<number, string>, appliedFromFirewalls: readonly { id: number; status: string }[]): Omit<ServerStatus, 'services'> {
  // The server's own view of its firewalls is authoritative (it carries the applied/pending state);
  // older answers without it fall back to the firewalls' `applied_to`.
  const fws = s.public_net?.firewalls ?? appliedFromFirewalls;
  return {
    id: s.id,
    name: s.name,
    role: s.labels[LabelKeys.role] ?? null,
    instanceRole: s.labels[LabelKeys.instanceRole] ?? null,
    serverType: s.server_type.name,
    location: serverLocation(s) ?? null,
    status: s.status,
    publicIpv4: s.public_net?.ipv4?.ip ?? null,
    privateIps: (s.private_net ?? []).map((n) => n.ip),
    firewalls: fws.map((f) => ({ id: f.id, name: firewallNames.get(f.id) ?? null, status: f.status })),
    deleteProtection: s.protection?.delete ?? false,
  };
}

function flattenTargets(t: HcloudLoadBalancerTarget, names: ReadonlyMap<number, string>, selector: string | null, ports: readonly number[]): LoadBalancerTargetStatus[] {
  if (t.type === 'label_selector') {
    return (t.targets ?? []).flatMap((inner) => flattenTargets(inner, names, t.label_selector?.selector ?? null, ports));
  }
  const byPort = new Map((t.health_status ?? []).map((h) => [h.listen_port, h.status]));
  // One entry per service, so a service the API reports nothing for shows as `unknown`.
  const allPorts = [...new Set([...ports, ...byPort.keys()])].sort((a, b) => a - b);
  return [
    {
      type: t.type,
      server: t.server ? ref(t.server.id, names) : null,
      ip: t.ip?.ip ?? null,
      labelSelector: selector,
      usePrivateIp: t.use_private_ip ?? false,
      health: allPorts.map((listenPort) => ({ listenPort, status: byPort.get(listenPort) ?? 'unknown' })),
    },
  ];
}

function loadBalancerStatus(lb: HcloudLoadBalancer, names: ReadonlyMap<number, string>): LoadBalancerStatus {
  const ports = lb.services.map((s) => s.listen_port);
  return {
    id: lb.id,
    name: lb.name,
    type: lb.load_balancer_type.name,
    location: lb.location.name,
    publicIpv4: lb.public_net.enabled ? (lb.public_net.ipv4.ip ?? null) : null,
    privateIps: lb.private_net.map((n) => n.ip),
    deleteProtection: lb.protection.delete,
    services: lb.services.map((s) => ({
      protocol: s.protocol,
      listenPort: s.listen_port,
      destinationPort: s.destination_port,
      healthCheck: s.health_check ? { protocol: s.health_check.protocol, port: s.health_check.port, path: s.health_check.http?.path ?? null } : null,
    })),
    targets: lb.targets.flatMap((t) => flattenTargets(t, names, null, ports)),
  };
}

function volumeStatus(v: HcloudVolume, names: ReadonlyMap<number, string>): VolumeStatus {
  return {
    id: v.id,
    name: v.name,
    sizeGb: v.size,
    location: v.location.name,
    status: v.status,
    server: v.server === null ? null : ref(v.server, names),
    deleteProtection: v.protection.delete,
    linuxDevice: v.linux_device ?? null,
  };
}

function firewallStatus(f: HcloudFirewall, names: ReadonlyMap<number, string>): FirewallStatus {
  const ids = new Set<number>();
  const selectors: string[] = [];
  for (const r of f.applied_to) {
    if (r.type === 'server' && r.server) ids.add(r.server.id);
    if (r.type === 'label_selector') {
      if (r.label_selector) selectors.push(r.label_selector.selector);
      for (const inner of r.applied_to_resources ?? []) if (inner.server) ids.add(inner.server.id);
    }
  }
  return { id: f.id, name: f.name, rules: f.rules.length, appliedTo: [...ids].sort((a, b) => a - b).map((id) => ref(id, names)), labelSelectors: selectors };
}

async function services(s: Omit<ServerStatus, 'services'>, labels: Readonly<Record<string, string>>, probe: UnitProbe | undefined, signal?: AbortSignal): Promise<ServiceStatus> {
  const expected = expectedUnits(labels);
  if (!expected.checkable) return { state: 'skipped', message: expected.reason ?? 'not checked', units: [] };
  if (!probe) return { state: 'skipped', message: 'not checked (--no-ssh)', units: [] };
  if (s.status !== 'running') return { state: 'skipped', message: `not checked: the server is ${s.status}`, units: [] };
  if (!s.publicIpv4) return { state: 'error', message: 'no public IPv4 to connect to over SSH', units: [] };
  const outcome = await probe.probe({ name: s.name, address: s.publicIpv4 }, expected.units.map((u) => u.unit), signal);
  if (!outcome.ok) return { state: 'error', message: outcome.error, units: [] };
  const units: UnitStatus[] = expected.units.map((e, i) => {
    const st = outcome.units[i];
    return { unit: e.unit, required: e.required, source: e.source, load: st.load, active: st.active, sub: st.sub };
  });
  return { state: 'checked', message: null, units };
}

/** Everything `status` shows (and `health` condenses). */
export async function collectStatus(o: CollectOptions): Promise<StatusReport> {
  const labelSelector = platformLabelSelector(o.selector);
  const filter = { labelSelector };
  const [servers, loadBalancers, volumes, firewalls] = await Promise.all([
    o.hcloud.listServers(filter, o.signal),
    o.hcloud.listLoadBalancers(filter, o.signal),
    o.hcloud.listVolumes(filter, o.signal),
    o.hcloud.listFirewalls(filter, o.signal),
  ]);
  // The API selected by label already; this keeps another project's resources out even if a
  // selector were ignored or mistyped upstream.
  const own = <T extends { labels: Readonly<Record<string, string>> }>(xs: readonly T[]) => xs.filter((x) => belongs(x.labels, o.selector));
  const ownServers = own(servers);
  const ownFirewalls = own(firewalls);
  const names = new Map(ownServers.map((s) => [s.id, s.name]));
  const firewallNames = new Map(ownFirewalls.map((f) => [f.id, f.name]));
  const firewallViews = ownFirewalls.map((f) => firewallStatus(f, names));

  const base = ownServers.map((s) => {
    const fromFirewalls = firewallViews.filter((f) => f.appliedTo.some((r) => r.id === s.id)).map((f) => ({ id: f.id, status: 'applied' }));
    return serverStatus(s, firewallNames, fromFirewalls);
  });
  const serviceStates = await mapLimit(base, o.sshConcurrency ?? 8, (s) => services(s, ownServers.find((x) => x.id === s.id)!.labels, o.probe, o.signal));
  const serverViews: ServerStatus[] = base.map((s, i) => ({ ...s, services: serviceStates[i] }));

  const partial = {
    servers: serverViews,
    loadBalancers: own(loadBalancers).map((lb) => loadBalancerStatus(lb, names)),
    volumes: own(volumes).map((v) => volumeStatus(v, names)),
    firewalls: firewallViews,
  };
  const checks = healthChecks({ ...o.selector, ...partial });
  return {
    schema: STATUS_SCHEMA,
    project: o.selector.project,
    environment: o.selector.environment,
    labelSelector,
    generatedAt: new Date((o.now ?? Date.now)()).toISOString(),
    ...partial,
    healthy: checks.every((c) => c.healthy),
    checks,
  };
}
