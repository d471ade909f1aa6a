/**
 * Shared texts (lib/core/shared-text.ts): a text carried by several templates of a stack is written
 * once, as a local, and every template still yields exactly its text. Unit tests, the host
 * manifest cut into pieces, then the proof through real terraform: outputs holding the synthesized
 * templates give back the original texts.
 */
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import * as fc from 'fast-check';
import { SHARED_TEXT_CONTEXT, SHARED_TEXT_MIN_CHARS, sharedTemplate } from '../../lib/core/shared-text';
import { evaluateLiteralTemplate, inlineTemplateLocals } from '../../lib/core/terraform-template';
import { manifestJson, manifestJsonParts } from '../../lib/render/host-manifest';
import { describeWithTool, terraformOutputValues } from '../support/tools';
import { deliveredManifest, referenceApp } from '../support/synth';

const LONG = 'x'.repeat(SHARED_TEXT_MIN_CHARS);
/** Long texts full of what Terraform would read as its own syntax. */
const HOSTILE = [
  `${LONG} run: echo \${{ github.sha }} curl -w '%{http_code}'`,
  `%{ if true }yes%{ endif } $\${x} %%{y} ${LONG}`,
  `${LONG}$`,
  `{tail after a dollar} ${LONG}`,
  `${LONG} line\nbreaks\r\n "quotes" \\backslashes\\ ünïcødé`,
];

/** One output per template, in a stack of its own; returns the synthesized outputs and locals. */
function synthTemplates(templates: (stack: TerraformStack) => string[], context: Record<string, unknown> = {}): { values: string[]; locals: Record<string, string> } {
  const app = Testing.app({ context });
  const stack = new TerraformStack(app, 'texts');
  templates(stack).forEach((t, i) => new TerraformOutput(stack, `t${i}`, { value: t }));
  const json = JSON.parse(Testing.synth(stack));
  return { values: Object.keys(json.output ?? {}).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))).map((k) => json.output[k].value), locals: json.locals ?? {} };
}

describe('sharedTemplate', () => {
  test('a text carried twice is one local that both templates reference; each yields its own text', () => {
    const { values, locals } = synthTemplates((s) => [sharedTemplate(s, ['head-a ', LONG, ' tail-a']), sharedTemplate(s, ['head-b ', LONG, ' tail-b'])]);
    expect(Object.values(locals)).toEqual([LONG]);
    const [name] = Object.keys(locals);
    expect(name).toMatch(/^aiai_text_[0-9a-f]{16}$/);
    expect(values).toEqual([`head-a \${local.${name}} tail-a`, `head-b \${local.${name}} tail-b`]);
    expect(values.map((v) => evaluateLiteralTemplate(v, locals))).toEqual([`head-a ${LONG} tail-a`, `head-b ${LONG} tail-b`]);
  });

  test('a text carried once, or shorter than the minimum, stays inline (no local)', () => {
    const short = 'y'.repeat(SHARED_TEXT_MIN_CHARS - 1);
    const { values, locals } = synthTemplates((s) => [sharedTemplate(s, [LONG, short]), sharedTemplate(s, ['other ', short])]);
    expect(locals).toEqual({});
    expect(values).toEqual([LONG + short, `other ${short}`]);
  });

  test.each(HOSTILE.map((t, i) => [i, t]))('hostile text %d: escaped in the local and inline, and yields itself', (_i, text) => {
    const parts = ['$', text, '{after}', text, '%'];
    const { values, locals } = synthTemplates((s) => [sharedTemplate(s, parts), sharedTemplate(s, [text])]);
    expect(values.map((v) => evaluateLiteralTemplate(v, locals))).toEqual([parts.join(''), text]);
  });

  test('a part after inline text ending in $ stays inline (`$${local...}` would be a literal)', () => {
    const { values, locals } = synthTemplates((s) => [sharedTemplate(s, ['cost: $', LONG]), sharedTemplate(s, [LONG])]);
    expect(values[0]).toBe(`cost: $${LONG}`);
    expect(values[1]).toBe(`\${local.${Object.keys(locals)[0]}}`);
  });

  test('parts holding cdktf tokens stay inline and are resolved', () => {
    const { values, locals } = synthTemplates((s) => {
      const part = `${LONG} ${new TerraformVariable(s, 'x', { type: 'string' }).stringValue}`;
      return [sharedTemplate(s, [part]), sharedTemplate(s, [part])];
    });
    expect(locals).toEqual({});
    expect(values).toEqual([`${LONG} \${var.x}`, `${LONG} \${var.x}`]);
  });

  test(`context ${SHARED_TEXT_CONTEXT}=false keeps every text inline`, () => {
    for (const off of [false, 'false']) {
      const { values, locals } = synthTemplates((s) => [sharedTemplate(s, ['a ', LONG]), sharedTemplate(s, ['b ', LONG])], { [SHARED_TEXT_CONTEXT]: off });
      expect(locals).toEqual({});
      expect(values).toEqual([`a ${LONG}`, `b ${LONG}`]);
    }
  });
});

describe('inlineTemplateLocals', () => {
  test('inlines string locals; leaves escaped $${local...}, other references and unknown locals alone', () => {
    const locals = { a: 'A$${x}', n: 1 };
    expect(inlineTemplateLocals('${local.a}|$${local.a}|${local.n}|${local.missing}|${var.v}', locals)).toBe('A$${x}|$${local.a}|${local.n}|${local.missing}|${var.v}');
    expect(evaluateLiteralTemplate('${local.a}|$${local.a}', locals)).toBe('A${x}|${local.a}');
  });
});

describe('manifestJsonParts', () => {
  test('the pieces of every reference host manifest join to exactly its JSON, one piece per file', () => {
    const app = referenceApp();
    let hosts = 0;
    for (const [stackName, json] of Object.entries(app.stacks)) {
      for (const server of Object.keys(json.resource?.hcloud_server ?? {})) {
        const { manifest } = deliveredManifest(json, server);
        const parts = manifestJsonParts(manifest);
        expect({ stackName, server, joined: parts.join('') === manifestJson(manifest) }).toEqual({ stackName, server, joined: true });
        expect(parts).toHaveLength(2 * manifest.files.length + 1);
        manifest.files.forEach((f, i) => expect(JSON.parse(parts[2 * i + 1])).toEqual(f));
        hosts++;
      }
    }
    expect(hosts).toBeGreaterThan(5);
  });

  test('every file entry is its exact JSON, from the memo of long bodies or not, whatever its shape', () => {
    // Long bodies (the memo's case) drawn from a small pool, so that entries repeat them with the
    // same or other members; entries of other shapes (members missing, reordered, of other types,
    // extra) must still be their own JSON.
    const bodies = ['a'.repeat(300), `${'\u00e9"\\\n'.repeat(90)}`, 'x'.repeat(256), 'short'];
    const entry = fc.record({
      path: fc.oneof({ arbitrary: fc.constantFrom('/etc/a', '/etc/b'), weight: 8 }, { arbitrary: fc.integer(), weight: 1 }),
      content: fc.constantFrom(...bodies),
      mode: fc.constantFrom('0644', '0600'),
      owner: fc.constant('root:root'),
      early: fc.oneof({ arbitrary: fc.boolean(), weight: 8 }, { arbitrary: fc.constantFrom(undefined, null), weight: 1 }),
      unit: fc.constant(false),
      exec: fc.boolean(),
      restart: fc.oneof(
        { arbitrary: fc.constantFrom([], ['a.service']), weight: 8 },
        { arbitrary: fc.constantFrom([1], undefined), weight: 1 },
        // JSON that depends on the key it is written under (the review's counterexample), and a hole.
        { arbitrary: fc.constantFrom('a', 'b').map((tag) => Object.assign([], { toJSON: (key: string) => (key === 'restart' ? [tag] : []) })), weight: 2 },
        { arbitrary: fc.constant([, 'a.service']), weight: 1 },
      ),
      reload: fc.constant([]),
    });
    const shaped = fc.tuple(entry, fc.constantFrom('as rendered', 'as rendered', 'as rendered', 'as rendered', 'reordered', 'extra member', 'no reload')).map(([e, shape]) => {
      if (shape === 'reordered') return Object.fromEntries(Object.entries(e).reverse());
      if (shape === 'extra member') return { ...e, note: 'n' };
      if (shape === 'no reload') {
        const { reload: _dropped, ...rest } = e;
        return rest;
      }
      return e;
    });
    fc.assert(
      fc.property(fc.array(shaped, { minLength: 1, maxLength: 8 }), (files) => {
        const m = { version: 1, host: 'h', files } as unknown as Parameters<typeof manifestJson>[0];
        const parts = manifestJsonParts(m);
        expect(parts.join('')).toBe(manifestJson(m));
        files.forEach((f, i) => expect(parts[2 * i + 1]).toBe(JSON.stringify(f)));
      }),
      { seed: 1301, numRuns: 300 },
    );
  });

  test('a manifest without files is one piece', () => {
    const m = { version: 1, host: 'h', files: [] } as unknown as Parameters<typeof manifestJson>[0];
    expect(manifestJsonParts(m)).toEqual([manifestJson(m)]);
  });

  test('the reference production stack writes each shared manifest piece once', () => {
    const json = referenceApp().stacks['aiai-production'];
    const locals = Object.keys(json.locals ?? {});
    expect(locals.length).toBeGreaterThan(0);
    const text = JSON.stringify(json.resource);
    for (const name of locals) expect(text.split(`\${local.${name}}`).length - 1).toBeGreaterThanOrEqual(2);
  });
});

describeWithTool('terraform', 'terraform (HashiCorp apt repository)', 'shared texts through real terraform', () => {
  test('terraform apply of outputs holding the synthesized templates yields exactly the original texts', () => {
    const expected: string[] = [];
    const app = Testing.app();
    const stack = new TerraformStack(app, 'texts');
    HOSTILE.forEach((text, i) => {
      const parts = ['$', text, '{after}', HOSTILE[(i + 1) % HOSTILE.length], '%'];
      expected.push(parts.join(''), text);
      new TerraformOutput(stack, `t${2 * i}`, { value: sharedTemplate(stack, parts) });
      new TerraformOutput(stack, `t${2 * i + 1}`, { value: sharedTemplate(stack, [text]) });
    });
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.locals).length).toBe(HOSTILE.length);
    const values = terraformOutputValues({ locals: json.locals, output: json.output }, 'tf-shared-text-');
    expect(expected.map((_, i) => values[`t${i}`])).toEqual(expected);
  }, 120_000);
});
