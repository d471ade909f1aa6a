/**
 * What a renderer contributes to one host, as typed data to merge into its HostConfig
 * (`addContribution` of lib/host/log-shipping.ts): the neutral shape every domain renderer
 * (monitoring, log shipping, ...) returns, so that lib/host depends on no domain renderer for it.
 */
import type { AptSource, HostFile } from './cloud-config';
import type { SystemdUnit } from './systemd';

/** Packages and where they come from. */
export interface HostInstall {
  readonly aptSources: readonly AptSource[];
  readonly packages: readonly string[];
  /** APT preferences and the like (written early, before packages are installed). */
  readonly files: readonly HostFile[];
}

/** A secret the host needs, and the units to restart when it is (re)delivered. */
export interface SecretRequirement<S = unknown> {
  /** What identifies the secret to the renderer (e.g. a MonitoringSecret). */
  readonly secret: S;
  readonly restartUnits: readonly string[];
}

/** The typed pieces of one host, to merge into its HostConfig. */
export interface HostContribution<S = unknown> {
  readonly install: HostInstall;
  /** Config files and scripts (written late, after the packages; root-owned, world-readable: no secret is in them). */
  readonly files: readonly HostFile[];
  /** Units the packages install that the host keeps enabled and running (restarted when their files change). */
  readonly services: readonly string[];
  /** Secrets to deliver after boot into HostPaths.secretsDir. */
  readonly secrets: readonly SecretRequirement<S>[];
}

/**
 * The part of lib/host's `HostConfig` that building blocks below lib/host (e.g. the data volume's
 * mount units) add to, so that they do not import lib/host.
 */
export interface IHostFileSink {
  addFile(file: HostFile): unknown;
  addUnit(unit: SystemdUnit): unknown;
}
