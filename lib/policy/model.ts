/**
 * The synthesized stack as the rules read it: the resources of the Terraform JSON (final values:
 * aspects applied, overrides merged, tokens resolved to Terraform expressions), each with the
 * construct path it came from, plus small readers for what several rules need (references,
 * labels, label selectors, firewall ports and CIDRs).
 */
import { isPrivate, parseCidr } from '../network/cidr';

/** The Terraform JSON of one stack (what `cdk.tf.json` holds). */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly variable?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** One resource of the stack. */
export interface PolicyResource {
  readonly type: string;
  readonly name: string;
  /** `<type>.<name>`, as Terraform and plans name it. */
  readonly address: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  /** Construct path of the resource (its address when no construct is known). */
  readonly path: string;
}

/** The IPv4 and IPv6 "whole internet" blocks. */
export const WORLD_CIDRS: readonly string[] = ['0.0.0.0/0', '::/0'];

const REF = /^\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_.[\]"*-]+)\}$/;

export class StackModel {
  public readonly resources: readonly PolicyResource[];
  private readonly byAddr = new Map<string, PolicyResource>();

  /**
   * @param stack the stack's name (its construct id)
   * @param json the stack's Terraform JSON
   * @param pathOf construct path of a resource address @default the address
   */
  constructor(
    public readonly stack: string,
    public readonly json: TerraformJson,
    pathOf: (address: string) => string | undefined = () => undefined,
  ) {
    const out: PolicyResource[] = [];
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, attrs] of Object.entries(byName ?? {})) {
        const address = `${type}.${name}`;
        const r: PolicyResource = { type, name, address, attrs: attrs ?? {}, path: pathOf(address) ?? address };
        out.push(r);
        this.byAddr.set(address, r);
      }
    }
    this.resources = out;
  }

  public ofType(...types: string[]): PolicyResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  public byAddress(address: string): PolicyResource | undefined {
    return this.byAddr.get(address);
  }

  /** The resource a `${type.name.attr}` reference points at. */
  public deref(value: unknown): PolicyResource | undefined {
    const a = refAddress(value);
    return a ? this.byAddr.get(a) : undefined;
  }

  /** The stack's variables. */
  public get variables(): Readonly<Record<string, Record<string, unknown>>> {
    return this.json.variable ?? {};
  }
}

/** `hcloud_firewall.X` for `${hcloud_firewall.X.id}`; undefined for anything else. */
export function refAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = REF.exec(value);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** True when the value holds a Terraform expression (`${...}`) anywhere. */
export function hasExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** A block or list attribute as a list (Terraform JSON writes single blocks as objects or lists). */
export function list(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== null && typeof v === 'object') as Record<string, unknown>[];
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function labelsOf(r: PolicyResource): Record<string, string> {
  const l = r.attrs.labels;
  if (!l || typeof l !== 'object' || Array.isArray(l)) return {};
  return Object.fromEntries(Object.entries(l as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

/**
 * Whether a Hetzner label selector matches `labels`: comma-separated terms `k=v`, `k==v`, `k!=v`,
 * `k`, `!k`, `k in (a,b)`, `k notin (a,b)` (Hetzner Cloud API docs, "Label Selector").
 */
export function selectorMatches(selector: string, labels: Readonly<Record<string, string>>): boolean {
  const terms = selector.match(/[^,(]+(?:\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const t = raw.trim();
    if (t === '') return true;
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
    if (m) {
      const values = m[3].split(',').map((s) => s.trim());
      const has = m[1] in labels && values.includes(labels[m[1]]);
      return m[2] === 'in' ? has : !has;
    }
    m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(t);
    if (m) return m[2] === '!=' ? labels[m[1]] !== m[3] : labels[m[1]] === m[3];
    if (t.startsWith('!')) return !(t.slice(1).trim() in labels);
    return t in labels;
  });
}

/** The ports a firewall rule's `port` covers: `22`, `80-85`, `any` (all), unset (all: icmp, gre, esp). */
export interface PortSpan {
  readonly from: number;
  readonly to: number;
}

export function portSpan(port: unknown): PortSpan | undefined {
  if (port === undefined || port === null || port === '' || port === 'any') return { from: 1, to: 65535 };
  const m = /^(\d+)(?:-(\d+))?$/.exec(String(port).trim());
  if (!m) return undefined;
  return { from: Number(m[1]), to: Number(m[2] ?? m[1]) };
}

export function spanCovers(span: PortSpan, port: number): boolean {
  return port >= span.from && port <= span.to;
}

/** The inbound rules of an `hcloud_firewall`. */
export interface InboundRule {
  readonly index: number;
  readonly protocol: string;
  readonly port: unknown;
  readonly span: PortSpan | undefined;
  readonly sourceIps: string[];
}

export function inboundRules(firewall: PolicyResource): InboundRule[] {
  return list(firewall.attrs.rule)
    .map((r, index) => ({ index, direction: r.direction, protocol: String(r.protocol ?? ''), port: r.port, span: portSpan(r.port), sourceIps: strings(r.source_ips) }))
    .filter((r) => r.direction === 'in')
    .map(({ direction: _d, ...r }) => r);
}

/** Whether a CIDR is the whole IPv4 or IPv6 internet. */
export function isWorld(cidr: string): boolean {
  return WORLD_CIDRS.includes(cidr.trim());
}

/**
 * Whether a source CIDR lies in private address space (RFC 1918, IPv6 ULA fc00::/7). Hetzner
 * Cloud firewalls filter only the public interfaces, so such a rule never admits public traffic.
 * Terraform expressions are treated as not private (they may resolve to anything).
 */
export function isPrivateSource(cidr: string): boolean {
  const v4 = parseCidr(cidr.trim());
  if (v4) return isPrivate(v4);
  return /^f[cd][0-9a-f]{0,2}:/i.test(cidr.trim());
}

/** Byte length of a string as UTF-8 (what the API counts). */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
