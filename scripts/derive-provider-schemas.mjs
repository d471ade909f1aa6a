#!/usr/bin/env node
// Derives the provider schemas the offline stand-in provider serves for aws and github from the
// prebuilt cdktf bindings (@cdktf/provider-aws, @cdktf/provider-github), in the format of
// `terraform providers schema -json`, for only the resource types the library uses plus the provider
// block. Usage: node scripts/derive-provider-schemas.mjs [outdir]
// (default __tests__/support/terraform/schemas; a test regenerates into a temp dir and compares).
//
// What the bindings record, and so what this reads (per module lib/<name>/index.js + index.d.ts):
// - each configurable attribute and block: its Terraform name, `isBlock`, `type` (simple, list, set,
//   map, struct) and `storageClassType` in the synthesize code (`synthesizeHclAttributes`, and one
//   `<struct>ToHclTerraform` function per nested block);
// - a block that takes one object instead of an array (value built without `listMapperHcl`) is a
//   list/set with max_items 1; type "struct" is nesting mode single;
// - required or optional: `readonly name: T` or `readonly name?: T` in the config/struct interface;
// - computed-only attributes: a `// name - computed: true, optional: false, required: false` comment
//   before a getter, whose accessor (getStringAttribute, ...) gives the type.
// What the bindings do not record (the TypeScript compiler drops the comments on stored fields):
// whether an optional attribute is also computed, `sensitive`, and the schema version. Those come
// from OVERLAY below, each with its source; SDKv2's implicit top-level `id` is optional+computed.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Per provider: its package, the provider module, the resource modules the library imports
 * (`grep -rn "provider-aws/lib\|provider-github/lib" lib main.ts`), and the overlay.
 * Overlay paths are `attr` or `block.attr` (through nested blocks).
 */
const PROVIDERS = [
  {
    file: 'aws-provider-schema.json',
    source: 'registry.terraform.io/hashicorp/aws',
    pkg: '@cdktf/provider-aws',
    resources: { aws_s3_bucket: 's3-bucket', aws_s3_bucket_lifecycle_configuration: 's3-bucket-lifecycle-configuration', aws_s3_bucket_versioning: 's3-bucket-versioning' },
    overlay: {
      aws_s3_bucket: {
        // hashicorp/terraform-provider-aws internal/service/s3/bucket.go: bucket is Optional+Computed
        // (a name is generated when unset); tags_all is the SDK's computed tags map (internal/tags);
        // region is the v6 per-resource region, "Defaults to the Region set in the provider
        // configuration" (the binding's own doc of `region`). acceleration_status, acl, policy,
        // request_payer and object_lock_enabled are read back from the bucket (Optional+Computed).
        computed: ['bucket', 'bucket_prefix', 'tags_all', 'region', 'acceleration_status', 'acl', 'policy', 'request_payer', 'object_lock_enabled'],
      },
      aws_s3_bucket_lifecycle_configuration: {
        // internal/service/s3/bucket_lifecycle_configuration.go (plugin framework, schema Version 1):
        // expected_bucket_owner, transition_default_minimum_object_size and the "legacy value"
        // attributes of rule are Optional+Computed.
        version: 1,
        computed: [
          'expected_bucket_owner',
          'transition_default_minimum_object_size',
          'region',
          'rule.prefix',
          'rule.expiration.days',
          'rule.expiration.expired_object_delete_marker',
          'rule.filter.object_size_greater_than',
          'rule.filter.object_size_less_than',
          'rule.filter.prefix',
          'rule.filter.and.object_size_greater_than',
          'rule.filter.and.object_size_less_than',
          'rule.filter.and.prefix',
          'rule.noncurrent_version_expiration.newer_noncurrent_versions',
          'rule.noncurrent_version_transition.newer_noncurrent_versions',
          'rule.transition.days',
        ],
      },
      aws_s3_bucket_versioning: {
        // internal/service/s3/bucket_versioning.go: versioning_configuration.mfa_delete is Optional+Computed.
        computed: ['region', 'versioning_configuration.mfa_delete'],
      },
    },
  },
  {
    file: 'github-provider-schema.json',
    source: 'registry.terraform.io/integrations/github',
    pkg: '@cdktf/provider-github',
    resources: { github_actions_secret: 'actions-secret', github_actions_variable: 'actions-variable', github_repository_file: 'repository-file' },
    overlay: {
      // integrations/terraform-provider-github v6.9.0 (the version the bindings pin):
      // github/resource_github_actions_secret.go: SchemaVersion 1; both values Sensitive.
      github_actions_secret: { version: 1, sensitive: ['encrypted_value', 'plaintext_value'] },
      // github/resource_github_repository_file.go: commit_message and autocreate_branch_source_sha
      // are Optional+Computed.
      github_repository_file: { computed: ['commit_message', 'autocreate_branch_source_sha'] },
    },
  },
];

const GETTERS = {
  getStringAttribute: 'string',
  getNumberAttribute: 'number',
  getBooleanAttribute: 'bool',
  getListAttribute: ['list', 'string'],
  getNumberListAttribute: ['list', 'number'],
  getStringMapAttribute: ['map', 'string'],
  getNumberMapAttribute: ['map', 'number'],
  getBooleanMapAttribute: ['map', 'bool'],
};
const PRIMITIVES = { string: 'string', number: 'number', boolean: 'bool' };

function fail(msg) {
  throw new Error(`derive-provider-schemas: ${msg}`);
}

/** `{ name: { value: ..., isBlock, type, storageClassType } }` entries of one attrs literal. */
function attrEntries(body) {
  const re = /"?([a-z0-9_]+)"?: \{\s*value: ([\s\S]*?),\s*isBlock: (true|false),\s*type: "(\w+)",\s*storageClassType: "(\w+)",\s*\}/g;
  return [...body.matchAll(re)].map((m) => ({ name: m[1], value: m[2], isBlock: m[3] === 'true', type: m[4], storage: m[5] }));
}

/** The text from `start` up to the matching close brace of the block opened at `start`. */
function braceBlock(text, start) {
  const open = text.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  return fail('unbalanced braces');
}

/** interface name -> Map(camel property -> optional?) from a .d.ts. */
function interfaces(dts) {
  const out = new Map();
  for (const m of dts.matchAll(/export interface (\w+)(?: extends [\w.]+)? \{/g)) {
    const props = new Map();
    for (const p of braceBlock(dts, m.index).matchAll(/^\s{4}readonly (\w+)(\?)?:/gm)) props.set(p[1], p[2] === '?');
    out.set(m[1], props);
  }
  return out;
}

/** Computed-only attributes of a class body: name -> type. */
function computedOnly(classBody) {
  const out = {};
  for (const m of classBody.matchAll(/\/\/ ([a-z0-9_]+) - computed: true, optional: false, required: false\n\s*get \w+\(\) \{\n\s*return this\.(\w+)\('[a-z0-9_]+'\)/g)) {
    const type = GETTERS[m[2]];
    if (!type) fail(`computed attribute ${m[1]} has an accessor ${m[2]} this script does not map`);
    out[m[1]] = type;
  }
  for (const m of classBody.matchAll(/\/\/ ([a-z0-9_]+) - computed: true, optional: false, required: false\n\s*this\._\w+ = new/g)) {
    fail(`computed attribute ${m[1]} is a complex object; extend this script`);
  }
  return out;
}

function deriveModule(pkgDir, mod) {
  const js = readFileSync(join(pkgDir, 'lib', mod, 'index.js'), 'utf8');
  const dts = readFileSync(join(pkgDir, 'lib', mod, 'index.d.ts'), 'utf8');
  const ifaces = interfaces(dts);
  const structFns = new Map();
  for (const m of js.matchAll(/function (\w+)ToHclTerraform\(struct\) \{/g)) structFns.set(m[1], attrEntries(braceBlock(js, m.index)));
  const classes = new Map();
  for (const m of js.matchAll(/class (\w+) extends cdktf\.(\w+) \{/g)) classes.set(m[1], { kind: m[2], body: braceBlock(js, m.index) });
  const main = [...classes.entries()].find(([, c]) => c.kind === 'TerraformResource' || c.kind === 'TerraformProvider');
  if (!main) fail(`${mod}: no resource or provider class`);
  const [className, cls] = main;
  const synth = cls.body.indexOf('synthesizeHclAttributes() {');
  const topEntries = attrEntries(braceBlock(cls.body, synth));

  function block(entries, ifaceName, outputRefClass, path) {
    const iface = ifaces.get(ifaceName) ?? fail(`${mod}: no interface ${ifaceName}`);
    const attributes = {};
    const blockTypes = {};
    for (const e of entries) {
      const camel = (e.value.match(/(?:struct\.|this\._)(\w+)/) ?? fail(`${mod}: cannot read the field of ${e.name}`))[1];
      if (!iface.has(camel)) fail(`${mod}: ${ifaceName} has no property ${camel} (${e.name})`);
      const optional = iface.get(camel);
      if (e.isBlock) {
        const fn = [...e.value.matchAll(/(\w+)ToHclTerraform/g)].map((m) => m[1]).find((f) => structFns.has(f)) ?? fail(`${mod}: block ${e.name} has no struct function`);
        const structName = fn[0].toUpperCase() + fn.slice(1);
        const nested = block(structFns.get(fn), structName, `${structName}OutputReference`, [...path, e.name]);
        const bt = { nesting_mode: e.type === 'struct' ? 'single' : e.type, block: nested };
        if (e.type !== 'struct' && !e.value.includes('listMapperHcl')) bt.max_items = 1;
        if (!optional && e.type !== 'struct') bt.min_items = 1;
        blockTypes[e.name] = bt;
      } else {
        let type;
        if (e.type === 'simple') type = PRIMITIVES[e.storage];
        else if ((e.type === 'list' || e.type === 'set') && e.storage.endsWith('List')) type = [e.type, PRIMITIVES[e.storage.slice(0, -4)]];
        else if (e.type === 'map' && e.storage.endsWith('Map')) type = ['map', PRIMITIVES[e.storage.slice(0, -3)]];
        if (!type || (Array.isArray(type) && !type[1])) fail(`${mod}: attribute ${e.name} has type ${e.type}/${e.storage} this script does not map`);
        attributes[e.name] = optional ? { optional: true, type } : { required: true, type };
      }
    }
    const refBody = classes.get(outputRefClass)?.body;
    for (const [name, type] of Object.entries(computedOnly(refBody ?? ''))) attributes[name] = { computed: true, type };
    return { path, attributes, block_types: blockTypes };
  }

  const isProvider = cls.kind === 'TerraformProvider';
  const root = block(topEntries, `${className}Config`, null, []);
  for (const [name, type] of Object.entries(computedOnly(cls.body))) root.attributes[name] = { computed: true, type };
  // SDKv2 adds `id` to every resource as Optional+Computed (the binding's doc of `id` says so).
  if (!isProvider && root.attributes.id?.optional) root.attributes.id = { computed: true, optional: true, type: 'string' };
  return root;
}

function applyOverlay(root, overlay = {}, where) {
  const at = (path) => {
    const parts = path.split('.');
    let b = root;
    for (const p of parts.slice(0, -1)) b = b.block_types[p]?.block ?? fail(`${where}: overlay path ${path}: no block ${p}`);
    const attr = b.attributes[parts[parts.length - 1]] ?? fail(`${where}: overlay path ${path}: no attribute`);
    return attr;
  };
  for (const p of overlay.computed ?? []) {
    const a = at(p);
    if (a.required) fail(`${where}: ${p} is required, cannot be computed`);
    a.computed = true;
  }
  for (const p of overlay.sensitive ?? []) at(p).sensitive = true;
}

/** Strips the working fields and orders keys so the output is stable. */
function finish(b) {
  const sortObj = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  const attrs = sortObj(Object.fromEntries(Object.entries(b.attributes).map(([k, a]) => [k, sortObj(a)])));
  const out = {};
  if (Object.keys(attrs).length) out.attributes = attrs;
  const bts = Object.entries(b.block_types);
  if (bts.length) {
    out.block_types = sortObj(Object.fromEntries(bts.map(([k, bt]) => [k, sortObj({ ...bt, block: finish(bt.block) })])));
  }
  return out;
}

export function derive() {
  const files = {};
  for (const p of PROVIDERS) {
    const pkgJson = require(`${p.pkg}/package.json`);
    const pkgDir = dirname(require.resolve(`${p.pkg}/package.json`));
    const providerIndex = readFileSync(join(pkgDir, 'lib', 'provider', 'index.js'), 'utf8');
    const version = (providerIndex.match(/providerVersion: '([^']+)'/) ?? fail(`${p.pkg}: no providerVersion`))[1];
    const provider = deriveModule(pkgDir, 'provider');
    const resourceSchemas = {};
    for (const [type, mod] of Object.entries(p.resources)) {
      const b = deriveModule(pkgDir, mod);
      applyOverlay(b, p.overlay[type], type);
      resourceSchemas[type] = { block: finish(b), version: p.overlay[type]?.version ?? 0 };
    }
    for (const type of Object.keys(p.overlay)) if (!p.resources[type]) fail(`overlay for ${type}, which is not derived`);
    const doc = {
      '//': `Derived by scripts/derive-provider-schemas.mjs from ${p.pkg} ${pkgJson.version} (provider ${p.source} ${version}), only the types the library uses; optional+computed, sensitive and versions from the provider sources named in the script. Do not edit: regenerate.`,
      format_version: '1.0',
      provider_schemas: {
        [p.source]: {
          provider: { block: finish(provider), version: 0 },
          resource_schemas: resourceSchemas,
          data_source_schemas: {},
        },
      },
    };
    files[p.file] = `${JSON.stringify(doc, null, 2)}\n`;
  }
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(root, '__tests__', 'support', 'terraform', 'schemas'));
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(derive())) {
    writeFileSync(join(outDir, name), text);
    console.log(`wrote ${join(outDir, name)}`);
  }
}
