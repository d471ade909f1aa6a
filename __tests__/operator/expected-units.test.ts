/**
 * The units `aiai-ops` checks per role are exactly the units the role's delivered configuration starts and that
 * stay active: every server of the reference app (log shipping, backups, disaster recovery all on)
 * and of a minimal platform (all of them off, plus a persistent runner) is compared. A unit added
 * to a role but not to lib/operator/expected-units.ts, or the other way round, fails here.
 */
import { TerraformStack } from 'cdktf';
import { HcloudProvider } from '../../.gen/providers/hcloud/provider';
import { LabelKeys, Roles, RunnerModes } from '../../lib/core/labels';
import { AiaiOrchestrator } from '../../lib/orchestrator/aiai-orchestrator';
import { MonitoringNode } from '../../lib/monitoring/monitoring-node';
import { expectedUnits, HARDENED_HOST_UNITS, ROLE_UNITS } from '../../lib/operator/expected-units';
import { MonitoringUnits } from '../../lib/render/monitoring/paths';
import { PersistentRunner } from '../../lib/runner-pool/persistent-runner';
import { extractServers, ExtractedServer, referenceApp, resourcesOfType, SynthesizedApp, synthApp } from '../support/synth';
import { access, network, secretToken } from '../support/stack';

/** Units the host's delivered configuration keeps running: its started units and the packages' services. */
function startedAtBoot(s: ExtractedServer): Set<string> {
  const out = new Set<string>([...s.manifest.units.filter((u) => u.start).map((u) => u.name), ...s.manifest.services]);
  // A oneshot service without RemainAfterExit is inactive once it ran: nothing to check.
  for (const f of s.units) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    if (/^Type=oneshot$/m.test(f.content) && !/^RemainAfterExit=(yes|true)$/m.test(f.content)) out.delete(name);
  }
  return out;
}

function labelsOf(synth: SynthesizedApp, s: ExtractedServer): Record<string, string> {
  const r = resourcesOfType(synth, 'hcloud_server').find((x) => x.stack === s.stack && x.name === s.resourceName);
  return r!.config.labels as Record<string, string>;
}

function compare(synth: SynthesizedApp): { server: string; role: string; missing: string[]; unchecked: string[]; optionalPresent: string[] }[] {
  return extractServers(synth).map((s) => {
    const expectation = expectedUnits(labelsOf(synth, s));
    expect({ server: s.serverName, checkable: expectation.checkable }).toEqual({ server: s.serverName, checkable: true });
    const started = startedAtBoot(s);
    const required = expectation.units.filter((u) => u.required).map((u) => u.unit);
    const all = new Set(expectation.units.map((u) => u.unit));
    return {
      server: s.serverName,
      role: expectation.role,
      /** Checked as required but never started: would always fail. */
      missing: required.filter((u) => !started.has(u)),
      /** Started and staying active, but not checked. */
      unchecked: [...started].filter((u) => !all.has(u)).sort(),
      optionalPresent: expectation.units.filter((u) => !u.required && started.has(u.unit)).map((u) => u.unit),
    };
  });
}

test('reference app: every server of every scenario starts exactly the units aiai-ops checks for its role (optional ones included)', () => {
  const rows = compare(referenceApp());
  expect(rows.map((r) => r.role).sort()).toEqual([...Array(3).fill(Roles.monitoring), ...Array(6).fill(Roles.orchestrator)]);
  for (const r of rows) expect({ server: r.server, missing: r.missing, unchecked: r.unchecked }).toEqual({ server: r.server, missing: [], unchecked: [] });
  // Log shipping where there is a monitoring node, both backup timers on a monitoring node that
  // takes snapshots, the off-site backup on the primary only.
  const production = (env: string) => ({
    [`aiai-${env}-monitoring`]: ['aiai-snapshot-rotate.timer', 'aiai-offsite-backup.timer'],
    [`aiai-${env}-orchestrator-primary`]: [MonitoringUnits.alloy, 'aiai-offsite-backup.timer'],
    [`aiai-${env}-orchestrator-standby`]: [MonitoringUnits.alloy],
  });
  expect(Object.fromEntries(rows.map((r) => [r.server, r.optionalPresent]))).toEqual({
    'aiai-bootstrap-orchestrator-primary': ['aiai-offsite-backup.timer'],
    'aiai-minimal-monitoring': [],
    'aiai-minimal-orchestrator-primary': [MonitoringUnits.alloy, 'aiai-offsite-backup.timer'],
    ...production('production'),
    ...production('production-ha'),
  });
});

test('minimal platform (no log shipping, no backups) and a persistent runner: the required units are all started, the optional ones absent', () => {
  const synth = synthApp((app) => {
    const stack = new TerraformStack(app, 'minimal');
    new HcloudProvider(stack, 'hcloud', { token: secretToken(stack, 'hcloud_token') });
    const net = network(stack, { name: 'aiai-staging-net' });
    const acc = access(stack);
    new MonitoringNode(stack, 'Monitoring', {
      environment: 'staging',
      network: net,
      access: acc,
      secrets: {
        hcloudSdToken: secretToken(stack, 'hcloud_sd_token'),
        alertWebhookUrl: secretToken(stack, 'alert_webhook_url'),
        grafanaAdminPassword: secretToken(stack, 'grafana_admin_password'),
      },
    });
    new AiaiOrchestrator(stack, 'Orchestrator', {
      environment: 'staging',
      network: net,
      access: acc,
      repositoryUrl: 'https://example.com/agents.git',
      standby: false,
      secretEnvironment: { OPENROUTER_API_KEY: secretToken(stack, 'openrouter_api_key') },
    });
    new PersistentRunner(stack, 'Runner', { environment: 'staging', network: net, access: acc, repository: 'acme/app', githubToken: secretToken(stack, 'runner_token') });
  });
  const rows = compare(synth);
  expect(rows.map((r) => r.role).sort()).toEqual([Roles.ciRunner, Roles.monitoring, Roles.orchestrator]);
  for (const r of rows) {
    expect({ server: r.server, missing: r.missing, unchecked: r.unchecked, optional: r.optionalPresent }).toEqual({ server: r.server, missing: [], unchecked: [], optional: [] });
  }
});

test('which hosts are checked: hardened roles are; ephemeral runners and unknown roles are skipped with a reason', () => {
  const base = { [LabelKeys.project]: 'aiai', [LabelKeys.environment]: 'production' };
  const orchestrator = expectedUnits({ ...base, [LabelKeys.role]: Roles.orchestrator });
  expect(orchestrator.units.map((u) => u.unit)).toEqual([...HARDENED_HOST_UNITS, ...ROLE_UNITS[Roles.orchestrator]].map((u) => u.unit));
  expect(orchestrator.units.find((u) => u.unit === MonitoringUnits.alloy)).toMatchObject({ required: false });
  // The monitoring node always ships its own logs: Alloy is required there, and listed once.
  const monitoring = expectedUnits({ ...base, [LabelKeys.role]: Roles.monitoring }).units.filter((u) => u.unit === MonitoringUnits.alloy);
  expect(monitoring).toEqual([expect.objectContaining({ required: true })]);
  expect(expectedUnits({ ...base, [LabelKeys.role]: Roles.ciRunner, [LabelKeys.runnerMode]: RunnerModes.persistent }).checkable).toBe(true);
  expect(expectedUnits({ ...base, [LabelKeys.role]: Roles.ciRunner, [LabelKeys.pool]: 'ci' })).toMatchObject({ checkable: false, reason: expect.stringMatching(/ephemeral runner: no inbound SSH/) });
  expect(expectedUnits({ ...base, [LabelKeys.role]: 'bastion' })).toMatchObject({ checkable: false, reason: 'no unit list for role "bastion"' });
  expect(expectedUnits(base)).toMatchObject({ role: 'unknown', checkable: false });
});
