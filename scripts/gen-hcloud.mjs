#!/usr/bin/env node
// Regenerates the hcloud provider bindings in .gen/providers/hcloud from the provider schema
// in schemas/ (terraform `providers schema -json` format), the same way `cdktf get`
// does when terraform can download the provider. Usage: npm run gen:hcloud [-- path/to/schema.json]
// AIAI_GEN_OUT=<dir> writes into <dir>/providers/hcloud instead (the tests compare it with .gen).
import { createRequire } from 'node:module';
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cdktfJson = JSON.parse(readFileSync(resolve(root, 'cdktf.json'), 'utf8'));
const pin = cdktfJson.terraformProviders.find((p) => p.startsWith('hetznercloud/hcloud@'));
if (!pin) throw new Error('cdktf.json must pin hetznercloud/hcloud@<version> in terraformProviders');
const version = pin.split('@')[1].replace(/^[~=^ ]+/, '');

const schemaPath = resolve(process.argv[2] ?? resolve(root, 'schemas/hcloud-provider-schema.json'));
if (!existsSync(schemaPath)) throw new Error(`provider schema not found: ${schemaPath}`);
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const fqpn = 'registry.terraform.io/hetznercloud/hcloud';
if (!schema.provider_schemas?.[fqpn]) throw new Error(`${schemaPath} has no schema for ${fqpn}`);
schema.provider_versions = { [fqpn]: version };

// The generator package loads jsii and jsii-pacmak at require time (devDependencies here).
const { TerraformProviderGenerator, CodeMaker } = require('@cdktf/provider-generator');
const { ConstructsMakerProviderTarget, TerraformProviderConstraint, LANGUAGES } = require('@cdktf/commons');

const outDir = resolve(process.env.AIAI_GEN_OUT ?? resolve(root, '.gen'));
rmSync(resolve(outDir, 'providers/hcloud'), { recursive: true, force: true });
const code = new CodeMaker();
const generator = new TerraformProviderGenerator(code, schema);
const constraint = new ConstructsMakerProviderTarget(new TerraformProviderConstraint(pin), LANGUAGES[0]);
generator.generate(constraint);
await generator.save(outDir);
console.log(`generated hcloud ${version} bindings (${Object.keys(schema.provider_schemas[fqpn].resource_schemas).length} resources) into .gen/providers/hcloud`);
