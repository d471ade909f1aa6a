// Public API of the aiai-hetzner construct library (`import { ... } from 'aiai-hetzner'`). This file only
// re-exports, by name: the constructs with their props and interfaces, the error type, the platform's
// constants and catalog data, and the few helpers a stack needs. Renderers and runtime code are not
// here: they are the package's subpath exports (see package.json `exports` and README, "Using the
// library in your own stack"): `aiai-hetzner/render`, `aiai-hetzner/runner-manager`,
// `aiai-hetzner/operator`, `aiai-hetzner/app`. __tests__/app/public-api.test.ts pins the names below.

// Errors: every bad prop fails at synth with a ValidationError; PropValidator builds one for your own constructs.
export { PropValidator, ValidationError } from './core/validation-error';
export type { ValidationProblem } from './core/validation-error';

// Platform constants: ports, labels, roles, host paths, naming.
export { Ports } from './core/ports';
export type { PortName, ServicePort } from './core/ports';
export { LabelKeys, Roles, RunnerModes } from './core/labels';
export { HostPaths, SERVICE_USER } from './core/paths';
export { DEFAULT_PROJECT, resourceName, roleLabels } from './core/platform';
export type { PlatformIdentity } from './core/platform';
export { AiaiStack } from './core/aiai-stack';
export { TerraformData } from './core/terraform-data';
export type { TerraformDataProps } from './core/terraform-data';
export type { SshConnectionOptions } from './core/ssh-connection';
// Types that public props, methods and fields name (values stay in their renderer or runtime module).
export type { AptSource, BootCommand, HostFile, HostUser } from './render/cloud-config';
export type { SystemdUnit } from './render/systemd';
export type { HostManifest, HostManifestSpec } from './render/host-manifest';
export type { AlertRulesOptions, GrafanaPackageVersions } from './render/monitoring';
export type { PoolJob, PoolWorkflows } from './render/workflow';
export type { ActionsRunnerRelease, PoolGithubNames, PoolSecret, PoolSettings, RunnerArchitecture } from './runner-manager';
export type { FirewallContext } from './network/firewall-rules';

// Hetzner catalog data (dated): server types, locations, load balancer types, images, limits.
export {
  DEPRECATED_SERVER_TYPES,
  EU_ONLY_FAMILIES,
  HetznerLimits,
  LOAD_BALANCER_TYPES,
  LOCATIONS,
  LOCATIONS_AS_OF,
  SERVER_TYPES,
  SERVER_TYPES_AS_OF,
  SUPPORTED_IMAGES,
} from './hetzner/catalog';
export type { Architecture, DeprecatedServerType, LoadBalancerType, LocationInfo, NetworkZone, ObjectStorageLocationName, ServerTypeInfo } from './hetzner/catalog';

// Network.
export { PrivateNetwork } from './network/private-network';
export { IpPlan, NetworkPlan } from './network/ip-plan';
export type { IPrivateNetwork, PrivateNetworkProps } from './network/private-network';
export { ExistingPrivateNetwork } from './network/existing-network';
export type { ExistingPrivateNetworkProps } from './network/existing-network';
export { ExistingRoleFirewall, RoleFirewall } from './network/role-firewall';
export type { ExistingRoleFirewallProps, IRoleFirewall, RoleFirewallProps } from './network/role-firewall';
export { PortSources } from './network/port-rule';
export type { PortRule, PortSource } from './network/port-rule';

// Hosts.
export { AdminAccess } from './host/admin-access';
export type { AdminAccessProps } from './host/admin-access';
export { HardenedServer } from './host/hardened-server';
export type { HardenedServerProps } from './host/hardened-server';
export { HostConfig } from './host/host-config';
export { HostConfiguration } from './host/host-configuration';
export type { HostConfigurationProps, IDeliveryTarget } from './host/host-configuration';
export type { IConfiguredHost } from './core/host-target';
export type { ILogSink } from './host/log-shipping';
export { DataVolume } from './volume/data-volume';
export type { DataVolumeProps } from './volume/data-volume';
export { SecretFiles } from './secrets/secret-files';
export type { SecretFile, SecretFilesProps } from './secrets/secret-files';
export { secretVariable } from './secrets/secret-variable';
export type { SecretVariableOptions } from './secrets/secret-variable';

// The orchestrator tier and the monitoring node.
export { AgentRelease } from './orchestrator/agent-release';
export type { AgentReleaseProps } from './orchestrator/agent-release';
export { AiaiOrchestrator } from './orchestrator/aiai-orchestrator';
export type { AiaiOrchestratorProps, ExistingLoadBalancer } from './orchestrator/aiai-orchestrator';
export { MonitoringNode } from './monitoring/monitoring-node';
export type { MonitoringDisasterRecoveryProps, MonitoringNodeProps, MonitoringSecretsProps } from './monitoring/monitoring-node';

// Cost: dated price catalogs, the estimator over synthesized stack JSON, cost hints, a budget per stack.
export { CostBudget } from './cost/budget';
export type { CostBudgetProps } from './cost/budget';
export type { CostHint, RunnerPoolCostHint, SnapshotsCostHint } from './cost/cost-hints';
export { DEFAULT_RUNNER_HOURS, estimateStackCost } from './cost/estimate';
export type { CostItem, CostItemKind, EstimateOptions, StackCostEstimate } from './cost/estimate';
export { formatCostEstimate } from './cost/format';
export { CURRENT_PRICE_CATALOG, PRICE_CATALOGS, priceCatalog, RESEARCH_DOC_PRICE_CATALOG } from './cost/price-catalog';
export type { PerGbPrice, Price, PriceCatalog } from './cost/price-catalog';
export { recordCostHint } from './cost/record-cost-hint';

// Object storage.
export { BucketLifecycle, BucketRemovalPolicy, ExistingObjectStore, HetznerBucket, HetznerObjectStorage, HetznerObjectStorageProvider, OBJECT_STORAGE_LOCATIONS, OBJECT_STORE_BUCKETS, ObjectStore } from './object-store';
export type {
  BucketLifecycleProps,
  BucketLifecycleRule,
  ExistingObjectStoreProps,
  HetznerBucketProps,
  HetznerObjectStorageProviderProps,
  IObjectStore,
  ObjectStorageCredentials,
  ObjectStorageLocation,
  ObjectStoreBucket,
  ObjectStoreBucketNames,
  ObjectStoreProps,
} from './object-store';

// Terraform state.
export { HetznerS3Backend, localStatePath, StateBootstrapStack, StatefulResourceProtection } from './state';
export type { HetznerS3BackendProps, StateBootstrapStackProps, StatefulResourceProtectionProps } from './state';

// CI runners.
export { EphemeralRunnerPool, PersistentRunner, WorkflowDelivery } from './runner-pool';
export type {
  EphemeralRunnerPoolProps,
  EphemeralRunnerPoolSecrets,
  PersistentRunnerProps,
  PoolWorkflowOptions,
  RepositoryFileDeliveryOptions,
  WorkflowDeliveryKind,
} from './runner-pool';

// Policy: the Hetzner rule pack (an aspect), its report and suppressions.
export { checkStack, HETZNER_RULE_IDS, HetznerChecks, PolicyViolationError } from './policy';
export type { HetznerChecksProps, PolicyFinding, PolicyLevel, PolicyReport, PolicySuppressionRecord } from './policy';

// The generated hcloud provider (stacks create it; constructs never do).
export { HcloudProvider } from '../.gen/providers/hcloud/provider';
export type { HcloudProviderConfig } from '../.gen/providers/hcloud/provider';

// The whole platform in one construct, sized by the research doc's scenarios.
export { AiaiPlatform } from './platform/aiai-platform';
export type {
  AiaiPlatformProps,
  PlatformAccessProps,
  PlatformMonitoringProps,
  PlatformNetworkProps,
  PlatformOrchestratorProps,
  PlatformRunnerPoolProps,
  PlatformWiredProp,
} from './platform/aiai-platform';
export { PlatformPreset } from './platform/presets';
export type { MonitoringSizing, OrchestratorSizing, PlatformPresetName, PlatformSizing, PlatformSizingOverrides, RunnerPoolSizing } from './platform/presets';
