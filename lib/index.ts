// Public API of the aiai-hetzner construct library. This file only re-exports.
export * from './core/validation-error';
export * from './core/ports';
export * from './core/labels';
export * from './core/paths';
export * from './core/platform';
export * from './hetzner/catalog';
export * from './network/cidr';
export * from './network/ip-plan';
export * from './network/port-rule';
export * from './network/firewall-rules';
export * from './network/private-network';
export * from './network/role-firewall';
export * from './render/cloud-config';
export * from './render/systemd';
export * from './host/host-config';
export * from './host/hardening';
export * from './host/admin-access';
export * from './host/hardened-server';
export * from './secrets/secret-variable';
export * from './secrets/secret-files';
export * from './orchestrator/orchestrator-host';
export * from './orchestrator/aiai-orchestrator';
// The generated hcloud provider (stacks create it; constructs never do).
export { HcloudProvider, HcloudProviderConfig } from '../.gen/providers/hcloud/provider';
