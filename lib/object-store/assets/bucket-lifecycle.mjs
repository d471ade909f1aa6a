// bucket-lifecycle: puts a bucket's lifecycle configuration on Hetzner Object Storage (Ceph RGW)
// and reads it back until it matches, or fails with the difference.
//
// Runtime code, run on the deployer's machine by the local-exec provisioner of the terraform_data
// resource that lib/object-store/bucket-lifecycle.ts synthesizes (cdktf copies this file into
// cdktf.out/stacks/<stack>/assets/). Node built-ins only: no dependencies, no cdktf.
//
// Why not aws_s3_bucket_lifecycle_configuration: after its PUT the AWS provider (6.x) waits until
// GetBucketLifecycleConfiguration returns rules deep-equal to the ones it sent
// (waitLifecycleConfigEquals / lifecycleConfigEqual in internal/service/s3/
// bucket_lifecycle_configuration.go of hashicorp/terraform-provider-aws). It sends a whole-bucket
// rule as <Filter/> or <Filter><Prefix/></Filter>; Ceph RGW answers both with a rule-level empty
// <Prefix> and no <Filter> (LCRule_S3::dump_xml in src/rgw/rgw_lc_s3.cc of ceph/ceph), so the
// wait never ends and every apply fails after 3 minutes (hashicorp/terraform-provider-aws#49019,
// fix proposed in PR #49547, not merged). This program compares the rules by meaning instead.
//
// Input, all from the environment (local-exec `environment` sets the AIAI_LIFECYCLE_* ones):
//   AIAI_LIFECYCLE_BUCKET     bucket name
//   AIAI_LIFECYCLE_ENDPOINT   S3 endpoint, https://<location>.your-objectstorage.com (path-style
//                             requests: <endpoint>/<bucket>?lifecycle); plain http only to loopback
//   AIAI_LIFECYCLE_REGION     region the requests are signed for (the location)
//   AIAI_LIFECYCLE_DOCUMENT   the LifecycleConfiguration XML to put
//   AIAI_LIFECYCLE_SHA256     hex SHA-256 of the document (what terraform keys the resource on)
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   the S3 keys, as the terraform S3 backend takes them
//   AIAI_LIFECYCLE_ATTEMPTS   attempts per request and for the read-back (default 6)
//   AIAI_LIFECYCLE_RETRY_DELAY_MS   first wait between attempts, growing linearly (default 2000)
// Exit status 0 when the bucket has exactly the configured rules, 1 otherwise (the reason on stderr).
// Nothing secret is printed: neither key, nor a signature.

import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

const NAME = 'bucket-lifecycle';
const REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_ATTEMPTS = 6;
const DEFAULT_RETRY_DELAY_MS = 2_000;
const MAX_ATTEMPTS = 20;
const CREDENTIAL_VARIABLES = 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

class Failure extends Error {}

// ---------------------------------------------------------------------------------------------
// Minimal XML reader: elements, text, entities, CDATA; attributes and namespaces are ignored
// (element names are reduced to their local name). Enough for S3 lifecycle documents and errors.

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e];
  });
}

function parseXml(source) {
  let i = 0;
  const fail = (what) => {
    throw new Failure(`not well-formed XML (${what} at offset ${i}): ${JSON.stringify(source.slice(0, 200))}`);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < source.length && /\s/.test(source[i])) i++;
      if (source.startsWith('<?', i)) {
        const end = source.indexOf('?>', i);
        if (end < 0) fail('unterminated declaration');
        i = end + 2;
      } else if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  const element = () => {
    if (source[i] !== '<') fail('expected an element');
    const open = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(source.slice(i));
    if (!open) fail('bad start tag');
    i += open[0].length;
    const name = open[1].replace(/^.*:/, '');
    const node = { name, children: [], text: '' };
    if (open[3] === '/') return node;
    for (;;) {
      if (i >= source.length) fail(`unterminated <${open[1]}>`);
      if (source.startsWith('</', i)) {
        const close = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(source.slice(i));
        if (!close || close[1] !== open[1]) fail(`mismatched </${close ? close[1] : '?'}> for <${open[1]}>`);
        i += close[0].length;
        return node;
      }
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (source.startsWith('<![CDATA[', i)) {
        const end = source.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        node.text += source.slice(i + 9, end);
        i = end + 3;
      } else if (source[i] === '<') {
        node.children.push(element());
      } else {
        const next = source.indexOf('<', i);
        const end = next < 0 ? source.length : next;
        node.text += decodeEntities(source.slice(i, end));
        i = end;
      }
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== source.length) fail('content after the root element');
  return root;
}

const child = (node, name) => node.children.find((c) => c.name === name);
const childText = (node, name) => {
  const c = child(node, name);
  return c === undefined ? undefined : c.text.trim();
};

// ---------------------------------------------------------------------------------------------
// Meaning of a lifecycle configuration: rule id -> canonical JSON of what the rule does.
//
// The scope of a rule is reduced to {prefix, tags, sizes}: a rule-level <Prefix>, an empty
// <Filter/>, <Filter><Prefix/></Filter> and <Filter><And><Prefix/></And></Filter> with the same
// prefix mean the same objects (the whole bucket when the prefix is empty). Every other element
// is compared as a tree (element order and repeated elements such as Transition do not matter;
// whole numbers are compared as numbers).

function scopeOf(rule, where) {
  const filter = child(rule, 'Filter');
  const rulePrefix = childText(rule, 'Prefix');
  if (filter && rulePrefix !== undefined && rulePrefix !== '') {
    throw new Failure(`${where}: rule ${JSON.stringify(childText(rule, 'ID'))} has both a Filter and a rule-level Prefix`);
  }
  const scope = { prefix: rulePrefix ?? '' };
  if (filter) {
    const conditions = child(filter, 'And') ?? filter;
    scope.prefix = childText(conditions, 'Prefix') ?? '';
    const tags = conditions.children
      .filter((c) => c.name === 'Tag')
      .map((t) => `${childText(t, 'Key') ?? ''}=${childText(t, 'Value') ?? ''}`)
      .sort();
    if (tags.length > 0) scope.tags = tags;
    for (const size of ['ObjectSizeGreaterThan', 'ObjectSizeLessThan']) {
      const v = childText(conditions, size);
      if (v !== undefined) scope[size] = canonicalText(v);
    }
  }
  return scope;
}

function canonicalText(text) {
  const t = text.trim();
  return /^[0-9]+$/.test(t) ? String(Number(t)) : t;
}

function canonicalTree(node) {
  if (node.children.length === 0) return canonicalText(node.text);
  const out = {};
  for (const c of node.children) (out[c.name] ??= []).push(canonicalTree(c));
  const sorted = {};
  for (const key of Object.keys(out).sort()) {
    sorted[key] = out[key].map((v) => JSON.stringify(v)).sort().map((v) => JSON.parse(v));
  }
  return sorted;
}

/** Map of rule id -> { scope, canonical } for a LifecycleConfiguration document. */
function lifecycleMeaning(xml, where) {
  const root = parseXml(xml);
  if (root.name !== 'LifecycleConfiguration') throw new Failure(`${where}: root element is <${root.name}>, not <LifecycleConfiguration>`);
  const rules = new Map();
  for (const rule of root.children.filter((c) => c.name === 'Rule')) {
    const id = childText(rule, 'ID');
    if (!id) throw new Failure(`${where}: a rule has no ID`);
    if (rules.has(id)) throw new Failure(`${where}: rule id ${JSON.stringify(id)} appears twice`);
    const actions = {};
    for (const c of rule.children) {
      if (c.name === 'ID' || c.name === 'Filter' || c.name === 'Prefix') continue;
      (actions[c.name] ??= []).push(canonicalTree(c));
    }
    const sortedActions = {};
    for (const key of Object.keys(actions).sort()) sortedActions[key] = actions[key].map((v) => JSON.stringify(v)).sort().map((v) => JSON.parse(v));
    const scope = scopeOf(rule, where);
    rules.set(id, { scope, canonical: JSON.stringify({ scope, ...sortedActions }) });
  }
  return rules;
}

/** Differences between two meanings, in words (empty when they agree). */
function lifecycleDifferences(wanted, actual) {
  const out = [];
  for (const [id, w] of wanted) {
    const a = actual.get(id);
    if (!a) out.push(`rule ${JSON.stringify(id)} is not on the bucket`);
    else if (a.canonical !== w.canonical) out.push(`rule ${JSON.stringify(id)} differs: sent ${w.canonical}, read back ${a.canonical}`);
  }
  for (const id of actual.keys()) if (!wanted.has(id)) out.push(`rule ${JSON.stringify(id)} is on the bucket but not in the configuration`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// AWS Signature Version 4 for S3 (header-based, payload hash signed).

const sha256Hex = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(search) {
  if (!search || search === '?') return '';
  return search
    .slice(1)
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const k = decodeURIComponent(eq < 0 ? p : p.slice(0, eq));
      const v = decodeURIComponent(eq < 0 ? '' : p.slice(eq + 1));
      return [uriEncode(k), uriEncode(v)];
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * Headers (lowercase names) for a signed request: adds host, x-amz-date, x-amz-content-sha256 and
 * authorization to `headers`.
 */
function signRequest({ method, url, headers, body, region, accessKeyId, secretAccessKey, now = new Date() }) {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(body);
  const all = { ...headers, host: url.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const canonicalHeaders = names.map((n) => `${n}:${lower[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalUri = url.pathname.split('/').map((s) => uriEncode(decodeURIComponent(s))).join('/') || '/';
  const canonicalRequest = [method, canonicalUri, canonicalQuery(url.search), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    ...lower,
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

function send(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

function s3Error(response) {
  let code = '';
  let message = '';
  try {
    const root = parseXml(response.body);
    if (root.name === 'Error') {
      code = childText(root, 'Code') ?? '';
      message = childText(root, 'Message') ?? '';
    }
  } catch {
    // Not an S3 error document (a proxy page, an empty HEAD-style body): report the status only.
  }
  return { status: response.status, code, message };
}

const describeError = (e) => `HTTP ${e.status}${e.code ? ` ${e.code}` : ''}${e.message ? `: ${e.message}` : ''}`;

const AUTH_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'AuthorizationHeaderMalformed', 'RequestTimeTooSkewed', 'InvalidToken', 'ExpiredToken']);

/** True for failures worth another attempt: throttling, server errors, a bucket not visible yet. */
function retryable(e) {
  return e.status === 429 || e.status >= 500 || e.code === 'NoSuchBucket' || e.code === 'SlowDown';
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------

function settings(env) {
  const missing = ['AIAI_LIFECYCLE_BUCKET', 'AIAI_LIFECYCLE_ENDPOINT', 'AIAI_LIFECYCLE_REGION', 'AIAI_LIFECYCLE_DOCUMENT', 'AIAI_LIFECYCLE_SHA256'].filter((n) => !env[n]);
  if (missing.length > 0) throw new Failure(`${missing.join(', ')} not set (the terraform_data resource's local-exec provisioner sets them)`);
  const credentialsMissing = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].filter((n) => !env[n]);
  if (credentialsMissing.length > 0) {
    throw new Failure(
      `${credentialsMissing.join(' and ')} not set: export ${CREDENTIAL_VARIABLES} (the Object Storage S3 keys, as for the terraform S3 backend) in the environment of cdktf deploy / terraform apply`,
    );
  }
  let endpoint;
  try {
    endpoint = new URL(env.AIAI_LIFECYCLE_ENDPOINT);
  } catch {
    throw new Failure(`AIAI_LIFECYCLE_ENDPOINT is not a URL: ${JSON.stringify(env.AIAI_LIFECYCLE_ENDPOINT)}`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(endpoint.hostname);
  if (!(endpoint.protocol === 'https:' || (endpoint.protocol === 'http:' && loopback)) || endpoint.pathname !== '/' || endpoint.search || endpoint.username) {
    throw new Failure(`AIAI_LIFECYCLE_ENDPOINT must be an https:// origin (plain http only to loopback), got ${JSON.stringify(env.AIAI_LIFECYCLE_ENDPOINT)}`);
  }
  const bucket = env.AIAI_LIFECYCLE_BUCKET;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Failure(`AIAI_LIFECYCLE_BUCKET is not a bucket name: ${JSON.stringify(bucket)}`);
  const document = env.AIAI_LIFECYCLE_DOCUMENT;
  const digest = sha256Hex(document);
  if (digest !== env.AIAI_LIFECYCLE_SHA256) {
    throw new Failure(`the lifecycle document's SHA-256 is ${digest}, not ${env.AIAI_LIFECYCLE_SHA256} as configured: was cdk.tf.json edited by hand? Synthesize again`);
  }
  const number = (name, fallback, max) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Failure(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    bucket,
    endpoint,
    region: env.AIAI_LIFECYCLE_REGION,
    document,
    digest,
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    attempts: number('AIAI_LIFECYCLE_ATTEMPTS', DEFAULT_ATTEMPTS, MAX_ATTEMPTS),
    retryDelayMs: number('AIAI_LIFECYCLE_RETRY_DELAY_MS', DEFAULT_RETRY_DELAY_MS, 60_000),
  };
}

async function main(env, log) {
  const s = settings(env);
  const wanted = lifecycleMeaning(s.document, 'the configured document');
  const url = new URL(`/${s.bucket}?lifecycle`, s.endpoint);
  const where = `bucket ${s.bucket} at ${s.endpoint.origin}`;

  const request = async (method, body, extraHeaders) => {
    const headers = signRequest({ method, url, headers: extraHeaders, body, region: s.region, accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey });
    return send(method, url, headers, body);
  };
  const attempt = async (what, fn) => {
    for (let n = 1; ; n++) {
      let outcome;
      try {
        outcome = await fn();
      } catch (e) {
        if (e instanceof Failure) throw e;
        outcome = { retry: true, reason: `${e.message ?? e}` };
      }
      if (!outcome.retry) return outcome;
      if (n >= s.attempts) throw new Failure(`${what} on ${where} failed after ${n} attempts: ${outcome.reason}`);
      log(`${what}: ${outcome.reason}; attempt ${n + 1} of ${s.attempts} in ${(s.retryDelayMs * n) / 1000} s`);
      await sleep(s.retryDelayMs * n);
    }
  };
  const authHint = (e) =>
    AUTH_CODES.has(e.code) || e.status === 403
      ? ` (check ${CREDENTIAL_VARIABLES}: the S3 keys of the Hetzner project that owns the bucket, and the machine's clock)`
      : '';

  await attempt('PUT lifecycle', async () => {
    const md5 = createHash('md5').update(s.document).digest('base64');
    const res = await request('PUT', s.document, { 'content-type': 'application/xml', 'content-md5': md5 });
    if (res.status === 200 || res.status === 204) return { retry: false };
    const e = s3Error(res);
    if (retryable(e)) return { retry: true, reason: describeError(e) };
    throw new Failure(`PUT lifecycle on ${where} was refused: ${describeError(e)}${authHint(e)}`);
  });
  log(`put ${wanted.size} rule(s) (sha256 ${s.digest.slice(0, 12)}) on ${where}`);

  await attempt('verify lifecycle', async () => {
    const res = await request('GET', '', {});
    let actual;
    if (res.status === 200) {
      actual = lifecycleMeaning(res.body, `the answer of ${where}`);
    } else {
      const e = s3Error(res);
      if (e.code === 'NoSuchLifecycleConfiguration') actual = new Map();
      else if (retryable(e)) return { retry: true, reason: describeError(e) };
      else throw new Failure(`GET lifecycle on ${where} was refused: ${describeError(e)}${authHint(e)}`);
    }
    const differences = lifecycleDifferences(wanted, actual);
    if (differences.length === 0) return { retry: false };
    return { retry: true, reason: `the bucket's rules do not match the configuration:\n  - ${differences.join('\n  - ')}` };
  });
  log(`verified: ${where} has exactly the ${wanted.size} configured rule(s)`);
}

main(process.env, (line) => process.stdout.write(`${NAME}: ${line}\n`)).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${NAME}: ${e instanceof Failure ? e.message : `unexpected error: ${e && e.stack ? e.stack : e}`}\n`);
    process.exit(1);
  },
);
