/**
 * Plain Terraform JSON shaped like our synthesized stacks (cdk.tf.json): the research doc's
 * scenarios (Appendix C, section 9) for the estimator. After the AiaiPlatform presets are merged the
 * Appendix C test can estimate the presets' own JSON instead.
 */
import { COST_HINT_KEY, CostHint } from '../../lib/cost/cost-hints';

export type Json = Record<string, any>;

export interface ServerSpec {
  readonly type: string;
  readonly role?: string;
  readonly backups?: boolean;
  readonly ipv4?: boolean;
  readonly labels?: Record<string, string>;
}

export interface ScenarioSpec {
  readonly name: string;
  readonly servers: Readonly<Record<string, ServerSpec>>;
  readonly loadBalancer?: string;
  readonly buckets?: readonly string[];
  readonly volumesGb?: readonly number[];
  readonly hints?: Readonly<Record<string, CostHint>>;
}

const OBJECT_STORAGE_PROVIDER = { endpoints: [{ s3: 'https://fsn1.your-objectstorage.com' }], region: 'fsn1', s3_use_path_style: true };

export function stackJson(spec: ScenarioSpec): Json {
  const resource: Json = {
    hcloud_server: Object.fromEntries(
      Object.entries(spec.servers).map(([id, s]) => [
        id,
        {
          name: `${spec.name}-${id}`,
          server_type: s.type,
          image: 'ubuntu-24.04',
          location: 'fsn1',
          backups: s.backups ?? false,
          labels: { project: 'aiai', environment: 'production', role: s.role ?? 'orchestrator', ...(s.labels ?? {}) },
          public_net: [{ ipv4_enabled: s.ipv4 ?? true, ipv6_enabled: true }],
        },
      ]),
    ),
  };
  if (spec.loadBalancer) resource.hcloud_load_balancer = { lb: { name: `${spec.name}-lb`, load_balancer_type: spec.loadBalancer, location: 'fsn1' } };
  if (spec.buckets) resource.aws_s3_bucket = Object.fromEntries(spec.buckets.map((b) => [b, { bucket: `aiai-${b}` }]));
  if (spec.volumesGb) resource.hcloud_volume = Object.fromEntries(spec.volumesGb.map((gb, i) => [`vol${i}`, { name: `vol${i}`, size: gb, location: 'fsn1' }]));
  return {
    '//': { metadata: { stackName: spec.name, version: '0.21.0', backend: 'local' }, ...(spec.hints ? { [COST_HINT_KEY]: spec.hints } : {}) },
    provider: { hcloud: [{ token: '${var.hcloud_token}' }], ...(spec.buckets ? { aws: [OBJECT_STORAGE_PROVIDER] } : {}) },
    resource,
  };
}

/** The research doc's CI runner: an always-on CPX31 (a `PersistentRunner`, labelled so). */
const ALWAYS_ON_RUNNER: ServerSpec = { type: 'cpx31', role: 'ci-runner', labels: { 'runner-mode': 'persistent' } };

/** Appendix C, scenario 1: one CX23 orchestrator + Object Storage. */
export const BOOTSTRAPPING: ScenarioSpec = {
  name: 'bootstrapping',
  servers: { orchestrator: { type: 'cx23' } },
  buckets: ['artifacts', 'backups', 'logs', 'metrics'],
};

/** Section 9, minimal configuration: orchestrator + monitoring (both CX23) + Object Storage. */
export const MINIMAL: ScenarioSpec = {
  name: 'minimal',
  servers: { orchestrator: { type: 'cx23' }, monitoring: { type: 'cx23', role: 'monitoring' } },
  buckets: ['artifacts', 'backups'],
};

/** Appendix C, scenario 2, as the doc prices it: the CI runner is an always-on CPX31. */
export const STANDARD_PRODUCTION: ScenarioSpec = {
  name: 'standard-production',
  servers: { primary: { type: 'cx33' }, standby: { type: 'cx23' }, monitoring: { type: 'cax21', role: 'monitoring' }, runner: ALWAYS_ON_RUNNER },
  loadBalancer: 'lb11',
  buckets: ['artifacts', 'backups'],
  hints: { snapshots: { kind: 'snapshots', gb: 50 } },
};

/** Appendix C, scenario 3, as the doc prices it: two always-on CPX31 runners, backups on every server. */
export const FULL_PRODUCTION: ScenarioSpec = {
  name: 'full-production',
  servers: {
    primary: { type: 'ccx23', backups: true },
    secondary: { type: 'cx33', backups: true },
    monitoring: { type: 'cax31', role: 'monitoring', backups: true },
    runner0: { ...ALWAYS_ON_RUNNER, backups: true },
    runner1: { ...ALWAYS_ON_RUNNER, backups: true },
  },
  loadBalancer: 'lb11',
  buckets: ['artifacts', 'backups'],
  volumesGb: [100],
  hints: { snapshots: { kind: 'snapshots', gb: 200 } },
};

/** A per-job pool in place of always-on runners (what our platform deploys). */
export function withPool(spec: ScenarioSpec, maxRunners: number, serverType = 'cpx32'): ScenarioSpec {
  const servers = Object.fromEntries(Object.entries(spec.servers).filter(([, s]) => s.role !== 'ci-runner'));
  return { ...spec, servers, hints: { ...(spec.hints ?? {}), pool: { kind: 'runner-pool', pool: 'ci', serverType, maxRunners, ipv4: true } } };
}
