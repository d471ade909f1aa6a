import { FirewallRule } from '../../.gen/providers/hcloud/firewall';
import { PortRule } from './port-rule';

export interface FirewallContext {
  /** The private network range (e.g. 10.0.0.0/16). */
  readonly privateRange: string;
  readonly adminCidrs: readonly string[];
}

/**
 * Host firewall (ufw) commands for a host's port rules, as argv arrays for cloud-init `runcmd`.
 * Default deny inbound; each rule opens one port to its sources. Admin ports are not rate-limited
 * here (`ufw limit` rejects the 6th connection in 30 s, which secret delivery's burst of SSH
 * connections hits): fail2ban bans brute force instead.
 */
export function ufwCommands(rules: readonly PortRule[], ctx: FirewallContext): string[][] {
  const cmds: string[][] = [
    ['ufw', 'default', 'deny', 'incoming'],
    ['ufw', 'default', 'allow', 'outgoing'],
  ];
  for (const r of dedupe(rules)) {
    const p = r.port;
    const sources = r.from.kind === 'private' ? [ctx.privateRange] : r.from.kind === 'admin' ? [...ctx.adminCidrs, ctx.privateRange] : [...r.from.cidrs];
    for (const src of sources) {
      cmds.push(['ufw', 'allow', 'proto', p.protocol, 'from', src, 'to', 'any', 'port', String(p.port), 'comment', p.name]);
    }
  }
  cmds.push(['ufw', '--force', 'enable']);
  return cmds;
}

/**
 * Hetzner Cloud Firewall inbound rules: only rules reachable from the public internet (admin or
 * explicit CIDRs). Private-range rules are left to ufw: Hetzner firewalls do not filter private traffic.
 */
export function cloudFirewallRules(rules: readonly PortRule[], ctx: FirewallContext): FirewallRule[] {
  const out: FirewallRule[] = [];
  for (const r of dedupe(rules)) {
    if (r.from.kind === 'private') continue;
    const sourceIps = r.from.kind === 'admin' ? [...ctx.adminCidrs] : [...r.from.cidrs];
    out.push({ direction: 'in', protocol: r.port.protocol, port: String(r.port.port), sourceIps, description: r.port.name });
  }
  return out;
}

function dedupe(rules: readonly PortRule[]): PortRule[] {
  const seen = new Set<string>();
  return rules.filter((r) => {
    const key = `${r.port.port}/${r.port.protocol}/${JSON.stringify(r.from)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A shell word: plain when safe, else single-quoted. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The host firewall as a script the host configuration runs when it changes: the rule set is
 * rebuilt from nothing (`ufw --force reset`), so a rule removed from the port definitions is
 * removed from the host too. Established connections (the delivering SSH session) survive.
 */
export function ufwScript(rules: readonly PortRule[], ctx: FirewallContext): string {
  const lines = ['#!/bin/sh', '# Host firewall, generated from the port definitions of this host. Do not edit.', 'set -eu', 'ufw --force reset > /dev/null'];
  for (const cmd of ufwCommands(rules, ctx)) lines.push(cmd.map(shellWord).join(' '));
  return `${lines.join('\n')}\n`;
}
