/**
 * The Hetzner rule pack: each rule has a stable ID (`HZ-<area>-<nnn>`, never reused), a level and
 * a fix, and reads the synthesized stack ({@link StackModel}). Areas: NET network exposure, LIM
 * Hetzner API limits, SRV servers, PRT protection of stateful resources, SEC secrets, OBJ object
 * storage, PRD production readiness, RUN CI runners.
 */
import { isValidLabelKey, isValidLabelValue, LabelKeys, Roles } from '../core/labels';
import { SYSTEMD_UNIT_DIR } from '../core/paths';
import { evaluateLiteralTemplate, inlineTemplateLocals } from '../core/terraform-template';
import { Ports } from '../core/ports';
import { DEPRECATED_SERVER_TYPES, EU_ONLY_FAMILIES, HetznerLimits, LOCATIONS, SERVER_TYPES, SUPPORTED_IMAGES } from '../hetzner/catalog';
import { BucketLifecycleEnvironment } from '../object-store/bucket-lifecycle';
import { SNAPSHOT_ROTATION_NAME } from '../render/backup/snapshot-rotation';
import { isScheduledReaper } from '../render/workflow/reaper-verdict';
import { SETTING_VARIABLE_SUFFIXES } from '../runtime/pool-names';
import { PoolLimits } from '../runtime/pool-settings';
import { STATEFUL_HCLOUD_RESOURCE_TYPES } from '../state/stateful-resource-protection';
import {
  hasExpression,
  inboundRules,
  isPrivateSource,
  isWorld,
  labelsOf,
  list,
  PolicyResource,
  refAddress,
  selectorMatches,
  spanCovers,
  StackModel,
  strings,
  utf8Bytes,
} from './model';

export type PolicyLevel = 'error' | 'warning';

/** What a rule found on one resource (or on the stack, without a resource). */
export interface RuleViolation {
  readonly resource?: PolicyResource;
  /** What is wrong, in words (the engine prefixes where). */
  readonly message: string;
  /** A fix specific to this finding. @default the rule's fix */
  readonly fix?: string;
  /** Address of a non-resource element the finding is about (`var.<name>`). @default the resource's */
  readonly address?: string;
}

/** Options the rules read (from `HetznerChecks`). */
export interface RuleContext {
  /** `environment` label values that count as production. */
  readonly productionEnvironments: readonly string[];
}

export interface PolicyRule {
  /** Stable ID, e.g. `HZ-NET-001`. */
  readonly id: string;
  readonly level: PolicyLevel;
  /** What the rule checks, in one line. */
  readonly title: string;
  /** How to fix a finding, in one line. */
  readonly fix: string;
  check(model: StackModel, ctx: RuleContext): RuleViolation[];
}

// ---------------------------------------------------------------------------------------------
// Shared readers

/** Every port of lib/core/ports.ts but SSH: services that listen for the private network only. */
export const PRIVATE_SERVICE_PORTS = Object.values(Ports).filter((p) => p.port !== Ports.ssh.port);

/** Default listen ports of a load balancer service by protocol (hcloud provider docs, `listen_port`). */
const LB_DEFAULT_LISTEN_PORT: Readonly<Record<string, number>> = { http: 80, https: 443 };

function lbListenPort(service: PolicyResource): number | undefined {
  const p = service.attrs.listen_port;
  if (typeof p === 'number') return p;
  if (typeof p === 'string' && /^\d+$/.test(p)) return Number(p);
  return LB_DEFAULT_LISTEN_PORT[String(service.attrs.protocol ?? '')];
}

function loadBalancerListenPorts(m: StackModel): Set<number> {
  const out = new Set<number>();
  for (const s of m.ofType('hcloud_load_balancer_service')) {
    const p = lbListenPort(s);
    if (p !== undefined) out.add(p);
  }
  return out;
}

function isPortProtocol(protocol: string): boolean {
  return protocol === 'tcp' || protocol === 'udp';
}

function describeRule(firewall: PolicyResource, index: number, port: unknown, protocol: string): string {
  return `rule ${index + 1} (${protocol}${port === undefined ? '' : ` ${String(port)}`}) of firewall ${JSON.stringify(firewall.attrs.name ?? firewall.name)}`;
}

/** The firewalls (resources, or `external` for literal IDs) applied to each server, by address. */
function firewallsByServer(m: StackModel): Map<string, string[]> {
  const servers = m.ofType('hcloud_server');
  const out = new Map<string, string[]>(servers.map((s) => [s.address, []]));
  const add = (server: string, fw: string) => out.get(server)?.push(fw);
  for (const s of servers) for (const id of strings(s.attrs.firewall_ids)) add(s.address, refAddress(id) ?? `external:${id}`);
  const bySelector = (selector: string, fw: string) => {
    for (const s of servers) if (selectorMatches(selector, labelsOf(s))) add(s.address, fw);
  };
  for (const fw of m.ofType('hcloud_firewall')) {
    for (const a of list(fw.attrs.apply_to)) {
      const server = refAddress(a.server);
      if (server) add(server, fw.address);
      if (typeof a.label_selector === 'string') bySelector(a.label_selector, fw.address);
    }
  }
  for (const att of m.ofType('hcloud_firewall_attachment')) {
    const fw = refAddress(att.attrs.firewall_id) ?? `external:${String(att.attrs.firewall_id)}`;
    for (const id of strings(att.attrs.server_ids)) {
      const server = refAddress(id);
      if (server) add(server, fw);
    }
    for (const sel of strings(att.attrs.label_selectors)) bySelector(sel, fw);
  }
  for (const [k, v] of out) out.set(k, [...new Set(v)]);
  return out;
}

function isProduction(r: PolicyResource, ctx: RuleContext): boolean {
  return ctx.productionEnvironments.includes(labelsOf(r)[LabelKeys.environment] ?? '');
}

function lifecycle(r: PolicyResource): Record<string, unknown> {
  return list(r.attrs.lifecycle)[0] ?? {};
}

/** The servers a load balancer sends traffic to: server targets and label-selector targets. */
function loadBalancerTargets(m: StackModel, lb: PolicyResource): PolicyResource[] {
  const servers = m.ofType('hcloud_server');
  const out = new Set<PolicyResource>();
  const targets = [
    ...m.ofType('hcloud_load_balancer_target').filter((t) => refAddress(t.attrs.load_balancer_id) === lb.address).map((t) => t.attrs),
    ...list(lb.attrs.target),
  ];
  for (const t of targets) {
    const server = m.deref(t.server_id);
    if (server) out.add(server);
    if (typeof t.label_selector === 'string') for (const s of servers) if (selectorMatches(t.label_selector, labelsOf(s))) out.add(s);
  }
  return [...out];
}

// Secret patterns: credentials that must never be a literal in the synthesized JSON.
const SECRET_PATTERNS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { name: 'a GitHub token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{22,}/ },
  { name: 'an AWS-style access key ID', pattern: /\bAKIA[0-9A-Z]{16}\b/ },
  { name: 'an API key (sk-...)', pattern: /\bsk-(?:or-v1-)?[A-Za-z0-9_-]{32,}/ },
  // A credential-named key assigned a literal (not `$...`, not a path): `HCLOUD_TOKEN=abc...`, `password: "..."`.
  { name: 'a credential assigned a literal', pattern: /(?:TOKEN|SECRET|PASSWORD|API_KEY|token|secret|password|api_key)["']?\s*[:=]\s*["']?[A-Za-z0-9][A-Za-z0-9+/_-]{19,}/ },
];
/** All of them in one expression: one scan per string, the names only looked up on a hit. */
const ANY_SECRET = new RegExp(SECRET_PATTERNS.map((p) => `(?:${p.pattern.source})`).join('|'));

/** Literal values of sensitive variables' defaults (a secret written into the configuration). */
function sensitiveDefaults(m: StackModel): string[] {
  return Object.values(m.variables)
    .filter((v) => v.sensitive === true && typeof v.default === 'string' && (v.default as string).length >= 8)
    .map((v) => v.default as string);
}

function sensitiveVariables(m: StackModel): Set<string> {
  return new Set(Object.entries(m.variables).filter(([, v]) => v.sensitive === true).map(([k]) => k));
}

/** What secret a string holds (pattern name), if any. */
function secretIn(text: string, knownLiterals: readonly string[]): string | undefined {
  if (ANY_SECRET.test(text)) for (const p of SECRET_PATTERNS) if (p.pattern.test(text)) return p.name;
  if (knownLiterals.some((l) => text.includes(l))) return 'the default value of a sensitive variable';
  return undefined;
}

/** No key skipped. */
const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * Reports every string inside a JSON value that holds a secret, with its attribute path (`a.b[0]`
 * after `root`); keys in `skip` are not entered. Paths are built only for what is reported.
 */
function secretsIn(value: unknown, root: string, skip: ReadonlySet<string>, known: readonly string[], report: (path: string, what: string) => void): void {
  const keys: (string | number)[] = [];
  const pathOf = (): string => keys.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : p ? `${p}.${k}` : k), root);
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      const what = secretIn(v, known);
      if (what) report(pathOf(), what);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        keys.push(i);
        visit(v[i]);
        keys.pop();
      }
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        if (skip.has(k)) continue;
        keys.push(k);
        visit((v as Record<string, unknown>)[k]);
        keys.pop();
      }
    }
  };
  visit(value);
}

const GITHUB_SECRET_TYPES = ['github_actions_secret', 'github_actions_environment_secret', 'github_dependabot_secret', 'github_codespaces_secret', 'github_actions_organization_secret'];
const SECRET_VALUE_ATTRIBUTES = ['plaintext_value', 'encrypted_value'];
/** Provider arguments that carry credentials. */
const PROVIDER_CREDENTIAL_ATTRIBUTES = ['token', 'access_key', 'secret_key', 'password', 'app_auth'];

/** A server covered by a snapshot rotation timer of a host manifest in the stack (lib/render/backup). */
function snapshotSelectors(m: StackModel): string[] {
  const out: string[] = [];
  const unit = `${SYSTEMD_UNIT_DIR}/${SNAPSHOT_ROTATION_NAME}.service`;
  const locals = m.json.locals as Record<string, unknown> | undefined;
  // Only uploads that name the unit are evaluated and parsed. The unit's path has no `$`, `%` or
  // `{`, so undoing the template's escapes neither makes nor breaks it: an upload names it exactly
  // when the upload with its shared texts inlined does (however the text is cut into locals).
  for (const r of m.ofType('terraform_data')) {
    for (const p of list(r.attrs.provisioner)) {
      const raw = list(p.file)[0]?.content;
      if (typeof raw !== 'string' || !inlineTemplateLocals(raw, locals).includes(unit)) continue;
      // As Terraform evaluates it: shared texts (locals) inlined, escapes undone.
      const content = evaluateLiteralTemplate(raw, locals);
      let manifest: { files?: { path?: string; content?: string }[] };
      try {
        manifest = JSON.parse(content) as typeof manifest;
      } catch {
        continue;
      }
      for (const f of manifest.files ?? []) {
        if (f.path !== unit || typeof f.content !== 'string') continue;
        const sel = /^Environment="SERVER_SELECTOR=(.*)"$/m.exec(f.content);
        if (sel) out.push(sel[1]);
      }
    }
  }
  return out;
}

/** Ephemeral runner pools of the stack, found by their `<prefix>_POOL` GitHub variable. */
interface Pool {
  readonly poolVariable: PolicyResource;
  readonly prefix: string;
  readonly name: string;
}

function pools(m: StackModel): Pool[] {
  const suffix = `_${SETTING_VARIABLE_SUFFIXES.pool}`;
  return m
    .ofType('github_actions_variable')
    .filter((v) => typeof v.attrs.variable_name === 'string' && (v.attrs.variable_name as string).endsWith(suffix))
    .map((v) => ({ poolVariable: v, prefix: (v.attrs.variable_name as string).slice(0, -suffix.length), name: String(v.attrs.value) }));
}

// ---------------------------------------------------------------------------------------------
// The rules

const net: PolicyRule[] = [
  {
    id: 'HZ-NET-001',
    level: 'error',
    title: 'No firewall port is open to the whole internet (0.0.0.0/0, ::/0) but the load balancer listen ports',
    fix: "put the service behind the load balancer (targets on the private network) or restrict the rule's source_ips to known CIDRs",
    check(m) {
      const allowed = new Set<number>([Ports.ssh.port, ...PRIVATE_SERVICE_PORTS.map((p) => p.port), ...loadBalancerListenPorts(m)]);
      const out: RuleViolation[] = [];
      for (const fw of m.ofType('hcloud_firewall')) {
        for (const r of inboundRules(fw)) {
          if (!isPortProtocol(r.protocol) || !r.sourceIps.some(isWorld) || !r.span) continue;
          const size = r.span.to - r.span.from + 1;
          const allowedInside = [...allowed].filter((p) => spanCovers(r.span!, p)).length;
          // SSH and the private service ports have their own rules (HZ-NET-002, HZ-NET-004).
          if (size > allowedInside) out.push({ resource: fw, message: `${describeRule(fw, r.index, r.port, r.protocol)} admits ${r.sourceIps.filter(isWorld).join(' and ')}` });
        }
      }
      return out;
    },
  },
  {
    id: 'HZ-NET-002',
    level: 'error',
    title: 'SSH is not reachable from the whole internet',
    fix: 'allow SSH from the admin CIDRs only (AdminAccess adminCidrs), never 0.0.0.0/0 or ::/0',
    check(m) {
      const out: RuleViolation[] = [];
      for (const fw of m.ofType('hcloud_firewall')) {
        for (const r of inboundRules(fw)) {
          if (r.protocol !== Ports.ssh.protocol || !r.span || !spanCovers(r.span, Ports.ssh.port) || !r.sourceIps.some(isWorld)) continue;
          out.push({ resource: fw, message: `${describeRule(fw, r.index, r.port, r.protocol)} opens SSH (port ${Ports.ssh.port}) to ${r.sourceIps.filter(isWorld).join(' and ')}` });
        }
      }
      return out;
    },
  },
  {
    id: 'HZ-NET-003',
    level: 'error',
    title: 'Every server has a Hetzner Cloud firewall',
    fix: 'give the server a firewall: firewall_ids (HardenedServer firewalls, a RoleFirewall), an hcloud_firewall_attachment, or an apply_to block',
    check(m) {
      const fws = firewallsByServer(m);
      return m
        .ofType('hcloud_server')
        .filter((s) => (fws.get(s.address) ?? []).length === 0)
        .map((s) => ({ resource: s, message: `server ${JSON.stringify(s.attrs.name ?? s.name)} has no firewall: every port its services open on the public interface is reachable from the internet` }));
    },
  },
  {
    id: 'HZ-NET-004',
    level: 'error',
    title: `Private service ports (${PRIVATE_SERVICE_PORTS.map((p) => p.port).join(', ')}) are not reachable from public addresses`,
    fix: 'reach the service over the private network (ufw allows the private range; Hetzner firewalls do not filter private traffic) or through an SSH tunnel; remove the public rule or load balancer service',
    check(m) {
      const out: RuleViolation[] = [];
      for (const fw of m.ofType('hcloud_firewall')) {
        for (const r of inboundRules(fw)) {
          if (!isPortProtocol(r.protocol) || !r.span) continue;
          const publicSources = r.sourceIps.filter((c) => !isPrivateSource(c));
          if (publicSources.length === 0) continue;
          const hit = PRIVATE_SERVICE_PORTS.filter((p) => p.protocol === r.protocol && spanCovers(r.span!, p.port));
          if (hit.length > 0) {
            out.push({ resource: fw, message: `${describeRule(fw, r.index, r.port, r.protocol)} opens ${hit.map((p) => `${p.port} (${p.description})`).join(', ')} to public sources ${publicSources.join(', ')}` });
          }
        }
      }
      const publicInterfaceOff = new Set(
        m.ofType('hcloud_load_balancer_network').filter((n) => n.attrs.enable_public_interface === false).map((n) => refAddress(n.attrs.load_balancer_id)),
      );
      for (const s of m.ofType('hcloud_load_balancer_service')) {
        const port = lbListenPort(s);
        const hit = PRIVATE_SERVICE_PORTS.find((p) => p.port === port);
        if (hit && !publicInterfaceOff.has(refAddress(s.attrs.load_balancer_id))) {
          out.push({ resource: s, message: `the load balancer listens on ${hit.port} (${hit.description}) on its public interface` });
        }
      }
      return out;
    },
  },
  {
    id: 'HZ-NET-005',
    level: 'warning',
    title: 'Load balancer targets are reached over the private network',
    fix: 'set use_private_ip = true on the target (the load balancer is attached to the network), so the servers need no public port for it',
    check(m) {
      const networked = new Set(m.ofType('hcloud_load_balancer_network').map((n) => refAddress(n.attrs.load_balancer_id)));
      return m
        .ofType('hcloud_load_balancer_target')
        .filter((t) => t.attrs.type === 'server' && t.attrs.use_private_ip !== true && networked.has(refAddress(t.attrs.load_balancer_id)))
        .map((t) => ({ resource: t, message: 'the target is reached over its public IP although the load balancer is on the private network: the server must open the service port publicly' }));
    },
  },
];

const lim: PolicyRule[] = [
  {
    id: 'HZ-LIM-001',
    level: 'error',
    title: `A firewall has at most ${HetznerLimits.firewallRules} rules (Hetzner limit)`,
    fix: 'merge rules (port ranges, several CIDRs per rule) or split the firewall in two and apply both',
    check(m) {
      return m
        .ofType('hcloud_firewall')
        .filter((fw) => list(fw.attrs.rule).length > HetznerLimits.firewallRules)
        .map((fw) => ({ resource: fw, message: `the firewall has ${list(fw.attrs.rule).length} rules; Hetzner allows ${HetznerLimits.firewallRules}` }));
    },
  },
  {
    id: 'HZ-LIM-002',
    level: 'error',
    title: `A firewall's rules hold at most ${HetznerLimits.firewallEffectiveRules} CIDRs in all (Hetzner's effective-rule limit)`,
    fix: 'aggregate CIDRs into larger blocks, or split the rules over two firewalls',
    check(m) {
      const out: RuleViolation[] = [];
      for (const fw of m.ofType('hcloud_firewall')) {
        const counts = list(fw.attrs.rule).map((r) => Math.max(1, strings(r.source_ips).length + strings(r.destination_ips).length));
        const total = counts.reduce((a, b) => a + b, 0);
        if (total > HetznerLimits.firewallEffectiveRules) {
          const widest = counts.indexOf(Math.max(...counts));
          out.push({ resource: fw, message: `the rules hold ${total} CIDRs (rule ${widest + 1} alone ${counts[widest]}); Hetzner allows ${HetznerLimits.firewallEffectiveRules} effective rules per firewall` });
        }
      }
      return out;
    },
  },
  {
    id: 'HZ-LIM-003',
    level: 'error',
    title: `A spread placement group holds at most ${HetznerLimits.spreadPlacementGroupServers} servers (Hetzner limit)`,
    fix: 'use another placement group for the servers beyond the limit',
    check(m) {
      return m
        .ofType('hcloud_placement_group')
        .filter((g) => g.attrs.type === 'spread')
        .map((g) => ({ g, n: m.ofType('hcloud_server').filter((s) => refAddress(s.attrs.placement_group_id) === g.address).length }))
        .filter(({ n }) => n > HetznerLimits.spreadPlacementGroupServers)
        .map(({ g, n }) => ({ resource: g, message: `${n} servers are in this spread placement group; Hetzner allows ${HetznerLimits.spreadPlacementGroupServers}` }));
    },
  },
  {
    id: 'HZ-LIM-004',
    level: 'error',
    title: `A server's user_data is at most ${HetznerLimits.userDataBytes} bytes (Hetzner limit)`,
    fix: 'keep only the bootstrap in user_data and deliver the rest after boot (HostConfiguration)',
    check(m) {
      return m
        .ofType('hcloud_server')
        .filter((s) => typeof s.attrs.user_data === 'string' && utf8Bytes(s.attrs.user_data as string) > HetznerLimits.userDataBytes)
        .map((s) => ({ resource: s, message: `user_data is ${utf8Bytes(s.attrs.user_data as string)} bytes; Hetzner accepts ${HetznerLimits.userDataBytes}` }));
    },
  },
  {
    id: 'HZ-LIM-005',
    level: 'error',
    title: 'Labels have valid Hetzner syntax (keys: optional DNS prefix and a name of at most 63 characters; values at most 63 characters of letters, digits, -_.)',
    fix: 'rename the label key or value: letters, digits, `-`, `_`, `.`, starting and ending alphanumeric, at most 63 characters',
    check(m) {
      const out: RuleViolation[] = [];
      for (const r of m.resources) {
        if (!r.type.startsWith('hcloud_')) continue;
        for (const [k, v] of Object.entries(labelsOf(r))) {
          if (!isValidLabelKey(k)) out.push({ resource: r, message: `label key ${JSON.stringify(k)} is not a valid Hetzner label key` });
          else if (!hasExpression(v) && !isValidLabelValue(v)) out.push({ resource: r, message: `label ${k} has the invalid value ${JSON.stringify(v)}` });
        }
      }
      return out;
    },
  },
  {
    id: 'HZ-LIM-006',
    level: 'error',
    title: `A server has at most ${HetznerLimits.firewallsPerServer} firewalls (Hetzner limit)`,
    fix: 'merge firewalls: one role firewall per server plus shared ones, at most the limit in all',
    check(m) {
      const out: RuleViolation[] = [];
      for (const [address, fws] of firewallsByServer(m)) {
        if (fws.length > HetznerLimits.firewallsPerServer) out.push({ resource: m.byAddress(address), message: `${fws.length} firewalls apply to this server; Hetzner allows ${HetznerLimits.firewallsPerServer}` });
      }
      return out;
    },
  },
];

const srv: PolicyRule[] = [
  {
    id: 'HZ-SRV-001',
    level: 'error',
    title: 'No server uses a deprecated server type (DEPRECATED_SERVER_TYPES)',
    fix: 'use the replacement type named in the finding (lib/hetzner/catalog.ts)',
    check(m) {
      return m
        .ofType('hcloud_server')
        .filter((s) => typeof s.attrs.server_type === 'string' && DEPRECATED_SERVER_TYPES[s.attrs.server_type as string])
        .map((s) => {
          const dep = DEPRECATED_SERVER_TYPES[s.attrs.server_type as string];
          return { resource: s, message: `server type ${dep.name} is deprecated and can no longer be ordered`, fix: `set server_type to ${dep.replacement}` };
        });
    },
  },
  {
    id: 'HZ-SRV-002',
    level: 'error',
    title: 'Every server type is an orderable type of the catalog (SERVER_TYPES)',
    fix: `use one of ${Object.keys(SERVER_TYPES).join(', ')}`,
    check(m) {
      return m
        .ofType('hcloud_server')
        .filter((s) => {
          const t = s.attrs.server_type;
          return typeof t === 'string' && !hasExpression(t) && !SERVER_TYPES[t] && !DEPRECATED_SERVER_TYPES[t];
        })
        .map((s) => ({ resource: s, message: `server type ${JSON.stringify(s.attrs.server_type)} is not an orderable Hetzner server type` }));
    },
  },
  {
    id: 'HZ-SRV-003',
    level: 'error',
    title: 'Every server is in a known location that offers its server type',
    fix: `use a location of ${Object.keys(LOCATIONS).join(', ')}; ${EU_ONLY_FAMILIES.join('/')} types only in eu-central (fsn1, nbg1, hel1)`,
    check(m) {
      const out: RuleViolation[] = [];
      for (const s of m.ofType('hcloud_server')) {
        const loc = s.attrs.location;
        if (typeof loc !== 'string' || hasExpression(loc)) continue;
        const info = LOCATIONS[loc];
        if (!info) {
          out.push({ resource: s, message: `location ${JSON.stringify(loc)} is not a Hetzner Cloud location` });
          continue;
        }
        const type = SERVER_TYPES[String(s.attrs.server_type)];
        if (type && EU_ONLY_FAMILIES.includes(type.family) && info.networkZone !== 'eu-central') {
          out.push({ resource: s, message: `server type ${type.name} (${type.family}) is not offered in ${loc} (${info.networkZone})` });
        }
      }
      return out;
    },
  },
  {
    id: 'HZ-SRV-004',
    level: 'warning',
    title: '`datacenter` is not set (deprecated in hcloud 1.68.0; pins a resource to one datacenter)',
    fix: 'set `location` instead of `datacenter`',
    check(m) {
      // The provider schema marks `datacenter` deprecated on both (schemas/hcloud-provider-schema.json).
      return m
        .ofType('hcloud_server', 'hcloud_primary_ip')
        .filter((r) => r.attrs.datacenter !== undefined && r.attrs.datacenter !== null)
        .map((r) => ({ resource: r, message: `datacenter is set to ${JSON.stringify(r.attrs.datacenter)}` }));
    },
  },
  {
    id: 'HZ-SRV-005',
    level: 'warning',
    title: `Servers boot a supported image (${SUPPORTED_IMAGES.join(', ')}) or a snapshot ID`,
    fix: `use ${SUPPORTED_IMAGES.join(' or ')}: the bootstrap and host configuration are tested against it only`,
    check(m) {
      return m
        .ofType('hcloud_server')
        .filter((s) => {
          const img = s.attrs.image;
          return typeof img === 'string' && !hasExpression(img) && !/^\d+$/.test(img) && !(SUPPORTED_IMAGES as readonly string[]).includes(img);
        })
        .map((s) => ({ resource: s, message: `image ${JSON.stringify(s.attrs.image)} is not one the platform's cloud-init is tested against` }));
    },
  },
];

const prt: PolicyRule[] = [
  {
    id: 'HZ-PRT-001',
    level: 'error',
    title: `Stateful Hetzner resources (${STATEFUL_HCLOUD_RESOURCE_TYPES.join(', ')}) have delete_protection`,
    fix: 'add the StatefulResourceProtection aspect to the stack (or set delete_protection = true)',
    check(m) {
      return m
        .ofType(...STATEFUL_HCLOUD_RESOURCE_TYPES)
        .filter((r) => r.attrs.delete_protection !== true)
        .map((r) => ({ resource: r, message: `${r.type} has no delete protection: any API client can delete it` }));
    },
  },
  {
    id: 'HZ-PRT-002',
    level: 'error',
    title: 'Stateful Hetzner resources have lifecycle.prevent_destroy',
    fix: 'add the StatefulResourceProtection aspect to the stack (or set lifecycle { prevent_destroy = true })',
    check(m) {
      return m
        .ofType(...STATEFUL_HCLOUD_RESOURCE_TYPES)
        .filter((r) => lifecycle(r).prevent_destroy !== true)
        .map((r) => ({ resource: r, message: `${r.type} has no prevent_destroy: a plan may delete or replace it` }));
    },
  },
  {
    id: 'HZ-PRT-003',
    level: 'error',
    title: 'Buckets have prevent_destroy and no force_destroy',
    fix: "keep the bucket's removalPolicy at retain (BucketRemovalPolicy): prevent_destroy, force_destroy = false",
    check(m) {
      const out: RuleViolation[] = [];
      for (const b of m.ofType('aws_s3_bucket')) {
        if (b.attrs.force_destroy === true) out.push({ resource: b, message: `bucket ${JSON.stringify(b.attrs.bucket)} has force_destroy: destroying it deletes every object` });
        else if (lifecycle(b).prevent_destroy !== true) out.push({ resource: b, message: `bucket ${JSON.stringify(b.attrs.bucket)} has no prevent_destroy` });
      }
      return out;
    },
  },
];

const sec: PolicyRule[] = [
  {
    id: 'HZ-SEC-001',
    level: 'error',
    title: "No secret in a server's user_data (it is stored in the state and readable from the metadata service)",
    fix: 'deliver secrets after boot (SecretFiles) from sensitive variables (secretVariable), never in user_data',
    check(m) {
      const known = sensitiveDefaults(m);
      const sensitive = sensitiveVariables(m);
      const out: RuleViolation[] = [];
      for (const s of m.ofType('hcloud_server')) {
        const ud = s.attrs.user_data;
        if (typeof ud !== 'string') continue;
        const what = secretIn(ud, known);
        const vars = [...ud.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)].map((x) => x[1]).filter((v) => sensitive.has(v));
        if (what) out.push({ resource: s, message: `user_data contains ${what}` });
        if (vars.length > 0) out.push({ resource: s, message: `user_data interpolates the sensitive variable(s) ${[...new Set(vars)].join(', ')}` });
      }
      return out;
    },
  },
  {
    id: 'HZ-SEC-002',
    level: 'error',
    title: 'GitHub secrets come from sensitive variables, never literals',
    fix: "set the secret's value from a sensitive variable (secretVariable), provided as TF_VAR_<name> at deploy",
    check(m) {
      const sensitive = sensitiveVariables(m);
      const out: RuleViolation[] = [];
      for (const s of m.ofType(...GITHUB_SECRET_TYPES)) {
        for (const attr of SECRET_VALUE_ATTRIBUTES) {
          const v = s.attrs[attr];
          if (v === undefined || v === null) continue;
          if (!hasExpression(v)) {
            out.push({ resource: s, message: `${attr} of secret ${JSON.stringify(s.attrs.secret_name)} is a literal: the secret is in the synthesized JSON` });
            continue;
          }
          const plain = [...String(v).matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)].map((x) => x[1]).filter((n) => !sensitive.has(n));
          if (plain.length > 0) out.push({ resource: s, message: `${attr} of secret ${JSON.stringify(s.attrs.secret_name)} comes from the non-sensitive variable(s) ${plain.join(', ')}` });
        }
      }
      return out;
    },
  },
  {
    id: 'HZ-SEC-003',
    level: 'error',
    title: 'Sensitive variables have no default (a default is a secret written into the configuration)',
    fix: 'remove the default and provide the value as TF_VAR_<name> at deploy',
    check(m) {
      return Object.entries(m.variables)
        .filter(([, v]) => v.sensitive === true && v.default !== undefined && v.default !== null)
        .map(([name]) => ({ address: `var.${name}`, message: `sensitive variable ${name} has a default value` }));
    },
  },
  {
    id: 'HZ-SEC-004',
    level: 'error',
    title: 'No secret literal anywhere else in the synthesized JSON (providers, resources, outputs)',
    fix: 'replace the literal with a sensitive variable (secretVariable) and set it at deploy',
    check(m) {
      const known = sensitiveDefaults(m);
      const out: RuleViolation[] = [];
      const skip = new Set(['//', 'user_data', ...SECRET_VALUE_ATTRIBUTES]);
      for (const r of m.resources) secretsIn(r.attrs, '', skip, known, (path, what) => out.push({ resource: r, message: `${path} contains ${what}` }));
      for (const [name, blocks] of Object.entries((m.json.provider ?? {}) as Record<string, unknown>)) {
        list(blocks).forEach((b, i) => {
          for (const attr of PROVIDER_CREDENTIAL_ATTRIBUTES) {
            const v = b[attr];
            if (typeof v === 'string' && !hasExpression(v)) out.push({ message: `provider ${name}[${i}] has the credential ${attr} as a literal` });
          }
          secretsIn(b, `provider.${name}[${i}]`, NO_KEYS, known, (path, what) => out.push({ message: `${path} contains ${what}` }));
        });
      }
      secretsIn(m.json.output, 'output', NO_KEYS, known, (path, what) => out.push({ message: `${path} contains ${what}` }));
      return out;
    },
  },
];

const obj: PolicyRule[] = [
  {
    id: 'HZ-OBJ-001',
    level: 'warning',
    title: 'Every bucket has lifecycle rules (BucketLifecycle or aws_s3_bucket_lifecycle_configuration)',
    fix: 'add a BucketLifecycle (HetznerBucket lifecycleRules): expire old objects and abort incomplete multipart uploads',
    check(m) {
      const covered = new Set<string>();
      for (const r of m.ofType('aws_s3_bucket_lifecycle_configuration')) {
        const a = refAddress(r.attrs.bucket);
        if (a) covered.add(a);
        else if (typeof r.attrs.bucket === 'string') covered.add(`name:${r.attrs.bucket}`);
      }
      for (const r of m.ofType('terraform_data')) {
        for (const p of list(r.attrs.provisioner)) {
          const env = list(list(p['local-exec'])[0]?.environment)[0];
          const bucket = env?.[BucketLifecycleEnvironment.bucket];
          if (typeof bucket !== 'string') continue;
          const a = refAddress(bucket);
          covered.add(a ?? `name:${bucket}`);
        }
      }
      return m
        .ofType('aws_s3_bucket')
        .filter((b) => !covered.has(b.address) && !covered.has(`name:${String(b.attrs.bucket)}`))
        .map((b) => ({ resource: b, message: `bucket ${JSON.stringify(b.attrs.bucket)} has no lifecycle rules: objects and incomplete uploads accumulate (and are billed) forever` }));
    },
  },
  {
    id: 'HZ-OBJ-002',
    level: 'error',
    title: 'No bucket is public (ACL or policy granting everyone)',
    fix: 'remove the public ACL or the policy statement with Principal "*"; hand out presigned URLs or credentials instead',
    check(m) {
      const out: RuleViolation[] = [];
      for (const a of m.ofType('aws_s3_bucket_acl')) {
        if (['public-read', 'public-read-write', 'authenticated-read'].includes(String(a.attrs.acl))) out.push({ resource: a, message: `the bucket ACL is ${String(a.attrs.acl)}` });
      }
      for (const p of m.ofType('aws_s3_bucket_policy')) {
        let doc: unknown;
        try {
          doc = typeof p.attrs.policy === 'string' ? JSON.parse(p.attrs.policy) : p.attrs.policy;
        } catch {
          continue;
        }
        const statements = list((doc as Record<string, unknown> | undefined)?.Statement);
        const open = statements.some((s) => s.Effect === 'Allow' && (s.Principal === '*' || (s.Principal as Record<string, unknown> | undefined)?.AWS === '*'));
        if (open) out.push({ resource: p, message: 'the bucket policy allows Principal "*"' });
      }
      return out;
    },
  },
];

const prd: PolicyRule[] = [
  {
    id: 'HZ-PRD-001',
    level: 'warning',
    title: 'Production hosts have Hetzner backups or are covered by a snapshot rotation',
    fix: 'enable backups (backups / serverBackups) or the monitoring node\'s snapshot rotation (disasterRecovery) for the host\'s role',
    check(m, ctx) {
      const selectors = snapshotSelectors(m);
      return m
        .ofType('hcloud_server')
        .filter((s) => isProduction(s, ctx) && labelsOf(s)[LabelKeys.role] !== Roles.ciRunner)
        .filter((s) => s.attrs.backups !== true && !selectors.some((sel) => selectorMatches(sel, labelsOf(s))))
        .map((s) => ({ resource: s, message: `production server ${JSON.stringify(s.attrs.name ?? s.name)} has neither Hetzner backups nor a snapshot rotation` }));
    },
  },
  {
    id: 'HZ-PRD-002',
    level: 'warning',
    title: 'A production load balancer has at least two targets (no single orchestrator behind it)',
    fix: 'add a standby orchestrator (AiaiOrchestrator standby) so a failing or replaced server does not take the service down',
    check(m, ctx) {
      return m
        .ofType('hcloud_load_balancer')
        .filter((lb) => isProduction(lb, ctx))
        .map((lb) => ({ lb, n: loadBalancerTargets(m, lb).length }))
        .filter(({ n }) => n < 2)
        .map(({ lb, n }) => ({ resource: lb, message: `the production load balancer has ${n} target server${n === 1 ? '' : 's'}: a single point of failure` }));
    },
  },
  {
    id: 'HZ-PRD-003',
    level: 'warning',
    title: "A production load balancer's targets share a spread placement group (on different physical hosts)",
    fix: 'put the target servers in one spread placement group (placement_group_id)',
    check(m, ctx) {
      const out: RuleViolation[] = [];
      for (const lb of m.ofType('hcloud_load_balancer').filter((l) => isProduction(l, ctx))) {
        const targets = loadBalancerTargets(m, lb);
        if (targets.length < 2) continue;
        const groups = new Set(targets.map((t) => refAddress(t.attrs.placement_group_id) ?? String(t.attrs.placement_group_id ?? '')));
        const spread = [...groups].every((g) => m.byAddress(g)?.attrs.type === 'spread');
        if (groups.size !== 1 || !spread) out.push({ resource: lb, message: `the ${targets.length} target servers are not in one spread placement group: one host failure may take them all` });
      }
      return out;
    },
  },
];

const run: PolicyRule[] = [
  {
    id: 'HZ-RUN-001',
    level: 'error',
    title: `Ephemeral runner pools set a max lifetime (${PoolLimits.minLifetimeMinutes}-${PoolLimits.maxLifetimeMinutes} minutes) after which servers are reaped`,
    fix: 'set maxLifetimeMinutes on the EphemeralRunnerPool (default 120)',
    check(m) {
      const out: RuleViolation[] = [];
      for (const p of pools(m)) {
        const name = `${p.prefix}_${SETTING_VARIABLE_SUFFIXES.maxLifetimeMinutes}`;
        const v = m.ofType('github_actions_variable').find((x) => x.attrs.variable_name === name && x.attrs.repository === p.poolVariable.attrs.repository);
        const n = Number(v?.attrs.value);
        const ok = v !== undefined && /^\d+$/.test(String(v.attrs.value)) && n >= PoolLimits.minLifetimeMinutes && n <= PoolLimits.maxLifetimeMinutes;
        if (!ok) out.push({ resource: v ?? p.poolVariable, message: `runner pool ${JSON.stringify(p.name)} has ${v ? `the max lifetime ${JSON.stringify(v.attrs.value)}` : `no ${name} variable`}: its servers may never expire` });
      }
      return out;
    },
  },
  {
    id: 'HZ-RUN-002',
    level: 'error',
    title: 'Ephemeral runner pools have a scheduled reaper workflow (expired servers are deleted)',
    fix: "keep the pool's reap workflow (reapSchedule, default every 15 minutes), or reap from a timer and suppress with the reason",
    check(m) {
      const reapers: { repository: unknown; content: string }[] = [];
      for (const f of m.ofType('github_repository_file')) {
        if (typeof f.attrs.content !== 'string') continue;
        // What GitHub receives: Terraform unescapes `$${{` to `${{` (and inlines shared texts).
        const content = evaluateLiteralTemplate(f.attrs.content, m.json.locals as Record<string, unknown> | undefined);
        if (isScheduledReaper(content)) reapers.push({ repository: f.attrs.repository, content });
      }
      return pools(m)
        .filter((p) => !reapers.some((r) => r.repository === p.poolVariable.attrs.repository && r.content.includes(`vars.${p.prefix}_${SETTING_VARIABLE_SUFFIXES.pool}`)))
        .map((p) => ({ resource: p.poolVariable, message: `runner pool ${JSON.stringify(p.name)} has no scheduled reaper: servers of cancelled or crashed jobs run (and are billed) until deleted by hand` }));
    },
  },
  {
    id: 'HZ-RUN-003',
    level: 'warning',
    title: `Terraform-managed runner servers (role ${Roles.ciRunner}) have an expiry (${LabelKeys.expiresAt} label)`,
    fix: 'prefer the ephemeral runner pool (one server per job, reaped); keep a persistent runner only for trusted jobs and suppress with the reason',
    check(m) {
      return m
        .ofType('hcloud_server')
        .filter((s) => labelsOf(s)[LabelKeys.role] === Roles.ciRunner && !(LabelKeys.expiresAt in labelsOf(s)))
        .map((s) => ({ resource: s, message: `runner server ${JSON.stringify(s.attrs.name ?? s.name)} never expires: jobs share its disk and memory over time` }));
    },
  },
];

/** Every rule of the pack, in ID order. */
export const HETZNER_RULES: readonly PolicyRule[] = [...net, ...lim, ...srv, ...prt, ...sec, ...obj, ...prd, ...run];
