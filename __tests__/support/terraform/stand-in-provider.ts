/**
 * The stand-in provider: a gRPC server speaking Terraform plugin protocol 6 for one provider
 * address, serving that provider's pinned schema, so that Terraform core decodes, validates,
 * evaluates and plans our synthesized JSON for real. It talks to no API:
 *
 * - validation RPCs accept everything the schema accepts (Terraform core already checked the
 *   configuration against the schema: unknown arguments, types, required arguments, block counts);
 * - PlanResourceChange marks computed attributes that are null in the proposed state as unknown
 *   ("known after apply") and reports the attributes of {@link FORCE_NEW} whose value changes as
 *   requiring replacement; prior values are kept on update;
 * - ApplyResourceChange replaces every unknown value with a stable fake one (derived from the type,
 *   the configuration and the attribute path); ReadResource returns the state unchanged;
 *   UpgradeResourceState decodes the JSON state Terraform stored.
 *
 * It runs in the test's own process (one server per provider address, each on its own unix socket)
 * and Terraform attaches to it through TF_REATTACH_PROVIDERS, in go-plugin's test mode (Terraform
 * then never signals the process). Terraform must therefore be spawned asynchronously: a
 * spawnSync would block the event loop this server answers on.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';
import { canonical, ctyEqual, CtyType, CtyValue, Dynamic, fromMsgpack, fromStateJson, isObject, isUnknown, toMsgpack, Unknown } from './cty';
import { FORCE_NEW, ID_FORMAT } from './force-new';
import { blockType, ProviderSchema, Schema, SchemaAttribute, SchemaBlock } from './schema';

const PROTO_DIR = join(__dirname, 'proto');

/**
 * grpc-js, loaded when a server starts (with proto-loader, about 0.13 s of CPU): a file that only
 * uses the planning helpers below loads neither.
 */
let grpcModule: typeof grpc | undefined;
function grpcJs(): typeof grpc {
  return (grpcModule ??= require('@grpc/grpc-js') as typeof grpc);
}

let loaded: any;
function protos(): any {
  const protoLoader = require('@grpc/proto-loader') as typeof ProtoLoader;
  loaded ??= grpcJs().loadPackageDefinition(
    protoLoader.loadSync(['tfplugin6.proto', 'go-plugin.proto', 'health.proto'], {
      includeDirs: [PROTO_DIR],
      keepCase: true,
      longs: Number,
      defaults: true,
      oneofs: true,
    }),
  );
  return loaded;
}

/** One RPC the stand-in answered (for tests that check what Terraform asked). */
export interface ProviderCall {
  readonly provider: string;
  readonly rpc: string;
  readonly typeName?: string;
}

const NESTING: Record<string, number> = { single: 1, list: 2, set: 3, map: 4, group: 5 };
const SEVERITY_ERROR = 1;

function protoAttribute(name: string, a: SchemaAttribute): unknown {
  return {
    name,
    type: a.type === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(a.type)),
    nested_type: a.nested_type
      ? { attributes: Object.entries(a.nested_type.attributes).map(([n, x]) => protoAttribute(n, x)), nesting: NESTING[a.nested_type.nesting_mode] }
      : null,
    required: !!a.required,
    optional: !!a.optional,
    computed: !!a.computed,
    sensitive: !!a.sensitive,
    deprecated: !!a.deprecated,
    write_only: !!a.write_only,
  };
}

function protoBlock(b: SchemaBlock): unknown {
  return {
    version: 0,
    attributes: Object.entries(b.attributes ?? {}).map(([n, a]) => protoAttribute(n, a)),
    block_types: Object.entries(b.block_types ?? {}).map(([n, bt]) => ({
      type_name: n,
      block: protoBlock(bt.block),
      nesting: NESTING[bt.nesting_mode],
      min_items: bt.min_items ?? 0,
      max_items: bt.max_items ?? 0,
    })),
    deprecated: !!b.deprecated,
  };
}

function protoSchema(s: Schema): unknown {
  return { version: s.version ?? 0, block: protoBlock(s.block) };
}

function mapNested(mode: string, v: CtyValue, f: (o: CtyValue) => CtyValue): CtyValue {
  if (v === null || isUnknown(v)) return v;
  if (mode === 'single' || mode === 'group') return f(v);
  if (Array.isArray(v)) return v.map(f);
  return Object.fromEntries(Object.entries(v as Record<string, CtyValue>).map(([k, e]) => [k, f(e)]));
}

/** The proposed object with every computed attribute that is null marked unknown (recursively). */
export function markComputedUnknown(attributes: SchemaBlock['attributes'], blockTypes: SchemaBlock['block_types'], v: CtyValue): CtyValue {
  if (!isObject(v)) return v;
  const out: Record<string, CtyValue> = { ...v };
  for (const [name, a] of Object.entries(attributes ?? {})) {
    const cur = out[name] ?? null;
    if (cur === null && a.computed) out[name] = Unknown.plain;
    else if (a.nested_type) out[name] = mapNested(a.nested_type.nesting_mode, cur, (o) => markComputedUnknown(a.nested_type!.attributes, undefined, o));
  }
  for (const [name, bt] of Object.entries(blockTypes ?? {})) {
    out[name] = mapNested(bt.nesting_mode, out[name] ?? null, (o) => markComputedUnknown(bt.block.attributes, bt.block.block_types, o));
  }
  return out;
}

/** Whether a prior set element is the same object as a proposed one: equal in every attribute the configuration decides. */
function sameSetElement(attributes: SchemaBlock['attributes'], blockTypes: SchemaBlock['block_types'], prior: CtyValue, proposed: CtyValue): boolean {
  if (!isObject(prior) || !isObject(proposed)) return false;
  for (const [name, a] of Object.entries(attributes ?? {})) {
    const p = proposed[name] ?? null;
    if (a.computed && (p === null || !a.optional)) continue;
    if (!ctyEqual(prior[name] ?? null, p)) return false;
  }
  for (const [name, bt] of Object.entries(blockTypes ?? {})) {
    // Nested blocks: equal up to their computed attributes, element by element.
    const nv = proposed[name] ?? null;
    if (isUnknown(nv)) continue;
    const elements = (v: CtyValue): CtyValue[] => (v === null || isUnknown(v) ? [] : Array.isArray(v) ? v : bt.nesting_mode === 'map' ? Object.values(v as Record<string, CtyValue>) : [v]);
    const pl = elements(prior[name] ?? null);
    const nl = elements(nv);
    if (pl.length !== nl.length || !nl.every((e, i) => sameSetElement(bt.block.attributes, bt.block.block_types, pl[i], e))) return false;
  }
  return true;
}

/**
 * Carries prior computed values into proposed set elements. Terraform core correlates set elements
 * only when they are equal without their computed attributes, comparing optional+computed ones as
 * configured on one side and null on the other (internal/plans/objchange/objchange.go,
 * setElementCompareValue), so an element that sets an optional+computed attribute (hcloud_server
 * `network { ip = ... }`) arrives with its computed attributes null. A real provider matches the
 * elements itself (SDKv2 by the set's hash) and keeps the prior values; so does the stand-in.
 */
export function carryPriorIntoSets(attributes: SchemaBlock['attributes'], blockTypes: SchemaBlock['block_types'], prior: CtyValue, proposed: CtyValue): CtyValue {
  if (!isObject(prior) || !isObject(proposed)) return proposed;
  const out: Record<string, CtyValue> = { ...proposed };
  for (const [name, a] of Object.entries(attributes ?? {})) {
    const pv = prior[name] ?? null;
    if ((out[name] ?? null) === null && a.computed && pv !== null && !isUnknown(pv)) out[name] = pv;
  }
  for (const [name, bt] of Object.entries(blockTypes ?? {})) {
    const pv = prior[name] ?? null;
    const nv = out[name] ?? null;
    if (nv === null || isUnknown(nv) || pv === null || isUnknown(pv)) continue;
    const recurse = (p: CtyValue, n: CtyValue) => carryPriorIntoSets(bt.block.attributes, bt.block.block_types, p, n);
    if (bt.nesting_mode === 'set' && Array.isArray(pv) && Array.isArray(nv)) {
      const used = new Set<number>();
      out[name] = nv.map((e) => {
        const i = pv.findIndex((p, j) => !used.has(j) && sameSetElement(bt.block.attributes, bt.block.block_types, p, e));
        if (i < 0) return e;
        used.add(i);
        return recurse(pv[i], e);
      });
    } else if (bt.nesting_mode === 'list' && Array.isArray(pv) && Array.isArray(nv)) {
      out[name] = nv.map((e, i) => (i < pv.length ? recurse(pv[i], e) : e));
    } else if (bt.nesting_mode === 'map' && isObject(pv) && isObject(nv)) {
      out[name] = Object.fromEntries(Object.entries(nv).map(([k, e]) => [k, k in pv ? recurse(pv[k], e) : e]));
    } else if (bt.nesting_mode === 'single' || bt.nesting_mode === 'group') {
      out[name] = recurse(pv, nv);
    }
  }
  return out;
}

function hashInt(seed: string): number {
  return parseInt(createHash('sha256').update(seed).digest('hex').slice(0, 8), 16);
}

/** A stable fake value of type `t` for the attribute `name` at `path`. */
function fakeValue(t: CtyType, name: string, path: string, seed: string): CtyValue {
  const h = hashInt(`${seed}\n${path}`);
  if (t === 'string') {
    if (/(^|_)id$/.test(name)) return String(1_000_000 + (h % 9_000_000));
    if (/ipv6_network/.test(name)) return `2001:db8:${(h % 0xffff).toString(16)}::/64`;
    if (/ipv6/.test(name)) return `2001:db8::${(h % 0xffff).toString(16)}`;
    if (/(^|_)(ip|ipv4|ipv4_address|ip_address)$/.test(name)) return `203.0.113.${1 + (h % 254)}`;
    if (/(^|_)arn$/.test(name)) return `arn:aws:s3:::stand-in-${h.toString(16)}`;
    return `stand-in-${name}-${h.toString(16).padStart(8, '0')}`;
  }
  if (t === 'number') return 1_000_000 + (h % 9_000_000);
  if (t === 'bool') return false;
  if (t === 'dynamic') return null;
  if ('list' in t || 'set' in t) return [];
  if ('map' in t) return {};
  if ('tuple' in t) return t.tuple.map((et, i) => fakeValue(et, name, `${path}.${i}`, seed));
  return Object.fromEntries(Object.entries(t.object).map(([k, at]) => [k, fakeValue(at, k, `${path}.${k}`, seed)]));
}

/** `v` with every unknown value replaced by {@link fakeValue}. */
export function fillUnknowns(v: CtyValue, t: CtyType, name: string, path: string, seed: string): CtyValue {
  if (isUnknown(v)) return fakeValue(t, name, path, seed);
  if (v instanceof Dynamic) return new Dynamic(v.type, fillUnknowns(v.value, v.type, name, path, seed));
  if (v === null || typeof t === 'string') return v;
  if ('list' in t || 'set' in t) return (v as CtyValue[]).map((e, i) => fillUnknowns(e, 'list' in t ? t.list : t.set, name, `${path}.${i}`, seed));
  if ('tuple' in t) return (v as CtyValue[]).map((e, i) => fillUnknowns(e, t.tuple[i], name, `${path}.${i}`, seed));
  if ('map' in t) return Object.fromEntries(Object.entries(v as Record<string, CtyValue>).map(([k, e]) => [k, fillUnknowns(e, t.map, name, `${path}.${k}`, seed)]));
  const obj = v as Record<string, CtyValue>;
  return Object.fromEntries(Object.entries(t.object).map(([k, at]) => [k, fillUnknowns(obj[k] ?? null, at, k, path ? `${path}.${k}` : k, seed)]));
}

function errorDiagnostic(summary: string, detail = ''): unknown {
  return { severity: SEVERITY_ERROR, summary, detail };
}

/**
 * RPCs whose handlers below answer from the request alone (no state, no clock), so the same request
 * bytes always get the same response. Not the ones that make fake values (ApplyResourceChange,
 * ReadDataSource): they are rarely asked twice, and harness.test.ts checks that two applies of one
 * configuration get the same values from the derivation itself.
 */
const PURE_RPCS = ['ValidateResourceConfig', 'ValidateDataResourceConfig', 'UpgradeResourceState', 'ReadResource', 'PlanResourceChange'] as const;

/** An answer given before to the same request bytes (what requestDeserialize hands the handler instead of the decoded request). */
class Answered {
  constructor(
    readonly typeName: string | undefined,
    readonly response: object,
  ) {}
}

/**
 * Per provider server: the answers of {@link PURE_RPCS} by request bytes. Terraform asks the same
 * questions again and again: every command validates each resource configuration twice (validate
 * and plan walks) and upgrades each stored object, and the workspaces of a test file share most of
 * their configuration and state (day2.test.ts plans eleven variants against one applied state: most
 * of those requests repeat an earlier one byte for byte). A repeated request is answered with the
 * response object the handler made for the first one (and its encoded bytes), without decoding it.
 */
interface AnswerCache {
  readonly answers: Map<string, Answered>;
  /** The key of each decoded request (set by requestDeserialize, read by the handler). */
  readonly keys: WeakMap<object, string>;
}

/** The gRPC handlers of one stand-in provider. */
function providerHandlers(address: string, schema: ProviderSchema, calls: ProviderCall[], cache: AnswerCache): grpc.UntypedServiceImplementation {
  const types = new Map<string, CtyType>();
  const resourceType = (name: string): CtyType => {
    const key = `resource:${name}`;
    if (!types.has(key)) types.set(key, blockType(schema.resource_schemas[name].block));
    return types.get(key)!;
  };
  const dataType = (name: string): CtyType => {
    const key = `data:${name}`;
    if (!types.has(key)) types.set(key, blockType(schema.data_source_schemas[name].block));
    return types.get(key)!;
  };
  let schemaResponse: unknown;

  type Handler = (req: any) => unknown;
  const unary = (rpc: string, f: Handler): grpc.handleUnaryCall<any, any> => (call, callback) => {
    const req = call.request;
    if (req instanceof Answered) {
      calls.push({ provider: address, rpc, typeName: req.typeName });
      callback(null, req.response);
      return;
    }
    const typeName: string | undefined = req?.type_name || undefined;
    calls.push({ provider: address, rpc, typeName });
    try {
      const response = f(req) as object;
      const key = cache.keys.get(req);
      if (key !== undefined) cache.answers.set(key, new Answered(typeName, response));
      callback(null, response);
    } catch (e) {
      callback({ code: grpcJs().status.INTERNAL, details: `stand-in provider ${address} ${rpc}: ${(e as Error).stack ?? e}` } as grpc.ServiceError, null);
    }
  };
  const ok = () => ({ diagnostics: [] });

  return {
    GetMetadata: unary('GetMetadata', () => ({
      server_capabilities: { plan_destroy: false, get_provider_schema_optional: true },
      diagnostics: [],
      resources: Object.keys(schema.resource_schemas).map((type_name) => ({ type_name })),
      data_sources: Object.keys(schema.data_source_schemas).map((type_name) => ({ type_name })),
    })),
    GetProviderSchema: unary('GetProviderSchema', () => {
      schemaResponse ??= {
        provider: protoSchema(schema.provider),
        resource_schemas: Object.fromEntries(Object.entries(schema.resource_schemas).map(([k, s]) => [k, protoSchema(s)])),
        data_source_schemas: Object.fromEntries(Object.entries(schema.data_source_schemas).map(([k, s]) => [k, protoSchema(s)])),
        diagnostics: [],
        server_capabilities: { plan_destroy: false, get_provider_schema_optional: true },
      };
      return schemaResponse;
    }),
    ValidateProviderConfig: unary('ValidateProviderConfig', ok),
    ValidateResourceConfig: unary('ValidateResourceConfig', ok),
    ValidateDataResourceConfig: unary('ValidateDataResourceConfig', ok),
    ConfigureProvider: unary('ConfigureProvider', ok),
    StopProvider: unary('StopProvider', () => ({ Error: '' })),
    UpgradeResourceState: unary('UpgradeResourceState', (req) => {
      const t = resourceType(req.type_name);
      const json = req.raw_state?.json as Buffer | undefined;
      if (!json || json.length === 0) {
        return { diagnostics: [errorDiagnostic('Unsupported state', 'the stand-in provider reads only JSON state')] };
      }
      const value = fromStateJson(JSON.parse(json.toString('utf8')), t);
      return { upgraded_state: { msgpack: toMsgpack(value, t) }, diagnostics: [] };
    }),
    ReadResource: unary('ReadResource', (req) => ({ new_state: req.current_state, private: req.private, diagnostics: [] })),
    PlanResourceChange: unary('PlanResourceChange', (req) => {
      const t = resourceType(req.type_name);
      const block = schema.resource_schemas[req.type_name].block;
      const prior = fromMsgpack(req.prior_state?.msgpack, t);
      const proposed = fromMsgpack(req.proposed_new_state?.msgpack, t);
      if (proposed === null) return { planned_state: req.proposed_new_state, requires_replace: [], planned_private: req.prior_private, diagnostics: [] };
      const carried = carryPriorIntoSets(block.attributes, block.block_types, prior, proposed);
      const planned = markComputedUnknown(block.attributes, block.block_types, carried) as Record<string, CtyValue>;
      const replace =
        isObject(prior)
          ? (FORCE_NEW[req.type_name] ?? []).filter((a) => a in planned && !ctyEqual(prior[a], planned[a])).map((a) => ({ steps: [{ attribute_name: a }] }))
          : [];
      return { planned_state: { msgpack: toMsgpack(planned, t) }, requires_replace: replace, planned_private: req.prior_private, diagnostics: [] };
    }),
    ApplyResourceChange: unary('ApplyResourceChange', (req) => {
      const t = resourceType(req.type_name);
      const planned = fromMsgpack(req.planned_state?.msgpack, t);
      if (planned === null) return { new_state: req.planned_state, private: Buffer.alloc(0), diagnostics: [] };
      const config = fromMsgpack(req.config?.msgpack, t);
      const seed = `${address}\n${req.type_name}\n${canonical(config)}`;
      const plannedObj = planned as Record<string, CtyValue>;
      const idUnknown = isUnknown(plannedObj.id);
      const filled = fillUnknowns(planned, t, '', '', seed) as Record<string, CtyValue>;
      const format = ID_FORMAT[req.type_name];
      if (idUnknown && format) filled.id = format.replace(/\{(\w+)\}/g, (_m, a: string) => String(filled[a] ?? ''));
      return { new_state: { msgpack: toMsgpack(filled, t) }, private: req.planned_private, diagnostics: [] };
    }),
    ImportResourceState: unary('ImportResourceState', (req) => ({
      imported_resources: [],
      diagnostics: [errorDiagnostic('Import is not supported', `the stand-in provider ${address} has no remote objects to import ${req.type_name} ${req.id} from`)],
    })),
    ReadDataSource: unary('ReadDataSource', (req) => {
      const t = dataType(req.type_name);
      const block = schema.data_source_schemas[req.type_name].block;
      const config = fromMsgpack(req.config?.msgpack, t);
      const seed = `${address}\ndata.${req.type_name}\n${canonical(config)}`;
      const state = fillUnknowns(markComputedUnknown(block.attributes, block.block_types, config), t, '', '', seed);
      return { state: { msgpack: toMsgpack(state, t) }, diagnostics: [] };
    }),
  };
}

/**
 * The provider service with each response object encoded once: GetProviderSchema's (Terraform asks
 * for the schema several times per command, 5 times per provider in a plan of the reference app,
 * and encoding the same cached response each time was most of the stand-in's CPU) and the answers
 * of {@link AnswerCache}. The bytes are the ones protobufjs makes for that object, so Terraform
 * receives exactly what it did before. Requests of {@link PURE_RPCS} are keyed by a digest of their
 * bytes; one answered before is not decoded again.
 */
function withAnswersCached(service: grpc.ServiceDefinition, cache: AnswerCache): grpc.ServiceDefinition {
  const encoded = new WeakMap<object, Buffer>();
  const serializeOnce =
    (method: grpc.MethodDefinition<any, object>) =>
    (value: object): Buffer => {
      let bytes = encoded.get(value);
      if (!bytes) {
        bytes = method.responseSerialize(value);
        encoded.set(value, bytes);
      }
      return bytes;
    };
  const out: Record<string, grpc.MethodDefinition<any, any>> = { ...service };
  const schema = service.GetProviderSchema as grpc.MethodDefinition<unknown, object>;
  out.GetProviderSchema = { ...schema, responseSerialize: serializeOnce(schema) };
  for (const rpc of PURE_RPCS) {
    const method = service[rpc] as grpc.MethodDefinition<object, object>;
    out[rpc] = {
      ...method,
      requestDeserialize: (bytes: Buffer): object => {
        const key = `${rpc}\n${createHash('sha1').update(bytes).digest('base64')}`;
        const answered = cache.answers.get(key);
        if (answered) return answered;
        const req = method.requestDeserialize(bytes);
        cache.keys.set(req, key);
        return req;
      },
      responseSerialize: serializeOnce(method),
    };
  }
  return out as grpc.ServiceDefinition;
}

/** A running stand-in provider server. */
export interface ProviderServer {
  readonly address: string;
  readonly socket: string;
  close(): Promise<void>;
}

/** Starts the stand-in for provider `address` (e.g. registry.terraform.io/hetznercloud/hcloud) on `socket`. */
export async function startProviderServer(address: string, schema: ProviderSchema, socket: string, calls: ProviderCall[]): Promise<ProviderServer> {
  const p = protos();
  const server = new (grpcJs().Server)();
  const cache: AnswerCache = { answers: new Map(), keys: new WeakMap() };
  server.addService(withAnswersCached(p.tfplugin6.Provider.service, cache), providerHandlers(address, schema, calls, cache));
  // go-plugin's client: Shutdown on Close() (never sent in test mode) and the health check of Ping().
  server.addService(p.plugin.GRPCController.service, { Shutdown: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, {}) });
  server.addService(p.grpc.health.v1.Health.service, { Check: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { status: 1 }) });
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${socket}`, grpcJs().ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  return {
    address,
    socket,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Connections Terraform left open must not keep the test waiting.
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      }),
  };
}
