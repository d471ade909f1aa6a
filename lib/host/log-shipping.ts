import type { HostContribution } from '../render/host-contribution';
import { HostConfig } from './host-config';

/** Where hosts ship their logs: the monitoring node implements it. */
export interface ILogSink {
  /** Private IPv4 of the host where Loki listens. */
  readonly lokiHost: string;
}

/** Merges a renderer's contribution (install plan, files, services) into a host config. */
export function addContribution(host: HostConfig, c: HostContribution): void {
  for (const src of c.install.aptSources) host.addAptSource(src);
  host.addPackages(...c.install.packages);
  for (const f of [...c.install.files, ...c.files]) host.addFile(f);
  host.addService(...c.services);
}
