/**
 * The research doc's cost scenarios (Appendix C and section 9) as sizings of {@link AiaiPlatform}:
 * which parts exist and how big they are. A sizing holds no secret and nothing of one deployment
 * (names, repositories, tokens): those are the platform's other props.
 */
import { invalid } from '../core/validation-error';
import { DEPRECATED_SERVER_TYPES } from '../hetzner/catalog';
import { PoolDefaults } from '../runtime/pool-settings';

/** The orchestrator tier's size. */
export interface OrchestratorSizing {
  /** Server type of the primary. */
  readonly primaryServerType: string;
  /** The warm standby (behind the load balancer), or `false` for a single orchestrator. */
  readonly standby: false | { readonly serverType: string };
  /** The load balancer in front of the tier, or `false` (API on the private network only). */
  readonly loadBalancer: false | { readonly type: string };
  /** Hetzner automated backups of the orchestrator servers (+20 % of their price). */
  readonly serverBackups: boolean;
}

/** The monitoring node's size and disaster recovery. */
export interface MonitoringSizing {
  readonly serverType: string;
  /** Data volume (Prometheus TSDB, Loki chunks, Grafana) in GB. */
  readonly volumeSizeGb: number;
  /**
   * Nightly snapshots of every platform server, rotated by the monitoring node (`keep` per server),
   * with the monitoring node's own off-site backup to the backups bucket when there is an object
   * store; or `false`.
   */
  readonly snapshots: false | { readonly keep: number };
  /** Hetzner automated backups of the monitoring server (+20 % of its price). */
  readonly serverBackups: boolean;
}

/** The per-job CI runner pool's size. */
export interface RunnerPoolSizing {
  /** Server type of each runner. */
  readonly serverType: string;
  /** Runner servers at a time (jobs beyond wait). */
  readonly maxRunners: number;
}

/** Which parts a platform has and how big they are. `false` leaves a part out. */
export interface PlatformSizing {
  readonly orchestrator: OrchestratorSizing;
  readonly monitoring: false | MonitoringSizing;
  readonly runnerPool: false | RunnerPoolSizing;
  /** The four buckets (logs, metrics, artifacts, backups); off-site backups need them. */
  readonly objectStore: boolean;
}

/**
 * A partial sizing, merged over a preset's: a value given wins, a value left out stays the preset's.
 * `false` removes a part; `true` (or an object) adds it (with the part's defaults, e.g. a cax21 monitoring node, for what
 * the preset does not say), so e.g. `{ monitoring: { volumeSizeGb: 100 } }` enlarges the volume and
 * `{ runnerPool: false }` drops the pool.
 */
export interface PlatformSizingOverrides {
  /** The orchestrator tier. @default - the preset's */
  readonly orchestrator?: {
    /** @default - the preset's */
    readonly primaryServerType?: string;
    /** `false` removes the standby, `true` or an object adds or changes it. @default - the preset's */
    readonly standby?: boolean | { readonly serverType?: string };
    /** `false` removes the load balancer, `true` or an object adds or changes it. @default - the preset's */
    readonly loadBalancer?: boolean | { readonly type?: string };
    /** @default - the preset's */
    readonly serverBackups?: boolean;
  };
  /** The monitoring node: `false` removes it, `true` or an object adds or changes it. @default - the preset's */
  readonly monitoring?:
    | boolean
    | {
        /** @default - the preset's (PART_DEFAULTS.monitoring when the override adds the node) */
        readonly serverType?: string;
        /** @default - the preset's (PART_DEFAULTS.monitoring when the override adds the node) */
        readonly volumeSizeGb?: number;
        /** `false` stops snapshots, `true` or an object takes them. @default - the preset's */
        readonly snapshots?: boolean | { readonly keep?: number };
        /** @default - the preset's (PART_DEFAULTS.monitoring when the override adds the node) */
        readonly serverBackups?: boolean;
      };
  /** The runner pool: `false` removes it, `true` or an object adds or changes it. @default - the preset's */
  readonly runnerPool?: boolean | Partial<RunnerPoolSizing>;
  /** The object store. @default - the preset's */
  readonly objectStore?: boolean;
}

/**
 * What a part gets when an override adds it to a preset that leaves it out: the constructs' own
 * defaults (AiaiOrchestrator, MonitoringNode, EphemeralRunnerPool).
 */
export const PART_DEFAULTS = {
  standby: { serverType: 'cx23' },
  loadBalancer: { type: 'lb11' },
  monitoring: { serverType: 'cax21', volumeSizeGb: 50, snapshots: false, serverBackups: false } satisfies MonitoringSizing,
  snapshots: { keep: 7 },
  runnerPool: { serverType: PoolDefaults.serverType, maxRunners: PoolDefaults.maxRunners } satisfies RunnerPoolSizing,
} as const;

/** `value` without the keys whose value is undefined (so an override's `undefined` keeps the preset's). */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One optional part: kept, removed (`false`), added with `fallback` (`true`) or merged. */
function part<T extends object>(current: false | T, override: boolean | Partial<T> | undefined, fallback: T): false | T {
  if (override === undefined) return current;
  if (override === false) return false;
  const base = current === false ? fallback : current;
  return override === true ? base : { ...base, ...defined(override) };
}

function mergeMonitoring(current: false | MonitoringSizing, override: PlatformSizingOverrides['monitoring']): false | MonitoringSizing {
  if (override === undefined || typeof override === 'boolean') return part(current, override, PART_DEFAULTS.monitoring);
  const { snapshots, ...rest } = override;
  const base = current === false ? PART_DEFAULTS.monitoring : current;
  return { ...base, ...defined(rest), snapshots: part<{ keep: number }>(base.snapshots, snapshots, PART_DEFAULTS.snapshots) };
}

/** `overrides` merged over `sizing` (see {@link PlatformSizingOverrides}). */
export function mergeSizing(sizing: PlatformSizing, overrides: PlatformSizingOverrides = {}): PlatformSizing {
  const o = overrides.orchestrator ?? {};
  return {
    orchestrator: {
      primaryServerType: o.primaryServerType ?? sizing.orchestrator.primaryServerType,
      standby: part(sizing.orchestrator.standby, o.standby, PART_DEFAULTS.standby),
      loadBalancer: part(sizing.orchestrator.loadBalancer, o.loadBalancer, PART_DEFAULTS.loadBalancer),
      serverBackups: o.serverBackups ?? sizing.orchestrator.serverBackups,
    },
    monitoring: mergeMonitoring(sizing.monitoring, overrides.monitoring),
    runnerPool: part(sizing.runnerPool, overrides.runnerPool, PART_DEFAULTS.runnerPool),
    objectStore: overrides.objectStore ?? sizing.objectStore,
  };
}

/** Names of the presets (also the reference app's scenario keys). */
export type PlatformPresetName = 'bootstrapping' | 'minimal' | 'standard-production' | 'full-production';

/**
 * A scenario of the research doc as a sizing. Use the static factories:
 * `PlatformPreset.standardProduction()` (the default of {@link AiaiPlatform}),
 * `PlatformPreset.bootstrapping()`, `PlatformPreset.minimal()`, `PlatformPreset.fullProduction()`;
 * change any value with the platform's `sizing` prop (or {@link PlatformPreset.with}).
 */
export class PlatformPreset {
  /**
   * Appendix C, scenario 1 ("Bootstrapping"): one `cx23` orchestrator (no standby, no load
   * balancer: its API is on the private network only) and the object store (the orchestrator's
   * nightly off-site backup goes to the backups bucket). No monitoring node, no runner pool.
   * Every type the doc names is still orderable.
   */
  public static bootstrapping(): PlatformPreset {
    return new PlatformPreset('bootstrapping', 'Bootstrapping (Appendix C, scenario 1)', {
      orchestrator: { primaryServerType: 'cx23', standby: false, loadBalancer: false, serverBackups: false },
      monitoring: false,
      runnerPool: false,
      objectStore: true,
    });
  }

  /**
   * Section 9, "Minimal Configuration": one `cx23` orchestrator, a small `cx23` monitoring node with
   * the smallest data volume Hetzner sells (10 GB; the doc prices no volume), and the object store.
   * No standby, load balancer, runner pool or snapshots. Every type the doc names is still orderable.
   */
  public static minimal(): PlatformPreset {
    return new PlatformPreset('minimal', 'Minimal (section 9)', {
      orchestrator: { primaryServerType: 'cx23', standby: false, loadBalancer: false, serverBackups: false },
      monitoring: { serverType: 'cx23', volumeSizeGb: 10, snapshots: false, serverBackups: false },
      runnerPool: false,
      objectStore: true,
    });
  }

  /**
   * Appendix C, scenario 2 and section 9 "Standard Configuration": `cx33` primary, `cx23` standby
   * behind an `lb11`, a `cax21` monitoring node (50 GB volume) that takes nightly snapshots of every
   * server (7 kept) and backs itself up to the object store, and a per-job CI runner pool. The doc's
   * always-on **CPX31** runner can no longer be ordered: the pool runs **cpx32** (same 4 vCPU, 8 GB),
   * up to 5 at a time, billed per started hour. This is the reference app's `aiai-production`.
   */
  public static standardProduction(): PlatformPreset {
    return new PlatformPreset(
      'standard-production',
      'Standard production (Appendix C, scenario 2)',
      {
        orchestrator: { primaryServerType: 'cx33', standby: { serverType: 'cx23' }, loadBalancer: { type: 'lb11' }, serverBackups: false },
        monitoring: { serverType: 'cax21', volumeSizeGb: 50, snapshots: { keep: 7 }, serverBackups: false },
        runnerPool: { serverType: 'cpx32', maxRunners: 5 },
        objectStore: true,
      },
      { cpx31: 'cpx32' },
    );
  }

  /**
   * Appendix C, scenario 3 ("Full Production with Redundancy") and section 9 "Scaled
   * Configuration": a dedicated-vCPU `ccx23` primary, a `cx33` standby behind an `lb11`, a `cax31`
   * monitoring node with a 100 GB volume and snapshots (7 kept), Hetzner server backups on every
   * server, and the runner pool with twice the standard capacity (the doc's two always-on
   * **CPX31** runners: **cpx32**, up to 10 at a time), plus the object store.
   */
  public static fullProduction(): PlatformPreset {
    return new PlatformPreset(
      'full-production',
      'Full production with redundancy (Appendix C, scenario 3)',
      {
        orchestrator: { primaryServerType: 'ccx23', standby: { serverType: 'cx33' }, loadBalancer: { type: 'lb11' }, serverBackups: true },
        monitoring: { serverType: 'cax31', volumeSizeGb: 100, snapshots: { keep: 7 }, serverBackups: true },
        runnerPool: { serverType: 'cpx32', maxRunners: 10 },
        objectStore: true,
      },
      { cpx31: 'cpx32' },
    );
  }

  /** Every preset, smallest first. */
  public static all(): PlatformPreset[] {
    return [PlatformPreset.bootstrapping(), PlatformPreset.minimal(), PlatformPreset.standardProduction(), PlatformPreset.fullProduction()];
  }

  private constructor(
    /** Short name, e.g. `standard-production`. */
    public readonly name: PlatformPresetName,
    /** The scenario it reproduces, with where the research doc describes it. */
    public readonly title: string,
    /** The parts and sizes. */
    public readonly sizing: PlatformSizing,
    /**
     * Server types the research doc names that can no longer be ordered, with the current type the
     * preset uses instead (from DEPRECATED_SERVER_TYPES).
     */
    public readonly replacedServerTypes: Readonly<Record<string, string>> = {},
  ) {
    for (const [old, current] of Object.entries(replacedServerTypes)) {
      // The catalog is the one source of replacements: a preset that disagrees is a bug here.
      if (DEPRECATED_SERVER_TYPES[old]?.replacement !== current) {
        invalid(`PlatformPreset ${name}`, 'replacedServerTypes', `${old} -> ${current}`, `the replacement DEPRECATED_SERVER_TYPES names (${old} -> ${DEPRECATED_SERVER_TYPES[old]?.replacement ?? 'none: not deprecated'})`);
      }
    }
  }

  /** This preset with `overrides` merged over its sizing (same name, so reports still say which preset). */
  public with(overrides: PlatformSizingOverrides): PlatformPreset {
    return new PlatformPreset(this.name, this.title, mergeSizing(this.sizing, overrides), this.replacedServerTypes);
  }
}
