import { resolve } from 'node:path';
/**
 * The reference app of main.ts as `npm run synth` writes it: explicit checks of the orchestrator
 * tier, plus one snapshot per synthesized stack.
 */
import { StackNames } from '../../main';
import { EXAMPLE_CONFIG, referenceScenarios } from '../../lib/app';
import { decodeUserDataLikeCloudInit, referenceApp, resourcesOfType, StackJson, synthReferenceApp } from '../support/synth';

/** The stack with each server's user_data decoded, so that snapshot diffs stay readable. */
function readable(stack: StackJson): StackJson {
  const copy = JSON.parse(JSON.stringify(stack)) as StackJson;
  for (const server of Object.values(copy.resource?.hcloud_server ?? {})) {
    const { text, encoding } = decodeUserDataLikeCloudInit(server.user_data);
    server.user_data = { encoding, document: text };
  }
  return copy;
}

const LABELLED = ['hcloud_server', 'hcloud_firewall', 'hcloud_placement_group', 'hcloud_load_balancer', 'hcloud_network', 'hcloud_ssh_key', 'hcloud_volume', 'hcloud_primary_ip', 'hcloud_floating_ip', 'hcloud_certificate'];

describe('reference app', () => {
  const synth = referenceApp();

  test('synthesizes the state stack and one stack per scenario', () => {
    expect(Object.keys(synth.stacks).sort()).toEqual(['aiai-bootstrap', 'aiai-minimal', 'aiai-production', 'aiai-production-ha', 'aiai-state']);
  });

  test('every scenario stack has its own environment, bucket names and local state file', () => {
    const platformStacks = Object.keys(synth.stacks).filter((n) => n !== StackNames.state);
    const buckets = platformStacks.flatMap((n) => Object.values(synth.stacks[n].resource!.aws_s3_bucket).map((b) => b.bucket));
    expect(new Set(buckets).size).toBe(buckets.length);
    const networks = platformStacks.flatMap((n) => Object.values(synth.stacks[n].resource!.hcloud_network).map((b) => b.name));
    expect(networks.sort()).toEqual(['aiai-bootstrap-net', 'aiai-minimal-net', 'aiai-production-ha-net', 'aiai-production-net']);
    for (const n of platformStacks) expect(synth.stacks[n].terraform!.backend).toEqual({ local: { path: `../../../terraform.tfstate.d/${n}.tfstate` } });
  });

  test.each(Object.keys(referenceApp().stacks))('stack %s matches its snapshot', (name) => {
    expect(readable(synth.stacks[name])).toMatchSnapshot();
  });

  test('every labelled Hetzner resource carries project, role and environment', () => {
    let seen = 0;
    const environments = new Map(referenceScenarios(EXAMPLE_CONFIG).map((s) => [s.stackName, s.environment]));
    expect(environments.get(StackNames.production)).toBe('production');
    for (const type of LABELLED) {
      for (const { stack, name, config } of resourcesOfType(synth, type)) {
        seen++;
        const environment = environments.get(stack);
        expect({ stack, name, labels: config.labels }).toEqual({ stack, name, labels: expect.objectContaining({ project: 'aiai', environment, role: expect.stringMatching(/^[a-z-]+$/) }) });
      }
    }
    expect(seen).toBeGreaterThanOrEqual(7 * 4);
  });

  test('synthesis is deterministic (byte-identical output on a second run)', () => {
    expect(synthReferenceApp().rawStacks).toEqual(synth.rawStacks);
  });

  test('no resource sets datacenter', () => {
    for (const raw of Object.values(synth.rawStacks)) expect(raw).not.toMatch(/"datacenter"/);
  });

  test('the orchestrator tier: cx33 primary at .10 and cx23 standby at .11 behind an lb11 at .5', () => {
    const stack = synth.stacks[StackNames.production];
    const servers = Object.values(stack.resource!.hcloud_server).filter((s) => s.labels.role === 'orchestrator');
    expect(servers.map((s) => [s.name, s.server_type, s.location, s.image, s.network[0].ip]).sort()).toEqual([
      ['aiai-production-orchestrator-primary', 'cx33', 'fsn1', 'ubuntu-24.04', '10.0.1.10'],
      ['aiai-production-orchestrator-standby', 'cx23', 'fsn1', 'ubuntu-24.04', '10.0.1.11'],
    ]);
    const lbs = Object.values(stack.resource!.hcloud_load_balancer);
    expect(lbs.map((l) => l.load_balancer_type)).toEqual(['lb11']);
    expect(Object.values(stack.resource!.hcloud_load_balancer_network).map((n) => n.ip)).toEqual(['10.0.1.5']);
  });

  test('no firewall opens anything but SSH, and SSH only to the admin CIDRs', () => {
    const rules = resourcesOfType(synth, 'hcloud_firewall').flatMap(({ config }) => config.rule ?? []);
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(r.direction).toBe('in');
      expect(r.port).toBe('22');
      expect(r.source_ips).toEqual(['203.0.113.10/32']);
    }
  });

  test('every stack requires Terraform >= 1.6 (terraform_data, S3 backend endpoints)', () => {
    for (const stack of Object.values(synth.stacks)) expect(stack.terraform!.required_version).toBe('>= 1.6');
  });

  test('state lives in the local backend under terraform.tfstate.d/', () => {
    const backend = synth.stacks[StackNames.production].terraform!.backend;
    expect(backend).toEqual({ local: { path: `../../../terraform.tfstate.d/${StackNames.production}.tfstate` } });
    // terraform runs in cdktf.out/stacks/<stack>: the path lands in the project's terraform.tfstate.d/.
    expect(resolve('cdktf.out/stacks', StackNames.production, backend.local.path)).toBe(resolve('terraform.tfstate.d', `${StackNames.production}.tfstate`));
  });

  test('the hcloud provider is pinned to 1.68.0 and takes its token from a sensitive variable', () => {
    const stack = synth.stacks[StackNames.production];
    expect(stack.terraform!.required_providers.hcloud).toEqual({ source: 'hetznercloud/hcloud', version: '1.68.0' });
    expect(stack.provider!.hcloud).toEqual([{ token: '${var.hcloud_token}' }]);
    expect(stack.variable!.hcloud_token.sensitive).toBe(true);
  });
});
