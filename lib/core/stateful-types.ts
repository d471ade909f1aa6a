/**
 * Hetzner resources that hold state or an address others depend on: losing one by accident loses
 * data (volumes) or changes public IPs that DNS and allow-lists point at. The
 * StatefulResourceProtection aspect (lib/state) protects these; the pull-request review (lib/review)
 * calls out their replacement first. Plain data: no cdktf import, so runtime code may read it.
 */
export const STATEFUL_HCLOUD_RESOURCE_TYPES = [
  'hcloud_volume',
  'hcloud_load_balancer',
  'hcloud_primary_ip',
  'hcloud_floating_ip',
] as const;
