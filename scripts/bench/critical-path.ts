/**
 * The deploy critical path of a synthesized stack: the longest chain of resources Terraform has to
 * create one after another. Terraform starts a resource once everything it references (`${type.name...}`
 * anywhere in its configuration, provisioners and lifecycle included) and everything in its
 * `depends_on` exists; independent resources are created in parallel. So the depth of the
 * dependency graph is the number of create round-trips a first `apply` needs, whatever the
 * parallelism. Data sources are read and locals evaluated, not created: a reference through one counts as a
 * reference to what it references. Pure: stack JSON in, numbers out.
 */

/** The part of cdk.tf.json read here. */
export interface StackJsonLike {
  readonly resource?: Record<string, Record<string, unknown>>;
  readonly data?: Record<string, Record<string, unknown>>;
  readonly locals?: Record<string, unknown>;
}

export interface CriticalPath {
  /** Resources on the longest chain (0 for a stack without resources). */
  readonly depth: number;
  /** The chain, first-created first: `type.name` addresses. */
  readonly chain: readonly string[];
  /** Every resource's depth (1 = depends on no other resource). */
  readonly depthOf: Readonly<Record<string, number>>;
  /** Number of resources. */
  readonly resources: number;
}

const EXPRESSION = /(?<!\$)\$\{([^}]*)\}/g; // `$${` is an escaped literal
const ADDRESS = /(?<![\w.-])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)/g;

/** Every string inside `value` (keys of the `//` comment object excluded: they are metadata). */
function strings(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (k !== '//') strings(v, out);
  }
  return out;
}

/** The addresses (`type.name`, `data.type.name`) that one block depends on, of those that exist. */
export function dependenciesOf(config: Record<string, unknown>, exists: (address: string) => boolean): string[] {
  const deps = new Set<string>();
  const add = (text: string): void => {
    for (const m of text.matchAll(ADDRESS)) {
      const address = `${m[1] ?? ''}${m[2]}.${m[3]}`;
      if (exists(address)) deps.add(address);
    }
  };
  const { depends_on: dependsOn, ...rest } = config;
  // depends_on entries are bare addresses (cdktf writes them without ${}).
  if (Array.isArray(dependsOn)) for (const d of dependsOn) if (typeof d === 'string') add(d.replace(/^\$\{|\}$/g, ''));
  for (const s of strings(rest, [])) for (const e of s.matchAll(EXPRESSION)) add(e[1]);
  return [...deps].sort();
}

/** Resources are created; data sources are read and locals evaluated. */
function isResource(address: string): boolean {
  return !address.startsWith('data.') && !address.startsWith('local.');
}

/** The longest chain of resource creations in `stack`. Throws on a dependency cycle. */
export function criticalPath(stack: StackJsonLike): CriticalPath {
  const blocks = new Map<string, Record<string, unknown>>();
  for (const [type, byName] of Object.entries(stack.resource ?? {})) for (const [name, config] of Object.entries(byName)) blocks.set(`${type}.${name}`, config as Record<string, unknown>);
  for (const [type, byName] of Object.entries(stack.data ?? {})) for (const [name, config] of Object.entries(byName)) blocks.set(`data.${type}.${name}`, config as Record<string, unknown>);
  // A local is evaluated, not created: a reference through one is a reference to what it references.
  for (const [name, value] of Object.entries(stack.locals ?? {})) blocks.set(`local.${name}`, { value });
  const deps = new Map<string, string[]>();
  for (const [address, config] of blocks) deps.set(address, dependenciesOf(config, (a) => a !== address && blocks.has(a)));

  const depth = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  const visiting = new Set<string>();
  const visit = (address: string, path: string[]): number => {
    const known = depth.get(address);
    if (known !== undefined) return known;
    if (visiting.has(address)) throw new Error(`dependency cycle: ${[...path.slice(path.indexOf(address)), address].join(' -> ')}`);
    visiting.add(address);
    let best = 0;
    let bestDep: string | undefined;
    for (const d of deps.get(address)!) {
      const n = visit(d, [...path, address]);
      if (n > best) {
        best = n;
        bestDep = d;
      }
    }
    visiting.delete(address);
    const own = isResource(address) ? 1 : 0;
    depth.set(address, best + own);
    via.set(address, bestDep);
    return best + own;
  };
  const resources = [...blocks.keys()].filter(isResource).sort();
  const depthOf: Record<string, number> = {};
  let top: string | undefined;
  for (const a of resources) {
    depthOf[a] = visit(a, []);
    if (top === undefined || depthOf[a] > depthOf[top]) top = a;
  }
  const chain: string[] = [];
  for (let a = top; a !== undefined; a = via.get(a)) if (isResource(a)) chain.unshift(a);
  return { depth: top === undefined ? 0 : depthOf[top], chain, depthOf, resources: resources.length };
}
