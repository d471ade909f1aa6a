import { TerraformStack, Testing } from 'cdktf';
import { HetznerObjectStorage, HetznerObjectStorageProvider, ObjectStore, ObjectStoreProps } from '../../lib/object-store';
import { parseXml, XmlNode } from '../support/fake-s3';
import { resourceFor } from '../support/stack';

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

/** Resource logical id of the aws_s3_bucket named `name`. */
export function bucketId(doc: Json, name: string): string {
  const entry = Object.entries(doc.resource.aws_s3_bucket).find(([, r]: [string, Json]) => r.bucket === name);
  if (!entry) throw new Error(`no bucket ${name}`);
  return entry[0];
}

/** The terraform_data resource that applies the lifecycle rules of the bucket named `name`. */
export function lifecycleOf(doc: Json, name: string): Json {
  const id = bucketId(doc, name);
  return resourceFor(doc, 'terraform_data', (r) => r.triggers_replace?.bucket === `\${aws_s3_bucket.${id}.bucket}`);
}

/** One rule of a lifecycle document, as parsed back from the XML the program sends. */
export interface ParsedRule {
  readonly id: string;
  readonly status: string;
  /** The rule's Filter element serialized (`<Filter></Filter>` for the whole bucket), or undefined. */
  readonly filter?: string;
  readonly rulePrefix?: string;
  readonly expirationDays?: number;
  readonly noncurrentDays?: number;
  readonly abortDays?: number;
}

/** The rules of the document a lifecycle terraform_data sends (parsed from its provisioner environment). */
export function lifecycleRules(lifecycle: Json): ParsedRule[] {
  const xml: string = lifecycle.provisioner[0]['local-exec'].environment.AIAI_LIFECYCLE_DOCUMENT;
  const root = parseXml(xml);
  const num = (n: XmlNode | undefined, path: string[]): number | undefined => {
    let cur = n;
    for (const p of path) cur = cur?.children.find((c) => c.name === p);
    return cur ? Number(cur.text) : undefined;
  };
  return root.children.map((rule) => {
    const get = (name: string) => rule.children.find((c) => c.name === name);
    const filter = get('Filter');
    return {
      id: get('ID')!.text,
      status: get('Status')!.text,
      filter: filter ? `<Filter>${filter.children.map((c) => `<${c.name}>${c.text}</${c.name}>`).join('')}</Filter>` : undefined,
      rulePrefix: get('Prefix')?.text,
      expirationDays: num(rule, ['Expiration', 'Days']),
      noncurrentDays: num(rule, ['NoncurrentVersionExpiration', 'NoncurrentDays']),
      abortDays: num(rule, ['AbortIncompleteMultipartUpload', 'DaysAfterInitiation']),
    };
  });
}

export function versioningOf(doc: Json, name: string): Json | undefined {
  const id = bucketId(doc, name);
  return Object.values(doc.resource.aws_s3_bucket_versioning ?? {}).find((r: Json) => r.bucket === `\${aws_s3_bucket.${id}.bucket}`);
}

export function ruleById(lifecycle: Json, id: string): ParsedRule | undefined {
  return lifecycleRules(lifecycle).find((r) => r.id === id);
}
