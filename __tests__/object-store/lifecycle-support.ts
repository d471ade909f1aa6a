import { runAsync, TimedRunResult } from '../support/tools';
import { resolve } from 'node:path';
import { BUCKET_LIFECYCLE_PROGRAM, BucketLifecycleEnvironment, BucketLifecycleRule, lifecycleDocumentSha256, renderLifecycleDocument } from '../../lib/object-store';
import { FAKE_S3_CREDENTIALS, FakeS3, FakeS3Credentials } from '../support/fake-s3';

/** The program as it is in the sources (the same bytes cdktf copies into a stack's output folder). */
export const PROGRAM = resolve(__dirname, '..', '..', BUCKET_LIFECYCLE_PROGRAM);

/** The result of a program run, with its wall time. */
export type ProgramResult = TimedRunResult;

/** Runs a node program without blocking the event loop (the fake S3 lives in this process). */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ProgramResult> {
  return runCommand(process.execPath, args, env, timeoutMs);
}

/** Runs a command without blocking the event loop; killed after `timeoutMs` (support/tools' runAsync). */
export const runCommand = runAsync;

/** The environment the provisioner gives the program, for `rules` on `bucket` of `fake`. */
export function programEnv(
  fake: FakeS3,
  bucket: string,
  rules: readonly BucketLifecycleRule[],
  opts: { credentials?: FakeS3Credentials | null; extra?: Record<string, string> } = {},
): NodeJS.ProcessEnv {
  const document = renderLifecycleDocument(rules);
  const creds = opts.credentials === undefined ? FAKE_S3_CREDENTIALS : opts.credentials;
  return {
    PATH: process.env.PATH,
    [BucketLifecycleEnvironment.bucket]: bucket,
    [BucketLifecycleEnvironment.endpoint]: fake.url,
    [BucketLifecycleEnvironment.region]: fake.region,
    [BucketLifecycleEnvironment.document]: document,
    [BucketLifecycleEnvironment.sha256]: lifecycleDocumentSha256(document),
    ...(creds ? { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey } : {}),
    // Fast retries in tests; the bound (attempts) is what the tests check.
    AIAI_LIFECYCLE_RETRY_DELAY_MS: '20',
    AIAI_LIFECYCLE_ATTEMPTS: '3',
    ...(opts.extra ?? {}),
  };
}

/** The rules HetznerBucket gives the backups bucket of ObjectStore (defaults). */
export const BACKUP_RULES: readonly BucketLifecycleRule[] = [
  { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadDays: 7 },
  { id: 'expire-objects', expirationDays: 90 },
  { id: 'expire-noncurrent-versions', noncurrentVersionExpirationDays: 30 },
];
