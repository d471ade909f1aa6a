/**
 * Terraform reads every string in a `.tf.json` document as a template: `${...}` is an
 * interpolation and `%{...}` a directive. A literal text (a GitHub workflow full of `${{ ... }}`
 * expressions, a step running `curl -w '%{http_code}'`) must have both escaped to `$${` and `%%{`,
 * or `terraform plan` fails or, worse, substitutes something. cdktf's `Fn.rawString` escapes only
 * `${`, so this module does both. Pure; proven by a real `terraform apply` round-trip in the tests.
 */

/** Escapes `${` and `%{` so that Terraform yields exactly `text`. */
export function escapeTerraformTemplate(text: string): string {
  // Replacement functions: in a replacement string, `$$` would mean a single `$`.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** The inverse of {@link escapeTerraformTemplate} (what Terraform does with a string without expressions). */
export function unescapeTerraformTemplate(text: string): string {
  return text.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

/**
 * Escapes `text` for the inside of a quoted string in a Terraform expression (`"..."` within
 * `${...}`): backslash, quote and control characters as HCL escapes, `${` and `%{` doubled.
 */
export function hclQuotedStringContent(text: string): string {
  return escapeTerraformTemplate(
    text.replace(/[\\"\u0000-\u001f]/g, (c) => {
      switch (c) {
        case '\\':
          return '\\\\';
        case '"':
          return '\\"';
        case '\n':
          return '\\n';
        case '\r':
          return '\\r';
        case '\t':
          return '\\t';
        default:
          return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
      }
    }),
  );
}

/** Splits `text` at each placeholder (every one must occur exactly once) into literal text and tokens. */
function splitAtPlaceholders(text: string, substitutions: Readonly<Record<string, string>>): ({ text: string } | { token: string })[] {
  const placeholders = Object.keys(substitutions);
  for (const p of placeholders) {
    const n = text.split(p).length - 1;
    if (p === '' || n !== 1) throw new Error(`placeholder ${JSON.stringify(p)} occurs ${n} times in the text (must be exactly once)`);
  }
  const parts: ({ text: string } | { token: string })[] = [];
  let rest = text;
  for (;;) {
    let at = -1;
    let which = '';
    for (const p of placeholders) {
      const i = rest.indexOf(p);
      if (i >= 0 && (at < 0 || i < at)) [at, which] = [i, p];
    }
    if (at < 0) break;
    parts.push({ text: rest.slice(0, at) }, { token: substitutions[which] });
    rest = rest.slice(at + which.length);
  }
  parts.push({ text: rest });
  return parts;
}

/**
 * `text` with each placeholder replaced by the value of a Terraform expression (a cdktf token, e.g.
 * `Fn.jsonencode(data.publicKey)`), as one Terraform JSON string: literal parts escaped with
 * {@link escapeTerraformTemplate}, tokens interpolated. Terraform yields the text with the values in.
 */
export function terraformTemplate(text: string, substitutions: Readonly<Record<string, string>>): string {
  return splitAtPlaceholders(text, substitutions)
    .map((p) => ('token' in p ? p.token : escapeTerraformTemplate(p.text)))
    .join('');
}

/**
 * Like {@link terraformTemplate}, gzipped and base64-encoded by Terraform (`base64gzip`) at plan:
 * for a value that must be compressed but holds values known only then. The literal text becomes a
 * quoted string inside the expression; cdktf writes a token inside `${...}` as a bare expression,
 * so each is interpolated into that string with its own `${...}`.
 */
export function terraformBase64Gzip(text: string, substitutions: Readonly<Record<string, string>>): string {
  const inner = splitAtPlaceholders(text, substitutions)
    .map((p) => ('token' in p ? '${' + p.token + '}' : hclQuotedStringContent(p.text)))
    .join('');
  return '${base64gzip("' + inner + '")}';
}
