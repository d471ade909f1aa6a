/**
 * What the estimator needs that is not a Terraform attribute, as the constructs write it into the
 * stack's JSON: `"//": { "aiai_cost": { "<name>": <hint> } }` at the top level of `cdk.tf.json`.
 * Terraform ignores `"//"` properties of JSON configuration objects (Terraform docs, "JSON
 * Configuration Syntax", "Comment Properties"; checked by __tests__/cost/cost-hint.test.ts with
 * `terraform validate`).
 *
 * Runtime-safe: types and constants only (`record-cost-hint.ts` writes them from constructs).
 */

/** The key under the top-level `"//"` object. */
export const COST_HINT_KEY = 'aiai_cost';

/**
 * Per-job runners: the runner manager creates up to `maxRunners` servers of `serverType`, one per
 * job, each billed per started hour (plus its primary IPv4 per hour when `ipv4`).
 */
export interface RunnerPoolCostHint {
  readonly kind: 'runner-pool';
  /** Pool name (the item's description). */
  readonly pool: string;
  readonly serverType: string;
  /** Most runner servers at a time (caps the hours a month can have). */
  readonly maxRunners: number;
  /** Runner servers get a primary IPv4 (billed per hour like the server). */
  readonly ipv4: boolean;
}

/**
 * Snapshots kept by a rotation: either an expected total (`gb`), or `keepPerServer` snapshots of
 * `gbPerSnapshot` each for every server in the stack whose labels include `labels` and whose `role`
 * label is one of `roles`.
 */
export interface SnapshotsCostHint {
  readonly kind: 'snapshots';
  /** Expected GB of snapshots stored all month. @default computed from the servers */
  readonly gb?: number;
  /** Snapshots kept per server. @default none (then `gb` is required) */
  readonly keepPerServer?: number;
  /** Expected (compressed) GB per snapshot. @default DEFAULT_SNAPSHOT_GB */
  readonly gbPerSnapshot?: number;
  /** Labels the snapshotted servers carry (project, environment). @default any server */
  readonly labels?: Readonly<Record<string, string>>;
  /** `role` label values of the snapshotted servers. @default any role */
  readonly roles?: readonly string[];
}

/**
 * Always-on runners (`PersistentRunner`) need no hint: their server is an `hcloud_server` like any
 * other, and its `runner-mode=persistent` label (LabelKeys.runnerMode) tells the estimator it is one.
 */
export type CostHint = RunnerPoolCostHint | SnapshotsCostHint;

/**
 * Expected size of one snapshot of a platform host in GB: Hetzner bills the compressed image of the
 * used disk, and our hosts hold Ubuntu 24.04 with a few packages and the service data (a few GB).
 * An estimate: items computed with it are marked `estimated`.
 */
export const DEFAULT_SNAPSHOT_GB = 3;
