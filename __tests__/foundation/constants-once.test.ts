/**
 * Every path, location, limit, duration and format is defined once (issue 10, "Every constant
 * once"): this scans the TypeScript of lib/ (comments excluded, through the compiler's parser) for
 * copies of the shared constants and lists each offender as `file:line: what (use X)`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as ts from 'typescript';
import { ENVIRONMENT_PATTERN, RELEASE_VERSION_PATTERN, SHA256_HEX_PATTERN } from '../../lib/core/patterns';
import { DAY_MS } from '../../lib/core/time';
import { HetznerLimits } from '../../lib/hetzner/catalog';

const ROOT = join(__dirname, '..', '..');

interface Rule {
  readonly what: string;
  /** The one file allowed to hold it (plus `alsoIn`). */
  readonly home: string;
  readonly alsoIn?: readonly string[];
  readonly use: string;
  readonly matches: (node: ts.Node) => boolean;
}

const stringText = (n: ts.Node): string | undefined =>
  ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n) ? n.text : undefined;

/** The value of a product of number literals (`24 * 60 * 60 * 1000`, `32 * 1024`), else undefined. */
function constantProduct(n: ts.Node): number | undefined {
  if (ts.isNumericLiteral(n)) return Number(n.text.replace(/_/g, ''));
  if (ts.isParenthesizedExpression(n)) return constantProduct(n.expression);
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const l = constantProduct(n.left);
    const r = constantProduct(n.right);
    return l === undefined || r === undefined ? undefined : l * r;
  }
  return undefined;
}
/** Only the outermost product counts (so `7 * 86_400_000` reports once, as itself). */
const isOutermostProduct = (n: ts.Node): boolean => constantProduct(n) !== undefined && constantProduct(n.parent) === undefined;

const regexLiteral = (re: RegExp) => (n: ts.Node) => n.kind === ts.SyntaxKind.RegularExpressionLiteral && (n as ts.LiteralExpression).text === String(re);

const RULES: readonly Rule[] = [
  {
    what: 'the systemd unit directory',
    home: 'lib/core/paths.ts',
    use: 'SYSTEMD_UNIT_DIR',
    matches: (n) => stringText(n)?.includes('/etc/systemd/system') ?? false,
  },
  {
    what: "the default location 'fsn1'",
    home: 'lib/hetzner/catalog.ts',
    // The reference app's configuration is the deployer's own choice, written out on purpose.
    alsoIn: ['lib/app/reference-config.ts'],
    use: 'DEFAULT_LOCATION (or the catalog LOCATIONS)',
    matches: (n) => stringText(n) === 'fsn1',
  },
  {
    what: "a default project 'aiai'",
    home: 'lib/core/platform.ts',
    use: 'DEFAULT_PROJECT',
    matches: (n) => ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken && stringText(n.right) === 'aiai',
  },
  {
    what: 'a day in milliseconds',
    home: 'lib/core/time.ts',
    use: 'DAY_MS from lib/core/time',
    matches: (n) => isOutermostProduct(n) && constantProduct(n)! % DAY_MS === 0 && constantProduct(n)! > 0,
  },
  {
    what: "Hetzner's user_data limit (32 KiB)",
    home: 'lib/hetzner/catalog.ts',
    use: 'HetznerLimits.userDataBytes',
    matches: (n) => isOutermostProduct(n) && constantProduct(n) === HetznerLimits.userDataBytes,
  },
  { what: 'the environment-name pattern', home: 'lib/core/patterns.ts', use: 'ENVIRONMENT_PATTERN', matches: regexLiteral(ENVIRONMENT_PATTERN) },
  { what: 'the release version pattern', home: 'lib/core/patterns.ts', use: 'RELEASE_VERSION_PATTERN', matches: regexLiteral(RELEASE_VERSION_PATTERN) },
  { what: 'the SHA-256 hex pattern', home: 'lib/core/patterns.ts', use: 'SHA256_HEX_PATTERN', matches: regexLiteral(SHA256_HEX_PATTERN) },
  {
    what: "the run label prefix 'aiai-run-'",
    home: 'lib/runtime/pool-labels.ts',
    use: 'RUN_RUNNER_LABEL_PREFIX / runRunnerLabel',
    matches: (n) => stringText(n)?.startsWith('aiai-run-') ?? false,
  },
  {
    what: 'the package root (__dirname)',
    home: 'lib/core/assets.ts',
    use: 'packageRoot() from lib/core/assets',
    matches: (n) => ts.isIdentifier(n) && n.text === '__dirname',
  },
  {
    what: 'a list of the Object Storage locations',
    home: 'lib/hetzner/catalog.ts',
    use: "OBJECT_STORAGE_LOCATIONS (derived from the catalog's objectStorage flags)",
    matches: (n) => ts.isArrayLiteralExpression(n) && ['nbg1', 'hel1'].every((l) => n.elements.some((e) => stringText(e) === l)) && n.elements.some((e) => stringText(e) === 'fsn1'),
  },
];

/** Offenders in one source text, as `file:line: what (use X)`. */
function offenders(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    for (const r of RULES) {
      if (file === r.home || r.alsoIn?.includes(file) || !r.matches(n)) continue;
      const line = source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1;
      found.push(`${file}:${line}: ${r.what} (use ${r.use})`);
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return found;
}

function libFiles(dir = join(ROOT, 'lib')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return libFiles(path);
    return e.name.endsWith('.ts') ? [relative(ROOT, path).split(sep).join('/')] : [];
  });
}

describe('every constant once', () => {
  test('lib/ holds no second copy of a shared constant', () => {
    const files = libFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => offenders(f, readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });

  test('each rule finds a planted copy, in code but not in comments, and not in its home', () => {
    const planted = [
      "const a = '/etc/systemd/system';",
      'const b = `/etc/systemd/system/${unit}`;',
      "const c = props.location ?? 'fsn1';",
      "const d = props.project ?? 'aiai';",
      'const e = 86_400_000;',
      'const f = 24 * 60 * 60 * 1000;',
      'const g = 7 * (24 * 3_600_000);',
      'const h = 32 * 1024;',
      'const i = /^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/;',
      'const j = /^\\d+\\.\\d+\\.\\d+$/;',
      'const k = /^[0-9a-f]{64}$/;',
      'const l = `aiai-run-${pool}`;',
      'const m = join(__dirname, "..");',
      "const n = ['fsn1', 'nbg1', 'hel1'];",
    ].join('\n');
    const found = offenders('lib/x/planted.ts', planted).map((o) => o.replace(/ \(use .*\)$/, ''));
    expect(found).toEqual([
      'lib/x/planted.ts:1: the systemd unit directory',
      'lib/x/planted.ts:2: the systemd unit directory',
      "lib/x/planted.ts:3: the default location 'fsn1'",
      "lib/x/planted.ts:4: a default project 'aiai'",
      'lib/x/planted.ts:5: a day in milliseconds',
      'lib/x/planted.ts:6: a day in milliseconds',
      'lib/x/planted.ts:7: a day in milliseconds',
      "lib/x/planted.ts:8: Hetzner's user_data limit (32 KiB)",
      'lib/x/planted.ts:9: the environment-name pattern',
      'lib/x/planted.ts:10: the release version pattern',
      'lib/x/planted.ts:11: the SHA-256 hex pattern',
      "lib/x/planted.ts:12: the run label prefix 'aiai-run-'",
      'lib/x/planted.ts:13: the package root (__dirname)',
      'lib/x/planted.ts:14: a list of the Object Storage locations',
      "lib/x/planted.ts:14: the default location 'fsn1'",
    ]);
    // Comments, other values and the constant's own module are not copies.
    const comments = "/** Units land in /etc/systemd/system (`/etc/systemd/system/<name>`), 'fsn1' by default, 86_400_000 ms. */\n// 32 * 1024\nconst ok = 60 * 60 * 1000 + 1024 * 1024;";
    expect(offenders('lib/x/comments.ts', comments)).toEqual([]);
    expect(offenders('lib/core/paths.ts', "export const SYSTEMD_UNIT_DIR = '/etc/systemd/system';")).toEqual([]);
  });
});
