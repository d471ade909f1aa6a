/**
 * `up`, `down` and `reap`: the lifecycle of per-job runners on Hetzner.
 *
 * ## How separate `up` processes keep the pool under its cap
 *
 * Concurrent `up` calls run in different workflow jobs, on different machines, and share nothing
 * but the Hetzner project. They agree through the server list itself, using that Hetzner server
 * IDs increase with creation time (and that a created server is listed at once):
 *
 * 1. Wait while the pool already has `maxRunners` servers (cheap pre-check, polls slowly).
 * 2. Create the server **powered off** (`start_after_create: false`) with the pool's labels.
 * 3. List the pool's servers. This server's rank is the number of pool servers with a lower ID.
 *    Rank < max: the slot is ours, power on. Otherwise: delete the server (it never booted, so
 *    its runner never connected) and its runner registration, back off with jitter, go to 1.
 *
 * Why at most `maxRunners` servers are ever powered on: suppose max+1 winners were alive at
 * once and take the one with the highest ID. Every other winner has a lower ID, so was created
 * earlier and was alive when this one listed the pool: its rank was at least max, so it cannot
 * have won. Losers only ever make ranks larger (never smaller), and the lowest-ID contender wins
 * whenever the pool has room, so contention resolves. Losers cost a create and a delete (Hetzner
 * bills a deleted server for its minutes in the hour, for a server that never booted).
 */
import { Roles } from '../core/labels';
import { ExitCode, RunnerError } from './errors';
import { GitHubClient, GitHubRunner, JitConfig } from './github-client';
import { ATTACH_ERROR_CODES, CAPACITY_ERROR_CODES, CreateServerRequest, HcloudClient, HcloudServer } from './hcloud-client';
import { ApiError, Clock } from './http';
import { PoolLabelKeys, PoolSettings, RUNNER_PUBLIC_NET } from '../runtime/pool-settings';
import { placementCandidates, poolRunnerLabel, poolSelector, runRunnerLabel, runnerLabelsFor, runnerName, serverLabelsFor } from '../runtime/pool-labels';
import { runnerArchitecture } from '../runtime/pool-settings-check';
import type { ManagerTimings } from '../runtime/timings';
import { renderRunnerUserData, runnerLogShipping } from './user-data';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** A status line that replaces the previous one (terminal) or is printed now and then (CI). */
  progress(message: string): void;
}

export interface ManagerContext {
  readonly settings: PoolSettings;
  readonly hcloud: HcloudClient;
  readonly github: GitHubClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly timings: ManagerTimings;
}

export interface UpOptions {
  /** `<run id>-<run attempt>`: shared by the runners of one workflow run, selects them for `down`. */
  readonly runKey: string;
  /** The job the runner is for (part of its name). */
  readonly job: string;
  readonly signal?: AbortSignal;
}

export interface UpResult {
  readonly runnerName: string;
  /** The label the job's `runs-on` must use (unique to this runner). */
  readonly runnerLabel: string;
  readonly runnerId: number;
  readonly serverId: number;
  readonly serverType: string;
  readonly location: string;
  readonly ipv4?: string;
  /** Unix seconds. */
  readonly expiresAt: number;
  /** Slot claims it took (1 = no race lost). */
  readonly claims: number;
}

function isApiError(e: unknown, ...codes: string[]): e is ApiError {
  return e instanceof ApiError && (codes.length === 0 || (e.code !== undefined && codes.includes(e.code)));
}

function secondsSince(clock: Clock, startMs: number): number {
  return Math.round((clock.now() - startMs) / clock.secondMs);
}

/** What `up` has created so far: deleted again when it fails or is interrupted. */
interface Created {
  runnerId?: number;
  serverId?: number;
}

/** Cleanup runs with its own time limit, also after the caller's signal aborted. */
async function cleanup(ctx: ManagerContext, created: Created, why: string): Promise<void> {
  const signal = AbortSignal.timeout(60_000);
  if (created.serverId !== undefined) {
    try {
      await ctx.hcloud.deleteServer(created.serverId, signal);
      ctx.log.info(`deleted server ${created.serverId} (${why})`);
      created.serverId = undefined;
    } catch (e) {
      ctx.log.warn(`could not delete server ${created.serverId}: ${(e as Error).message}; \`down\` or \`reap\` will`);
    }
  }
  if (created.runnerId !== undefined) {
    try {
      await ctx.github.deleteRunner(created.runnerId, signal);
      created.runnerId = undefined;
    } catch (e) {
      ctx.log.warn(`could not deregister runner ${created.runnerId}: ${(e as Error).message}; \`reap\` will`);
    }
  }
}

async function generateJit(ctx: ManagerContext, name: string, runKey: string, signal?: AbortSignal): Promise<JitConfig> {
  const req = { name, runner_group_id: ctx.settings.runnerGroupId, labels: runnerLabelsFor(ctx.settings, runKey, name) };
  try {
    return await ctx.github.generateJitConfig(req, signal);
  } catch (e) {
    // 409: a runner with this name exists: a leftover of an earlier attempt of this very job
    // (names contain run id, attempt and job). Its JIT config cannot be fetched again: replace it.
    if (!(e instanceof ApiError && e.status === 409)) throw e;
    const stale = (await ctx.github.listRunners(signal)).find((r) => r.name === name);
    if (stale) {
      ctx.log.warn(`runner ${name} already registered (id ${stale.id}, from an earlier attempt): replacing it`);
      await ctx.github.deleteRunner(stale.id, signal);
    }
    return ctx.github.generateJitConfig(req, signal);
  }
}

async function createServer(ctx: ManagerContext, req: CreateServerRequest, signal?: AbortSignal): Promise<HcloudServer> {
  try {
    return (await ctx.hcloud.createServer(req, signal)).server;
  } catch (e) {
    if (!isApiError(e, 'uniqueness_error')) throw e;
    // A server with this name exists. Ours (same pool and runner label): a leftover of an earlier
    // attempt, or our own request retried after a lost response. Never touch anything else.
    const [existing] = await ctx.hcloud.listServers({ name: req.name }, signal);
    if (!existing || existing.labels[PoolLabelKeys.pool] !== ctx.settings.pool || existing.labels[PoolLabelKeys.runner] !== req.name) {
      throw new RunnerError(`a server named ${req.name} exists and does not belong to pool ${ctx.settings.pool}; not touching it`, ExitCode.api);
    }
    ctx.log.warn(`server ${req.name} already exists (id ${existing.id}): replacing it`);
    await ctx.hcloud.deleteServer(existing.id, signal);
    return (await ctx.hcloud.createServer(req, signal)).server;
  }
}

interface Claim {
  readonly won: boolean;
  readonly server?: HcloudServer;
  readonly jit?: JitConfig;
  readonly expiresAt?: number;
  /** Pool servers ranked before ours when we lost. */
  readonly ahead?: number;
}

/** One attempt at a slot: register the runner, create the server powered off, rank it. */
async function claimSlot(ctx: ManagerContext, name: string, runKey: string, created: Created, signal?: AbortSignal): Promise<Claim> {
  const { settings, hcloud, log } = ctx;
  const jit = await generateJit(ctx, name, runKey, signal);
  created.runnerId = jit.runner.id;

  const expiresAt = Math.floor(ctx.clock.now() / 1000) + settings.maxLifetimeMinutes * 60;
  const labels = serverLabelsFor(settings, runKey, name, expiresAt);
  const userData = renderRunnerUserData({
    name,
    encodedJitConfig: jit.encoded_jit_config,
    architecture: runnerArchitecture(settings.serverType),
    actionsRunner: settings.actionsRunner,
    rootSshLogin: settings.sshKeys.length > 0,
    logShipping: runnerLogShipping(settings),
  });
  let server: HcloudServer | undefined;
  const refused: string[] = [];
  for (const candidate of placementCandidates(settings)) {
    const req: CreateServerRequest = {
      name,
      server_type: candidate.serverType,
      location: candidate.location,
      image: settings.image,
      labels,
      user_data: userData,
      start_after_create: false,
      ...(settings.sshKeys.length > 0 ? { ssh_keys: settings.sshKeys } : {}),
      ...(settings.firewallIds.length > 0 ? { firewalls: settings.firewallIds.map((id) => ({ firewall: Number(id) })) } : {}),
      // With a subnet range the server joins the network through attach_to_network (which picks
      // the subnet) once it won its slot; `networks` at creation would let Hetzner pick the subnet.
      ...(settings.networkId !== undefined && settings.subnetIpRange === undefined ? { networks: [Number(settings.networkId)] } : {}),
      public_net: { ...RUNNER_PUBLIC_NET },
    };
    try {
      server = await createServer(ctx, req, signal);
      if (refused.length > 0) log.info(`created ${candidate.serverType} in ${candidate.location} (fallback after: ${refused.join('; ')})`);
      break;
    } catch (e) {
      if (!isApiError(e, ...CAPACITY_ERROR_CODES)) throw e;
      refused.push(`${candidate.serverType} in ${candidate.location}: ${e.code}`);
      log.warn(`no capacity for ${candidate.serverType} in ${candidate.location} (${e.code}: ${e.detail}); trying the next fallback`);
    }
  }
  if (!server) {
    throw new RunnerError(
      `no server type/location of pool ${settings.pool} had capacity (${refused.join('; ')}). ` +
        `Add fallback server types or locations, or retry later.`,
      ExitCode.noCapacity,
    );
  }
  created.serverId = server.id;

  const pool = await hcloud.listServers({ labelSelector: poolSelector(settings.pool) }, signal);
  const ahead = pool.filter((s) => s.id < server!.id).length;
  if (ahead < settings.maxRunners) return { won: true, server, jit, expiresAt };
  return { won: false, ahead };
}

/** Runs a server action, retrying while Hetzner answers 423 `locked` (the create action still runs). */
async function whileLocked(ctx: ManagerContext, action: () => Promise<unknown>, signal?: AbortSignal): Promise<void> {
  const { clock, timings } = ctx;
  const start = clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await action();
      return;
    } catch (e) {
      // 423 locked: the create action (10-30 s) is still running. Anything else is an error.
      if (!isApiError(e, 'locked') || secondsSince(clock, start) >= timings.powerOnTimeoutSeconds) throw e;
      // 2, 4, 8, 10, 10 ... s: about five requests for a slow create.
      const wait = Math.min(timings.powerOnPollSeconds * 2 ** (attempt - 1), 5 * timings.powerOnPollSeconds);
      await clock.sleep(wait * clock.secondMs, signal);
    }
  }
}

async function powerOn(ctx: ManagerContext, serverId: number, signal?: AbortSignal): Promise<void> {
  await whileLocked(ctx, () => ctx.hcloud.powerOn(serverId, signal), signal);
}

/** Attaches the (powered-off) server to the pool's subnet, so that it boots with its address there. */
async function attachToSubnet(ctx: ManagerContext, serverId: number, signal?: AbortSignal): Promise<void> {
  const { settings } = ctx;
  const network = Number(settings.networkId);
  const ipRange = settings.subnetIpRange!;
  try {
    await whileLocked(ctx, () => ctx.hcloud.attachToNetwork(serverId, { network, ip_range: ipRange }, signal), signal);
  } catch (e) {
    // The server was created without networks: only our own request (retried after a lost
    // response) can have attached it.
    if (isApiError(e, 'server_already_attached')) return;
    if (!isApiError(e, ...ATTACH_ERROR_CODES, 'not_found', 'invalid_input')) throw e;
    throw new RunnerError(
      `could not attach server ${serverId} to subnet ${ipRange} of network ${network} (${e.code}: ${e.detail}): ` +
        `check that the network has a subnet with exactly this range and a free address (its servers count against it)`,
      ExitCode.api,
    );
  }
}

async function waitOnline(ctx: ManagerContext, name: string, runnerId: number, where: string, signal?: AbortSignal): Promise<GitHubRunner> {
  const { clock, timings, log } = ctx;
  const start = clock.now();
  for (;;) {
    const runner = await ctx.github.getRunner(runnerId, signal);
    if (!runner) {
      throw new RunnerError(`runner ${name} was deregistered before it came online (deleted by someone else, or by \`reap\`)`, ExitCode.notOnline);
    }
    if (runner.status === 'online') return runner;
    const waited = secondsSince(clock, start);
    if (waited >= timings.onlineTimeoutSeconds) {
      throw new RunnerError(
        `runner ${name} did not come online within ${timings.onlineTimeoutSeconds} s (${where}); ` +
          `its server was deleted. Check the server's cloud-init log by recreating it with an SSH key and a firewall rule.`,
        ExitCode.notOnline,
      );
    }
    log.progress(`waiting for runner ${name} (${where}) to come online: ${waited} s of at most ${timings.onlineTimeoutSeconds} s`);
    await clock.sleep(timings.onlinePollSeconds * clock.secondMs, signal);
  }
}

async function waitForFreeSlot(ctx: ManagerContext, deadlineMs: number, signal?: AbortSignal): Promise<void> {
  const { clock, timings, settings, log } = ctx;
  const start = clock.now();
  for (;;) {
    const servers = await ctx.hcloud.listServers({ labelSelector: poolSelector(settings.pool) }, signal);
    if (servers.length < settings.maxRunners) return;
    if (clock.now() >= deadlineMs) throw poolFull(ctx, servers.length, start);
    log.progress(
      `pool ${settings.pool} is full (${servers.length} of ${settings.maxRunners} servers): waiting for a free slot, ${secondsSince(clock, start)} s`,
    );
    const wait = timings.slotPollSeconds * (0.75 + clock.random() / 2) * clock.secondMs;
    await clock.sleep(Math.max(0, Math.min(wait, deadlineMs - clock.now())), signal);
  }
}

function poolFull(ctx: ManagerContext, count: number, startMs: number): RunnerError {
  return new RunnerError(
    `pool ${ctx.settings.pool} stayed full (${count} of ${ctx.settings.maxRunners} servers) for ${secondsSince(ctx.clock, startMs)} s: ` +
      `raise the max runners setting or the slot timeout, or check for leaked servers (\`aiai-runner reap\`)`,
    ExitCode.poolFull,
  );
}

/**
 * Starts one runner for one job and waits until it is online. Whatever it created is deleted
 * again if it fails or is interrupted (`signal`), so a failed `up` leaves nothing behind; should
 * the process die hard, `down` (by run key) and `reap` (by expiry) find the rest by label.
 */
export async function up(ctx: ManagerContext, opts: UpOptions): Promise<UpResult> {
  const { settings, clock, timings, log } = ctx;
  const { signal } = opts;
  const name = runnerName(settings.pool, opts.runKey, opts.job);
  const start = clock.now();
  const slotDeadline = start + timings.slotTimeoutSeconds * clock.secondMs;
  const created: Created = {};
  try {
    for (let claims = 1; ; claims++) {
      await waitForFreeSlot(ctx, slotDeadline, signal);
      const claim = await claimSlot(ctx, name, opts.runKey, created, signal);
      if (!claim.won) {
        log.info(`lost the race for a slot of pool ${settings.pool} (${claim.ahead} servers created earlier, max ${settings.maxRunners}): backing off`);
        await cleanup(ctx, created, 'slot race lost');
        const backoff = Math.min(timings.claimBackoffMaxSeconds, timings.claimBackoffSeconds * 2 ** (claims - 1)) * (0.5 + clock.random() / 2);
        if (clock.now() + backoff * clock.secondMs >= slotDeadline) throw poolFull(ctx, settings.maxRunners, start);
        await clock.sleep(backoff * clock.secondMs, signal);
        continue;
      }
      const server = claim.server!;
      const where = `server ${server.id}, ${server.server_type.name} in ${server.datacenter?.location.name ?? '?'}`;
      if (settings.subnetIpRange !== undefined) {
        await attachToSubnet(ctx, server.id, signal);
        log.info(`created ${where}; attached to subnet ${settings.subnetIpRange} of network ${settings.networkId}; powering on`);
      } else {
        log.info(`created ${where}; powering on`);
      }
      await powerOn(ctx, server.id, signal);
      const runner = await waitOnline(ctx, name, claim.jit!.runner.id, where, signal);
      log.info(`runner ${name} is online (${where}, expires ${new Date(claim.expiresAt! * 1000).toISOString()})`);
      return {
        runnerName: name,
        runnerLabel: name,
        runnerId: runner.id,
        serverId: server.id,
        serverType: server.server_type.name,
        location: server.datacenter?.location.name ?? '',
        ipv4: server.public_net?.ipv4?.ip ?? undefined,
        expiresAt: claim.expiresAt!,
        claims,
      };
    }
  } catch (e) {
    await cleanup(ctx, created, signal?.aborted ? 'interrupted' : 'up failed');
    throw e;
  }
}

export interface DownOptions {
  /** Delete every runner of this run key. */
  readonly runKey?: string;
  /** Or only the runner with this name. */
  readonly name?: string;
  readonly signal?: AbortSignal;
}

export interface CleanupResult {
  readonly deletedServers: readonly string[];
  readonly deletedRunners: readonly string[];
  /** Runners that could not be deleted yet (still busy): `reap` removes them once offline. */
  readonly remainingRunners: readonly string[];
}

async function deleteRunnerPatiently(ctx: ManagerContext, runner: GitHubRunner, signal?: AbortSignal): Promise<'deleted' | 'gone' | 'busy'> {
  const { clock, timings } = ctx;
  for (let attempt = 1; ; attempt++) {
    try {
      return (await ctx.github.deleteRunner(runner.id, signal)) ? 'deleted' : 'gone';
    } catch (e) {
      // 422: the runner is still running a job. Its server is gone, so it drops offline soon.
      if (!(e instanceof ApiError && e.status === 422) || attempt >= timings.runnerDeleteAttempts) {
        if (e instanceof ApiError && e.status === 422) return 'busy';
        throw e;
      }
      await clock.sleep(timings.runnerDeleteRetrySeconds * clock.secondMs, signal);
    }
  }
}

/**
 * Deletes the servers and runners of one run (or one runner), found by label, not by what `up`
 * printed: so it also cleans up after an `up` that died half way. Idempotent.
 */
export async function down(ctx: ManagerContext, opts: DownOptions): Promise<CleanupResult> {
  const { settings, log } = ctx;
  if ((opts.runKey === undefined) === (opts.name === undefined)) throw new RunnerError('down needs either a run key or a runner name', ExitCode.usage);
  const selector =
    poolSelector(settings.pool) + (opts.name !== undefined ? `,${PoolLabelKeys.runner}=${opts.name}` : `,${PoolLabelKeys.run}=${opts.runKey}`);
  const servers = await ctx.hcloud.listServers({ labelSelector: selector }, opts.signal);
  const deletedServers: string[] = [];
  for (const s of servers) {
    if (await ctx.hcloud.deleteServer(s.id, opts.signal)) {
      deletedServers.push(s.name);
      log.info(`deleted server ${s.id} (${s.name})`);
    }
  }
  const poolLabel = poolRunnerLabel(settings.pool);
  const runLabel = opts.runKey !== undefined ? runRunnerLabel(settings.pool, opts.runKey) : undefined;
  const runners = (await ctx.github.listRunners(opts.signal)).filter((r) => {
    const labels = r.labels.map((l) => l.name);
    if (!labels.includes(poolLabel)) return false;
    return opts.name !== undefined ? r.name === opts.name : labels.includes(runLabel!);
  });
  const deletedRunners: string[] = [];
  const remainingRunners: string[] = [];
  for (const r of runners) {
    const outcome = await deleteRunnerPatiently(ctx, r, opts.signal);
    if (outcome === 'deleted') {
      deletedRunners.push(r.name);
      log.info(`deregistered runner ${r.name}`);
    } else if (outcome === 'busy') {
      remainingRunners.push(r.name);
      log.warn(`runner ${r.name} is still busy; its server is gone, \`reap\` will deregister it once it is offline`);
    }
  }
  if (deletedServers.length === 0 && deletedRunners.length === 0 && remainingRunners.length === 0) {
    log.info(`nothing to clean up for ${opts.name ?? `run ${opts.runKey}`} in pool ${settings.pool}`);
  }
  return { deletedServers, deletedRunners, remainingRunners };
}

export interface ReapOptions {
  /** Only report what would be deleted. @default false */
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

function expiryOf(server: HcloudServer): number | undefined {
  const raw = server.labels[PoolLabelKeys.expiresAt];
  return raw !== undefined && /^\d{1,12}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Deletes pool servers past their `expires-at` and pool runners that are offline, idle and have no
 * live server. Only servers carrying `role=ci-runner` and this pool's `pool` label are looked at,
 * and only runners carrying this pool's runner label.
 */
export async function reap(ctx: ManagerContext, opts: ReapOptions = {}): Promise<CleanupResult> {
  const { settings, clock, log, timings } = ctx;
  const { signal } = opts;
  const nowSeconds = Math.floor(clock.now() / 1000);
  const servers = await ctx.hcloud.listServers({ labelSelector: poolSelector(settings.pool) }, signal);
  const deletedServers: string[] = [];
  const live = new Set<string>();
  for (const s of servers) {
    // Defence in depth: the selector already guarantees these labels.
    if (s.labels[PoolLabelKeys.role] !== Roles.ciRunner || s.labels[PoolLabelKeys.pool] !== settings.pool) continue;
    const expiry = expiryOf(s);
    if (expiry === undefined) {
      log.warn(`server ${s.id} (${s.name}) has the pool's labels but no valid ${PoolLabelKeys.expiresAt} label: left alone`);
      live.add(s.name);
      continue;
    }
    if (expiry > nowSeconds) {
      live.add(s.name);
      continue;
    }
    const late = `expired ${nowSeconds - expiry} s ago`;
    if (opts.dryRun) {
      log.info(`would delete server ${s.id} (${s.name}): ${late}`);
      deletedServers.push(s.name);
    } else if (await ctx.hcloud.deleteServer(s.id, signal)) {
      log.info(`deleted server ${s.id} (${s.name}): ${late}`);
      deletedServers.push(s.name);
    }
  }

  const poolLabel = poolRunnerLabel(settings.pool);
  const isOrphan = (r: GitHubRunner, liveNames: Set<string>) =>
    r.labels.some((l) => l.name === poolLabel) && r.status !== 'online' && !r.busy && !liveNames.has(r.name);
  let orphans = (await ctx.github.listRunners(signal)).filter((r) => isOrphan(r, live));
  if (orphans.length > 0 && !opts.dryRun && timings.orphanGraceSeconds > 0) {
    // An `up` registers its runner a moment before it creates the server: look again after a
    // grace period, and only take runners that still have no server.
    await clock.sleep(timings.orphanGraceSeconds * clock.secondMs, signal);
    const liveNow = new Set(
      (await ctx.hcloud.listServers({ labelSelector: poolSelector(settings.pool) }, signal))
        .filter((s) => (expiryOf(s) ?? Infinity) > nowSeconds)
        .map((s) => s.name),
    );
    const again = new Map((await ctx.github.listRunners(signal)).map((r) => [r.id, r]));
    orphans = orphans.map((r) => again.get(r.id)).filter((r): r is GitHubRunner => r !== undefined && isOrphan(r, liveNow));
  }
  const deletedRunners: string[] = [];
  const remainingRunners: string[] = [];
  for (const r of orphans) {
    if (opts.dryRun) {
      log.info(`would deregister offline runner ${r.name}`);
      deletedRunners.push(r.name);
      continue;
    }
    const outcome = await deleteRunnerPatiently(ctx, r, signal);
    if (outcome === 'deleted') {
      deletedRunners.push(r.name);
      log.info(`deregistered offline runner ${r.name}`);
    } else if (outcome === 'busy') remainingRunners.push(r.name);
  }
  log.info(
    `reaped pool ${settings.pool}: ${deletedServers.length} expired server(s), ${deletedRunners.length} offline runner(s)` +
      `${opts.dryRun ? ' (dry run)' : ''}; ${live.size} live server(s) kept`,
  );
  return { deletedServers, deletedRunners, remainingRunners };
}
