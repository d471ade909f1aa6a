/**
 * `npm run diagram`: each stack's architecture from the synthesized graph, as SVG.
 *
 *   npm run diagram                # cdktf.out/stacks/*\/cdk.tf.json -> cdktf.out/diagrams/<stack>.svg (synthesizes first if missing)
 *   npm run diagram -- --docs      # also regenerates docs/diagrams/aiai-production.svg from the documentation config
 *
 * Needs Graphviz `dot` (Debian package `graphviz`). The DOT text comes from lib/diagram (pure); the
 * committed SVG carries the digest of its DOT source, and a test fails when the reference app's
 * DOT no longer matches it (regenerate with `npm run diagram -- --docs`).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { stackToDot } from '../lib/diagram';
import { EXAMPLE_CONFIG } from '../lib/app';
import { buildReferenceApp } from '../main';

const ROOT = join(__dirname, '..');
/** The standard production stack, whose diagram the README shows. */
export const DOCS_DIAGRAM_STACK = 'aiai-production';
export const DOCS_DIAGRAM_FILE = join('docs', 'diagrams', `${DOCS_DIAGRAM_STACK}.svg`);

/** sha256 of a DOT text, as written into the SVG (`aiai-diagram-source sha256:<hex>`). */
export function dotDigest(dot: string): string {
  return `aiai-diagram-source sha256:${createHash('sha256').update(dot).digest('hex')}`;
}

/** Runs `dot -Tsvg` and puts the source digest into the SVG as an XML comment after the prolog. */
export function renderSvg(dot: string): string {
  const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`dot not found (${r.error.message}): install the Debian package graphviz`);
  if (r.status !== 0) throw new Error(`dot -Tsvg failed: ${r.stderr}`);
  return r.stdout.replace(/<svg\b/, `<!-- ${dotDigest(dot)} -->\n<svg`);
}

/** The stacks of a synthesized output folder, by name. */
function readStacks(outDir: string): Map<string, Record<string, unknown>> {
  const dir = join(outDir, 'stacks');
  const out = new Map<string, Record<string, unknown>>();
  if (!existsSync(dir)) return out;
  for (const s of readdirSync(dir).sort()) {
    const f = join(dir, s, 'cdk.tf.json');
    if (existsSync(f)) out.set(s, JSON.parse(readFileSync(f, 'utf8')));
  }
  return out;
}

/** The standard production stack of the reference app with the documentation config, as DOT. */
export function docsDot(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'aiai-diagram-'));
  const app = new App({ outdir });
  buildReferenceApp(app, EXAMPLE_CONFIG);
  app.synth();
  const json = JSON.parse(readFileSync(join(outdir, 'stacks', DOCS_DIAGRAM_STACK, 'cdk.tf.json'), 'utf8'));
  return stackToDot(DOCS_DIAGRAM_STACK, json);
}

function main(argv: readonly string[]): void {
  const outDir = join(ROOT, 'cdktf.out');
  if (readStacks(outDir).size === 0) {
    console.error('diagram: no synthesized stacks, running npm run synth first');
    const r = spawnSync('npm', ['run', '--silent', 'synth'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const target = join(outDir, 'diagrams');
  mkdirSync(target, { recursive: true });
  for (const [stack, json] of readStacks(outDir)) {
    const file = join(target, `${stack}.svg`);
    writeFileSync(file, renderSvg(stackToDot(stack, json)));
    console.error(`diagram: ${file}`);
  }
  if (argv.includes('--docs')) {
    mkdirSync(join(ROOT, 'docs', 'diagrams'), { recursive: true });
    writeFileSync(join(ROOT, DOCS_DIAGRAM_FILE), renderSvg(docsDot()));
    console.error(`diagram: ${DOCS_DIAGRAM_FILE}`);
  }
}

if (require.main === module) main(process.argv.slice(2));
