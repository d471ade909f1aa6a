/**
 * Provider schemas in the format `terraform providers schema -json` prints (format_version 1.0),
 * and the cty types Terraform derives from them (hashicorp/terraform internal/configs/configschema
 * implied_type.go: a block is an object of its attributes and nested blocks; a nested block is an
 * object (single/group), a list, a set or a map of objects; a nested attribute type likewise).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CtyType, parseType } from './cty';

export interface SchemaAttribute {
  readonly type?: unknown;
  readonly nested_type?: NestedAttributeType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  readonly deprecated?: boolean;
  readonly write_only?: boolean;
}

export interface NestedAttributeType {
  readonly attributes: Readonly<Record<string, SchemaAttribute>>;
  readonly nesting_mode: 'single' | 'list' | 'set' | 'map';
}

export interface SchemaBlockType {
  readonly nesting_mode: 'single' | 'group' | 'list' | 'set' | 'map';
  readonly block: SchemaBlock;
  readonly min_items?: number;
  readonly max_items?: number;
}

export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, SchemaBlockType>>;
  readonly deprecated?: boolean;
}

export interface Schema {
  readonly version: number;
  readonly block: SchemaBlock;
}

export interface ProviderSchema {
  readonly provider: Schema;
  readonly resource_schemas: Readonly<Record<string, Schema>>;
  readonly data_source_schemas: Readonly<Record<string, Schema>>;
}

/** `terraform providers schema -json` output: provider source address -> schema. */
export interface ProviderSchemasFile {
  readonly format_version: string;
  readonly provider_schemas: Readonly<Record<string, ProviderSchema>>;
}

/** The cty type of an attribute (its `type`, or the type its `nested_type` implies). */
export function attributeType(attr: SchemaAttribute): CtyType {
  if (attr.nested_type) {
    const object: CtyType = { object: Object.fromEntries(Object.entries(attr.nested_type.attributes).map(([k, a]) => [k, attributeType(a)])) };
    switch (attr.nested_type.nesting_mode) {
      case 'single':
        return object;
      case 'list':
        return { list: object };
      case 'set':
        return { set: object };
      case 'map':
        return { map: object };
    }
  }
  return parseType(attr.type);
}

/** The cty object type of a block. */
export function blockType(block: SchemaBlock): CtyType {
  const object: Record<string, CtyType> = {};
  for (const [name, attr] of Object.entries(block.attributes ?? {})) object[name] = attributeType(attr);
  for (const [name, bt] of Object.entries(block.block_types ?? {})) {
    const inner = blockType(bt.block);
    switch (bt.nesting_mode) {
      case 'single':
      case 'group':
        object[name] = inner;
        break;
      case 'list':
        object[name] = { list: inner };
        break;
      case 'set':
        object[name] = { set: inner };
        break;
      case 'map':
        object[name] = { map: inner };
        break;
    }
  }
  return { object };
}

/** Folder of the schemas the stand-in serves. */
export const SCHEMA_DIR = join(__dirname, 'schemas');

/** Reads one provider's schema from a `providers schema -json` file. */
export function readProviderSchema(file: string, source: string): ProviderSchema {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as ProviderSchemasFile;
  const schema = doc.provider_schemas[source];
  if (!schema) throw new Error(`${file} has no schema for ${source}`);
  return {
    provider: schema.provider,
    resource_schemas: schema.resource_schemas ?? {},
    data_source_schemas: schema.data_source_schemas ?? {},
  };
}
