/** Small fixtures shared by the foundation construct tests. */
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { HcloudProvider } from '../../.gen/providers/hcloud/provider';
import { ValidationError } from '../../lib/core/validation-error';
import { AdminAccess, AdminAccessProps } from '../../lib/host/admin-access';
import { PrivateNetwork, PrivateNetworkProps } from '../../lib/network/private-network';
import { secretVariable } from '../../lib/secrets/secret-variable';
import { unescapeTerraformTemplate } from '../../lib/core/terraform-template';
import type { HostManifest } from '../../lib/render/host-manifest';
import { parse } from 'yaml';

/** A throwaway (valid, never used) public key. */
export const OPERATOR_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOsbTQigH4tHGtjCYMX5OdD1HLNPlzKVmeBauS5oRfGr alice@example';
export const ADMIN_CIDR = '198.51.100.7/32';

/** A stack with the hcloud provider (its token a sensitive variable), ready for constructs. */
export function testStack(id = 'test'): TerraformStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, id);
  const token = secretVariable(stack, 'hcloud_token', { description: 'test token' });
  new HcloudProvider(stack, 'hcloud', { token: token.stringValue });
  return stack;
}

/** Synthesizes the stack (with cdktf's validations) and parses the JSON. */
export function synth(stack: TerraformStack): Record<string, any> {
  return JSON.parse(Testing.synth(stack, true));
}

export function resources(json: Record<string, any>, type: string): Record<string, any>[] {
  return Object.values(json.resource?.[type] ?? {});
}

export function onlyResource(json: Record<string, any>, type: string): Record<string, any> {
  const all = resources(json, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

export function network(stack: TerraformStack, props: Partial<PrivateNetworkProps> = {}, id = 'Net'): PrivateNetwork {
  return new PrivateNetwork(stack, id, { name: 'test-net', ...props });
}

export function access(stack: TerraformStack, props: Partial<AdminAccessProps> = {}, id = 'Access'): AdminAccess {
  return new AdminAccess(stack, id, { sshPublicKeys: { alice: OPERATOR_KEY }, adminCidrs: [ADMIN_CIDR], ...props });
}

/** A sensitive variable's token, as secrets are passed in. */
export function secretToken(stack: TerraformStack, name: string): string {
  return secretVariable(stack, name, { description: name }).stringValue;
}

/** A non-sensitive variable's token (for props that only need an unresolved value). */
export function plainToken(stack: TerraformStack, name: string): string {
  return new TerraformVariable(stack, name, { type: 'string' }).stringValue;
}

/** Runs `fn`, expects a ValidationError, and returns it (so tests can match its message). */
export function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${(e as Error)?.stack ?? String(e)}`);
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** Escapes text for use inside a RegExp. */
export function re(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Asserts the shape every validation message must have: the construct path, the property, the bad
 * value (JSON) and what is allowed, on one problem line.
 */
export function expectProblem(
  err: ValidationError,
  p: { path: string; property: string; value?: unknown; allowed: RegExp },
): void {
  expect(err.message).toMatch(new RegExp(`^Invalid props for ${re(p.path)}:`));
  const line = err.message.split('\n').find((l) => l.startsWith(`  - ${p.property}: got `));
  expect(line).toBeDefined();
  if (p.value !== undefined) expect(line).toContain(`got ${JSON.stringify(p.value)};`);
  expect(line!.split('; allowed: ')[1]).toMatch(p.allowed);
}

/** Whether a `terraform_data` is a host configuration (it uploads a host manifest). */
export function isHostConfiguration(r: Record<string, any>): boolean {
  return (r.provisioner ?? []).some((p: any) => String(p.file?.destination ?? '').endsWith('/host-manifest.json'));
}

/** The one secret-delivery resource (SecretFiles) of a stack: the `terraform_data` that is not a host configuration. */
export function onlySecretDelivery(json: Record<string, any>): Record<string, any> {
  const all = resources(json, 'terraform_data').filter((r) => !isHostConfiguration(r));
  if (all.length !== 1) throw new Error(`expected one secret delivery, found ${all.length}`);
  return all[0];
}

/** What a host ends up with: its bootstrap (user_data) and what its configuration resource delivers. */
export interface HostView {
  /** user_data parsed as YAML 1.1 (the bootstrap). */
  readonly bootstrap: Record<string, any>;
  readonly manifest: HostManifest;
  /** Delivered files, shaped like cloud-init write_files entries. */
  readonly write_files: { path: string; content: string; permissions: string; owner: string }[];
  readonly packages: readonly string[];
  /** Delivered setup commands (argv arrays). */
  readonly runcmd: readonly (readonly string[])[];
  /** The configuration resource as synthesized (JSON text), for scans. */
  readonly configJson: string;
}

/** The view of the server `server` (its JSON config) in stack `json`: found by the manifest's host name. */
export function hostView(json: Record<string, any>, server: Record<string, any>): HostView {
  const found = resources(json, 'terraform_data').filter(isHostConfiguration).map((r) => {
    const upload = r.provisioner.find((p: any) => String(p.file?.destination ?? '').endsWith('/host-manifest.json')).file;
    return { r, manifest: JSON.parse(unescapeTerraformTemplate(upload.content)) as HostManifest };
  });
  const hit = found.find((x) => x.manifest.host === server.name);
  if (!hit) throw new Error(`no host configuration for ${server.name}`);
  const manifest = hit.manifest;
  return {
    bootstrap: parse(unescapeTerraformTemplate(server.user_data), { version: '1.1' }),
    manifest,
    write_files: manifest.files.map((f) => ({ path: f.path, content: f.content, permissions: f.mode, owner: f.owner })),
    packages: manifest.packages,
    runcmd: manifest.commands,
    configJson: JSON.stringify(hit.r),
  };
}
