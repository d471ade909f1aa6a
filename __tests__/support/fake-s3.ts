/**
 * A fake S3 endpoint on 127.0.0.1 that behaves like Hetzner Object Storage (Ceph RGW) where it
 * matters to this project:
 *
 * - Every request must carry a valid AWS Signature Version 4 (header form) for the fake's region
 *   and one of its key pairs, checked the way S3 checks it: known access key, credential scope
 *   (date, region, `s3`, `aws4_request`), `x-amz-date` within 15 minutes, `host` and every
 *   `x-amz-*` header signed, `x-amz-content-sha256` equal to the body's hash (or
 *   `UNSIGNED-PAYLOAD`), and the signature recomputed over the canonical request.
 * - Bucket lifecycle: PUT / GET / DELETE `?lifecycle`. PUT needs a matching Content-MD5 (AWS
 *   requires it; Ceph before Squid did too) and stores the document as sent. GET answers the way
 *   Ceph RGW does (LCRule_S3::dump_xml in src/rgw/rgw_lc_s3.cc of ceph/ceph): rules ordered by ID
 *   (RGW keeps them in a map keyed by ID), and a rule whose filter selects the whole bucket
 *   (`<Filter/>`, `<Filter><Prefix/></Filter>` or a rule-level empty `<Prefix>`) comes back as a
 *   rule-level `<Prefix></Prefix>` without `<Filter>`.
 * - What the Terraform S3 backend needs: GetObject, PutObject, HeadObject, DeleteObject,
 *   ListObjectsV2 (prefix, delimiter, max-keys, continuation), plus HeadBucket.
 *
 * Everything is kept in memory; every request is logged with the operation it was taken for and the
 * status it got. Not supported (answered 501): chunked `STREAMING-*` payloads, presigned URLs,
 * versions, multipart uploads.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, request, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface FakeS3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface FakeS3Options {
  /** Region requests must be signed for. @default 'fsn1' */
  readonly region?: string;
  /** Accepted key pairs. @default [FAKE_S3_CREDENTIALS] */
  readonly credentials?: readonly FakeS3Credentials[];
  /** Buckets that exist from the start. @default none */
  readonly buckets?: readonly string[];
}

/** One request as the fake saw it, and what it answered. */
export interface FakeS3Request {
  readonly method: string;
  /** Raw request target (path and query). */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  /** The S3 operation the request was taken for, e.g. `PutBucketLifecycleConfiguration`. */
  operation: string;
  status: number;
  /** The S3 error code answered, if any (e.g. `SignatureDoesNotMatch`). */
  errorCode?: string;
}

export interface FakeS3 {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly region: string;
  readonly requests: FakeS3Request[];
  readonly buckets: Set<string>;
  /** Objects by `<bucket>/<key>`. */
  readonly objects: Map<string, Buffer>;
  /** Lifecycle documents by bucket, exactly as they were PUT. */
  readonly lifecycle: Map<string, string>;
  /** The GetBucketLifecycleConfiguration answer for a bucket (Ceph's shape), or undefined. */
  lifecycleAnswer(bucket: string): string | undefined;
  /** When set, rewrites every GetBucketLifecycleConfiguration answer (to model a store that answers differently). */
  tamperLifecycleAnswer?: (answer: string) => string;
  /** Requests of one operation. */
  operations(name: string): FakeS3Request[];
  close(): Promise<void>;
}

/** The key pair the fake accepts by default (test values, not a secret). */
export const FAKE_S3_CREDENTIALS: FakeS3Credentials = {
  accessKeyId: 'FAKES3ACCESSKEY00001',
  secretAccessKey: 'fake-s3-secret-key-for-tests-only-0001',
};

const MAX_SKEW_MS = 15 * 60 * 1000;
const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

// --- XML (independent of the program under test) ---------------------------------------------

export interface XmlNode {
  readonly name: string;
  readonly children: XmlNode[];
  text: string;
}

/** Parses an XML document into elements (local names) and text; throws on malformed input. */
export function parseXml(source: string): XmlNode {
  const tokens = source.replace(/<\?[^]*?\?>/g, '').replace(/<!--[^]*?-->/g, '');
  const re = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  const stack: XmlNode[] = [{ name: '#document', children: [], text: '' }];
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(tokens)) !== null) {
    if (m.index !== consumed) throw new Error(`malformed XML near ${JSON.stringify(tokens.slice(consumed, consumed + 40))}`);
    consumed = re.lastIndex;
    const top = stack[stack.length - 1];
    if (m[5] !== undefined) {
      top.text += m[5].replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] as string);
      continue;
    }
    const name = m[2].replace(/^.*:/, '');
    if (m[1] === '/') {
      if (top.name !== name || stack.length === 1) throw new Error(`malformed XML: unexpected </${name}>`);
      stack.pop();
    } else {
      const node: XmlNode = { name, children: [], text: '' };
      top.children.push(node);
      if (m[4] !== '/') stack.push(node);
    }
  }
  if (consumed !== tokens.length || stack.length !== 1) throw new Error('malformed XML: unterminated element');
  const roots = stack[0].children;
  if (roots.length !== 1 || stack[0].text.trim() !== '') throw new Error('malformed XML: not exactly one root element');
  return roots[0];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const childOf = (n: XmlNode, name: string) => n.children.find((c) => c.name === name);
const textOf = (n: XmlNode, name: string) => childOf(n, name)?.text.trim();

function serialize(n: XmlNode): string {
  return `<${n.name}>${n.children.length > 0 ? n.children.map(serialize).join('') : esc(n.text.trim())}</${n.name}>`;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Ceph RGW's answer for a stored lifecycle document (see the file comment): rules by ID, whole-bucket
 * scope as a rule-level empty Prefix, then Status, Expiration, NoncurrentVersionExpiration,
 * AbortIncompleteMultipartUpload, Transition, NoncurrentVersionTransition.
 */
export function cephLifecycleAnswer(stored: string): string {
  const root = parseXml(stored);
  const rules = root.children
    .filter((r) => r.name === 'Rule')
    .map((rule) => {
      const id = textOf(rule, 'ID') ?? '';
      const filter = childOf(rule, 'Filter');
      let scope: string;
      const conditions = filter ? childOf(filter, 'And') ?? filter : undefined;
      const filterPrefix = conditions ? textOf(conditions, 'Prefix') ?? '' : '';
      const filterOther = conditions ? conditions.children.filter((c) => c.name !== 'Prefix') : [];
      if (filter && (filterPrefix !== '' || filterOther.length > 0)) {
        // A filter that selects something: echoed as a Filter (And when it has several conditions).
        const parts = [...(filterPrefix !== '' ? [`<Prefix>${esc(filterPrefix)}</Prefix>`] : []), ...filterOther.map(serialize)];
        scope = `<Filter>${parts.length > 1 ? `<And>${parts.join('')}</And>` : parts.join('')}</Filter>`;
      } else {
        // An empty filter is written as the rule-level prefix (LCRule_S3::dump_xml).
        scope = `<Prefix>${esc(filter ? '' : textOf(rule, 'Prefix') ?? '')}</Prefix>`;
      }
      const actions = ['Expiration', 'NoncurrentVersionExpiration', 'AbortIncompleteMultipartUpload', 'Transition', 'NoncurrentVersionTransition']
        .flatMap((name) => rule.children.filter((c) => c.name === name))
        .map(serialize)
        .join('');
      return { id, xml: `<Rule><ID>${esc(id)}</ID>${scope}<Status>${esc(textOf(rule, 'Status') ?? '')}</Status>${actions}</Rule>` };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return `<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="${XMLNS}">${rules.map((r) => r.xml).join('')}</LifecycleConfiguration>`;
}

/** Ceph-like validation of a PutBucketLifecycleConfiguration body (throws S3Error MalformedXML / InvalidArgument). */
function checkLifecycleDocument(body: string): void {
  let root: XmlNode;
  try {
    root = parseXml(body);
  } catch (e) {
    throw new S3Error(400, 'MalformedXML', (e as Error).message);
  }
  const malformed = (why: string) => new S3Error(400, 'MalformedXML', `The XML you provided was not well-formed or did not validate against our published schema (${why})`);
  if (root.name !== 'LifecycleConfiguration') throw malformed('root is not LifecycleConfiguration');
  const rules = root.children.filter((c) => c.name === 'Rule');
  if (rules.length === 0) throw malformed('no Rule');
  const ids = new Set<string>();
  for (const rule of rules) {
    const status = textOf(rule, 'Status');
    if (status !== 'Enabled' && status !== 'Disabled') throw malformed('bad Status in Rule');
    if (!childOf(rule, 'Filter') && textOf(rule, 'Prefix') === undefined) throw malformed('missing Prefix in Filter');
    const actions = ['Expiration', 'NoncurrentVersionExpiration', 'AbortIncompleteMultipartUpload', 'Transition', 'NoncurrentVersionTransition'];
    if (!rule.children.some((c) => actions.includes(c.name))) throw malformed('bad Rule');
    const expiration = childOf(rule, 'Expiration');
    if (expiration && ['Days', 'Date', 'ExpiredObjectDeleteMarker'].filter((n) => childOf(expiration, n)).length !== 1) throw malformed('bad Expiration section');
    const id = textOf(rule, 'ID') ?? '';
    if (ids.has(id)) throw new S3Error(400, 'InvalidArgument', `duplicate rule id ${id}`);
    ids.add(id);
  }
}

// --- SigV4 (independent of the program under test) ---------------------------------------------

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQueryOf(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf('=');
      const k = decodeURIComponent((i < 0 ? pair : pair.slice(0, i)).replace(/\+/g, '%20'));
      const v = decodeURIComponent((i < 0 ? '' : pair.slice(i + 1)).replace(/\+/g, '%20'));
      return `${encode(k)}=${encode(v)}`;
    })
    .sort()
    .join('&');
}

function verifySignature(req: IncomingMessage, body: Buffer, path: string, query: string, region: string, keys: ReadonlyMap<string, string>): void {
  const auth = req.headers.authorization;
  if (query.split('&').some((p) => p.startsWith('X-Amz-Signature='))) throw new S3Error(501, 'NotImplemented', 'presigned URLs are not supported by this fake');
  if (!auth) throw new S3Error(403, 'AccessDenied', 'Access Denied (anonymous request)');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed');
  const [, accessKeyId, day, scopeRegion, service, signedHeaderList, signature] = m;
  const secret = keys.get(accessKeyId);
  if (secret === undefined) throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  if (scopeRegion !== region) throw new S3Error(400, 'AuthorizationHeaderMalformed', `the region '${scopeRegion}' is wrong; expecting '${region}'`);
  if (service !== 's3') throw new S3Error(400, 'AuthorizationHeaderMalformed', `the service '${service}' is wrong; expecting 's3'`);
  const amzDate = req.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !/^\d{8}T\d{6}Z$/.test(amzDate)) throw new S3Error(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  if (amzDate.slice(0, 8) !== day) throw new S3Error(403, 'SignatureDoesNotMatch', 'the credential scope date does not match x-amz-date');
  const when = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(Date.now() - when) > MAX_SKEW_MS) throw new S3Error(403, 'RequestTimeTooSkewed', "The difference between the request time and the server's time is too large.");
  const signed = signedHeaderList.split(';');
  if (!signed.includes('host')) throw new S3Error(403, 'AccessDenied', 'host must be a signed header');
  const unsigned = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') && !signed.includes(h));
  if (unsigned.length > 0) throw new S3Error(403, 'AccessDenied', `There were headers present in the request which were not signed: ${unsigned.join(', ')}`);
  const payload = req.headers['x-amz-content-sha256'];
  if (typeof payload !== 'string') throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  if (payload.startsWith('STREAMING-')) throw new S3Error(501, 'NotImplemented', `chunked payloads (${payload}) are not supported by this fake`);
  if (payload !== 'UNSIGNED-PAYLOAD' && payload !== sha256(body)) throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  const canonicalHeaders = signed
    .map((h) => {
      const v = req.headers[h];
      if (v === undefined) throw new S3Error(403, 'SignatureDoesNotMatch', `signed header ${h} is missing`);
      return `${h}:${(Array.isArray(v) ? v.join(',') : v).trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalUri = path.split('/').map((s) => encode(decodeURIComponent(s))).join('/');
  const canonicalRequest = [req.method, canonicalUri, canonicalQueryOf(query), canonicalHeaders, signedHeaderList, payload].join('\n');
  const scope = `${day}/${scopeRegion}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), scopeRegion), 's3'), 'aws4_request');
  if (createHmac('sha256', key).update(stringToSign).digest('hex') !== signature) {
    throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
}

// --- the server ---------------------------------------------------------------------------------

function errorXml(e: S3Error, resource: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${e.code}</Code><Message>${esc(e.message)}</Message><Resource>${esc(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
}

const etagOf = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

/** Starts the fake on 127.0.0.1 (random port). */
export async function startFakeS3(opts: FakeS3Options = {}): Promise<FakeS3> {
  const region = opts.region ?? 'fsn1';
  const keys = new Map((opts.credentials ?? [FAKE_S3_CREDENTIALS]).map((c) => [c.accessKeyId, c.secretAccessKey]));
  const buckets = new Set(opts.buckets ?? []);
  const objects = new Map<string, Buffer>();
  const lifecycle = new Map<string, string>();
  const requests: FakeS3Request[] = [];
  let fake!: FakeS3;

  const handle = (req: IncomingMessage, body: Buffer, res: ServerResponse, logged: FakeS3Request): void => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = q < 0 ? '' : raw.slice(q + 1);
    const params = new URLSearchParams(query);
    const [, bucketRaw = '', ...rest] = path.split('/');
    const bucket = decodeURIComponent(bucketRaw);
    const key = rest.map((s) => decodeURIComponent(s)).join('/');
    const method = req.method ?? 'GET';
    logged.operation = !bucket
      ? 'ListBuckets'
      : params.has('lifecycle')
        ? { PUT: 'PutBucketLifecycleConfiguration', GET: 'GetBucketLifecycleConfiguration', DELETE: 'DeleteBucketLifecycle' }[method] ?? `${method} ?lifecycle`
        : key
          ? { GET: 'GetObject', HEAD: 'HeadObject', PUT: 'PutObject', DELETE: 'DeleteObject' }[method] ?? `${method} object`
          : method === 'GET' && params.get('list-type') === '2'
            ? 'ListObjectsV2'
            : method === 'HEAD'
              ? 'HeadBucket'
              : `${method} bucket`;

    verifySignature(req, body, path, query, region, keys);
    if (!bucket) throw new S3Error(501, 'NotImplemented', 'ListBuckets is not supported by this fake');
    if (!buckets.has(bucket)) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const xml = (status: number, text: string) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/xml');
      res.end(text);
    };

    switch (logged.operation) {
      case 'PutBucketLifecycleConfiguration': {
        const md5 = req.headers['content-md5'];
        if (typeof md5 !== 'string') throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5');
        if (md5 !== createHash('md5').update(body).digest('base64')) throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
        checkLifecycleDocument(body.toString('utf8'));
        lifecycle.set(bucket, body.toString('utf8'));
        res.statusCode = 200;
        res.end();
        return;
      }
      case 'GetBucketLifecycleConfiguration': {
        const answer = fake.lifecycleAnswer(bucket);
        if (answer === undefined) throw new S3Error(404, 'NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist');
        xml(200, fake.tamperLifecycleAnswer ? fake.tamperLifecycleAnswer(answer) : answer);
        return;
      }
      case 'DeleteBucketLifecycle':
        lifecycle.delete(bucket);
        res.statusCode = 204;
        res.end();
        return;
      case 'HeadBucket':
        res.statusCode = 200;
        res.end();
        return;
      case 'ListObjectsV2': {
        const prefix = params.get('prefix') ?? '';
        const delimiter = params.get('delimiter') ?? '';
        const maxKeys = Math.min(Number(params.get('max-keys') ?? 1000), 1000);
        const token = params.get('continuation-token');
        const after = token ? Buffer.from(token, 'base64').toString('utf8') : params.get('start-after') ?? '';
        const contents: string[] = [];
        const common = new Set<string>();
        let truncated = false;
        let last = '';
        for (const k of [...objects.keys()].filter((id) => id.startsWith(`${bucket}/`)).map((id) => id.slice(bucket.length + 1)).sort()) {
          if (!k.startsWith(prefix) || k <= after) continue;
          const d = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
          const entry = d >= 0 ? k.slice(0, d + delimiter.length) : k;
          if (d >= 0 && common.has(entry)) continue;
          if (contents.length + common.size >= maxKeys) {
            truncated = true;
            break;
          }
          last = k;
          if (d >= 0) common.add(entry);
          else {
            const b = objects.get(`${bucket}/${k}`) as Buffer;
            contents.push(`<Contents><Key>${esc(k)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>${esc(etagOf(b))}</ETag><Size>${b.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
          }
        }
        const commonXml = [...common].map((p) => `<CommonPrefixes><Prefix>${esc(p)}</Prefix></CommonPrefixes>`).join('');
        xml(
          200,
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="${XMLNS}"><Name>${esc(bucket)}</Name><Prefix>${esc(prefix)}</Prefix>` +
            `${delimiter ? `<Delimiter>${esc(delimiter)}</Delimiter>` : ''}<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${contents.length + common.size}</KeyCount>` +
            `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${Buffer.from(last).toString('base64')}</NextContinuationToken>` : ''}` +
            `${contents.join('')}${commonXml}</ListBucketResult>`,
        );
        return;
      }
      case 'PutObject': {
        const md5 = req.headers['content-md5'];
        if (typeof md5 === 'string' && md5 !== createHash('md5').update(body).digest('base64')) throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
        objects.set(`${bucket}/${key}`, body);
        res.setHeader('etag', etagOf(body));
        res.statusCode = 200;
        res.end();
        return;
      }
      case 'GetObject':
      case 'HeadObject': {
        const b = objects.get(`${bucket}/${key}`);
        if (!b) {
          if (method === 'HEAD') {
            logged.errorCode = 'NoSuchKey';
            res.statusCode = 404;
            res.end();
            return;
          }
          throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
        }
        res.setHeader('etag', etagOf(b));
        res.setHeader('content-length', String(b.length));
        res.setHeader('content-type', 'application/octet-stream');
        res.setHeader('last-modified', 'Thu, 01 Jan 2026 00:00:00 GMT');
        res.statusCode = 200;
        res.end(method === 'GET' ? b : undefined);
        return;
      }
      case 'DeleteObject':
        objects.delete(`${bucket}/${key}`);
        res.statusCode = 204;
        res.end();
        return;
      default:
        throw new S3Error(501, 'NotImplemented', `${logged.operation} is not supported by this fake`);
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const logged: FakeS3Request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, operation: 'unknown', status: 0 };
      requests.push(logged);
      const requestId = randomBytes(8).toString('hex');
      res.setHeader('x-amz-request-id', requestId);
      try {
        handle(req, body, res, logged);
      } catch (e) {
        const err = e instanceof S3Error ? e : new S3Error(500, 'InternalError', String(e));
        logged.errorCode = err.code;
        res.statusCode = err.status;
        res.setHeader('content-type', 'application/xml');
        res.end(req.method === 'HEAD' ? undefined : errorXml(err, req.url ?? '', requestId));
      }
      logged.status = res.statusCode;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  fake = {
    url: `http://127.0.0.1:${port}`,
    region,
    requests,
    buckets,
    objects,
    lifecycle,
    lifecycleAnswer: (bucket) => {
      const stored = lifecycle.get(bucket);
      return stored === undefined ? undefined : cephLifecycleAnswer(stored);
    },
    operations: (name) => requests.filter((r) => r.operation === name),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

/**
 * Sends one request to the fake (or any S3 endpoint) signed with SigV4, the way an AWS SDK would:
 * for tests that need to play a client (e.g. what the AWS provider sends). Independent of the
 * program under test.
 */
export async function signedS3Request(
  endpoint: string,
  opts: {
    method: string;
    path: string;
    query?: string;
    body?: string;
    headers?: Record<string, string>;
    region?: string;
    credentials?: FakeS3Credentials;
    /** Signing time. @default now */
    date?: Date;
    /** Send this body instead of the signed one (to test the payload hash check). @default the signed body */
    sendBody?: string;
    /** Headers added after signing. @default none */
    unsignedHeaders?: Record<string, string>;
    /** Send no Authorization header at all. @default false */
    anonymous?: boolean;
  },
): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  const url = new URL(`${opts.path}${opts.query ? `?${opts.query}` : ''}`, endpoint);
  const body = Buffer.from(opts.body ?? '', 'utf8');
  const creds = opts.credentials ?? FAKE_S3_CREDENTIALS;
  const region = opts.region ?? 'fsn1';
  const amzDate = (opts.date ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...(opts.headers ?? {}), host: url.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': sha256(body) };
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim()}\n`).join('');
  const canonicalRequest = [opts.method, url.pathname.split('/').map((s) => encode(decodeURIComponent(s))).join('/'), canonicalQueryOf(url.search.slice(1)), canonicalHeaders, names.join(';'), headers['x-amz-content-sha256']].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n')).digest('hex');
  if (!opts.anonymous) headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  const sent = opts.sendBody === undefined ? body : Buffer.from(opts.sendBody, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method, headers: { ...headers, ...(opts.unsignedHeaders ?? {}), 'content-length': String(sent.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(sent);
  });
}
