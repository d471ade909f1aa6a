/**
 * AgentRelease and how AiaiOrchestrator rolls a release: standby first, then primary, each after the
 * host's secrets; the ref only in the release resources, never in user_data.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack } from 'cdktf';
import { TerraformData } from '../../lib/core/terraform-data';
import { HardenedServer } from '../../lib/host/hardened-server';
import { HostConfig } from '../../lib/host/host-config';
import { AgentRelease } from '../../lib/orchestrator/agent-release';
import { AiaiOrchestrator, AiaiOrchestratorProps } from '../../lib/orchestrator/aiai-orchestrator';
import { GIT_REF_RULES } from '../../lib/orchestrator/git-ref';
import { RELEASE_SCRIPT_PATH } from '../../lib/orchestrator/release-config';
import { dependenciesOf } from '../../scripts/bench/critical-path';
import { hostView } from '../foundation/helpers';
import { access, expectProblem, network, re, secretToken, synth, testStack, validationError } from '../support/stack';
import { decodeUserDataLikeCloudInit } from '../support/synth';

const REF = 'release-2026.11.29';
const SCRIPT_DIGEST = createHash('sha256').update(readFileSync(join(__dirname, '..', '..', 'cloud-init', 'orchestrator', 'aiai-release.sh'))).digest('hex');

function build(props: Partial<AiaiOrchestratorProps> = {}, stack: TerraformStack = testStack()) {
  const orch = new AiaiOrchestrator(stack, 'Orchestrator', {
    environment: 'test',
    network: network(stack, { name: 'aiai-test-net' }),
    access: access(stack),
    repositoryUrl: 'https://github.com/example/aiai.git',
    repositoryRef: REF,
    secretEnvironment: { OPENROUTER_API_KEY: secretToken(stack, 'openrouter_api_key') },
    ...props,
  });
  return { stack, orch, json: synth(stack) };
}

type Json = Record<string, any>;

/** `<type>.<logical name>` of the resource whose construct path ends with `suffix` (names are the path joined by _ plus a hash). */
function address(json: Json, type: string, suffix: string): string {
  const wanted = new RegExp(`(^|_)${suffix.replace(/^\//, '').replace(/\//g, '_')}_[0-9A-F]{8}$`);
  const hits = Object.entries(json.resource?.[type] ?? {}).filter(([name]) => wanted.test(name));
  if (hits.length !== 1) throw new Error(`expected one ${type} at *${suffix}, found ${hits.length}`);
  return `${type}.${hits[0][0]}`;
}

function at(json: Json, addr: string): Json {
  const [type, name] = addr.split('.');
  return json.resource[type][name];
}

/** Every place (JSON path) where a string contains `needle`. */
function occurrences(value: unknown, needle: string, path = '$'): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => occurrences(v, needle, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => occurrences(v, needle, `${path}.${k}`));
  return [];
}

describe('AiaiOrchestrator releases (primary and standby)', () => {
  const { orch, json } = build();
  const standbyRelease = address(json, 'terraform_data', '/Orchestrator/StandbyRelease');
  const primaryRelease = address(json, 'terraform_data', '/Orchestrator/PrimaryRelease');
  const standbySecrets = address(json, 'terraform_data', '/Orchestrator/StandbySecrets/Delivery');
  const primarySecrets = address(json, 'terraform_data', '/Orchestrator/PrimarySecrets/Delivery');

  test('the standby is released first, after its secrets; the primary after its secrets and the standby release', () => {
    expect(at(json, standbyRelease).depends_on).toEqual([standbySecrets]);
    expect(at(json, primaryRelease).depends_on).toEqual([primarySecrets, standbyRelease]);
    expect(orch.releases).toEqual([orch.standbyRelease, orch.primaryRelease]);
  });

  test('each release runs `sudo aiai-release <ref>` over SSH as the service user on its server', () => {
    for (const [addr, server] of [
      [standbyRelease, address(json, 'hcloud_server', '/Orchestrator/Standby/Server')],
      [primaryRelease, address(json, 'hcloud_server', '/Orchestrator/Primary/Server')],
    ]) {
      const r = at(json, addr);
      expect(r.provisioner).toHaveLength(1);
      const exec = r.provisioner[0]['remote-exec'];
      expect(exec.inline).toEqual(['set -eu', 'cloud-init status --wait > /dev/null || true', `sudo ${RELEASE_SCRIPT_PATH} '${REF}'`]);
      expect(exec).not.toHaveProperty('connection');
      expect(r.connection).toEqual({ type: 'ssh', host: `\${${server}.ipv4_address}`, user: 'aiai', agent: true, timeout: '300s' });
      expect(r.triggers_replace).toEqual({ server: `\${${server}.id}`, ref: REF, script: SCRIPT_DIGEST });
    }
  });

  test('the ref appears only in the release resources: their trigger and their command', () => {
    const release = (addr: string) => `$.resource.${addr}`;
    expect(occurrences(json, REF).sort()).toEqual(
      [standbyRelease, primaryRelease].flatMap((a) => [`${release(a)}.triggers_replace.ref`, `${release(a)}.provisioner[0].remote-exec.inline[2]`]).sort(),
    );
  });

  test('no ref in any user_data or delivered configuration; the release script is delivered', () => {
    for (const server of Object.values(json.resource.hcloud_server) as Json[]) {
      const { text } = decodeUserDataLikeCloudInit(server.user_data);
      expect(text).not.toContain(REF);
      const host = hostView(json, server);
      expect(host.manifest.files.map((f) => f.path)).toContain(RELEASE_SCRIPT_PATH);
      expect(JSON.stringify(host.manifest)).not.toContain(REF);
    }
  });

  test('configuration and secret changes roll too: the primary\'s converge waits for the standby\'s release', () => {
    const converge = Object.entries(json.resource.terraform_data as Record<string, Json>).find(([name]) => /^Orchestrator_Primary_Configuration_Converge_/.test(name))![1];
    expect(converge.depends_on).toContain(standbyRelease);
  });

  test("no step of the primary runs alongside a step of the standby: each waits for all of the standby's, health-checked release included", () => {
    // A deploy may change configuration, secrets and the ref at once. Only the release checks the
    // health URL; so that a bad combination (a wrong secret with a new release) stops on the
    // standby, and the two hosts never restart their services at the same time, every step of the
    // primary comes after the standby's last step.
    const resources = new Set(Object.entries(json.resource as Record<string, Record<string, unknown>>).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`)));
    const waitsFor = (addr: string, seen = new Set<string>()): Set<string> => {
      for (const d of dependenciesOf(at(json, addr), (a) => a !== addr && resources.has(a))) {
        if (!seen.has(d)) {
          seen.add(d);
          waitsFor(d, seen);
        }
      }
      return seen;
    };
    const steps = (host: 'Standby' | 'Primary') => [
      address(json, 'terraform_data', `/Orchestrator/${host}/Configuration/Converge`),
      address(json, 'terraform_data', `/Orchestrator/${host}Secrets/Delivery`),
      address(json, 'terraform_data', `/Orchestrator/${host}Release`),
    ];
    for (const p of steps('Primary')) for (const st of steps('Standby')) expect({ step: p, waitsFor: waitsFor(p).has(st) }).toEqual({ step: p, waitsFor: true });
    for (const st of steps('Standby')) for (const p of steps('Primary')) expect(waitsFor(st)).not.toContain(p);
  });

  test('a new ref replaces no server: every resource but the two releases is unchanged', () => {
    const other = build({ repositoryRef: 'v9.9.9' }).json;
    const withoutReleases = (j: Json) => {
      const copy = JSON.parse(JSON.stringify(j.resource));
      for (const addr of [standbyRelease, primaryRelease]) delete copy.terraform_data[addr.split('.')[1]];
      return copy;
    };
    expect(withoutReleases(other)).toEqual(withoutReleases(json));
    expect(at(other, primaryRelease).triggers_replace.ref).toBe('v9.9.9');
  });

  test('without a standby the one orchestrator is released in place, after its secrets', () => {
    const single = build({ standby: false });
    const releases = Object.entries(single.json.resource.terraform_data).filter(([name]) => /Release_[0-9A-F]{8}$/.test(name));
    expect(releases).toHaveLength(1);
    expect((releases[0][1] as Json).depends_on).toEqual([address(single.json, 'terraform_data', '/Orchestrator/PrimarySecrets/Delivery')]);
    expect(single.orch.standbyRelease).toBeUndefined();
    expect(single.orch.releases).toEqual([single.orch.primaryRelease]);
  });

  test('the coordinator can make a release wait for more (e.g. the host configuration delivery)', () => {
    const stack = testStack();
    const { orch } = build({}, stack);
    const hostConfiguration = new TerraformData(stack, 'HostConfiguration', {});
    orch.primaryRelease.addDependency(hostConfiguration);
    const again = synth(stack);
    expect(at(again, primaryRelease).depends_on).toEqual([primarySecrets, standbyRelease, 'terraform_data.HostConfiguration']);
  });

  test('a private key for the connection is passed through as a token', () => {
    const stack = testStack();
    const key = secretToken(stack, 'ssh_private_key');
    const { json: j } = build({ sshPrivateKey: key }, stack);
    expect(at(j, primaryRelease).connection.private_key).toBe('${var.ssh_private_key}');
  });
});

describe('ref validation', () => {
  test.each(['-upload-pack', 'a..b', 'has space', 'x;rm', '', '$(reboot)', 'v1 && reboot', "it's", 'x.lock', 'trailing/', '+main', 'main:evil'])(
    'AiaiOrchestrator fails if repositoryRef is %j',
    (repositoryRef) => {
      expectProblem(validationError(() => build({ repositoryRef })), { path: 'test/Orchestrator', property: 'repositoryRef', value: repositoryRef, allowed: new RegExp(`^${re(GIT_REF_RULES)}$`) });
    },
  );

  test.each(['main', 'v2.0.0', 'release/2026-11', '3f2a9c1', 'a'.repeat(40)])('accepts %j', (repositoryRef) => {
    expect(() => build({ repositoryRef })).not.toThrow();
  });

  test('AgentRelease itself rejects a bad ref and a literal private key, naming its path', () => {
    const stack = testStack();
    const host = new HardenedServer(stack, 'Host', {
      name: 'h',
      serverType: 'cx23',
      network: network(stack),
      privateIp: '10.0.1.40',
      access: access(stack),
      labels: { project: 'aiai', role: 'orchestrator', environment: 'test' },
      hostConfig: new HostConfig(),
    });
    const err = validationError(() => new AgentRelease(stack, 'Release', { host, ref: 'v1;reboot', sshPrivateKey: '-----BEGIN OPENSSH PRIVATE KEY-----' }));
    expectProblem(err, { path: 'test/Release', property: 'ref', value: 'v1;reboot', allowed: new RegExp(`^${re(GIT_REF_RULES)}$`) });
    expectProblem(err, { path: 'test/Release', property: 'sshPrivateKey', value: '<literal, not shown>', allowed: /^a sensitive Terraform variable token/ });
    expect(err.message).not.toContain('BEGIN OPENSSH');
  });
});
