import { sha256Hex } from '../core/digest';
import { asset } from '../core/assets';
import { HostPaths, SERVICE_USER } from '../core/paths';
import { Ports } from '../core/ports';
import { HostFile } from '../render/cloud-config';
import { HEALTH_CHECK_PATH, LoadBalancerHealthCheck } from './health-check';
import { invalid } from '../core/validation-error';

/** The release script's body under cloud-init/. */
export const RELEASE_SCRIPT_ASSET = 'orchestrator/aiai-release.sh';
/** Where the release script is installed (run as `sudo <path> <ref>`). */
export const RELEASE_SCRIPT_PATH = `${HostPaths.scriptDir}/aiai-release`;

/** How `aiai-release` judges a release, and how many it keeps. */
export const ReleaseDefaults = {
  /** Longest wait for a healthy answer after the restart, seconds (the restart itself waits for READY=1). */
  healthTimeoutSec: 90,
  /** Pause between two health probes, seconds. */
  healthIntervalSec: 2,
  /** 2xx answers in a row that make a release healthy. */
  healthSuccesses: 3,
  /** Release directories kept on a host (the current and the previous one always among them). */
  keepReleases: 5,
} as const;

/** What differs per host in the release settings. */
export interface ReleaseHostSettings {
  /** Server name, named in every message. */
  readonly hostName: string;
  readonly repositoryUrl: string;
  /** The host's private IPv4 (where the load balancer checks it). */
  readonly privateIp: string;
  /** Units restarted on each release, in order. */
  readonly units: readonly string[];
}

/** The health URL `aiai-release` polls: the one the load balancer checks. */
export function releaseHealthUrl(privateIp: string): string {
  return `http://${privateIp}:${Ports.orchestratorApi.port}${HEALTH_CHECK_PATH}`;
}

/** Every setting of `aiai-release` (the names its settings file uses). */
export function releaseSettings(s: ReleaseHostSettings): Record<string, string> {
  return {
    AIAI_HOST_NAME: s.hostName,
    AIAI_REPOSITORY_URL: s.repositoryUrl,
    AIAI_SERVICE_USER: SERVICE_USER,
    AIAI_RELEASE_REPO: HostPaths.releaseRepo,
    AIAI_RELEASES_DIR: HostPaths.releasesDir,
    AIAI_CURRENT_LINK: HostPaths.currentRelease,
    AIAI_PREVIOUS_LINK: HostPaths.previousRelease,
    AIAI_RELEASE_LOCK: HostPaths.releaseLock,
    AIAI_RELEASE_UNITS: s.units.join(' '),
    AIAI_HEALTH_URL: releaseHealthUrl(s.privateIp),
    AIAI_HEALTH_TIMEOUT_SEC: String(ReleaseDefaults.healthTimeoutSec),
    AIAI_HEALTH_INTERVAL_SEC: String(ReleaseDefaults.healthIntervalSec),
    AIAI_HEALTH_SUCCESSES: String(ReleaseDefaults.healthSuccesses),
    // One probe waits as long as one load balancer check.
    AIAI_HEALTH_PROBE_SEC: String(LoadBalancerHealthCheck.timeoutSec),
    AIAI_RELEASES_KEEP: String(ReleaseDefaults.keepReleases),
  };
}

/** The settings file: `KEY=value` lines, read verbatim by the script (no quoting, no expansion). */
export function renderReleaseSettings(settings: Readonly<Record<string, string>>): string {
  const lines = [`# aiai-release settings (non-secret), read by ${RELEASE_SCRIPT_PATH}`];
  for (const [k, v] of Object.entries(settings)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(k)) invalid('renderReleaseSettings', 'settings', k, 'UPPER_SNAKE_CASE release setting names');
    if (/[\r\n]/.test(v) || v !== v.trim() || v === '') invalid('renderReleaseSettings', `settings.${k}`, v, 'a non-empty single line without surrounding spaces');
    lines.push(`${k}=${v}`);
  }
  return lines.join('\n') + '\n';
}

/** The release script's body. */
export function releaseScript(): string {
  return asset(RELEASE_SCRIPT_ASSET);
}

/** SHA-256 (hex) of the release script: a new script re-runs every release. */
export function releaseScriptDigest(): string {
  return sha256Hex(releaseScript());
}

/** The two files a host needs for releases: the script and its settings. */
export function releaseFiles(s: ReleaseHostSettings): HostFile[] {
  return [
    { path: RELEASE_SCRIPT_PATH, content: releaseScript(), permissions: '0755', owner: 'root:root' },
    { path: HostPaths.releaseConfig, content: renderReleaseSettings(releaseSettings(s)), permissions: '0644', owner: 'root:root' },
  ];
}
