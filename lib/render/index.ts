// Subpath export `aiai-hetzner/render`: the typed renderers behind the constructs (cloud-config, systemd
// units, the host manifest, monitoring, backup and workflow files). Not part of the root API; their
// names are generic (`block`, `ref`, ...) and may change with the constructs. This file only re-exports.
export * from './cloud-config';
export * from './systemd';
export * from './host-manifest';
export * from './monitoring';
export * from './backup';
export * from './workflow';
// The generic form of the monitoring renderer's SecretRequirement (public types name it).
export type { SecretRequirement as HostSecretRequirement } from './host-contribution';
