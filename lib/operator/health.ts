/** The health checks: what "healthy" means for each part of the platform. */
import { Roles } from '../core/labels';
import { FirewallStatus, HealthCheck, LoadBalancerStatus, LoadBalancerTargetStatus, ServerRef, ServerStatus, VolumeStatus } from './model';

export interface HealthInput {
  readonly project: string;
  readonly environment: string;
  readonly servers: readonly ServerStatus[];
  readonly loadBalancers: readonly LoadBalancerStatus[];
  readonly volumes: readonly VolumeStatus[];
  readonly firewalls: readonly FirewallStatus[];
}

function serverName(r: ServerRef): string {
  return r.name ?? `server ${r.id} (not labelled for this platform)`;
}

function targetName(t: LoadBalancerTargetStatus): string {
  if (t.server) return serverName(t.server);
  return t.ip ?? t.type;
}

/** A check with its fields in the documented order. */
function make(subject: string, c: Omit<HealthCheck, 'subject'>): HealthCheck {
  return { check: c.check, subject, item: c.item, healthy: c.healthy, message: c.message };
}

function serverChecks(s: ServerStatus): HealthCheck[] {
  const out: HealthCheck[] = [];
  const check = (c: Omit<HealthCheck, 'subject'>) => out.push(make(s.name, c));
  check({
    check: 'server.running',
    item: null,
    healthy: s.status === 'running',
    message: s.status === 'running' ? 'running' : `status is ${s.status} (expected running)`,
  });
  if (s.publicIpv4 !== null) {
    const applied = s.firewalls.filter((f) => f.status === 'applied');
    const pending = s.firewalls.filter((f) => f.status !== 'applied');
    const label = (f: { id: number; name: string | null }) => f.name ?? `firewall ${f.id}`;
    check({
      check: 'server.firewall',
      item: null,
      healthy: applied.length > 0,
      message:
        applied.length > 0
          ? `cloud firewall ${applied.map(label).join(', ')} applied`
          : pending.length > 0
            ? `cloud firewall ${pending.map((f) => `${label(f)} is ${f.status}`).join(', ')}; none applied`
            : 'no cloud firewall on the public interface',
    });
  }
  const svc = s.services;
  if (svc.state === 'error') {
    check({ check: 'server.ssh', item: null, healthy: false, message: `could not read the units: ${svc.message}` });
  } else if (svc.state === 'checked') {
    check({ check: 'server.ssh', item: null, healthy: true, message: `read ${svc.units.length} units over SSH` });
    for (const u of svc.units) {
      // A unit the role installs only with some props is skipped where it is not installed.
      if (!u.required && u.load === 'not-found') continue;
      const healthy = u.active === 'active';
      const state = u.load === 'not-found' ? 'not installed (systemd does not know it)' : `${u.active}${u.sub ? ` (${u.sub})` : ''}`;
      check({ check: 'unit.active', item: u.unit, healthy, message: healthy ? state : `${state}, expected active; from ${u.source}` });
    }
  }
  return out;
}

function loadBalancerChecks(lb: LoadBalancerStatus): HealthCheck[] {
  const out: HealthCheck[] = [];
  const check = (c: Omit<HealthCheck, 'subject'>) => out.push(make(lb.name, c));
  check({
    check: 'lb.targets',
    item: null,
    healthy: lb.targets.length > 0,
    message: lb.targets.length > 0 ? `${lb.targets.length} target(s)` : 'no targets',
  });
  for (const svc of lb.services) {
    const hc = svc.healthCheck ? ` (health check ${svc.healthCheck.protocol} :${svc.healthCheck.port}${svc.healthCheck.path ?? ''})` : '';
    let healthyTargets = 0;
    for (const t of lb.targets) {
      const status = t.health.find((h) => h.listenPort === svc.listenPort)?.status ?? 'unknown';
      if (status === 'healthy') healthyTargets++;
      check({
        check: 'lb.target',
        item: `target ${targetName(t)} port ${svc.listenPort}`,
        healthy: status === 'healthy',
        message: status === 'healthy' ? 'healthy' : `${status}${hc}`,
      });
    }
    check({
      check: 'lb.service',
      item: `service ${svc.protocol} ${svc.listenPort}`,
      healthy: healthyTargets > 0,
      message: healthyTargets > 0 ? `${healthyTargets} of ${lb.targets.length} target(s) healthy` : `no healthy target (0 of ${lb.targets.length})`,
    });
  }
  return out;
}

function volumeChecks(v: VolumeStatus): HealthCheck[] {
  return [
    {
      check: 'volume.attached',
      subject: v.name,
      item: null,
      healthy: v.server !== null,
      message: v.server ? `attached to ${serverName(v.server)}` : 'not attached to any server',
    },
    {
      check: 'volume.status',
      subject: v.name,
      item: null,
      healthy: v.status === 'available',
      message: v.status === 'available' ? 'available' : `status is ${v.status} (expected available)`,
    },
  ];
}

/** Every check, in a fixed order: platform, servers (by ID), load balancers, volumes. */
export function healthChecks(p: HealthInput): HealthCheck[] {
  const platform = `${p.project}/${p.environment}`;
  const out: HealthCheck[] = [
    {
      check: 'platform.servers',
      subject: platform,
      item: null,
      healthy: p.servers.length > 0,
      message: p.servers.length > 0 ? `${p.servers.length} server(s)` : `no servers labelled project=${p.project}, environment=${p.environment}`,
    },
  ];
  for (const s of p.servers) out.push(...serverChecks(s));
  const orchestrators = p.servers.filter((s) => s.role === Roles.orchestrator).length;
  if (orchestrators > 0 || p.loadBalancers.length > 0) {
    out.push({
      check: 'lb.present',
      subject: platform,
      item: null,
      healthy: p.loadBalancers.length > 0,
      message: p.loadBalancers.length > 0 ? `${p.loadBalancers.length} load balancer(s)` : `no load balancer in front of ${orchestrators} orchestrator(s)`,
    });
  }
  for (const lb of p.loadBalancers) out.push(...loadBalancerChecks(lb));
  for (const v of p.volumes) out.push(...volumeChecks(v));
  return out;
}
