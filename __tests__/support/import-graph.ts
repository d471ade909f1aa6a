/** The import graph of the sources, read from the text (no compiler): for the architecture tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

const SPEC = /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)/gm;

/** Specifiers a file loads at run time (`import type` lines are left out: they vanish when compiled). */
export function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(SPEC)].filter((m) => !/^\s*import\s+type\s/.test(m[0])).map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Every specifier a file names, type-only imports and `import('...')` types included. */
export function allImportsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...[...src.matchAll(SPEC)].map((m) => m[1] ?? m[2] ?? m[3]), ...[...src.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1])];
}

/** The file a relative specifier resolves to (`x.ts` or `x/index.ts`). */
export function resolveSpec(file: string, spec: string): string {
  const base = resolve(dirname(file), spec);
  const next = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
  if (!next) throw new Error(`${file}: cannot resolve ${spec}`);
  return next;
}

/** The run-time graph from some entry files: every file reached and every package, named with its importer. */
export function graph(entries: string[]): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  /** `package (imported by file)` */
  const external = new Set<string>();
  const todo = [...entries];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        todo.push(resolveSpec(file, spec));
      } else if (!spec.startsWith('node:')) {
        external.add(spec === 'yaml' ? spec : `${spec} (imported by ${file.slice(ROOT.length + 1)})`);
      }
    }
  }
  return { files, external };
}

/** Every .ts file below a folder (repository-relative paths). */
export function sourcesUnder(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, folder));
  return out.sort();
}

/** An import of one repository file by another (repository-relative paths). */
export interface Edge {
  readonly from: string;
  readonly to: string;
}

/** Every import between files of the repository (relative specifiers), type-only ones included. */
export function edgesOf(files: readonly string[]): Edge[] {
  const edges: Edge[] = [];
  for (const from of files) {
    for (const spec of allImportsOf(join(ROOT, from))) {
      if (spec.startsWith('.')) edges.push({ from, to: relative(ROOT, resolveSpec(join(ROOT, from), spec)) });
    }
  }
  return edges;
}
