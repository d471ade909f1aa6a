/**
 * Terraform reads every string in a `.tf.json` document as a template: `${...}` is an
 * interpolation and `%{...}` a directive. A literal text (a GitHub workflow full of `${{ ... }}`
 * expressions, a step running `curl -w '%{http_code}'`) must have both escaped to `$${` and `%%{`,
 * or `terraform plan` fails or, worse, substitutes something. cdktf's `Fn.rawString` escapes only
 * `${`, so this module does both. Pure; proven by a real `terraform apply` round-trip in the tests.
 */

/**
 * Escapes `${` and `%{` so that Terraform yields exactly `text`. cdktf token markers
 * (`${TfToken[...]}`) are left alone: cdktf resolves them to Terraform references at synth.
 */
export function escapeTerraformTemplate(text: string): string {
  // Replacement functions: in a replacement string, `$$` would mean a single `$`.
  return text.replace(/\$\{(?!TfToken\[)/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** The inverse of {@link escapeTerraformTemplate} (what Terraform does with a string without expressions). */
export function unescapeTerraformTemplate(text: string): string {
  return text.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

/** A `${local.NAME}` interpolation (a `$` before it would make it the escaped literal `$${`). */
const LOCAL_INTERPOLATION = /(?<!\$)\$\{local\.([A-Za-z_][A-Za-z0-9_-]*)\}/g;

/**
 * `template` with every `${local.NAME}` whose local is a string replaced by that local's own
 * template text (the locals of lib/core/shared-text.ts hold literal, escaped text), so that
 * {@link unescapeTerraformTemplate} of the result is what Terraform yields. Other interpolations,
 * and references to locals that are missing or not strings, are left as they are. For readers of
 * synthesized JSON (tests, the policy rules): `locals` is the stack's `locals` block.
 */
export function inlineTemplateLocals(template: string, locals: Readonly<Record<string, unknown>> | undefined): string {
  if (locals === undefined) return template;
  return template.replace(LOCAL_INTERPOLATION, (whole, name: string) => {
    const value = locals[name];
    return typeof value === 'string' ? value : whole;
  });
}

/**
 * What Terraform yields for `template`, a literal text that may interpolate the stack's shared
 * text locals (lib/core/shared-text.ts): those inlined, then unescaped. For readers of the
 * synthesized JSON; other interpolations are left as they are.
 */
export function evaluateLiteralTemplate(template: string, locals: Readonly<Record<string, unknown>> | undefined): string {
  return unescapeTerraformTemplate(inlineTemplateLocals(template, locals));
}
