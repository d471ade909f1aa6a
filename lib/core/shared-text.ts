import { Lazy, TerraformLocal, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { sha256Hex } from './digest';
import { StackMemo } from './memo';
import { escapeTerraformTemplate } from './terraform-template';

/**
 * Text that several resources of a stack carry (the converge script every host uploads, the file
 * bodies repeated in the hosts' manifests) is written once per stack, as a Terraform local, and
 * the resources interpolate it. Terraform yields the same bytes (a local holding a literal template
 * evaluates to that text), so what reaches the hosts is unchanged; only `cdk.tf.json` shrinks: a
 * platform of 1,000 runner hosts writes each runner file once instead of 1,000 times.
 *
 * A text becomes a local only when at least two templates of the stack carry it (decided at
 * synth, when every construct exists); a text used once stays inline, so a one-host stack reads as
 * before. Locals are not in Terraform state, so their names follow their content: `aiai_text_<first
 * 16 hex of the text's SHA-256>`. A changed body is a new local, and no plan shows a difference for
 * it; the resources that carry the text show their own trigger digests, as before.
 *
 * Where it may be used: arguments Terraform evaluates but does not store (provisioner `content`).
 * Readers of the synthesized JSON resolve the references with `inlineTemplateLocals`
 * (./terraform-template.ts).
 */

/** Texts shorter than this stay inline: a reference (`${local.aiai_text_...}`) costs 31 characters. */
export const SHARED_TEXT_MIN_CHARS = 256;

/** Prefix of the locals written here. */
export const SHARED_TEXT_LOCAL_PREFIX = 'aiai_text_';

/**
 * Context key: `false` (or `"false"`) keeps every text inline, as if nothing were shared
 * (`cdktf.json` `context`, or `app.node.setContext`). The plan is the same either way.
 */
export const SHARED_TEXT_CONTEXT = 'aiai-hetzner:sharedText';

interface Entry {
  /** Templates of the stack that carry the text. */
  uses: number;
  /** `${local.<name>}`, once a second template carries the text (and its local exists). */
  reference?: string;
}

/** Per stack: each long text carried by a template, and its uses. */
const textsByStack = new StackMemo<string, Entry>();

/** Counts a use of `text` in `stack`; its second use writes the local. */
function use(stack: TerraformStack, text: string): Entry {
  const e = textsByStack.get(stack, text, () => ({ uses: 0 }));
  if (++e.uses === 2) {
    const name = `${SHARED_TEXT_LOCAL_PREFIX}${sha256Hex(text).slice(0, 16)}`;
    const local = new TerraformLocal(stack, name, escapeTerraformTemplate(text));
    e.reference = `\${local.${local.friendlyUniqueId}}`;
  }
  return e;
}

/**
 * A Terraform template (a cdktf token, resolved at synth) that yields `parts.join('')`. Every part
 * of at least `minChars` characters without cdktf tokens is counted as a use of that text; at synth
 * the parts that some other template of the stack carries too become `${local.aiai_text_...}`,
 * and the rest is escaped inline. Consecutive inline parts are escaped together (a `$` ending one
 * part and a `{` starting the next are still escaped as `$${`), and a part after inline text ending
 * in `$` stays inline (`$` + `${local...}` would read as the escape `$${`).
 */
export function sharedTemplate(scope: IConstruct, parts: readonly string[], minChars: number = SHARED_TEXT_MIN_CHARS): string {
  const setting = scope.node.tryGetContext(SHARED_TEXT_CONTEXT) as unknown;
  if (setting === false || setting === 'false') return escapeTerraformTemplate(parts.join(''));
  // (Token.isUnresolved on a string looks for `${TfToken[`: the includes is the cheap half of it.)
  const stack = TerraformStack.of(scope);
  const pieces = parts.map((text) => ({ text, entry: text.length >= minChars && !(text.includes('${TfToken[') && Token.isUnresolved(text)) ? use(stack, text) : undefined }));
  return Lazy.stringValue({
    produce: () => {
      let out = '';
      let inline = '';
      for (const { text, entry } of pieces) {
        if (entry?.reference !== undefined && !inline.endsWith('$')) {
          out += escapeTerraformTemplate(inline) + entry.reference;
          inline = '';
        } else {
          inline += text;
        }
      }
      return out + escapeTerraformTemplate(inline);
    },
  });
}
