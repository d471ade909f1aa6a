/**
 * Fixtures of the platform tests: a stack with every provider the platform's parts need, an
 * AiaiPlatform built from a preset with the props its parts require, and the wiring views the
 * assertions read (each server's delivered manifest, Prometheus' scrape jobs applied to a host's
 * labels the way Prometheus' relabelling does).
 */
import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { parse } from 'yaml';
import { HcloudProvider } from '../../.gen/providers/hcloud/provider';
import { HetznerObjectStorage } from '../../lib/object-store/hetzner-object-storage';
import { AiaiPlatform, AiaiPlatformProps } from '../../lib/platform/aiai-platform';
import { PlatformPreset, PlatformSizing, mergeSizing } from '../../lib/platform/presets';
import { HetznerMeta } from '../../lib/render/monitoring/prometheus-config';
import type { HostManifest } from '../../lib/render/host-manifest';
import { serverLabelsFor } from '../../lib/runtime/pool-labels';
import { secretVariable } from '../../lib/secrets/secret-variable';
import { deliveredManifest, StackJson } from '../support/synth';
import { ADMIN_CIDR, Json, OPERATOR_KEY } from '../support/stack';

export const ENVIRONMENT = 'test';
export const BUCKET_PREFIX = 'acme-aiai-test';
export const NETWORK_NAME = `aiai-${ENVIRONMENT}-net`;

export interface BuiltPlatform {
  readonly stack: TerraformStack;
  readonly platform: AiaiPlatform;
}

/**
 * A stack with the hcloud, object storage and GitHub providers and a platform sized by `preset`
 * (merged with `props.sizing`), given exactly the part props its sizing needs unless `props`
 * says otherwise.
 */
export function buildPlatform(preset: PlatformPreset, props: Partial<AiaiPlatformProps> = {}): BuiltPlatform {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const secret = (name: string) => secretVariable(stack, name, { description: name }).stringValue;
  new HcloudProvider(stack, 'hcloud', { token: secret('hcloud_token') });
  const objectStorage = HetznerObjectStorage.provider(stack, 'object-storage', { location: 'fsn1' });
  new GithubProvider(stack, 'github', { owner: 'acme', token: secret('github_token') });
  const sizing: PlatformSizing = mergeSizing(preset.sizing, props.sizing);
  const platform = new AiaiPlatform(stack, 'Platform', {
    environment: ENVIRONMENT,
    preset,
    access: { sshPublicKeys: { alice: OPERATOR_KEY }, adminCidrs: [ADMIN_CIDR] },
    orchestrator: { repositoryUrl: 'https://github.com/acme/aiai.git', secretEnvironment: { OPENROUTER_API_KEY: secret('openrouter_api_key') } },
    objectStore: sizing.objectStore ? { provider: objectStorage, bucketPrefix: BUCKET_PREFIX } : undefined,
    monitoring:
      sizing.monitoring === false
        ? undefined
        : {
            secrets: { hcloudSdToken: secret('hcloud_sd_token'), alertWebhookUrl: secret('alert_webhook_url'), grafanaAdminPassword: secret('grafana_admin_password') },
            hcloudSnapshotToken: sizing.monitoring.snapshots === false ? undefined : secret('hcloud_snapshot_token'),
          },
    runnerPool:
      sizing.runnerPool === false
        ? undefined
        : {
            repository: 'aiai',
            secrets: { hcloudToken: secret('runner_hcloud_token'), githubToken: secret('runner_github_token') },
            jobs: { test: { name: 'Tests', timeoutMinutes: 30, steps: [{ run: 'true' }] } },
          },
    ...props,
  });
  return { stack, platform };
}

export function synthJson(stack: TerraformStack): Json {
  return JSON.parse(Testing.synth(stack, true)) as Json;
}

/** One Terraform-managed server with what it is delivered. */
export interface ServerView {
  readonly resource: string;
  readonly name: string;
  readonly config: Json;
  readonly manifest: HostManifest;
}

export function servers(json: Json): ServerView[] {
  return Object.entries((json.resource?.hcloud_server ?? {}) as Record<string, Json>).map(([resource, config]) => ({
    resource,
    name: config.name,
    config,
    manifest: deliveredManifest(json as StackJson, resource).manifest,
  }));
}

/** A host as Prometheus' Hetzner service discovery sees it. */
export interface DiscoveredHost {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Private IPv4 in the platform network, if attached. */
  readonly privateIp?: string;
}

/** A runner server of the pool as discovery would see it: the labels the runner manager gives it (serverLabelsFor). */
export function runnerAsDiscovered(platform: AiaiPlatform): DiscoveredHost | undefined {
  const settings = platform.runners?.settings;
  if (!settings) return undefined;
  const name = `${settings.pool}-run1-test`;
  // Hetzner assigns it an address in the runner subnet when the pool has a network.
  return { name, labels: serverLabelsFor(settings, 'run1', name, 0), privateIp: settings.networkId !== undefined ? '10.0.2.2' : undefined };
}

export function discovered(server: ServerView): DiscoveredHost {
  return { name: server.name, labels: server.config.labels, privateIp: server.config.network?.[0]?.ip };
}

/** Prometheus' relabelling, for the actions the generated config uses (keep, drop, replace). */
function relabel(rules: Json[], meta: Record<string, string>): Record<string, string> | undefined {
  const labels = { ...meta };
  for (const r of rules) {
    const value = ((r.source_labels ?? []) as string[]).map((l) => labels[l] ?? '').join(r.separator ?? ';');
    const regex = new RegExp(`^(?:${r.regex ?? '(.*)'})$`);
    const m = regex.exec(value);
    const action = r.action ?? 'replace';
    if (action === 'keep' && !m) return undefined;
    if (action === 'drop' && m) return undefined;
    if (action === 'replace' && m) {
      const replacement = (r.replacement ?? '$1') as string;
      labels[r.target_label] = replacement.replace(/\$\{?(\d)\}?/g, (_, i) => m[Number(i)] ?? '');
    }
  }
  return labels;
}

/** The Prometheus config the monitoring node is delivered. */
export function prometheusConfig(json: Json): Json {
  const monitoring = servers(json).find((s) => s.config.labels.role === 'monitoring');
  if (!monitoring) throw new Error('no monitoring server');
  const file = monitoring.manifest.files.find((f) => f.path === '/etc/prometheus/prometheus.yml');
  if (!file) throw new Error('no prometheus.yml');
  return parse(file.content) as Json;
}

/** `job -> address` for every service-discovery job of `config` that scrapes `host`. */
export function scrapesOf(config: Json, host: DiscoveredHost): { job: string; address: string }[] {
  const meta: Record<string, string> = {
    [HetznerMeta.serverName]: host.name,
    [HetznerMeta.serverStatus]: 'running',
    ...Object.fromEntries(Object.entries(host.labels).map(([k, v]) => [HetznerMeta.label(k), v])),
    ...(host.privateIp ? { [HetznerMeta.privateIpv4(NETWORK_NAME)]: host.privateIp } : {}),
  };
  const out: { job: string; address: string }[] = [];
  for (const job of config.scrape_configs as Json[]) {
    if (!job.hetzner_sd_configs) continue;
    const result = relabel(job.relabel_configs ?? [], meta);
    if (result) out.push({ job: job.job_name, address: result.__address__ });
  }
  return out;
}

/** The Loki push URLs of a host's Alloy configuration (none without log shipping). */
export function lokiTargets(manifest: HostManifest): string[] {
  const alloy = manifest.files.filter((f) => f.path.startsWith('/etc/alloy/') && f.path.endsWith('.alloy'));
  return alloy.flatMap((f) => [...f.content.matchAll(/https?:\/\/[0-9.]+:\d+\/loki\/api\/v1\/push/g)].map((m) => m[0]));
}
