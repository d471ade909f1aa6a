import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MonitoringStackOptions } from '../../../lib/render/monitoring';
import { monitoringPaths } from '../../../lib/render/monitoring/paths';

/** Options of a typical production monitoring host. */
export const BASE: MonitoringStackOptions = {
  environment: 'production',
  hostname: 'aiai-production-monitoring',
  privateIp: '10.0.1.20',
  networkName: 'aiai-production-net',
  serverType: 'cax21',
};

/** The same options with every path re-rooted below `root` (so real tools find the files). */
export function rooted(root: string, extra: Partial<MonitoringStackOptions> = {}): MonitoringStackOptions {
  return { ...BASE, ...extra, paths: monitoringPaths(extra.volumeMountpoint ?? '/mnt/monitoring', root) };
}

export function writeFile(path: string, content: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

export function writeIn(dir: string, name: string, content: string): string {
  return writeFile(join(dir, name), content);
}
