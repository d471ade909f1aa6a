import { join } from 'node:path';
import { AssetType, ITerraformDependable, TerraformAsset, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { packageRoot } from '../core/assets';
import { TerraformData } from '../core/terraform-data';
import { isUnresolved } from '../core/tokens';
import { PropValidator, requireProps } from '../core/validation-error';
import { checkBucketName } from '../hetzner/bucket-name';
import { BucketLifecycleRule, describeLifecycleRule, LifecycleLimits, lifecycleDocumentSha256, renderLifecycleDocument } from './lifecycle-document';
import { isObjectStorageLocation, OBJECT_STORAGE_LOCATIONS_ALLOWED, objectStorageEndpoint, ObjectStorageLocation } from './locations';
import { checkRetentionDays } from './retention';

/** Package-relative path of the program the provisioner runs (runtime code: node built-ins only). */
export const BUCKET_LIFECYCLE_PROGRAM = join('lib', 'object-store', 'assets', 'bucket-lifecycle.mjs');

/** Construct id of the one copy of the program per stack (a TerraformAsset, a child of the stack). */
export const BUCKET_LIFECYCLE_PROGRAM_ASSET_ID = 'bucket-lifecycle-program';

/**
 * Environment the provisioner hands the program. The S3 keys are NOT among them: the program reads
 * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` from terraform's own environment, as the S3 backend
 * does, so no key is ever in cdktf.out or in the state.
 */
export const BucketLifecycleEnvironment = {
  bucket: 'AIAI_LIFECYCLE_BUCKET',
  endpoint: 'AIAI_LIFECYCLE_ENDPOINT',
  region: 'AIAI_LIFECYCLE_REGION',
  document: 'AIAI_LIFECYCLE_DOCUMENT',
  sha256: 'AIAI_LIFECYCLE_SHA256',
} as const;

/** Variables the deployer sets for `cdktf deploy` / `terraform apply` (the same as for the S3 backend). */
export const BUCKET_LIFECYCLE_CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export interface BucketLifecycleProps {
  /** The bucket: a literal name or a reference to the bucket resource's `bucket` attribute. */
  readonly bucketName: string;
  /** Hetzner location of the bucket (`fsn1`, `nbg1`, `hel1`): the region requests are signed for. */
  readonly location: ObjectStorageLocation | string;
  /**
   * S3 endpoint the program sends its path-style requests to: an `https://` origin, or a plain
   * `http://` one on loopback (tests against a local fake).
   * @default objectStorageEndpoint(location), `https://<location>.your-objectstorage.com`
   */
  readonly endpoint?: string;
  /** The rules; they replace whatever lifecycle configuration the bucket had. */
  readonly rules: readonly BucketLifecycleRule[];
  /**
   * What must exist before the rules are put (the bucket and its versioning).
   * @default no explicit dependency (a reference in `bucketName` still orders the graph)
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Terraform references whose change re-applies the rules, e.g. `aws_s3_bucket.<name>.id`, so a
   * bucket that is replaced gets its rules again.
   * @default none
   */
  readonly replaceTriggeredBy?: string[];
}

const ENDPOINT_ALLOWED = 'an https:// origin without path (plain http:// only to 127.0.0.1, localhost or [::1]), as a literal';

function endpointOk(endpoint: string): boolean {
  if (isUnresolved(endpoint)) return false;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const origin = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !endpoint.endsWith('/');
  return origin && (url.protocol === 'https:' || (url.protocol === 'http:' && loopback));
}

/**
 * A bucket's lifecycle configuration, applied by a program rather than by the AWS provider's
 * `aws_s3_bucket_lifecycle_configuration`, which cannot converge on Hetzner Object Storage:
 * after its PUT the provider (6.x) waits until GetBucketLifecycleConfiguration returns rules
 * deep-equal to what it sent (`waitLifecycleConfigEquals` in
 * internal/service/s3/bucket_lifecycle_configuration.go of hashicorp/terraform-provider-aws), it
 * sends every whole-bucket rule with a `<Filter>` (a rule-level `prefix = ""` is treated as null
 * and becomes `<Filter/>`, `filter { prefix = "" }` becomes `<Filter><Prefix/></Filter>`;
 * `lifecycleRuleModel.Expand`), and Ceph RGW answers both with a rule-level empty `<Prefix>` and no
 * `<Filter>` (`LCRule_S3::dump_xml` in src/rgw/rgw_lc_s3.cc of ceph/ceph; Hetzner's answer is quoted
 * in hetznercloud/terraform-provider-hcloud#1005). The wait times out after 3 minutes on every
 * apply (hashicorp/terraform-provider-aws#49019; the fix, PR #49547, is not merged).
 *
 * What is synthesized instead: Terraform's built-in `terraform_data` with a `local-exec`
 * provisioner that runs `node bucket-lifecycle.mjs` (copied into the stack's output folder as a
 * cdktf asset; its path holds a hash of its content, so synth output is the same on every machine).
 * The program PUTs `?lifecycle`, reads it back and compares the rules by meaning (accepting Ceph's
 * echo of the whole-bucket scope), retries a bounded number of times and fails with the difference.
 *
 * - Re-runs exactly when the document, the bucket or the endpoint changes: their digest / values are
 *   the resource's `triggers_replace`; `input.rules` says in words what each rule does, so a plan
 *   shows what changes. An unchanged configuration is a no-op at the Terraform level.
 * - Credentials: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` from the environment of
 *   `cdktf deploy` (as for the S3 backend); nothing secret is synthesized or printed.
 * - Destroy: the resource deletes nothing (no destroy-time provisioner: on a replacement it would
 *   delete the rules the new instance just put). Removing the construct leaves the last rules on the
 *   bucket; a bucket that is destroyed takes its rules with it.
 */
export class BucketLifecycle extends Construct {
  /** The PutBucketLifecycleConfiguration body. */
  public readonly document: string;
  /** Hex SHA-256 of `document`. */
  public readonly sha256: string;
  public readonly endpoint: string;
  public readonly resource: TerraformData;
  /** The stack's copy of the program (shared by every BucketLifecycle of the stack). */
  public readonly program: TerraformAsset;

  constructor(scope: Construct, id: string, props: BucketLifecycleProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    if (!isUnresolved(props.bucketName)) {
      checkBucketName(v, 'bucketName', props.bucketName);
    }
    v.check(
      'location',
      props.location,
      typeof props.location === 'string' && !isUnresolved(props.location) && isObjectStorageLocation(props.location),
      OBJECT_STORAGE_LOCATIONS_ALLOWED,
    );
    if (props.endpoint !== undefined) v.check('endpoint', props.endpoint, endpointOk(props.endpoint), ENDPOINT_ALLOWED);
    const rules = props.rules ?? [];
    if (!v.check('rules', rules, Array.isArray(rules) && rules.every((r) => !!r && typeof r === 'object' && !Array.isArray(r)), 'an array of lifecycle rules (objects with an id and days)')) {
      v.throwIfInvalid();
    }
    v.check('rules', rules.length, rules.length >= 1 && rules.length <= LifecycleLimits.maxRules, `1 to ${LifecycleLimits.maxRules} rules`);
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      const ruleId = rule.id;
      if (
        v.check(
          `rules[${i}].id`,
          ruleId,
          typeof ruleId === 'string' && !isUnresolved(ruleId) && ruleId.length >= 1 && ruleId.length <= LifecycleLimits.maxRuleIdLength && /^[\x20-\x7e]+$/.test(ruleId),
          `1-${LifecycleLimits.maxRuleIdLength} printable ASCII characters, as a literal`,
        )
      ) {
        v.check(`rules[${i}].id`, ruleId, !seen.has(ruleId), 'an id no other rule of the bucket has');
        seen.add(ruleId);
      }
      checkRetentionDays(v, `rules[${i}].expirationDays`, rule.expirationDays);
      checkRetentionDays(v, `rules[${i}].noncurrentVersionExpirationDays`, rule.noncurrentVersionExpirationDays);
      checkRetentionDays(v, `rules[${i}].abortIncompleteMultipartUploadDays`, rule.abortIncompleteMultipartUploadDays);
      const actions = [rule.expirationDays, rule.noncurrentVersionExpirationDays, rule.abortIncompleteMultipartUploadDays].filter((d) => d !== undefined);
      v.check(`rules[${i}]`, rule, actions.length > 0, 'a rule with at least one of expirationDays, noncurrentVersionExpirationDays, abortIncompleteMultipartUploadDays');
    });
    v.throwIfInvalid();

    const location = props.location as ObjectStorageLocation;
    this.endpoint = props.endpoint ?? objectStorageEndpoint(location);
    this.document = renderLifecycleDocument(rules);
    this.sha256 = lifecycleDocumentSha256(this.document);
    this.program = BucketLifecycle.programOf(this);

    const E = BucketLifecycleEnvironment;
    this.resource = new TerraformData(this, 'apply', {
      triggersReplace: { bucket: props.bucketName, endpoint: this.endpoint, lifecycle_sha256: this.sha256 },
      input: { rules: Object.fromEntries(rules.map((r) => [r.id, describeLifecycleRule(r)])) },
      dependsOn: props.dependsOn,
      lifecycle: props.replaceTriggeredBy?.length ? { replaceTriggeredBy: props.replaceTriggeredBy } : undefined,
      provisioners: [
        {
          type: 'local-exec',
          // Terraform runs `node <path>` (no shell) in the stack's folder, cdktf.out/stacks/<stack>/,
          // where the asset path is relative to.
          interpreter: ['node'],
          command: this.program.path,
          environment: {
            [E.bucket]: props.bucketName,
            [E.endpoint]: this.endpoint,
            [E.region]: location,
            [E.document]: this.document,
            [E.sha256]: this.sha256,
          },
        },
      ],
    });
  }

  /** The stack's one copy of the program (created on first use). */
  private static programOf(scope: Construct): TerraformAsset {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(BUCKET_LIFECYCLE_PROGRAM_ASSET_ID);
    if (existing instanceof TerraformAsset) return existing;
    return new TerraformAsset(stack, BUCKET_LIFECYCLE_PROGRAM_ASSET_ID, {
      // Absolute, so cdktf does not resolve it against cdktf.json; only the content hash and the
      // file name reach the synthesized path (assets/<id>/<hash>/bucket-lifecycle.mjs).
      path: join(packageRoot(), BUCKET_LIFECYCLE_PROGRAM),
      type: AssetType.FILE,
    });
  }
}
