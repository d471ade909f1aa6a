import { TerraformStack, Testing } from 'cdktf';
import { HetznerObjectStorage, HetznerObjectStorageProvider, ObjectStore, ObjectStoreProps } from '../../lib/object-store';

/** Parsed synthesized JSON (shape checked by the assertions themselves). */
// The synthesized document is untyped JSON.
export type Json = any;

export interface Synthesized {
  readonly json: string;
  readonly doc: Json;
}

export function synthStack(build: (stack: TerraformStack) => void): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  build(stack);
  const json = Testing.synth(stack);
  return { json, doc: JSON.parse(json) };
}

export function withStore(props: Partial<ObjectStoreProps> = {}): Synthesized & { store: ObjectStore; provider: HetznerObjectStorageProvider } {
  let store!: ObjectStore;
  let provider!: HetznerObjectStorageProvider;
  const out = synthStack((stack) => {
    provider = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
    store = new ObjectStore(stack, 'object-store', { provider, bucketPrefix: 'acme-aiai-prod', ...props });
  });
  return { ...out, store, provider };
}

/** The one resource of `type` whose `bucket` attribute is or references `bucketName`. */
export function resourceFor(doc: Json, type: string, match: (r: Json) => boolean): Json {
  const found = Object.values(doc.resource?.[type] ?? {}).filter((r: Json) => match(r));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}

/** Resource logical id of the aws_s3_bucket named `name`. */
export function bucketId(doc: Json, name: string): string {
  const entry = Object.entries(doc.resource.aws_s3_bucket).find(([, r]: [string, Json]) => r.bucket === name);
  if (!entry) throw new Error(`no bucket ${name}`);
  return entry[0];
}

/** The lifecycle configuration of the bucket named `name`. */
export function lifecycleOf(doc: Json, name: string): Json {
  const id = bucketId(doc, name);
  return resourceFor(doc, 'aws_s3_bucket_lifecycle_configuration', (r) => r.bucket === `\${aws_s3_bucket.${id}.bucket}`);
}

export function versioningOf(doc: Json, name: string): Json | undefined {
  const id = bucketId(doc, name);
  return Object.values(doc.resource.aws_s3_bucket_versioning ?? {}).find((r: Json) => r.bucket === `\${aws_s3_bucket.${id}.bucket}`);
}

export function ruleById(lifecycle: Json, id: string): Json | undefined {
  return lifecycle.rule.find((r: Json) => r.id === id);
}
