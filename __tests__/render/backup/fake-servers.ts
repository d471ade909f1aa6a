import { RunResult, runAsync } from '../../support/tools';
import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export type Handler = (req: LoggedRequest, res: ServerResponse) => void;

/** An HTTP server on 127.0.0.1 (random port) that logs every request. Close it with `close()`. */
export async function startServer(handler: Handler): Promise<{ url: string; requests: LoggedRequest[]; close: () => Promise<void> }> {
  const requests: LoggedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const logged = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(logged);
      try {
        handler(logged, res);
      } catch (e) {
        res.statusCode = 500;
        res.end(String(e));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/** The result of {@link runAsync} (one implementation, in support/tools). */
export type ProcessResult = RunResult;
export { runAsync };

/**
 * A minimal path-style S3 endpoint for rclone and terraform: HEAD/GET/PUT/DELETE of objects and
 * ListObjectsV2, kept in memory. Signatures are not checked; requests are logged for assertions.
 */
export async function startFakeS3(): Promise<{ url: string; requests: LoggedRequest[]; objects: Map<string, Buffer>; close: () => Promise<void> }> {
  const objects = new Map<string, Buffer>();
  const server = await startServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    const [, bucket, ...rest] = decodeURIComponent(u.pathname).split('/');
    const key = rest.join('/');
    const id = `${bucket}/${key}`;
    const etag = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;
    if (!key && req.method === 'GET') {
      const prefix = u.searchParams.get('prefix') ?? '';
      const contents = [...objects.entries()]
        .filter(([k]) => k.startsWith(`${bucket}/${prefix}`))
        .map(([k, b]) => `<Contents><Key>${k.slice(bucket.length + 1)}</Key><Size>${b.length}</Size><ETag>${etag(b)}</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents>`)
        .join('');
      res.setHeader('content-type', 'application/xml');
      res.end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`);
      return;
    }
    const notFound = () => {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/xml');
      res.end(req.method === 'HEAD' ? undefined : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>not found</Message></Error>');
    };
    switch (req.method) {
      case 'PUT': {
        objects.set(id, req.body);
        res.setHeader('ETag', etag(req.body));
        res.end();
        return;
      }
      case 'HEAD':
      case 'GET': {
        const body = objects.get(id);
        if (!body) return notFound();
        res.setHeader('ETag', etag(body));
        res.setHeader('Content-Length', String(body.length));
        res.setHeader('Last-Modified', 'Thu, 01 Jan 2026 00:00:00 GMT');
        res.end(req.method === 'GET' ? body : undefined);
        return;
      }
      case 'DELETE':
        objects.delete(id);
        res.statusCode = 204;
        res.end();
        return;
      default:
        res.statusCode = 501;
        res.end();
    }
  });
  return { ...server, objects };
}
