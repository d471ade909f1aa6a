/**
 * Which attribute changes force the stand-in provider to plan a replacement, per resource type:
 * the ForceNew (SDKv2) and RequiresReplace (plugin framework) attributes of the real providers, at
 * the versions the project pins. Only top-level attributes; a change is "replace" when the prior
 * state's value differs from the planned one (Terraform core itself drops paths whose value did
 * not change, internal/plans/objchange). Conditional replacements (ModifyPlan/CustomizeDiff) are
 * not modelled: see README.md.
 */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  // hetznercloud/terraform-provider-hcloud v1.68.0
  hcloud_certificate: ['private_key', 'certificate'], // alias of the uploaded certificate (hcloud/provider.go)
  hcloud_uploaded_certificate: ['private_key', 'certificate'], // internal/certificate/resource.go
  hcloud_managed_certificate: ['domain_names'], // internal/certificate/resource.go
  hcloud_firewall_attachment: ['firewall_id'], // internal/firewall/attachment_resource.go
  hcloud_floating_ip: ['type', 'home_location'], // internal/floatingip/resource.go
  hcloud_floating_ip_assignment: ['floating_ip_id'], // internal/floatingip/resource_assignment.go
  hcloud_load_balancer: ['location', 'network_zone'], // internal/loadbalancer/resource.go
  hcloud_load_balancer_network: ['load_balancer_id', 'network_id', 'subnet_id', 'ip'], // internal/loadbalancer/resource_network.go
  hcloud_load_balancer_service: ['load_balancer_id', 'protocol', 'listen_port'], // internal/loadbalancer/resource_service.go
  hcloud_load_balancer_target: ['load_balancer_id', 'server_id', 'label_selector', 'ip'], // internal/loadbalancer/resource_target.go
  hcloud_network: ['ip_range'], // internal/network/resource.go
  hcloud_network_route: ['network_id', 'destination', 'gateway'], // internal/network/resource_route.go
  hcloud_network_subnet: ['network_id', 'type', 'network_zone', 'ip_range', 'vswitch_id'], // internal/network/resource_subnet.go
  hcloud_primary_ip: ['type', 'location'], // internal/primaryip/resource.go
  hcloud_rdns: ['server_id', 'primary_ip_id', 'floating_ip_id', 'load_balancer_id', 'ip_address'], // internal/rdns/resource.go
  // `datacenter` is not ForceNew in v1.68.0: any value fails validation ("Removed Attribute").
  hcloud_server: ['image', 'location', 'user_data', 'ssh_keys'], // internal/server/resource.go
  hcloud_server_network: ['server_id', 'network_id', 'subnet_id', 'ip'], // internal/server/resource_network.go
  hcloud_snapshot: ['server_id'], // internal/snapshot/resource.go
  hcloud_ssh_key: ['public_key'], // internal/sshkey/resource.go
  hcloud_storage_box: ['location', 'ssh_keys'], // internal/storagebox/resource.go
  hcloud_storage_box_snapshot: ['storage_box_id'], // internal/storageboxsnapshot/resource.go
  hcloud_storage_box_subaccount: ['storage_box_id'], // internal/storageboxsubaccount/resource.go
  hcloud_volume: ['location'], // internal/volume/resource.go
  hcloud_volume_attachment: ['volume_id', 'server_id'], // internal/volume/resource_attachment.go
  hcloud_zone: ['name', 'mode'], // internal/zone/resource.go
  hcloud_zone_record: ['zone', 'name', 'type', 'value'], // internal/zonerecord/resource.go
  hcloud_zone_rrset: ['zone', 'name', 'type'], // internal/zonerrset/resource.go

  // hashicorp/terraform-provider-aws (internal/service/s3; the stored source is older than the
  // pinned 6.25.0, the attributes are the same there)
  aws_s3_bucket: ['bucket', 'bucket_prefix', 'object_lock_enabled'], // bucket.go
  aws_s3_bucket_lifecycle_configuration: ['bucket', 'expected_bucket_owner'], // bucket_lifecycle_configuration.go
  aws_s3_bucket_versioning: ['bucket', 'expected_bucket_owner'], // bucket_versioning.go

  // integrations/terraform-provider-github v6.9.0
  github_actions_secret: ['repository', 'secret_name', 'encrypted_value', 'plaintext_value', 'destroy_on_drift'], // github/resource_github_actions_secret.go
  github_actions_variable: ['variable_name'], // github/resource_github_actions_variable.go (repository is not ForceNew there)
  github_repository_file: ['repository', 'file', 'branch', 'ref'], // github/resource_github_repository_file.go
};

/**
 * How a resource type's fake `id` is built at apply, where the real provider derives it from other
 * attributes and configurations reference it: `{attr}` is replaced by the (known) attribute value.
 * Every other string `id` is a numeric string (Hetzner ids are integers that Terraform converts
 * between string and number, e.g. `hcloud_network.x.id` into `network_id`).
 */
export const ID_FORMAT: Readonly<Record<string, string>> = {
  // internal/network/resource_subnet.go: "<network id>-<ip_range>" (ParseSubnetID reads it back).
  hcloud_network_subnet: '{network_id}-{ip_range}',
  // internal/service/s3: the bucket's id is its name; the bucket-scoped resources use the bucket too.
  aws_s3_bucket: '{bucket}',
  aws_s3_bucket_lifecycle_configuration: '{bucket}',
  aws_s3_bucket_versioning: '{bucket}',
  // github/resource_github_repository_file.go: "<repository>/<file>".
  github_repository_file: '{repository}/{file}',
};
