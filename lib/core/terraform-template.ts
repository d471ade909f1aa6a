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
