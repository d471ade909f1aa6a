import { Aspects, IAspect, IStackSynthesizer, TerraformElement, TerraformOutput, TerraformStack, Tokenization } from 'cdktf';
// The errors cdktf's deepMerge (cdktf/lib/util.js, what TerraformStack.toTerraform merges with) throws.
import { sourceOrTargetNotAnObject, targetNotResolvableWithOverrides } from 'cdktf/lib/errors';
import { Construct, IConstruct } from 'constructs';
import { ResolveCache, resolveValue as resolveIn } from './resolve';

/** The stack's elements, in cdktf's order (cdktf/lib/terraform-stack.js terraformElements: nested stacks excluded). */
function elementsOf(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) elementsOf(child, into);
  return into;
}

/**
 * cdktf's `deepMerge(target, source)` (cdktf/lib/util.js: objects merged key by key, arrays
 * concatenated onto arrays, otherwise set; `undefined` deletes), for building one document, with one
 * difference: it never writes into a container it did not create. Resolved elements share plain
 * arrays with their own configuration (./resolve.ts), and cdktf's merge sets arrays by reference and
 * later writes into them (an override such as `locals.x.1`, an object merged where an array is), so
 * such a container is copied first.
 */
class DocumentMerge {
  private readonly fresh = new WeakSet<object>();

  public merge(target: any, source: any): any {
    if (Tokenization.isResolvable(target)) throw targetNotResolvableWithOverrides(String(target));
    if (typeof source !== 'object' || typeof target !== 'object') throw sourceOrTargetNotAnObject(JSON.stringify(source), typeof source, JSON.stringify(target), typeof target);
    for (const key of Object.keys(source)) {
      const value = source[key];
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        if (typeof target[key] !== 'object') target[key] = this.made({});
        if (Tokenization.isResolvable(value)) {
          target[key] = value;
          continue;
        }
        this.merge(this.writable(target, key), value);
      } else if (Array.isArray(value)) {
        target[key] = Array.isArray(target[key]) ? this.made([...target[key], ...value]) : value;
      } else if (value === undefined) {
        delete target[key];
      } else {
        target[key] = value;
      }
    }
    return target;
  }

  public made<T extends object>(container: T): T {
    this.fresh.add(container);
    return container;
  }

  /** `target[key]`, replaced by a copy first if it is a container this merge did not create. */
  private writable(target: any, key: string): any {
    const t = target[key];
    if (t === null || typeof t !== 'object' || this.fresh.has(t) || Tokenization.isResolvable(t)) return t;
    const copy = Array.isArray(t) ? t.slice() : Object.assign(Object.create(Object.getPrototypeOf(t)), t);
    target[key] = this.made(copy);
    return copy;
  }
}

/** Aspects that change no element's Terraform (they may add validations or write files). */
const neutralAspects = new WeakSet<IAspect>();
/** Aspects that call `AiaiStack.elementChanged` for every element they change. */
const reportingAspects = new WeakSet<IAspect>();

/**
 * True when some construct of the stack carries an aspect that may change elements without saying
 * so (synth runs aspects after `prepareStack`).
 */
function hasOpaqueAspects(node: IConstruct): boolean {
  if (Aspects.of(node).all.some((a) => !neutralAspects.has(a) && !reportingAspects.has(a))) return true;
  for (const child of node.node.children) if (!TerraformStack.isStack(child) && hasOpaqueAspects(child)) return true;
  return false;
}

/** What one `synthesize` of the stack has computed so far. */
interface Synthesis {
  /** Set once the validations started: aspects have run, and nothing changes the tree any more. */
  validated: boolean;
  json?: Record<string, unknown>;
}

/**
 * A `TerraformStack` that writes the same JSON as cdktf's, resolving each element once per synth
 * instead of up to five times. Use it as the base of your stacks (the reference app's stacks are
 * AiaiStacks); constructs work the same in a plain `TerraformStack`, only synth is slower.
 *
 * cdktf resolves every element of a stack in `prepareStack` (to find cross-stack references) and
 * throws the result away; `toTerraform()` resolves every element again and then the merged
 * document once more; and each validation that reads the stack's JSON (`CostBudget`,
 * `HetznerChecks`) calls `toTerraform()` again. Resolving is most of synth time (every token of
 * every element). Here, within one `app.synth()` of the stack:
 *
 * - the elements resolved by `prepareStack` are kept and reused by `toTerraform()`. Aspects run
 *   between the two and may change elements: the stack reuses them only if each of its aspects is
 *   declared to leave elements alone ({@link AiaiStack.aspectLeavesElements}: the policy checks) or
 *   to report what it changes ({@link AiaiStack.aspectReportsChanges} + {@link AiaiStack.elementChanged}:
 *   the stateful-resource protection), and resolves the reported elements again; with any other aspect, every element
 *   is resolved afresh, once;
 * - from the start of the validations to the write, `toTerraform()` returns one document (cdktf
 *   runs aspects before validations, and neither validations nor custom synthesis change the
 *   tree; validations must treat the document as read-only);
 * - of the merged document, only the top-level blocks that the stack's raw overrides
 *   (`addOverride` on the stack) reach are resolved again: they are the one part that can hold
 *   tokens, as elements are merged already resolved.
 *
 * Outside `app.synth()` (`Testing.synth`, `toTerraform()` called directly) every call resolves
 * afresh, as cdktf does. Elements are resolved by `resolveValue` (./resolve.ts), which copies only
 * what resolution changes: the document may share plain arrays and values with the elements' own
 * configuration, so treat what `toTerraform()` returns as read-only (`structuredClone` it to edit). `__tests__/foundation/aiai-stack.test.ts` proves the JSON equal to cdktf's for
 * every stack of the reference app and for aspects, overrides and cross-stack references.
 */
export class AiaiStack extends TerraformStack {
  /**
   * Declares that `aspect` changes no element's Terraform configuration (it may add validations,
   * annotations or write files): a stack carrying it still reuses what `prepareStack` resolved.
   * Returns the aspect.
   */
  public static aspectLeavesElements<T extends IAspect>(aspect: T): T {
    neutralAspects.add(aspect);
    return aspect;
  }

  /**
   * Declares that `aspect` calls {@link AiaiStack.elementChanged} for every element it changes: a
   * stack carrying it resolves only those again. Returns the aspect.
   */
  public static aspectReportsChanges<T extends IAspect>(aspect: T): T {
    reportingAspects.add(aspect);
    return aspect;
  }

  /** What a reporting aspect calls for each element it changed (after `prepareStack`). */
  public static elementChanged(element: TerraformElement): void {
    const stack = TerraformStack.of(element);
    if (stack instanceof AiaiStack) stack.forgetPrepared(element);
  }

  /** Elements resolved by the last `prepareStack` (valid until that stack's synthesize ends). */
  private prepared?: Map<TerraformElement, unknown>;
  private synthesis?: Synthesis;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const synthesizer: IStackSynthesizer = this.synthesizer;
    const synthesize = synthesizer.synthesize.bind(synthesizer);
    // An own property on this stack's synthesizer: marks the span of one synthesize.
    synthesizer.synthesize = (session) => {
      this.synthesis = { validated: false };
      try {
        synthesize(session);
      } finally {
        this.synthesis = undefined;
        this.prepared = undefined;
      }
    };
  }

  /** As cdktf's (backend, then a preparing resolve of every element), keeping what it resolved. */
  public prepareStack(): void {
    this.ensureBackendExists();
    const prepared = new Map<TerraformElement, unknown>();
    const cache: ResolveCache = new Map();
    for (const e of elementsOf(this)) prepared.set(e, resolveIn(this, e.toTerraform(), true, cache));
    this.prepared = prepared;
  }

  /** Drops what `prepareStack` resolved for `element` (see {@link AiaiStack.elementChanged}). */
  public forgetPrepared(element: TerraformElement): void {
    this.prepared?.delete(element);
  }

  public runAllValidations(): void {
    if (this.synthesis) this.synthesis.validated = true;
    super.runAllValidations();
  }

  public toTerraform(): any {
    const s = this.synthesis;
    if (s?.validated && s.json) return s.json;
    const json = this.build(s !== undefined && this.prepared !== undefined && !hasOpaqueAspects(this) ? this.prepared : undefined);
    if (s?.validated) {
      s.json = json;
      // The document holds (copies of) every resolved element now: the map is no longer read.
      this.prepared = undefined;
    }
    return json;
  }

  /** cdktf's TerraformStack.toTerraform (0.21), with resolved elements reused from `prepared`. */
  private build(prepared: Map<TerraformElement, unknown> | undefined): Record<string, unknown> {
    const internals = this as unknown as { cdktfVersion: string; rawOverrides: Record<string, unknown> };
    const overridden = Object.keys(internals.rawOverrides).length > 0;
    const metadata: Record<string, unknown> = {
      version: internals.cdktfVersion,
      stackName: this.node.id,
      backend: 'local', // overwritten by backend implementations if used
      ...(overridden ? { overrides: { stack: Object.keys(internals.rawOverrides) } } : {}),
    };
    const elements = elementsOf(this);
    const cache: ResolveCache = new Map();
    const doc = new DocumentMerge();
    doc.made(metadata);
    for (const e of elements) doc.merge(metadata, resolveIn(this, e.toMetadata(), false, cache));
    const outputs: Record<string, unknown> = doc.made({});
    for (const item of elements) {
      if (!TerraformOutput.isTerraformOutput(item)) continue;
      doc.merge(
        outputs,
        item.node.path.split('/').reduceRight<Record<string, unknown>>((inner, part) => (Object.keys(inner).length === 0 ? { [part]: item.friendlyUniqueId } : { [part]: inner }), {}),
      );
    }
    const tf: Record<string, unknown> = doc.made({ '//': doc.made({ metadata, outputs }) });
    for (const e of elements) doc.merge(tf, prepared?.get(e) ?? resolveIn(this, e.toTerraform(), false, cache));
    if (!overridden) return tf;
    doc.merge(tf, internals.rawOverrides);
    // cdktf resolves the whole merged document; only the blocks the overrides reach can hold
    // tokens (the rest was merged resolved, and resolving resolved JSON changes nothing).
    for (const key of Object.keys(internals.rawOverrides)) {
      const value = resolveIn(this, tf[key], false, cache);
      if (value === undefined) delete tf[key];
      else tf[key] = value;
    }
    return tf;
  }
}
