/**
 * One error model: every bad input in construct and renderer code fails with a ValidationError
 * (construct path, property, value, what is allowed); runtime code under lib/runner-manager and
 * lib/operator keeps its own error types.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { checkSecretToken, SECRET_NOT_SHOWN } from '../../lib/core/tokens';
import { invalid, PropValidator, requireProps } from '../../lib/core/validation-error';
import { serverType } from '../../lib/hetzner/catalog';
import { AdminAccess } from '../../lib/host/admin-access';
import { HardenedServer } from '../../lib/host/hardened-server';
import { HostConfiguration } from '../../lib/host/host-configuration';
import { MonitoringNode } from '../../lib/monitoring/monitoring-node';
import { PrivateNetwork } from '../../lib/network/private-network';
import { ExistingPrivateNetwork } from '../../lib/network/existing-network';
import { ExistingObjectStore } from '../../lib/object-store/existing-object-store';
import { ExistingRoleFirewall, RoleFirewall } from '../../lib/network/role-firewall';
import { BucketLifecycle } from '../../lib/object-store/bucket-lifecycle';
import { HetznerBucket } from '../../lib/object-store/hetzner-bucket';
import { HetznerObjectStorageProvider } from '../../lib/object-store/hetzner-object-storage-provider';
import { ObjectStore } from '../../lib/object-store/object-store';
import { AgentRelease } from '../../lib/orchestrator/agent-release';
import { AiaiOrchestrator } from '../../lib/orchestrator/aiai-orchestrator';
import { applyOrchestratorRole } from '../../lib/orchestrator/orchestrator-host';
import { renderReleaseSettings } from '../../lib/orchestrator/release-config';
import { renderSnapshotRotation } from '../../lib/render/backup/snapshot-rotation';
import { renderHostManifest } from '../../lib/render/host-manifest';
import { renderLogShippingHost } from '../../lib/render/monitoring/host-parts';
import { PersistentRunner } from '../../lib/runner-pool/persistent-runner';
import { EphemeralRunnerPool } from '../../lib/runner-pool/ephemeral-runner-pool';
import { SecretFiles } from '../../lib/secrets/secret-files';
import { StateBootstrapStack } from '../../lib/state/state-bootstrap-stack';
import { DataVolume } from '../../lib/volume/data-volume';
import { HostConfig } from '../../lib/host/host-config';
import { AiaiPlatform } from '../../lib/platform/aiai-platform';
import { CostBudget } from '../../lib/cost/budget';
import { access, expectProblem, network, secretToken, testStack, validationError } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const LIB = join(ROOT, 'lib');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Runtime code (run on hosts or by the CLIs) with its own error types. */
const RUNTIME_FOLDERS = ['lib/runner-manager/', 'lib/operator/', 'lib/runtime/', 'lib/review/', 'lib/diagram/'];


describe('error model', () => {
  test('no plain `throw new Error` in construct or renderer code (runtime folders keep their own types)', () => {
    const offenders = sources(LIB)
      .map((f) => relative(ROOT, f))
      .filter((f) => !RUNTIME_FOLDERS.some((d) => f.startsWith(d)))
      .flatMap((f) =>
        readFileSync(join(ROOT, f), 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${f}:${i + 1}` }))
          .filter(({ line }) => /throw new Error\(/.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });

  test('the scan sees a plain throw (it reads the files it claims to): the runtime folders, which may, have some', () => {
    const hits = sources(LIB)
      .filter((f) => RUNTIME_FOLDERS.some((d) => relative(ROOT, f).startsWith(d)))
      .filter((f) => /throw new Error\(/.test(readFileSync(f, 'utf8')));
    expect(hits.length).toBeGreaterThan(0);
  });
});

describe('undefined props (JavaScript callers) end in a ValidationError naming the construct path', () => {
  type Ctor = new (scope: Construct, id: string, props?: unknown) => Construct;
  const constructs: Record<string, Ctor> = {
    AdminAccess,
    AgentRelease,
    AiaiOrchestrator,
    AiaiPlatform,
    BucketLifecycle,
    CostBudget,
    DataVolume,
    EphemeralRunnerPool,
    ExistingObjectStore,
    ExistingPrivateNetwork,
    ExistingRoleFirewall,
    HardenedServer,
    HetznerBucket,
    HetznerObjectStorageProvider,
    HostConfiguration,
    MonitoringNode,
    ObjectStore,
    PersistentRunner,
    PrivateNetwork,
    RoleFirewall,
    SecretFiles,
    StateBootstrapStack,
  } as unknown as Record<string, Ctor>;

  test.each(Object.entries(constructs))('fails if %s gets no props', (_name, Ctor) => {
    const scope = new TerraformStack(new App(), 'test');
    for (const props of [undefined, null]) {
      const err = validationError(() => new (Ctor as new (s: Construct, id: string, p?: unknown) => Construct)(scope, `X${String(props)}`, props));
      expectProblem(err, { path: `test/X${String(props)}`, property: 'props', allowed: /^a props object \(props are required\)$/ });
      expect(err.constructPath).toBe(`test/X${String(props)}`);
    }
  });

  test('every exported construct class with required props is in the list', () => {
    const declared = sources(LIB)
      .filter((f) => !RUNTIME_FOLDERS.some((d) => relative(ROOT, f).startsWith(d)))
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/export class (\w+) extends (?:Construct|TerraformStack|AiaiStack|AwsProvider)\b[^{]*\{[\s\S]*?constructor\(scope: Construct, id: string, props: \w+\)/g)].map((m) => m[1]));
    expect(declared.sort()).toEqual(Object.keys(constructs).sort());
  });

  test('requireProps passes a props object through', () => {
    const props = { a: 1 };
    expect(requireProps(new TerraformStack(new App(), 's'), 'x', props)).toBe(props);
  });
});

describe('PropValidator', () => {
  test('under(prefix) records into its parent with the property path', () => {
    const v = new PropValidator('Root/Thing');
    v.under('logShipping').check('lokiHost', 'x', false, 'an IPv4');
    v.under('files').under('[2]').fail('mode', '9', 'an octal mode');
    const err = validationError(() => v.throwIfInvalid());
    expect(err.problems.map((p) => p.property)).toEqual(['logShipping.lokiHost', 'files[2].mode']);
    expect(err.constructPath).toBe('Root/Thing');
  });

  test('attempt records a ValidationError of a pure helper under the caller property and value', () => {
    const v = new PropValidator('Root/Server');
    v.attempt('serverType', 'cx99', () => serverType('cx99'));
    v.attempt('image', 'x', () => invalid('helper', 'inner', 'x', 'one of a, b'));
    const err = validationError(() => v.throwIfInvalid());
    expect(err.problems).toEqual([
      { property: 'serverType', value: 'cx99', allowed: expect.stringMatching(/^one of cx23, /) },
      { property: 'image', value: 'x', allowed: 'one of a, b' },
    ]);
  });

  test('fails if a pure helper is given a bad value: invalid() names the helper, property, value and rule', () => {
    const err = validationError(() => invalid('renderThing', 'name', 'a b', 'letters only'));
    expect(err.message).toBe('Invalid props for renderThing:\n  - name: got "a b"; allowed: letters only');
  });
});

describe('checkSecretToken: one check, one placeholder', () => {
  test('fails if a secret is a literal, without showing it; a missing one shows as undefined; a token passes', () => {
    const stack = testStack();
    const v = new PropValidator(stack);
    expect(checkSecretToken(v, 'a', 'sk-live-123')).toBe(false);
    expect(checkSecretToken(v, 'b', undefined)).toBe(false);
    expect(checkSecretToken(v, 'c', secretToken(stack, 'c'))).toBe(true);
    const err = validationError(() => v.throwIfInvalid());
    expect(err.message).not.toContain('sk-live-123');
    expect(err.problems).toEqual([
      { property: 'a', value: SECRET_NOT_SHOWN, allowed: expect.stringMatching(/^a sensitive Terraform variable token/) },
      { property: 'b', value: undefined, allowed: expect.stringMatching(/^a sensitive Terraform variable token/) },
    ]);
  });

  test('no other placeholder spelling is left in lib', () => {
    const spellings = sources(LIB).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/'<literal[^']*>'/g)].map((m) => `${relative(ROOT, f)}: ${m[0]}`));
    // ephemeral-runner-pool.ts defines the same spelling locally (owned by the pool split).
    expect(spellings.filter((s) => !s.endsWith(`'${SECRET_NOT_SHOWN}'`))).toEqual([]);
  });
});

describe('renderer validations name the construct path', () => {
  test('fails if logShipping.lokiHost of AiaiOrchestrator is not an IPv4: the error names the orchestrator path and the property', () => {
    const stack = testStack();
    const err = validationError(
      () =>
        new AiaiOrchestrator(stack, 'Orchestrator', {
          environment: 'test',
          network: network(stack),
          access: access(stack),
          repositoryUrl: 'https://github.com/example/aiai.git',
          secretEnvironment: { OPENROUTER_API_KEY: secretToken(stack, 'openrouter_api_key') },
          logShipping: { lokiHost: 'loki.internal' },
        }),
    );
    expect(err.constructPath).toMatch(/^test\/Orchestrator\//);
    expectProblem(err, { path: err.constructPath, property: 'logShipping.lokiHost', value: 'loki.internal', allowed: /private IPv4 of the monitoring host/ });
    expect(err.message).not.toMatch(/LogShipping|AlloyConfig/);
  });

  test('fails if log shipping options are bad, through the caller validator', () => {
    const v = new PropValidator('App/Stack/Host');
    const err = validationError(() =>
      renderLogShippingHost({ hostname: 'h', role: 'orchestrator', environment: 'test', lokiHost: '300.1.1.1', serverType: 'cax21' }, v.under('logShipping')),
    );
    expectProblem(err, { path: 'App/Stack/Host', property: 'logShipping.lokiHost', value: '300.1.1.1', allowed: /IPv4/ });
  });

  test('fails if the snapshot rotation of a construct is bad: every problem at once under its path', () => {
    const v = new PropValidator('test/Monitoring');
    const err = validationError(() => renderSnapshotRotation({ project: 'aiai', environment: 'prod env', keep: 0 }, v.under('disasterRecovery')));
    expect(err.problems.map((p) => p.property)).toEqual(['disasterRecovery.environment', 'disasterRecovery.keep']);
    expect(err.message).toMatch(/^Invalid props for test\/Monitoring:\n/);
  });
});

describe('converted helpers fail with ValidationError', () => {
  test('fails if a release setting name is not UPPER_SNAKE_CASE or its value is not one line', () => {
    expectProblem(validationError(() => renderReleaseSettings({ lower: 'x' })), { path: 'renderReleaseSettings', property: 'settings', value: 'lower', allowed: /UPPER_SNAKE_CASE/ });
    expectProblem(validationError(() => renderReleaseSettings({ A: ' x' })), { path: 'renderReleaseSettings', property: 'settings.A', value: ' x', allowed: /single line without surrounding spaces/ });
  });

  test('fails if orchestrator settings override a built-in', () => {
    const err = validationError(() =>
      applyOrchestratorRole(new HostConfig(), { settings: { AIAI_ROLE: 'x' } } as unknown as Parameters<typeof applyOrchestratorRole>[1]),
    );
    expectProblem(err, { path: 'applyOrchestratorRole', property: 'settings', value: ['AIAI_ROLE'], allowed: /names other than AIAI_ENVIRONMENT/ });
  });

  test('fails if a host manifest has a relative path, a path twice or a bad mode', () => {
    const spec = (files: { path: string; content: string; permissions?: string }[]) =>
      ({ hostname: 'h', serviceUser: 'aiai', packages: [], aptSources: [], users: [], groups: [], files, units: [], services: [], bootCommands: [] }) as unknown as Parameters<typeof renderHostManifest>[0];
    expectProblem(validationError(() => renderHostManifest(spec([{ path: 'etc/x', content: '' }]))), { path: 'renderHostManifest', property: 'files', value: 'etc/x', allowed: /^absolute file paths$/ });
    expectProblem(validationError(() => renderHostManifest(spec([{ path: '/x', content: '' }, { path: '/x', content: '' }]))), { path: 'renderHostManifest', property: 'files', value: '/x', allowed: /not written twice/ });
    expectProblem(validationError(() => renderHostManifest(spec([{ path: '/x', content: '', permissions: '644' }]))), { path: 'renderHostManifest', property: 'files[/x].permissions', value: '644', allowed: /octal/ });
  });
});
