/**
 * AiaiStack (lib/core/aiai-stack.ts) writes exactly what cdktf's TerraformStack writes, while
 * resolving each element once per synth. Proven against cdktf's own `toTerraform` on the same
 * construct tree: every stack of the reference app, and stacks with the cases that could make a
 * reused resolution stale (aspects that change elements, stack overrides with tokens, cross-stack
 * references, a tree changed after a manual prepareStack).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, IAspect, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { IConstruct } from 'constructs';
import { buildReferenceApp } from '../../main';
import { AiaiStack } from '../../lib/core/aiai-stack';
import { TerraformData } from '../../lib/core/terraform-data';
import { referenceConfig } from '../../lib/app';
import { tempDir } from '../support/tmp';

/** cdktf's own result for the stack, from its current tree (TerraformStack.prototype.toTerraform). */
function cdktfJson(stack: TerraformStack): unknown {
  return JSON.parse(JSON.stringify(TerraformStack.prototype.toTerraform.call(stack)));
}

/** What `app.synth()` wrote for the stack. */
function written(app: App, stack: TerraformStack): unknown {
  return JSON.parse(readFileSync(join(app.outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));
}

/** Counts calls of `toTerraform()` of the stack's elements during `fn`. */
function countElementResolutions(stack: TerraformStack, fn: () => void): number {
  let n = 0;
  const visit = (c: IConstruct): void => {
    const e = c as unknown as { toTerraform?: () => unknown };
    if (c !== stack && typeof e.toTerraform === 'function') {
      const own = e.toTerraform.bind(e);
      e.toTerraform = () => {
        n++;
        return own();
      };
    }
    c.node.children.forEach(visit);
  };
  visit(stack);
  fn();
  return n;
}

/** An aspect that changes every terraform_data after prepareStack ran. */
class TagEveryData implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof TerraformData) node.addOverride('input', { tagged: 'by-aspect' });
  }
}

describe('AiaiStack', () => {
  test('every stack of the reference app is written exactly as cdktf writes it', () => {
    const app = new App({ outdir: tempDir('aiai-stack-ref-'), skipValidation: false });
    const ref = buildReferenceApp(app, referenceConfig());
    app.synth();
    const stacks = [ref.state, ref.bootstrap, ref.minimal, ref.production, ref.productionHa];
    for (const stack of stacks) {
      expect(stack).toBeInstanceOf(AiaiStack);
      expect({ stack: stack.node.id, json: written(app, stack) }).toEqual({ stack: stack.node.id, json: cdktfJson(stack) });
    }
  });

  test('resolves each element once per synth of a stack without aspects (cdktf: twice)', () => {
    const build = (Stack: typeof TerraformStack) => {
      const app = new App({ outdir: tempDir('aiai-stack-count-') });
      const stack = new Stack(app, 's');
      new TerraformData(stack, 'A', { triggersReplace: { a: 'x' } });
      new TerraformData(stack, 'B', { triggersReplace: { b: 'y' } });
      return { app, stack };
    };
    const plain = build(TerraformStack);
    const ours = build(AiaiStack);
    // Two resources (the backend, added by prepareStack, is not counted). cdktf: prepare + write.
    expect(countElementResolutions(plain.stack, () => plain.app.synth())).toBe(4);
    expect(countElementResolutions(ours.stack, () => ours.app.synth())).toBe(2);
    expect(written(ours.app, ours.stack)).toEqual(written(plain.app, plain.stack));
  });

  test('an aspect that changes elements after prepareStack: the change is written (as cdktf writes it)', () => {
    for (const Stack of [TerraformStack, AiaiStack]) {
      const app = new App({ outdir: tempDir('aiai-stack-aspect-') });
      const stack = new Stack(app, 's');
      new TerraformData(stack, 'A', { triggersReplace: { a: 'x' } });
      Aspects.of(stack).add(new TagEveryData());
      app.synth();
      const json = written(app, stack) as { resource: { terraform_data: Record<string, { input?: unknown }> } };
      expect(Object.values(json.resource.terraform_data).map((r) => r.input)).toEqual([{ tagged: 'by-aspect' }]);
      expect(json).toEqual(cdktfJson(stack));
    }
  });

  test('declared aspects: one that leaves elements keeps the reuse; one that reports its changes gets exactly those re-resolved', () => {
    const build = (Stack: typeof TerraformStack, declare: boolean) => {
      const app = new App({ outdir: tempDir('aiai-stack-declared-') });
      const stack = new Stack(app, 's');
      const a = new TerraformData(stack, 'A', { triggersReplace: { a: 'x' } });
      new TerraformData(stack, 'B', { triggersReplace: { b: 'y' } });
      const neutral: IAspect = { visit: () => undefined };
      const tagA: IAspect = {
        visit(node: IConstruct): void {
          if (node !== a) return;
          a.addOverride('input', { tagged: true });
          if (declare) AiaiStack.elementChanged(a);
        },
      };
      Aspects.of(stack).add(declare ? AiaiStack.aspectLeavesElements(neutral) : neutral);
      Aspects.of(stack).add(declare ? AiaiStack.aspectReportsChanges(tagA) : tagA);
      return { app, stack };
    };
    const plain = build(TerraformStack, false);
    const opaque = build(AiaiStack, false);
    const declared = build(AiaiStack, true);
    expect(countElementResolutions(plain.stack, () => plain.app.synth())).toBe(4);
    // Undeclared aspects: prepare + one fresh resolution of each element.
    expect(countElementResolutions(opaque.stack, () => opaque.app.synth())).toBe(4);
    // Declared: prepare + only the reported element again.
    expect(countElementResolutions(declared.stack, () => declared.app.synth())).toBe(3);
    for (const r of [opaque, declared]) expect(written(r.app, r.stack)).toEqual(written(plain.app, plain.stack));
    expect(Object.values((written(declared.app, declared.stack) as any).resource.terraform_data).map((r: any) => r.input)).toEqual([{ tagged: true }, undefined]);
  });

  test('stack overrides holding tokens are resolved; an override to undefined removes the key', () => {
    const outputs = [TerraformStack, AiaiStack].map((Stack) => {
      const app = new App({ outdir: tempDir('aiai-stack-override-') });
      const stack = new Stack(app, 's');
      const v = new TerraformVariable(stack, 'v', { type: 'string' });
      new TerraformData(stack, 'A', { triggersReplace: { a: v.stringValue } });
      stack.addOverride('terraform.required_version', '>= 1.6');
      stack.addOverride('output.echo', { value: v.stringValue });
      stack.addOverride('variable.v.description', undefined);
      app.synth();
      return written(app, stack) as Record<string, any>;
    });
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[1].output.echo.value).toBe('${var.v}');
    expect(outputs[1].terraform.required_version).toBe('>= 1.6');
  });

  test('an override into an array shared with the configuration changes only that stack, once, and never the configuration', () => {
    const results = [TerraformStack, AiaiStack].map((Stack) => {
      const app = new App({ outdir: tempDir('aiai-stack-shared-') });
      const shared = ['a', 'b'];
      const nested: unknown[] = [['a'], 'b'];
      const a = new Stack(app, 'a');
      const b = new Stack(app, 'b');
      for (const st of [a, b]) {
        new TerraformLocal(st, 'x', shared);
        new TerraformLocal(st, 'y', nested);
      }
      a.addOverride('locals.x.1', 'patched');
      a.addOverride('locals.y.0', ['c']);
      // Twice, as validations read the document before the write.
      const first = JSON.parse(JSON.stringify(a.toTerraform()));
      const second = JSON.parse(JSON.stringify(a.toTerraform()));
      app.synth();
      return { first, second, a: written(app, a) as any, b: written(app, b) as any, shared, nested };
    });
    expect(results[1]).toEqual(results[0]);
    const ours = results[1];
    expect(ours.second).toEqual(ours.first);
    expect(ours.a.locals).toEqual({ x: ['a', 'patched'], y: [['a', 'c'], 'b'] });
    expect(ours.b.locals).toEqual({ x: ['a', 'b'], y: [['a'], 'b'] });
    expect(ours.shared).toEqual(['a', 'b']);
    expect(ours.nested).toEqual([['a'], 'b']);
  });

  test('a cross-stack reference creates the output and the remote state, as with cdktf', () => {
    const results = [TerraformStack, AiaiStack].map((Stack) => {
      const app = new App({ outdir: tempDir('aiai-stack-cross-') });
      const origin = new Stack(app, 'origin');
      const consumer = new Stack(app, 'consumer');
      const source = new TerraformData(origin, 'Source', { input: { v: 'x' } });
      new TerraformData(consumer, 'Sink', { triggersReplace: { from: source.getStringAttribute('id') } });
      app.synth();
      return [written(app, origin), written(app, consumer)] as Record<string, any>[];
    });
    expect(results[1]).toEqual(results[0]);
    expect(Object.keys(results[1][0].output)).toHaveLength(1);
    expect(Object.keys(results[1][1].data.terraform_remote_state)).toHaveLength(1);
  });

  test('outside app.synth every toTerraform resolves afresh: a change after a manual prepareStack shows', () => {
    const stack = new AiaiStack(Testing.app(), 's');
    const a = new TerraformData(stack, 'A', { triggersReplace: { a: 'before' } });
    stack.prepareStack();
    a.addOverride('triggers_replace.a', 'after');
    const json = JSON.parse(Testing.synth(stack)) as { resource: { terraform_data: Record<string, { triggers_replace: { a: string } }> } };
    expect(Object.values(json.resource.terraform_data)[0].triggers_replace.a).toBe('after');
    const out = new TerraformOutput(stack, 'o', { value: 'late' });
    expect((stack.toTerraform() as { output: Record<string, unknown> }).output[out.friendlyUniqueId]).toEqual({ value: 'late' });
  });
});
