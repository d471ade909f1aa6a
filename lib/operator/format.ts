/** Text output of `aiai-ops status` and `aiai-ops health` (the JSON forms are the model itself). */
import { HealthCheck, HealthReport, ServerStatus, StatusReport } from './model';

/** Left-aligned columns, two spaces apart; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

const dash = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '-' : v);

function serviceSummary(s: ServerStatus): string {
  const svc = s.services;
  if (svc.state !== 'checked') return svc.state === 'skipped' ? 'skipped' : 'ERROR';
  const relevant = svc.units.filter((u) => u.required || u.load !== 'not-found');
  const bad = relevant.filter((u) => u.active !== 'active');
  return bad.length === 0 ? `${relevant.length}/${relevant.length} active` : `${relevant.length - bad.length}/${relevant.length} active`;
}

export function formatStatus(r: StatusReport): string {
  const parts: string[] = [];
  parts.push(
    `Platform ${r.project}/${r.environment} (labels ${r.labelSelector}), ${r.generatedAt}: ` +
      `${r.servers.length} server(s), ${r.loadBalancers.length} load balancer(s), ${r.volumes.length} volume(s), ${r.firewalls.length} firewall(s)\n`,
  );

  parts.push('\nServers\n');
  parts.push(
    r.servers.length === 0
      ? '  (none)\n'
      : table(
          ['NAME', 'ROLE', 'TYPE', 'LOCATION', 'STATUS', 'PUBLIC IPV4', 'PRIVATE IP', 'SERVICES'],
          r.servers.map((s) => [
            s.name,
            s.role ? (s.instanceRole ? `${s.role}/${s.instanceRole}` : s.role) : '-',
            s.serverType,
            dash(s.location),
            s.status,
            dash(s.publicIpv4),
            s.privateIps.length ? s.privateIps.join(',') : '-',
            serviceSummary(s),
          ]),
        ),
  );

  parts.push('\nLoad balancers\n');
  if (r.loadBalancers.length === 0) parts.push('  (none)\n');
  for (const lb of r.loadBalancers) {
    parts.push(
      `${lb.name}  ${lb.type}  ${lb.location}  public ${dash(lb.publicIpv4)}  private ${lb.privateIps.length ? lb.privateIps.join(',') : '-'}` +
        `  delete protection ${lb.deleteProtection ? 'on' : 'off'}\n`,
    );
    for (const svc of lb.services) {
      const hc = svc.healthCheck ? `, health check ${svc.healthCheck.protocol} :${svc.healthCheck.port}${svc.healthCheck.path ?? ''}` : '';
      parts.push(`  service ${svc.protocol} ${svc.listenPort} -> ${svc.destinationPort}${hc}\n`);
    }
    if (lb.targets.length === 0) parts.push('  (no targets)\n');
    for (const t of lb.targets) {
      const who = t.server ? (t.server.name ?? `server ${t.server.id}`) : dash(t.ip);
      const via = t.labelSelector ? ` via ${t.labelSelector}` : '';
      const health = t.health.map((h) => `${h.listenPort} ${h.status}`).join(', ') || 'no health reported';
      parts.push(`  target ${who}${t.usePrivateIp ? ' (private IP)' : ''}${via}: ${health}\n`);
    }
  }

  parts.push('\nVolumes\n');
  parts.push(
    r.volumes.length === 0
      ? '  (none)\n'
      : table(
          ['NAME', 'SIZE', 'LOCATION', 'STATUS', 'SERVER', 'DELETE PROTECTION'],
          r.volumes.map((v) => [v.name, `${v.sizeGb} GB`, v.location, v.status, v.server ? (v.server.name ?? `server ${v.server.id}`) : 'NOT ATTACHED', v.deleteProtection ? 'on' : 'off']),
        ),
  );

  parts.push('\nFirewalls\n');
  parts.push(
    r.firewalls.length === 0
      ? '  (none)\n'
      : table(
          ['NAME', 'RULES', 'APPLIED TO'],
          r.firewalls.map((f) => [
            f.name,
            String(f.rules),
            [...f.appliedTo.map((a) => a.name ?? `server ${a.id}`), ...f.labelSelectors.map((l) => `selector ${l}`)].join(', ') || '(nothing)',
          ]),
        ),
  );

  parts.push('\nServices\n');
  if (r.servers.length === 0) parts.push('  (none)\n');
  for (const s of r.servers) {
    const svc = s.services;
    if (svc.state !== 'checked') {
      parts.push(`${s.name}: ${svc.state === 'error' ? `ERROR ${svc.message}` : svc.message}\n`);
      continue;
    }
    parts.push(`${s.name}\n`);
    parts.push(
      table(
        ['  UNIT', 'STATE', 'FROM'],
        svc.units.map((u) => [
          `  ${u.unit}`,
          u.load === 'not-found' ? (u.required ? 'NOT INSTALLED' : 'not installed (optional)') : `${u.active} (${u.sub})`,
          u.source,
        ]),
      ),
    );
  }

  const failed = r.checks.filter((c) => !c.healthy);
  parts.push(
    failed.length === 0
      ? `\nHealth: all ${r.checks.length} checks passed\n`
      : `\nHealth: ${failed.length} of ${r.checks.length} checks FAILED (aiai-ops health lists them)\n`,
  );
  return parts.join('');
}

export function formatCheck(c: HealthCheck): string {
  return `${c.healthy ? 'ok  ' : 'FAIL'}  ${c.check.padEnd(16)} ${c.subject}${c.item ? ` ${c.item}` : ''}: ${c.message}\n`;
}

export function formatHealth(r: HealthReport, opts: { quiet?: boolean } = {}): string {
  const lines = r.checks.filter((c) => !opts.quiet || !c.healthy).map(formatCheck);
  const summary = r.healthy
    ? `healthy: ${r.checks.length} checks passed (${r.project}/${r.environment})\n`
    : `unhealthy: ${r.failed} of ${r.checks.length} checks failed (${r.project}/${r.environment})\n`;
  return lines.join('') + summary;
}
