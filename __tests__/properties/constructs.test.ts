/**
 * Property-based bad input (issue 12, "Bad input, systematically"): generated props for every
 * construct, valid and bad mixed, each case ending in a valid synth or in our ValidationError (see
 * ./support.ts for the oracle). A sample of the passing cases goes through real `terraform validate`
 * (offline stand-in providers), batched into one workspace where their documents merge.
 *
 * Seed: fixed (reproducible in CI); `FC_SEED=<int> npx jest __tests__/properties` tries another.
 * On a failure fast-check prints the seed, the path and the shrunk counterexample.
 * The outcome table is printed after the run and written to tmp/property-outcomes/constructs.json.
 */

import * as fc from 'fast-check';
import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { HETZNER_NAME_PATTERN } from '../../lib/core/patterns';
import { Ports, ServicePort } from '../../lib/core/ports';
import { AdminAccess } from '../../lib/host/admin-access';
import { HardenedServer } from '../../lib/host/hardened-server';
import { HostConfig } from '../../lib/host/host-config';
import { MonitoringNode } from '../../lib/monitoring/monitoring-node';
import { PortRule, PortSources } from '../../lib/network/port-rule';
import { PrivateNetwork } from '../../lib/network/private-network';
import { RoleFirewall } from '../../lib/network/role-firewall';
import { BucketLifecycle } from '../../lib/object-store/bucket-lifecycle';
import { BucketRemovalPolicy } from '../../lib/object-store/bucket-removal-policy';
import { HetznerBucket } from '../../lib/object-store/hetzner-bucket';
import { HetznerObjectStorage } from '../../lib/object-store/hetzner-object-storage';
import { ObjectStore } from '../../lib/object-store/object-store';
import { AiaiOrchestrator } from '../../lib/orchestrator/aiai-orchestrator';
import { EphemeralRunnerPool } from '../../lib/runner-pool/ephemeral-runner-pool';
import { PersistentRunner } from '../../lib/runner-pool/persistent-runner';
import { poolRunnerLabel, RUN_RUNNER_LABEL_PREFIX } from '../../lib/runtime/pool-labels';
import { secretVariable } from '../../lib/secrets/secret-variable';
import { DataVolume } from '../../lib/volume/data-volume';
import { ADMIN_CIDR, OPERATOR_KEY, secretToken, testStack } from '../support/stack';
import { describeWithTerraform, StandIn, startStandIn, TERRAFORM_TEST_TIMEOUT_MS } from '../support/terraform';
import { tempDir } from '../support/tmp';
import {
  adminCidr,
  badCidr,
  badEnvironment,
  badIp,
  badLabels,
  badLocation,
  badName,
  badNameString,
  badNumber,
  badServerType,
  dnsLabel,
  environment,
  labels,
  labelValue,
  retentionDays,
  serverTypeName,
  wrongType,
} from './arbitraries';
import { badIn, batchDocuments, group, outcomeSummary, params, prop, propsOf, runCase, sampleOutputs, summaryTable, writeSummary } from './support';

const SECOND_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb bob@example';

/**
 * One outdir for every case's app: the cases synthesize in memory (Testing.synth) and never write
 * it, so a temp folder per case (Testing.app()'s default) would only cost a mkdtemp each.
 */
const OUTDIR = tempDir('properties-');
const app = (): App => Testing.app({ outdir: OUTDIR });

/** A stack with the hcloud provider (and the GitHub one, for the runner constructs). */
function hcloudStack(): TerraformStack {
  return testStack('test', app());
}

/** A stack for the object-store constructs (they bring their own AWS provider). */
function objectStack(): TerraformStack {
  return new TerraformStack(app(), 'obj');
}

function githubStack(): TerraformStack {
  const stack = testStack('test', app());
  new GithubProvider(stack, 'github', { owner: 'acme', token: secretToken(stack, 'github_token') });
  return stack;
}

/** The default network and admin access, valid: the fixtures the role constructs stand on. */
function platformBase(scope: Construct): { net: PrivateNetwork; access: AdminAccess } {
  const net = new PrivateNetwork(scope, 'Net', { name: 'prop-net' });
  const access = new AdminAccess(scope, 'Access', { sshPublicKeys: { alice: OPERATOR_KEY }, adminCidrs: [ADMIN_CIDR] });
  return { net, access };
}

const RUNS = {
  privateNetwork: 160,
  adminAccess: 150,
  roleFirewall: 150,
  secretVariable: 100,
  hardenedServer: 70,
  dataVolume: 60,
  hetznerBucket: 80,
  bucketLifecycle: 130,
  objectStore: 40,
  orchestrator: 30,
  monitoring: 24,
  ephemeralPool: 30,
  persistentRunner: 30,
};

/** Names a Hetzner resource name rule rejects (networks, firewalls, volumes). */
const badHetznerName = badName.filter((n) => typeof n !== 'string' || !HETZNER_NAME_PATTERN.test(n));

const optional = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq: 3 });

describe('property-based bad input: every case synthesizes valid output or throws our ValidationError', () => {
  afterAll(() => {
    const summary = outcomeSummary();
    const file = writeSummary('constructs', summary);
    // eslint-disable-next-line no-console
    console.log(`${summaryTable(summary)}\n(written to ${file})`);
  });

  test('PrivateNetwork', () => {
    const validPlan = fc.constantFrom<Record<string, unknown>>(
      {},
      { ipRange: '10.0.0.0/16' },
      { ipRange: '10.8.0.0/16', subnetIpRange: '10.8.1.0/24' },
      { ipRange: '172.16.0.0/12', subnetIpRange: '172.16.1.0/24', runnerSubnetIpRange: '172.16.4.0/22' },
      { ipRange: '192.168.0.0/16', subnetIpRange: '192.168.10.0/24', additionalSubnets: ['192.168.100.0/24', '192.168.101.0/24'] },
      { ipRange: '10.0.0.0/16', subnetIpRange: '10.0.1.0/28' },
      { networkZone: 'us-east' },
    );
    const badPlan = fc.oneof(
      badCidr.map((ipRange) => badIn('ipRange', ipRange)),
      fc.constantFrom('8.8.0.0/16', '10.0.0.0/25', '0.0.0.0/0', '100.64.0.0/16').map((ipRange) => badIn('ipRange', ipRange)),
      fc.oneof(badCidr, fc.constantFrom('10.1.1.0/24', '10.0.1.0/30', '10.0.0.0/8')).map((subnetIpRange) => badIn('subnetIpRange', subnetIpRange)),
      fc.oneof(badCidr, fc.constantFrom('10.0.1.0/24', '10.0.1.128/25', '10.1.0.0/24', '10.0.2.0/30')).map((runnerSubnetIpRange) => badIn('runnerSubnetIpRange', runnerSubnetIpRange)),
      fc
        .oneof(fc.constantFrom<unknown>(['10.0.1.0/25'], ['10.0.2.0/24'], ['10.9.0.0/16', '10.9.0.0/24'], ['11.0.0.0/24']), fc.array(badCidr, { minLength: 1, maxLength: 2 }), wrongType.filter((w) => !Array.isArray(w) && w !== null))
        .map((additionalSubnets) => badIn('additionalSubnets', additionalSubnets)),
      fc.oneof(fc.constantFrom('eu-west', 'EU-CENTRAL', ''), wrongType).map((networkZone) => badIn('networkZone', networkZone)),
    );
    const gens = [
      prop('name', fc.oneof(dnsLabel(30), fc.constantFrom('Net_1', 'a', 'x'.repeat(63))), badHetznerName),
      group(validPlan, badPlan),
      prop('labels', optional(labels()), badLabels),
      prop('protect', fc.constantFrom(undefined, true, false)),
    ];
    fc.assert(
      fc.property(propsOf(gens), (generated) => {
        runCase({
          construct: 'PrivateNetwork',
          generated,
          stack: hcloudStack,
          build: (scope, props: any) => new PrivateNetwork(scope, 'Net', props),
          expectResources: ['hcloud_network', 'hcloud_network_subnet'],
          related: { ipRange: ['subnetIpRange', 'runnerSubnetIpRange', 'additionalSubnets'], subnetIpRange: ['runnerSubnetIpRange'] },
        });
      }),
      params(RUNS.privateNetwork),
    );
  });

  test('AdminAccess', () => {
    const gens = [
      prop(
        'sshPublicKeys',
        fc.constantFrom<unknown>({ alice: OPERATOR_KEY }, { alice: OPERATOR_KEY, bob: SECOND_KEY }, { 'ops-1': `  ${OPERATOR_KEY}  ` }),
        fc.oneof(
          fc.constantFrom<unknown>({ Alice: OPERATOR_KEY }, { alice: 'not a key' }, { alice: '' }, { alice: OPERATOR_KEY, bob: OPERATOR_KEY }, { alice: 42 }, { alice: null }, { 'a b': OPERATOR_KEY }),
          badNameString.map((k) => ({ alice: k })),
          wrongType.filter((w) => typeof w !== 'object' || w === null || Array.isArray(w)),
        ),
      ),
      prop('existingSshKeys', fc.constantFrom(undefined, ['ops-key'], ['12345', 'Ops Key 2']), fc.oneof(fc.constantFrom<unknown>([' x'], ['a,b'], ['k', 'k'], [''], [42], [null], 'ops-key'), wrongType.filter((w) => !Array.isArray(w)))),
      prop('adminCidrs', fc.array(adminCidr, { minLength: 1, maxLength: 3 }), fc.oneof(fc.constant([]), fc.array(badCidr, { minLength: 1, maxLength: 2 }), fc.constantFrom<unknown>(['0.0.0.0/0'], ['::/0'], undefined, '203.0.113.7/32'), wrongType)),
      prop('namePrefix', fc.constantFrom(undefined, 'aiai', 'ops', 'acme-prod'), fc.oneof(fc.constantFrom<unknown>('', ' x', 'a,b', 'has space', '-lead', 'x'.repeat(41), 'line\nbreak'), wrongType)),
      prop('labels', optional(labels()), badLabels),
    ];
    fc.assert(
      fc.property(propsOf(gens), (generated) => {
        runCase({
          construct: 'AdminAccess',
          generated,
          stack: hcloudStack,
          build: (scope, props: any) => new AdminAccess(scope, 'Access', props),
          expectResources: generated.props.sshPublicKeys ? ['hcloud_ssh_key'] : [],
          related: { sshPublicKeys: ['sshPublicKeys', 'existingSshKeys'], existingSshKeys: ['sshPublicKeys'], namePrefix: ['existingSshKeys'] },
        });
      }),
      params(RUNS.adminAccess),
    );
  });

  test('RoleFirewall (rules, addRules, labels)', () => {
    const servicePort: fc.Arbitrary<ServicePort> = fc.oneof(
      fc.constantFrom(...Object.values(Ports)),
      fc.record({ name: dnsLabel(20), port: fc.integer({ min: 1, max: 65535 }), protocol: fc.constantFrom('tcp' as const, 'udp' as const), description: fc.constant('custom') }),
    );
    const source = fc.oneof(fc.constant(PortSources.admin), fc.constant(PortSources.private), fc.array(adminCidr, { minLength: 1, maxLength: 3 }).map((c) => PortSources.cidrs(c)));
    const rule: fc.Arbitrary<PortRule> = fc.record({ port: servicePort, from: source });
    const badRule: fc.Arbitrary<unknown> = fc.oneof(
      fc.tuple(rule, fc.oneof(badNumber, fc.constantFrom(0, 65536, 70000))).map(([r, port]) => ({ ...r, port: { ...r.port, port } })),
      fc.tuple(rule, fc.oneof(fc.constantFrom('icmp', 'TCP', ''), wrongType)).map(([r, protocol]) => ({ ...r, port: { ...r.port, protocol } })),
      fc.tuple(rule, fc.oneof(fc.constantFrom('', 'line\nbreak', 'x'.repeat(300)), wrongType)).map(([r, name]) => ({ ...r, port: { ...r.port, name } })),
      fc.tuple(rule, fc.oneof(fc.constant([]), fc.array(badCidr, { minLength: 1, maxLength: 2 }), wrongType)).map(([r, cidrs]) => ({ ...r, from: { kind: 'cidrs', cidrs } })),
      fc.tuple(rule, fc.oneof(fc.constantFrom('public', 'world', ''), wrongType)).map(([r, kind]) => ({ ...r, from: { kind } })),
      fc.constantFrom<unknown>(null, 42, 'ssh', {}, { port: Ports.ssh }, { from: PortSources.admin }),
    );
    const tooMany = fc.integer({ min: 51, max: 80 }).map((n) => Array.from({ length: n }, (_, i) => ({ port: { name: `p${i}`, port: 10000 + i, protocol: 'tcp', description: 'x' }, from: PortSources.admin })));
    const gens = [
      prop('name', fc.oneof(dnsLabel(40), fc.constantFrom('fw', 'aiai-prod-orchestrator')), badHetznerName),
      prop('rules', fc.array(rule, { maxLength: 8 }), fc.oneof(tooMany, fc.tuple(fc.array(rule, { maxLength: 3 }), badRule).map(([rs, b]) => [...rs, b]), wrongType.filter((w) => !Array.isArray(w)))),
      prop('privateRange', fc.constantFrom('10.0.0.0/16', '172.16.0.0/12'), badCidr),
      prop('adminCidrs', fc.array(adminCidr, { minLength: 1, maxLength: 3 }), fc.oneof(fc.array(badCidr, { minLength: 1, maxLength: 2 }), wrongType.filter((w) => !Array.isArray(w)))),
      prop('labels', optional(labels()), badLabels),
    ];
    // Rules added later by hosts (addRules) go through the same checks.
    const later = fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: fc.array(rule, { minLength: 1, maxLength: 4 }).map((r) => ({ rules: r, bad: false })), weight: 1 }, { arbitrary: badRule.map((r) => ({ rules: [r], bad: true })), weight: 1 });
    fc.assert(
      fc.property(propsOf(gens), later, (generated, more) => {
        const bad = more?.bad ? [...generated.bad, 'rules'] : generated.bad;
        runCase({
          construct: 'RoleFirewall',
          generated: { ...generated, bad },
          stack: hcloudStack,
          build: (scope, props: any) => {
            const fw = new RoleFirewall(scope, 'Fw', props);
            if (more) fw.addRules(more.rules as PortRule[]);
          },
          expectResources: ['hcloud_firewall'],
          // An admin rule with bad admin CIDRs, or bad admin CIDRs without an admin rule, are reported under either.
          related: { adminCidrs: ['rules'], rules: ['adminCidrs'] },
        });
      }),
      params(RUNS.roleFirewall),
    );
  });

  test('secretVariable', () => {
    const gens = [
      prop('name', fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/), fc.oneof(fc.constantFrom('', 'Upper', '1abc', 'with-dash', 'has space', '_lead', 'dollar$'), wrongType)),
      prop('description', fc.oneof(fc.constantFrom('a token', 'the Hetzner token'), fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /^[\x20-\x7e]+$/.test(s) && s.trim() !== '')), fc.oneof(fc.constantFrom<unknown>('', ' ', undefined), wrongType)),
      prop('allowEmpty', fc.constantFrom(undefined, true, false), fc.constantFrom<unknown>('yes', 1, null)),
      prop('multiLine', fc.constantFrom(undefined, true, false), fc.constantFrom<unknown>('no', 0, {})),
    ];
    fc.assert(
      fc.property(propsOf(gens), (generated) => {
        const { name, ...opts } = generated.props;
        runCase({
          construct: 'secretVariable',
          generated,
          stack: hcloudStack,
          build: (scope) => secretVariable(scope, name, opts as any),
          expectResources: [],
        });
      }),
      params(RUNS.secretVariable),
    );
  });

  test('HardenedServer', () => {
    const gens = [
      prop('name', dnsLabel(30), badName),
      prop('serverType', serverTypeName, badServerType),
      prop('location', fc.constantFrom(undefined, 'fsn1', 'nbg1', 'hel1'), fc.oneof(badLocation, fc.constantFrom('ash', 'sin'))),
      prop('image', fc.constantFrom(undefined, 'ubuntu-24.04'), fc.oneof(fc.constantFrom('ubuntu-22.04', 'debian-12', ''), wrongType)),
      prop('privateIp', fc.integer({ min: 6, max: 254 }).map((n) => `10.0.1.${n}`), badIp),
      prop(
        'labels',
        fc.tuple(labelValue.filter((v) => v !== ''), labels(['project', 'role', 'environment'])).map(([role, extra]) => ({ ...extra, project: 'aiai', environment: 'test', role })),
        fc.oneof(
          fc.constantFrom<unknown>({ project: 'aiai', role: 'web' }, { project: '', role: 'web', environment: 'test' }, {}, undefined),
          badLabels.map((l) => (l && typeof l === 'object' ? { project: 'aiai', role: 'web', environment: 'test', ...l } : l)),
        ),
      ),
      prop('placementGroupId', fc.constantFrom(undefined, 1, 4242), fc.oneof(badNumber, fc.constant(0))),
      prop('backups', fc.constantFrom(undefined, true, false), fc.constantFrom<unknown>('true', 1)),
      prop('serviceUserGroups', fc.constantFrom(undefined, [], ['docker'], ['adm', 'docker']), fc.oneof(fc.constantFrom<unknown>([''], ['has space'], ['a:b'], ['root'], 'docker'), wrongType.filter((w) => !Array.isArray(w)))),
      prop('firewallIds', fc.constantFrom(undefined, ['123'], ['1', '2']), fc.oneof(fc.constantFrom<unknown>([''], ['abc'], ['-1'], ['1.5'], '123'), wrongType.filter((w) => !Array.isArray(w)))),
    ];
    fc.assert(
      fc.property(propsOf(gens), (generated) => {
        runCase({
          construct: 'HardenedServer',
          generated,
          stack: hcloudStack,
          build: (scope, props: any) => {
            const { net, access } = platformBase(scope);
            new HardenedServer(scope, 'Server', { ...props, network: net, access, hostConfig: new HostConfig() });
          },
          expectResources: ['hcloud_server', 'hcloud_network'],
          related: { serverType: ['location'], location: ['serverType'], labels: ['labels'] },
        });
      }),
      params(RUNS.hardenedServer),
    );
  });

  test('DataVolume', () => {
    const gens = [
      prop('name', dnsLabel(30), badHetznerName),
      prop('location', fc.constantFrom('fsn1'), badLocation),
      prop('sizeGb', fc.oneof(fc.constant(undefined), fc.integer({ min: 10, max: 10240 })), fc.oneof(badNumber, fc.constantFrom(9, 10241, 0, 1e6))),
      prop('labels', optional(labels()), badLabels),
      prop('protect', fc.constantFrom(undefined, true, false)),
      prop('mountpoint', fc.constantFrom(undefined, '/mnt/data', '/var/lib/aiai'), fc.oneof(fc.constantFrom<unknown>('', 'relative/path', '/', '/mnt/has space', '/mnt/../etc', '/mnt/data/'), wrongType)),
    ];
    fc.assert(
      fc.property(propsOf(gens), (generated) => {
        runCase({
          construct: 'DataVolume',
          generated,
          stack: hcloudStack,
          build: (scope, props: any) => {
            const { net, access } = platformBase(scope);
            const server = new HardenedServer(scope, 'Server', {
              name: 'data-host',
              serverType: 'cx23',
              network: net,
              privateIp: '10.0.1.10',
              access,
              labels: { project: 'aiai', role: 'data', environment: 'test' },
              hostConfig: new HostConfig(),
            });
            new DataVolume(scope, 'Volume', { ...props, server });
          },
          expectResources: ['hcloud_volume', 'hcloud_volume_attachment'],
        });
      }),
      params(RUNS.dataVolume),
    );
  });

  const bucketName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$/).filter((n) => !n.startsWith('xn--') && !n.startsWith('sthree-') && !n.endsWith('-s3alias'));
  const badBucketName = fc.oneof(fc.constantFrom<unknown>('ab', 'UPPER-case', 'has.dot', 'has_underscore', '-lead', 'trail-', '192.168.1.1', 'xn--bucket', 'b'.repeat(64), ''), wrongType);

  test('HetznerBucket', () => {
    const gens = [
      prop('bucketName', bucketName, badBucketName),
      group(
        fc.oneof(
          fc.record({ versioned: fc.constantFrom(undefined, false) }),
          fc.record({ versioned: fc.constant(true), noncurrentVersionExpirationDays: optional(retentionDays) }).map((r) => (r.noncurrentVersionExpirationDays === undefined ? { versioned: true } : r)),
        ),
        fc.oneof(
          retentionDays.map((d) => ({ value: { versioned: false, noncurrentVersionExpirationDays: d }, bad: ['noncurrentVersionExpirationDays'] })),
          badNumber.map((d) => ({ value: { versioned: true, noncurrentVersionExpirationDays: d }, bad: ['noncurrentVersionExpirationDays'] })),
        ),
      ),
      prop('expirationDays', optional(retentionDays), fc.oneof(badNumber, fc.constantFrom(0, 36501))),
      prop('abortIncompleteMultipartUploadDays', optional(retentionDays), badNumber),
      prop('removalPolicy', fc.constantFrom(undefined, ...Object.values(BucketRemovalPolicy)), fc.oneof(fc.constantFrom<unknown>('delete', 'RETAIN', ''), wrongType)),
    ];
    fc.assert(
      fc.property(propsOf(gens), (generated) => {
        runCase({
          construct: 'HetznerBucket',
          generated,
          stack: objectStack,
          build: (scope, props: any) => {
            const provider = HetznerObjectStorage.provider(scope, 'os', { location: 'fsn1' });
            new HetznerBucket(scope, 'Bucket', { ...props, provider });
          },
          expectResources: ['aws_s3_bucket', 'terraform_data'],
        });
      }),
      params(RUNS.hetznerBucket),
    );
  });

  test('BucketLifecycle', () => {
    const rule = fc.record(
      {
        id: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
        expirationDays: retentionDays,
        noncurrentVersionExpirationDays: retentionDays,
        abortIncompleteMultipartUploadDays: retentionDays,
      },
      { requiredKeys: ['id'] },
    ).filter((r) => r.expirationDays !== undefined || r.noncurrentVersionExpirationDays !== undefined || r.abortIncompleteMultipartUploadDays !== undefined);
    const rules = fc.uniqueArray(rule, { minLength: 1, maxLength: 5, selector: (r) => r.id });
    const gens = [
      prop('bucketName', bucketName, badBucketName),
      prop('location', fc.constantFrom('fsn1', 'nbg1', 'hel1'), fc.oneof(badLocation, fc.constantFrom('ash', 'sin'))),
      prop('endpoint', fc.constantFrom(undefined, 'https://fsn1.your-objectstorage.com', 'http://127.0.0.1:9000'), fc.oneof(fc.constantFrom<unknown>('', 'http://example.com', 'https://x.com/path', 'https://x.com/', 'ftp://x', 'not a url', 'https://u:p@x.com'), wrongType)),
      prop(
        'rules',
        rules,
        fc.oneof(
          fc.constant([]),
          rules.map((rs) => [...rs, { ...rs[0] }]),
          rules.map((rs) => [...rs, { id: 'only-id' }]),
          fc.tuple(rules, fc.oneof(fc.constantFrom<unknown>('', 'ü', 'x'.repeat(256), 'line\nbreak'), wrongType)).map(([rs, id]) => [...rs, { id, expirationDays: 1 }]),
          fc.tuple(rules, badNumber).map(([rs, d]) => [...rs, { id: 'bad-days', expirationDays: d }]),
          fc.constantFrom<unknown>([null], [42], ['rule'], 'rules', 42, {}),
          fc.array(rule, { minLength: 1001, maxLength: 1001 }).map((rs) => rs.map((r, i) => ({ ...r, id: `r${i}` }))),
        ),
      ),
    ];
    fc.assert(
      fc.property(propsOf(gens), (generated) => {
        runCase({
          construct: 'BucketLifecycle',
          generated,
          stack: objectStack,
          build: (scope, props: any) => new BucketLifecycle(scope, 'Lifecycle', props),
          expectResources: ['terraform_data'],
        });
      }),
      params(RUNS.bucketLifecycle),
    );
  });

  test('ObjectStore', () => {
    const days = (name: string) => prop(name, optional(retentionDays), badNumber);
    const gens = [
      prop('bucketPrefix', fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/), fc.oneof(fc.constantFrom<unknown>('', 'UP', 'has.dot', 'p'.repeat(60), '-x', 'x-'), wrongType)),
      days('logsExpirationDays'),
      days('metricsExpirationDays'),
      days('artifactsExpirationDays'),
      days('backupsExpirationDays'),
      days('backupsNoncurrentVersionExpirationDays'),
      days('abortIncompleteMultipartUploadDays'),
      prop('removalPolicy', fc.constantFrom(undefined, ...Object.values(BucketRemovalPolicy)), fc.oneof(fc.constantFrom<unknown>('delete', ''), wrongType)),
      prop('outputPrefix', fc.constantFrom(undefined, 'store', 'object_store_2'), fc.oneof(fc.constantFrom<unknown>('', 'Upper', '1x', 'with-dash', 'o'.repeat(42)), wrongType)),
    ];
    fc.assert(
      fc.property(propsOf(gens), fc.constantFrom('fsn1', 'nbg1', 'hel1'), (generated, location) => {
        runCase({
          construct: 'ObjectStore',
          generated,
          stack: objectStack,
          build: (scope, props: any) => {
            const provider = HetznerObjectStorage.provider(scope, 'os', { location });
            new ObjectStore(scope, 'Store', { ...props, provider });
          },
          expectResources: ['aws_s3_bucket', 'terraform_data'],
        });
      }),
      params(RUNS.objectStore),
    );
  });

  test('AiaiOrchestrator', () => {
    const gens = [
      prop('environment', environment, badEnvironment),
      prop('project', fc.constantFrom(undefined, 'aiai', 'acme'), fc.oneof(fc.constantFrom<unknown>('', 'Has Space', 'p'.repeat(40)), wrongType)),
      prop('repositoryUrl', fc.constantFrom('https://github.com/example/aiai.git', 'https://git.example.com/a/b'), fc.oneof(fc.constantFrom<unknown>('', 'git@github.com:a/b.git', 'http://github.com/a/b', 'https://user:pw@github.com/a/b', 'https://x y'), wrongType)),
      prop('repositoryRef', fc.constantFrom(undefined, 'main', 'v1.2.3', 'a'.repeat(40)), fc.oneof(fc.constantFrom<unknown>('', '-x', 'a..b', 'has space', 'ref~1', 'x.lock', '@'), wrongType)),
      prop('primaryServerType', fc.constantFrom(undefined, 'cx33', 'cax21', 'ccx13'), badServerType),
      prop('standby', fc.constantFrom(undefined, true, false)),
      prop('standbyServerType', fc.constantFrom(undefined, 'cx23'), badServerType),
      prop('location', fc.constantFrom(undefined, 'fsn1', 'hel1'), badLocation),
      prop('loadBalancerType', fc.constantFrom(undefined, 'lb11', 'lb21'), fc.oneof(fc.constantFrom<unknown>('lb1', 'LB11', ''), wrongType)),
      prop('watchdogSec', fc.oneof(fc.constant(undefined), fc.integer({ min: 10, max: 3600 })), fc.oneof(badNumber, fc.constantFrom(9, 3601))),
      prop('evolutionTimeoutSec', fc.oneof(fc.constant(undefined), fc.integer({ min: 60, max: 21600 })), fc.oneof(badNumber, fc.constantFrom(59, 21601))),
      prop('settings', fc.constantFrom(undefined, {}, { AIAI_LOG_LEVEL: 'DEBUG', FEATURE_X: 'on' }), fc.oneof(fc.constantFrom<unknown>({ lower: 'x' }, { API_KEY: 'x' }, { AIAI_ROLE: 'x' }, { A: 'two\nlines' }, { A: 42 }, { A: null }, 'A=1'), wrongType)),
    ];
    fc.assert(
      fc.property(propsOf(gens), fc.constantFrom('secret', 'secret', 'secret', 'literal', 'empty', 'bad-name'), (generated, secretsKind) => {
        const bad = secretsKind === 'secret' ? generated.bad : [...generated.bad, 'secretEnvironment'];
        runCase({
          construct: 'AiaiOrchestrator',
          generated: { ...generated, bad },
          stack: hcloudStack,
          build: (scope, props: any, stack) => {
            const { net, access } = platformBase(scope);
            const token = secretToken(stack, 'openrouter_api_key');
            const secretEnvironment =
              secretsKind === 'secret' ? { OPENROUTER_API_KEY: token } : secretsKind === 'literal' ? { OPENROUTER_API_KEY: 'sk-live' } : secretsKind === 'empty' ? {} : { 'openrouter-key': token };
            new AiaiOrchestrator(scope, 'Orchestrator', { ...props, network: net, access, secretEnvironment });
          },
          expectResources: ['hcloud_server', 'hcloud_load_balancer', 'hcloud_firewall', 'hcloud_placement_group'],
          // A bad server type is reported by the host it is for (Orchestrator/Primary or /Standby: serverType).
          related: { primaryServerType: ['location', 'serverType'], standbyServerType: ['location', 'serverType'] },
        });
      }),
      { ...params(RUNS.orchestrator) },
    );
  });

  test('MonitoringNode', () => {
    const duration = (name: string) => prop(name, fc.constantFrom(undefined, '15s', '1m'), fc.oneof(fc.constantFrom<unknown>('', '15', '-1s', '1 m', 'forever', '0s'), wrongType));
    const gens = [
      prop('environment', environment, badEnvironment),
      prop('serverType', fc.constantFrom(undefined, 'cax21', 'cx33'), badServerType),
      prop('location', fc.constantFrom(undefined, 'fsn1', 'nbg1'), badLocation),
      prop('volumeSizeGb', fc.oneof(fc.constant(undefined), fc.integer({ min: 10, max: 10240 })), badNumber),
      duration('scrapeInterval'),
      duration('evaluationInterval'),
      prop('metricsRetention', fc.constantFrom(undefined, '15d', '90d'), fc.oneof(fc.constantFrom<unknown>('', '1h', '3651d', 'lots'), wrongType)),
      prop('privateIp', fc.constantFrom(undefined, '10.0.1.21', '10.0.1.200'), badIp),
    ];
    fc.assert(
      fc.property(propsOf(gens), fc.constantFrom('tokens', 'tokens', 'tokens', 'literal', 'missing'), (generated, secretsKind) => {
        const bad = secretsKind === 'tokens' ? generated.bad : [...generated.bad, 'secrets'];
        runCase({
          construct: 'MonitoringNode',
          generated: { ...generated, bad },
          stack: hcloudStack,
          build: (scope, props: any, stack) => {
            const { net, access } = platformBase(scope);
            const t = (n: string) => (secretsKind === 'literal' ? 'literal-secret' : secretToken(stack, n));
            const secrets = secretsKind === 'missing' ? undefined : { hcloudSdToken: t('hcloud_sd_token'), alertWebhookUrl: t('alert_webhook_url'), grafanaAdminPassword: t('grafana_admin_password') };
            new MonitoringNode(scope, 'Monitoring', { ...props, network: net, access, secrets });
          },
          expectResources: ['hcloud_server', 'hcloud_volume', 'hcloud_firewall'],
          related: { serverType: ['location'], location: ['serverType'], evaluationInterval: ['scrapeInterval'], scrapeInterval: ['evaluationInterval'] },
        });
      }),
      params(RUNS.monitoring),
    );
  });

  test('EphemeralRunnerPool', () => {
    const gens = [
      prop('environment', environment, badEnvironment),
      prop('pool', fc.constantFrom('ci', 'build', 'gpu-jobs'), fc.oneof(fc.constantFrom<unknown>('', 'CI', 'has space', 'p'.repeat(40)), wrongType)),
      prop('repository', fc.constantFrom('aiai', 'my.repo', 'a_b-c'), fc.oneof(fc.constantFrom<unknown>('', 'acme/aiai', '.', '..', 'has space', 'r'.repeat(101)), wrongType)),
      prop('serverType', fc.constantFrom(undefined, 'cpx32', 'cx33', 'cax21'), badServerType),
      prop('location', fc.constantFrom(undefined, 'fsn1', 'nbg1'), fc.oneof(badLocation, fc.constant('ash'))),
      prop('maxRunners', fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 20 })), fc.oneof(badNumber, fc.constant(0))),
      prop('maxLifetimeMinutes', fc.constantFrom(undefined, 60, 120, 240), fc.oneof(badNumber, fc.constant(0))),
      prop('runnerLabels', fc.constantFrom(undefined, [], ['gpu'], ['big', 'x64-fast']), fc.oneof(fc.constantFrom<unknown>([''], ['has space'], 'gpu'), wrongType.filter((w) => !Array.isArray(w)))),
      prop('serverLabels', optional(labels(['project', 'environment', 'monitoring', 'pool', 'role', 'expires-at'])), fc.oneof(badLabels, fc.constant({ project: 'x' }))),
      prop('runnerGroupId', fc.constantFrom(undefined, 1, 7), badNumber),
    ];
    fc.assert(
      fc.property(propsOf(gens), (generated) => {
        runCase({
          construct: 'EphemeralRunnerPool',
          generated,
          stack: githubStack,
          build: (scope, props: any, stack) => {
            const { net, access } = platformBase(scope);
            const secrets = { hcloudToken: secretToken(stack, 'runner_hcloud_token'), githubToken: secretToken(stack, 'runner_github_token') };
            new EphemeralRunnerPool(scope, 'Pool', { ...props, network: net, access, secrets, jobs: { build: { name: 'Build', steps: [{ run: 'make test' }] } } });
          },
          expectResources: ['hcloud_firewall', 'github_actions_secret', 'github_actions_variable', 'github_repository_file'],
          related: { serverType: ['location', 'fallbackServerTypes'], location: ['serverType', 'fallbackLocations'], maxLifetimeMinutes: ['jobs'] },
        });
      }),
      params(RUNS.ephemeralPool),
    );
  });

  test('PersistentRunner', () => {
    const gens = [
      prop('environment', environment, badEnvironment),
      prop('repository', fc.constantFrom('acme/aiai', 'a/b.c'), fc.oneof(fc.constantFrom<unknown>('', 'aiai', 'a/b/c', '/x', 'has space/x'), wrongType)),
      prop('instance', fc.constantFrom(undefined, 0, 1, 42), fc.oneof(badNumber, fc.constantFrom(100, 1000))),
      prop('serverType', fc.constantFrom(undefined, 'cpx32', 'cax11', 'cx23'), badServerType),
      prop('location', fc.constantFrom(undefined, 'fsn1', 'hel1'), badLocation),
      prop('runnerLabels', fc.constantFrom(undefined, [], ['aiai-persistent'], ['big']), fc.oneof(fc.constantFrom<unknown>([''], ['has space'], [poolRunnerLabel('x')], [`${RUN_RUNNER_LABEL_PREFIX}1`], 'big'), wrongType.filter((w) => !Array.isArray(w)))),
      prop('runnerGroup', fc.constantFrom(undefined, 'Default', 'ci runners'), fc.oneof(fc.constantFrom<unknown>('', ' lead', 'line\nbreak'), wrongType)),
      prop('docker', fc.constantFrom(undefined, true, false)),
    ];
    fc.assert(
      fc.property(propsOf(gens), fc.boolean(), (generated, literalToken) => {
        const bad = literalToken ? [...generated.bad, 'githubToken'] : generated.bad;
        runCase({
          construct: 'PersistentRunner',
          generated: { ...generated, bad },
          stack: hcloudStack,
          build: (scope, props: any, stack) => {
            const { net, access } = platformBase(scope);
            new PersistentRunner(scope, 'Runner', { ...props, network: net, access, githubToken: literalToken ? 'ghp_literal' : secretToken(stack, 'runner_registration_token') });
          },
          expectResources: ['hcloud_server', 'hcloud_firewall'],
          related: { serverType: ['location'], location: ['serverType'] },
        });
      }),
      params(RUNS.persistentRunner),
    );
  });
});

/** How many passing cases per run go through real terraform validate. */
const TERRAFORM_SAMPLE = 20;

describeWithTerraform('property-based cases: a sample of the valid synths through terraform validate (stand-in providers)', () => {
  let tf: StandIn | undefined;
  afterAll(async () => {
    await tf?.close();
  });

  test(
    `${TERRAFORM_SAMPLE} passing cases, spread over the constructs, validate without a diagnostic`,
    async () => {
      const sample = sampleOutputs(TERRAFORM_SAMPLE);
      expect(sample.length).toBe(TERRAFORM_SAMPLE);
      const batches = batchDocuments(sample.map((s) => s.json));
      tf = await startStandIn();
      const results = await Promise.all(batches.map((doc) => tf!.workspace(doc).validate()));
      results.forEach((r, i) => expect({ batch: i, messages: r.messages }).toEqual({ batch: i, messages: [] }));
      // eslint-disable-next-line no-console
      console.log(`terraform validate: ${sample.length} passing cases (${[...new Set(sample.map((s) => s.construct))].join(', ')}) in ${batches.length} workspace(s)`);
    },
    TERRAFORM_TEST_TIMEOUT_MS,
  );
});
