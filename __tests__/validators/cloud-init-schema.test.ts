/**
 * `cloud-init schema` on every server's user_data as the reference app synthesizes it, plus a check
 * that cloud-init's own YAML parser (PyYAML, YAML 1.1) reads the documents exactly as we meant them.
 * The tools run in parallel in beforeAll; the tests assert on their results.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { HetznerLimits } from '../../lib/hetzner/catalog';
import { encodeUserData } from '../../lib/render/cloud-config';
import { referenceServers } from '../support/synth';
import { tempDir } from '../support/tmp';
import { describeWithTool, run, RunResult } from '../support/tools';
import { runAll } from './parallel';

/** cloud-init 22.4: `cloud-init schema --config-file FILE`. */
const schemaJob = (file: string) => ({ cmd: 'cloud-init', args: ['schema', '--config-file', file] });

/**
 * `cloud-init schema --config-file FILE` for many files in one Python process (each start of
 * cloud-init costs about 0.5 s of CPU): cloud-init's own entry point (cloudinit.cmd.main.main, what
 * /usr/bin/cloud-init runs, with its TZ default) once per file, its stdout, stderr and exit status
 * captured per file. One file also goes through the real command, and the test compares the two.
 */
const SCHEMA_BATCH = [
  'import contextlib, io, json, os, sys',
  'if "TZ" not in os.environ:',
  '    os.environ["TZ"] = ":/etc/localtime"',
  'from cloudinit.cmd import main as ci_main',
  'out = []',
  'for f in sys.argv[1:]:',
  '    o, e = io.StringIO(), io.StringIO()',
  '    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):',
  '        try:',
  '            status = ci_main.main(["cloud-init", "schema", "--config-file", f]) or 0',
  '        except SystemExit as x:',
  '            status = x.code if isinstance(x.code, int) else (0 if x.code is None else 1)',
  '    out.append({"status": status, "stdout": o.getvalue(), "stderr": e.getvalue()})',
  'print(json.dumps(out))',
].join('\n');

/** Clean = exit 0 and nothing but the `Valid cloud-config` line (deprecations are printed with exit 0). */
function expectClean(file: string, r: RunResult): void {
  const output = r.stdout + r.stderr;
  expect({ status: r.status, output }).toEqual({ status: 0, output: `Valid cloud-config: ${file}\n` });
  expect(output).not.toMatch(/Invalid|errors|DEPRECATED/);
}

const PYYAML = 'import json, sys, yaml\nprint(json.dumps([yaml.safe_load(open(f)) for f in sys.argv[1:]], default=str))';

/** Hetzner's datasource base64-decodes user_data (maybe), then cloud-init gunzips it (maybe): run that very code. */
const CLOUD_INIT_DECODE = [
  'import json, sys',
  'from cloudinit import util',
  'from cloudinit.sources.helpers import hetzner',
  'out = []',
  'for f in sys.argv[1:]:',
  '    raw = hetzner.maybe_b64decode(open(f, "rb").read())',
  '    out.append(util.decode_binary(util.decomp_gzip(raw, quiet=True, decode=False)))',
  'print(json.dumps(out))',
].join('\n');

/** The Python that runs cloud-init (its shebang), so PyYAML and cloudinit are the ones cloud-init uses. */
function cloudInitPython(): string {
  const bin = run('sh', ['-c', 'command -v cloud-init']).stdout.trim();
  const shebang = /^#!\s*(\S+)/.exec(readFileSync(bin, 'utf8').split('\n')[0]);
  return shebang ? shebang[1] : 'python3';
}

describeWithTool('cloud-init', 'cloud-init', 'cloud-init schema on the reference app user_data', () => {
  const servers = referenceServers();
  const dir = tempDir('cloud-init-');
  const write = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const broken = write('bad.yaml', '#cloud-config\nwrite_files:\n  - content: x\nruncmd: 5\n');
  const noHeader = write('noheader.yaml', 'hostname: x\n');
  const deprecated = write('deprecated.yaml', '#cloud-config\nusers:\n  - name: x\n    sudo: false\n');

  const rawDir = tempDir('raw-user-data-');
  const rawFiles = servers.map((s, i) => {
    const f = join(rawDir, `${i}.raw`);
    writeFileSync(f, s.rawUserData);
    return f;
  });
  // Both encodings go through cloud-init's decoding whatever the app's servers use today: one
  // document is also sent plain and as base64 of gzip.
  const sample = servers[0].userData;
  rawFiles.push(write('sample-plain.raw', encodeUserData(sample, 'plain')), write('sample-gzip.raw', encodeUserData(sample, 'base64-gzip')));

  let results: RunResult[] = [];
  let pyyaml: RunResult;
  let decoded: RunResult;
  let batch: RunResult;
  let deprecatedByCommand: RunResult;
  beforeAll(async () => {
    const python = cloudInitPython();
    const files = [...servers.map((s) => s.userDataPath), broken, noHeader, deprecated];
    [pyyaml, decoded, batch, deprecatedByCommand] = await runAll([
      { cmd: python, args: ['-c', PYYAML, ...servers.map((s) => s.userDataPath)] },
      { cmd: python, args: ['-c', CLOUD_INIT_DECODE, ...rawFiles] },
      { cmd: python, args: ['-c', SCHEMA_BATCH, ...files] },
      schemaJob(deprecated),
    ]);
    if (batch.status !== 0) throw new Error(`cloud-init schema batch failed: ${batch.stderr}`);
    results = JSON.parse(batch.stdout) as RunResult[];
  }, 120_000);
  const resultFor = (file: string) => results[[...servers.map((s) => s.userDataPath), broken, noHeader, deprecated].indexOf(file)];

  test('the app has servers to check', () => {
    expect(servers.length).toBeGreaterThanOrEqual(2);
  });

  test('the batch answers as the cloud-init command does (same status, stdout and stderr)', () => {
    expect(batch.stderr).toBe('');
    expect(results).toHaveLength(servers.length + 3);
    expect(resultFor(deprecated)).toEqual({ status: deprecatedByCommand.status, stdout: deprecatedByCommand.stdout, stderr: deprecatedByCommand.stderr });
    expect(deprecatedByCommand.stdout + deprecatedByCommand.stderr).toMatch(/DEPRECATED/);
  });

  test.each(servers.map((s) => [s.constructPath, s]))('%s: valid cloud-config under the 32 KiB limit', (_path, s) => {
    expectClean(s.userDataPath, resultFor(s.userDataPath));
    expect(Buffer.byteLength(s.rawUserData)).toBeLessThanOrEqual(HetznerLimits.userDataBytes);
  });

  test('PyYAML (cloud-init\'s parser) reads every document exactly as we meant it', () => {
    expect(pyyaml.stderr).toBe('');
    const docs = JSON.parse(pyyaml.stdout) as unknown[];
    servers.forEach((s, i) => {
      expect(docs[i]).toEqual(parse(s.userData, { version: '1.1' }));
      expect(docs[i]).toEqual(s.cloudConfig);
    });
  });

  test('cloud-init\'s own decoding (Hetzner datasource base64, then gzip) yields the documents we validated', () => {
    expect(decoded.stderr).toBe('');
    expect(JSON.parse(decoded.stdout)).toEqual([...servers.map((s) => s.userData), sample, sample]);
  });

  describe('the harness catches bad documents', () => {
    test('a schema error exits non-zero and names the key', () => {
      const r = resultFor(broken);
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/write_files\.0: 'path' is a required property/);
      expect(r.stdout + r.stderr).toMatch(/runcmd: 5 is not of type 'array'/);
    });

    test('a missing #cloud-config header is rejected', () => {
      const r = resultFor(noHeader);
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/needs to begin with "#cloud-config"/);
    });

    test('a deprecated value passes with exit 0 but is not clean for us', () => {
      const r = resultFor(deprecated);
      expect(r.status).toBe(0);
      expect(() => expectClean(deprecated, r)).toThrow();
    });
  });
});
