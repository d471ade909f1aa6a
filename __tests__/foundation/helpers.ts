/** Fixtures of the foundation construct tests: the host views. The generic helpers are in ../support/stack.ts. */
import { evaluateLiteralTemplate, unescapeTerraformTemplate } from '../../lib/core/terraform-template';
import type { HostManifest } from '../../lib/render/host-manifest';
import { parse } from 'yaml';
import { resources } from '../support/stack';

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
    return { r, manifest: JSON.parse(evaluateLiteralTemplate(upload.content, json.locals)) as HostManifest };
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
