/**
 * Facts about Hetzner Cloud that the constructs validate against, each with where and when it was
 * taken. Update a fact here and every construct follows.
 */

import { invalid } from '../core/validation-error';

export type Architecture = 'x86' | 'arm';

/** Debian/Ubuntu architecture name for an architecture (what apt and download URLs use). */
export function debianArch(arch: Architecture): 'amd64' | 'arm64' {
  return arch === 'arm' ? 'arm64' : 'amd64';
}

export interface ServerTypeInfo {
  readonly name: string;
  readonly family: 'cx' | 'cax' | 'cpx' | 'ccx';
  readonly architecture: Architecture;
  readonly vcpus: number;
  readonly memoryGb: number;
  readonly diskGb: number;
  /** Dedicated vCPUs (ccx) rather than shared. Prices are in the dated price catalogs (lib/cost/price-catalog.ts). */
  readonly dedicated: boolean;
}

export interface DeprecatedServerType {
  readonly name: string;
  /** The current type to use instead. */
  readonly replacement: string;
}

/** Source date of the server type list. */
export const SERVER_TYPES_AS_OF = '2026-11-29 (Hetzner Cloud server types; deprecations of Oct 2025 / 2026)';

function st(
  name: string,
  family: ServerTypeInfo['family'],
  vcpus: number,
  memoryGb: number,
  diskGb: number,
): ServerTypeInfo {
  return {
    name,
    family,
    architecture: family === 'cax' ? 'arm' : 'x86',
    vcpus,
    memoryGb,
    diskGb,
    dedicated: family === 'ccx',
  };
}

/** Orderable server types. */
export const SERVER_TYPES: Readonly<Record<string, ServerTypeInfo>> = Object.fromEntries(
  [
    st('cx23', 'cx', 2, 4, 40),
    st('cx33', 'cx', 4, 8, 80),
    st('cx43', 'cx', 8, 16, 160),
    st('cx53', 'cx', 16, 32, 320),
    st('cax11', 'cax', 2, 4, 40),
    st('cax21', 'cax', 4, 8, 80),
    st('cax31', 'cax', 8, 16, 160),
    st('cax41', 'cax', 16, 32, 320),
    st('cpx12', 'cpx', 1, 2, 40),
    st('cpx22', 'cpx', 2, 4, 80),
    st('cpx32', 'cpx', 4, 8, 160),
    st('cpx42', 'cpx', 8, 16, 320),
    st('cpx52', 'cpx', 12, 24, 480),
    st('cpx62', 'cpx', 16, 32, 640),
    st('ccx13', 'ccx', 2, 8, 80),
    st('ccx23', 'ccx', 4, 16, 160),
    st('ccx33', 'ccx', 8, 32, 240),
    st('ccx43', 'ccx', 16, 64, 360),
    st('ccx53', 'ccx', 32, 128, 600),
    st('ccx63', 'ccx', 48, 192, 960),
  ].map((t) => [t.name, t]),
);

/** Types that can no longer be ordered in EU locations, with the type to use instead. */
export const DEPRECATED_SERVER_TYPES: Readonly<Record<string, DeprecatedServerType>> = Object.fromEntries(
  [
    ['cx22', 'cx23'],
    ['cx32', 'cx33'],
    ['cx42', 'cx43'],
    ['cx52', 'cx53'],
    ['cpx11', 'cpx12'],
    ['cpx21', 'cpx22'],
    ['cpx31', 'cpx32'],
    ['cpx41', 'cpx42'],
    ['cpx51', 'cpx52'],
  ].map(([name, replacement]) => [name, { name, replacement }]),
);

/**
 * Domain under which every Object Storage location has its S3 endpoint
 * (`<location>.your-objectstorage.com`). Hetzner docs "Object Storage: overview", "Available endpoints".
 */
export const OBJECT_STORAGE_DOMAIN = 'your-objectstorage.com';

export type NetworkZone = 'eu-central' | 'us-east' | 'us-west' | 'ap-southeast';

export interface LocationInfo {
  readonly name: string;
  readonly city: string;
  readonly networkZone: NetworkZone;
  /** Hetzner Object Storage is offered here. */
  readonly objectStorage: boolean;
}

export const LOCATIONS_AS_OF = '2026-11-29 (Hetzner Cloud locations)';

const LOCATION_TABLE = {
  fsn1: { name: 'fsn1', city: 'Falkenstein', networkZone: 'eu-central', objectStorage: true },
  nbg1: { name: 'nbg1', city: 'Nuremberg', networkZone: 'eu-central', objectStorage: true },
  hel1: { name: 'hel1', city: 'Helsinki', networkZone: 'eu-central', objectStorage: true },
  ash: { name: 'ash', city: 'Ashburn, VA', networkZone: 'us-east', objectStorage: false },
  hil: { name: 'hil', city: 'Hillsboro, OR', networkZone: 'us-west', objectStorage: false },
  sin: { name: 'sin', city: 'Singapore', networkZone: 'ap-southeast', objectStorage: false },
} as const satisfies Record<string, LocationInfo>;

export const LOCATIONS: Readonly<Record<string, LocationInfo>> = LOCATION_TABLE;

/** The name of a location whose entry above offers Object Storage (`fsn1` | `nbg1` | `hel1`). */
export type ObjectStorageLocationName = {
  [K in keyof typeof LOCATION_TABLE]: (typeof LOCATION_TABLE)[K]['objectStorage'] extends true ? K : never;
}[keyof typeof LOCATION_TABLE];

/** The location of every server, network zone and bucket unless a construct is told another. */
export const DEFAULT_LOCATION = 'fsn1';

/** Families only orderable in EU locations. */
export const EU_ONLY_FAMILIES: readonly ServerTypeInfo['family'][] = ['cx', 'cax'];

export const LOAD_BALANCER_TYPES = ['lb11', 'lb21', 'lb31'] as const;
export type LoadBalancerType = (typeof LOAD_BALANCER_TYPES)[number];

/** Limits of the Hetzner Cloud API, each with its source. */
export const HetznerLimits = {
  /** Max `user_data` size. Hetzner Cloud API docs (POST /servers), as of 2026-11. */
  userDataBytes: 32 * 1024,
  /** Max servers in one spread placement group. Hetzner docs "Placement groups", as of 2026-11. */
  spreadPlacementGroupServers: 10,
  /** Max rules per firewall. Hetzner docs "Firewalls: limits", as of 2026-11. */
  firewallRules: 50,
  /**
   * Max effective rules per firewall, where each CIDR of a rule's source or destination counts as
   * one. Hetzner Cloud API docs (POST /firewalls/{id}/actions/set_rules: "Rules are limited to 50
   * entries per Firewall and 500 effective rules"), as of 2026-11.
   */
  firewallEffectiveRules: 500,
  /** Max firewalls applied to one server. Hetzner docs "Firewalls: limits", as of 2026-11. */
  firewallsPerServer: 5,
  /** Label value max length (also the name part of a key). Hetzner API docs "Labels". */
  labelValueLength: 63,
  /** Volume sizes in GB. Hetzner API docs (POST /volumes). */
  volumeMinGb: 10,
  volumeMaxGb: 10240,
  /** Project API rate limit: requests per hour. Hetzner API docs "Rate limiting". */
  apiRequestsPerHour: 3600,
  /** Automated backups cost this fraction of the server price. Hetzner docs "Backups". */
  backupPriceFraction: 0.2,
} as const;

/** Images we build on. Ubuntu 24.04 LTS: the only one our cloud-init is tested against. */
export const SUPPORTED_IMAGES = ['ubuntu-24.04'] as const;

/** Look up an orderable server type; throws a ValidationError naming the replacement or the allowed types. */
export function serverType(name: string): ServerTypeInfo {
  const info = SERVER_TYPES[name];
  if (info) return info;
  const dep = DEPRECATED_SERVER_TYPES[name];
  if (dep) {
    return fail('serverType', name, `${name} is deprecated and can no longer be ordered in EU locations; use ${dep.replacement}`);
  }
  return fail('serverType', name, `one of ${Object.keys(SERVER_TYPES).join(', ')}`);
}

export function location(name: string): LocationInfo {
  const info = LOCATIONS[name];
  if (!info) return fail('location', name, `one of ${Object.keys(LOCATIONS).join(', ')}`);
  return info;
}

/** Checks that a server type can be ordered in a location; throws a ValidationError with what is allowed. */
export function checkServerTypeInLocation(type: ServerTypeInfo, loc: LocationInfo): void {
  if (EU_ONLY_FAMILIES.includes(type.family) && loc.networkZone !== 'eu-central') {
    fail('location', loc.name, `${type.family}* types are only offered in eu-central locations (fsn1, nbg1, hel1)`);
  }
}

/** A lookup's problem as a ValidationError (callers report `allowed` under their own path with PropValidator.attempt). */
function fail(property: string, value: unknown, allowed: string): never {
  return invalid('catalog', property, value, allowed);
}
