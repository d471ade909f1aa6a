/**
 * The one set of construct-test helpers: a stack with the hcloud provider, synthesizing it (with
 * cdktf's validations) to parsed JSON, finding resources, tokens for secrets, the network and
 * admin-access fixtures, and the ValidationError assertions. The per-folder helper files keep
 * only their own domain's fixtures and import these.
 */
import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { HcloudProvider } from '../../.gen/providers/hcloud/provider';
import { ValidationError } from '../../lib/core/validation-error';
import { AdminAccess, AdminAccessProps } from '../../lib/host/admin-access';
import { PrivateNetwork, PrivateNetworkProps } from '../../lib/network/private-network';
import { secretVariable } from '../../lib/secrets/secret-variable';

/** A synthesized Terraform JSON document (untyped: the assertions check its shape). */
export type Json = Record<string, any>;

/** A throwaway (valid, never used) public key. */
export const OPERATOR_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOsbTQigH4tHGtjCYMX5OdD1HLNPlzKVmeBauS5oRfGr alice@example';
export const ADMIN_CIDR = '198.51.100.7/32';

/**
 * A stack with the hcloud provider (its token a sensitive variable), ready for constructs.
 * @param app the app to add it to. @default a fresh `Testing.app()` (its own temp outdir)
 */
export function testStack(id = 'test', app: App = Testing.app()): TerraformStack {
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

/** Resources of a type by logical name. */
export function byType(json: Json, type: string): Record<string, Json> {
  return json.resource?.[type] ?? {};
}

/** Every resource of `type` with its logical id. */
export function resourcesOf(json: Json, type: string): [string, Json][] {
  return Object.entries(json.resource?.[type] ?? {});
}

/** The one resource of `type` that `match` accepts. */
export function resourceFor(doc: Json, type: string, match: (r: Json) => boolean): Json {
  const found = Object.values((doc.resource?.[type] ?? {}) as Record<string, Json>).filter((r) => match(r));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}
