/**
 * No secret in the synthesized output. The reference app is synthesized with distinctive secret
 * values in the environment (as TF_VAR_* and as the tokens' usual variable names) and every file
 * under the outdir, plus every decoded write_files body, is searched for those values and for
 * anything shaped like a credential.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StackNames } from '../../main';
import { allStrings, extractServers, referenceApp, synthReferenceApp } from '../support/synth';

const LEAKS: Record<string, string> = {
  TF_VAR_openrouter_api_key: 'sk-or-LEAK-TEST-123',
  TF_VAR_agent_github_token: 'ghp_LEAKTESTLEAKTESTLEAKTESTLEAKTEST0123',
  TF_VAR_hcloud_token: 'LeakTestHcloudToken0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHI',
  HCLOUD_TOKEN: 'LeakTestEnvHcloudToken0123456789abcdefghijklmnopqrstuvwxyzABCDE',
  GITHUB_TOKEN: 'github_pat_LEAKTEST_0123456789abcdefghijklmnopqrstuvwxyz',
  OPENROUTER_API_KEY: 'sk-or-v1-LEAKTESTFROMENV',
  AWS_ACCESS_KEY_ID: 'AKIALEAKTEST01234567',
  AWS_SECRET_ACCESS_KEY: 'LeakTestAwsSecretAccessKey/0123456789+abcd',
};

/** Shapes of real credentials. */
const CREDENTIAL_PATTERNS: Record<string, RegExp> = {
  'OpenAI/OpenRouter style key': /\bsk-[A-Za-z0-9_-]{10,}/,
  'GitHub token': /\bgh[pousr]_[A-Za-z0-9]{20,}/,
  'GitHub fine-grained token': /\bgithub_pat_[A-Za-z0-9_]{20,}/,
  // 64 alphanumerics, except a lower-case hex SHA-256 (the pinned runner tarball checksums).
  'Hetzner Cloud token (64 alphanumerics)': /(?<![A-Za-z0-9])(?![0-9a-f]{64}(?![A-Za-z0-9]))[A-Za-z0-9]{64}(?![A-Za-z0-9])/,
  'AWS access key id': /\b(AKIA|ASIA)[0-9A-Z]{16}\b/,
  'AWS secret key assignment': /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+]{40}/i,
  'private key block': /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  'Slack token': /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
  'GitLab token': /\bglpat-[A-Za-z0-9_-]{20}/,
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** A distinctive value for every variable the app declares (found by a first synth), set as TF_VAR_<name>. */
function everyVariable(): Record<string, string> {
  const names = new Set(Object.values(referenceApp().stacks).flatMap((j) => Object.keys(j.variable ?? {})));
  return Object.fromEntries([...names].map((n) => [`TF_VAR_${n}`, `LEAKTEST-${n}-Zq7Xw3`]));
}

describe('secret scan of the synthesized reference app', () => {
  Object.assign(LEAKS, everyVariable());
  const synth = synthReferenceApp(undefined, { env: LEAKS });
  const files = walk(synth.outdir).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  const servers = extractServers(synth);
  /** Everything a reader of the output could see: raw files, user_data, decoded write_files. */
  const corpus: { where: string; text: string }[] = [
    ...files.map((f) => ({ where: f.path, text: f.text })),
    ...servers.map((s) => ({ where: `${s.constructPath} user_data`, text: s.userData })),
    ...servers.map((s) => ({ where: `${s.constructPath} raw user_data`, text: s.rawUserData })),
    ...servers.flatMap((s) => s.files.map((f) => ({ where: `${s.constructPath} ${f.path}`, text: f.content }))),
  ];

  test('the output was synthesized and has servers', () => {
    expect(files.some((f) => f.path.endsWith('cdk.tf.json'))).toBe(true);
    expect(servers.length).toBeGreaterThanOrEqual(2);
  });

  test('the scan covers every stack of the reference app, and the servers of every scenario stack', () => {
    const all = [...new Set(Object.values(StackNames))].sort();
    expect(Object.keys(synth.stacks).sort()).toEqual(all);
    expect(files.filter((f) => f.path.endsWith('cdk.tf.json')).length).toBe(all.length);
    expect([...new Set(servers.map((s) => s.stack))].sort()).toEqual(all.filter((n) => n !== StackNames.state));
  });

  test('every declared variable got a leak value', () => {
    const declared = Object.values(synth.stacks).flatMap((j) => Object.keys(j.variable ?? {}));
    expect(declared.length).toBeGreaterThanOrEqual(3);
    for (const n of declared) expect(LEAKS[`TF_VAR_${n}`]).toBeDefined();
  });

  test('the environment was restored after synth', () => {
    for (const k of Object.keys(LEAKS)) expect(process.env[k]).not.toBe(LEAKS[k]);
  });

  test.each(Object.entries(LEAKS))('the value of %s appears nowhere', (_name, value) => {
    for (const c of corpus) expect({ where: c.where, leaked: c.text.includes(value) }).toEqual({ where: c.where, leaked: false });
  });

  test.each(Object.entries(CREDENTIAL_PATTERNS))('nothing looks like a %s', (_what, pattern) => {
    // Scan string values (JSON-decoded), so escapes cannot hide a match; gz+b64 bodies are scanned decoded.
    const texts = [
      ...files.flatMap((f) => (f.path.endsWith('.json') ? allStrings(withoutUserData(JSON.parse(f.text))) : [f.text])),
      ...servers.map((s) => stripEncoded(s.userData, s.cloudConfig)),
      ...servers.flatMap((s) => s.files.map((f) => f.content)),
    ];
    const hits = texts.flatMap((t) => t.match(new RegExp(pattern, 'g')) ?? []);
    expect(hits).toEqual([]);
  });

  test('every variable named like a secret is sensitive', () => {
    let count = 0;
    for (const [stack, json] of Object.entries(synth.stacks)) {
      for (const [name, v] of Object.entries(json.variable ?? {})) {
        if (!/token|key|secret|password|passwd|credential/i.test(name)) continue;
        count++;
        expect({ stack, name, sensitive: v.sensitive }).toEqual({ stack, name, sensitive: true });
      }
    }
    expect(count).toBeGreaterThanOrEqual(3);
  });

  test('no variable has a default (secrets come from TF_VAR_* at deploy time)', () => {
    for (const json of Object.values(synth.stacks)) {
      for (const [name, v] of Object.entries(json.variable ?? {})) {
        if (v.sensitive) expect({ name, default: v.default }).toEqual({ name, default: undefined });
      }
    }
  });

  test('no output exposes a sensitive variable', () => {
    const sensitive = Object.values(synth.stacks).flatMap((j) => Object.entries(j.variable ?? {}).filter(([, v]) => v.sensitive).map(([n]) => n));
    for (const json of Object.values(synth.stacks)) {
      for (const o of Object.values(json.output ?? {})) {
        const text = JSON.stringify(o.value);
        for (const n of sensitive) expect(text).not.toContain(`var.${n}`);
      }
    }
  });

  test('the scanners catch what they look for', () => {
    const samples: Record<string, string> = {
      'OpenAI/OpenRouter style key': 'OPENROUTER_API_KEY=sk-or-v1-abcdef0123456789',
      'GitHub token': 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'GitHub fine-grained token': 'github_pat_11ABCDEFG0123456789_abcdefghij',
      'Hetzner Cloud token (64 alphanumerics)': 'token: ' + 'aB3'.repeat(21) + 'x',
      'AWS access key id': 'AKIAIOSFODNN7EXAMPLE',
      'AWS secret key assignment': 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'private key block': '-----BEGIN OPENSSH PRIVATE KEY-----',
      'Slack token': 'xoxb-1234567890-abcdefghij',
      'GitLab token': 'glpat-abcdefghij0123456789',
    };
    for (const [what, pattern] of Object.entries(CREDENTIAL_PATTERNS)) expect({ what, hit: pattern.test(samples[what]) }).toEqual({ what, hit: true });
  });
});

/** A stack document without the servers' user_data (scanned decoded instead: base64 is full of 64-char runs). */
function withoutUserData(json: Record<string, any>): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(json));
  for (const server of Object.values<Record<string, any>>(copy.resource?.hcloud_server ?? {})) delete server.user_data;
  return copy;
}

/** user_data without gz+b64 payloads (random base64 is full of 64-char alphanumeric runs; they are scanned decoded). */
function stripEncoded(userData: string, doc: Record<string, any>): string {
  let text = userData;
  for (const f of doc.write_files ?? []) if (f.encoding) text = text.split(f.content).join('<encoded>');
  return text;
}
