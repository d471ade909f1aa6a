/**
 * The naive baseline of `npm run bench`: the same resources as the reference app's stacks, built
 * the way the `cdktf init --template=typescript` project and the provider READMEs do it: barrel
 * imports of whole provider packages (`import * as aws from '@cdktf/provider-aws'`), cdktf's own
 * `DataResource` (which runs `terraform version` at synth), ts-node with type-checking
 * (cdktf.json `app`), and `cdktf synth` through the CLI.
 *
 * What it builds: the bench writes each stack our app synthesizes to `.generated/<stack>.json`
 * (gitignored); this app creates one binding object per provider, variable, output and resource
 * in it (the class found by name in the provider barrel) and sets every attribute with
 * `addOverride`, keeping the logical ids. Hand-writing 80 resources this way would give the same
 * construct tree and the same JSON; the data file only keeps it in step with the reference app.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { App, DataResource, TerraformElement, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import * as aws from '@cdktf/provider-aws';
import * as github from '@cdktf/provider-github';
import * as hcloud from '../../.gen/providers/hcloud';

type Block = Record<string, unknown>;
interface StackJson {
  provider?: Record<string, Block[]>;
  variable?: Record<string, Block>;
  output?: Record<string, Block>;
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
}

const BARRELS: Record<string, Record<string, Record<string, unknown>>> = { aws: aws as never, github: github as never, hcloud: hcloud as never };

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string): string => camel(s).replace(/^[a-z]/, (c) => c.toUpperCase());

/** The binding class of a Terraform type: `hcloud_network_subnet` -> hcloud.networkSubnet.NetworkSubnet. */
function bindingClass(type: string, data: boolean): new (scope: Construct, id: string, config: never) => TerraformElement {
  const [provider, ...rest] = type.split('_');
  const name = data ? `data_${type}` : rest.join('_');
  const ns = BARRELS[provider]?.[camel(name)];
  // The generator appends `A` where a name clashes (aws_s3_bucket_versioning -> S3BucketVersioningA).
  const cls = ns?.[pascal(name)] ?? ns?.[`${pascal(name)}A`];
  if (typeof cls !== 'function') throw new Error(`no binding for ${type}`);
  return cls as never;
}

function setAll(element: TerraformElement, block: Block): void {
  for (const [key, value] of Object.entries(block)) element.addOverride(key, value);
}

class NaiveStack extends TerraformStack {
  constructor(scope: Construct, id: string, json: StackJson) {
    super(scope, id);
    for (const [name, configs] of Object.entries(json.provider ?? {})) {
      configs.forEach((config, i) => {
        const providerClass = (BARRELS[name].provider as Record<string, unknown>)[`${pascal(name)}Provider`] as new (s: Construct, id: string, c: object) => TerraformElement;
        setAll(new providerClass(this, `${name}${i}`, {}), config);
      });
    }
    for (const [name, config] of Object.entries(json.variable ?? {})) {
      const v = new TerraformVariable(this, name, {});
      v.overrideLogicalId(name);
      setAll(v, config);
    }
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, config] of Object.entries(byName)) {
        const r = type === 'terraform_data' ? new DataResource(this, name, {}) : new (bindingClass(type, false))(this, name, {} as never);
        r.overrideLogicalId(name);
        setAll(r, config);
      }
    }
    for (const [type, byName] of Object.entries(json.data ?? {})) {
      for (const [name, config] of Object.entries(byName)) {
        const d = new (bindingClass(type, true))(this, name, {} as never);
        d.overrideLogicalId(name);
        setAll(d, config);
      }
    }
    for (const [name, config] of Object.entries(json.output ?? {})) {
      const o = new TerraformOutput(this, name, { value: '' });
      o.overrideLogicalId(name);
      setAll(o, config);
    }
  }
}

const app = new App();
const dir = path.join(__dirname, '.generated');
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  new NaiveStack(app, path.basename(file, '.json'), JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as StackJson);
}
app.synth();
