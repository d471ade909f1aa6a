/**
 * The runtime-safe half of log shipping (lib/render/monitoring/alloy-pipeline.ts, install-plan.ts,
 * strings.ts): the runner CLI renders with it at run time, synth-time code through the validating
 * wrappers. Both paths must produce the same files, and the copies kept out of the cdktf-reaching
 * modules (common.ts, units.ts) must stay identical to them.
 */
import {
  alloyPipeline,
  alloyStatements,
  LOKI_PUSH_PATH,
  renderAlloyConfig,
  renderAlloyPipeline,
  StreamLabels,
} from '../../../lib/render/monitoring/alloy-config';
import * as host from '../../../lib/render/monitoring/alloy-pipeline';
import * as common from '../../../lib/render/monitoring/common';
import {
  logShippingInstallPlan,
  logShippingPlanFor,
  monitoringInstallPlan,
  monitoringPlanFor,
} from '../../../lib/render/monitoring/install';
import * as barrel from '../../../lib/render/monitoring';
import * as strings from '../../../lib/render/monitoring/strings';
import * as units from '../../../lib/render/monitoring/units';
import { TargetLabels } from '../../../lib/render/monitoring/prometheus-config';
import { attrOf, blocks, parseAlloy } from './alloy-parser';

const HOST = { environment: 'production', hostname: 'aiai-production-ci-1', role: 'ci-runner', lokiHost: '10.0.1.20' };

describe('runtime-safe Alloy pipeline', () => {
  test('renders exactly what the validating renderer renders', () => {
    expect(renderAlloyPipeline(HOST)).toBe(renderAlloyConfig(HOST));
    expect(alloyPipeline({ ...HOST, project: 'other', journalMaxAge: '1h' })).toEqual(alloyStatements({ ...HOST, project: 'other', journalMaxAge: '1h' }));
    expect(host.renderAlloyPipeline).toBe(renderAlloyPipeline);
  });

  test('does not validate (the validating wrapper does): a bad Loki host is rendered, quoted, as given', () => {
    const text = renderAlloyPipeline({ ...HOST, lokiHost: 'loki.internal' });
    const [write] = blocks(parseAlloy(text), 'loki.write');
    expect(attrOf(blocks(write.body, 'endpoint')[0], 'url')).toBe(`http://loki.internal:3100${LOKI_PUSH_PATH}`);
    expect(() => renderAlloyConfig({ ...HOST, lokiHost: 'loki.internal' })).toThrow(/lokiHost: got "loki.internal"/);
  });

  test('stream labels use the names of the Prometheus target labels (metrics and logs of a host line up)', () => {
    expect(StreamLabels).toMatchObject(TargetLabels);
    const [write] = blocks(parseAlloy(renderAlloyPipeline(HOST)), 'loki.write');
    expect(Object.keys(attrOf(write, 'external_labels') as object)).toEqual(['host', 'role', 'environment', 'project']);
  });

  test('the barrel still exports the synth-time API (lib/host and lib/monitoring compile unchanged)', () => {
    for (const name of ['renderAlloyConfig', 'alloyStatements', 'validateAlloyConfigOptions', 'LogLabels', 'LOKI_PUSH_PATH', 'logShippingInstallPlan', 'monitoringInstallPlan', 'validateInstallOptions', 'GrafanaApt', 'DEFAULT_GRAFANA_VERSIONS', 'renderAptPreferences', 'architectureOfServerType', 'renderAlloyEnvironment', 'ALLOY_ENVIRONMENT_FILE']) {
      expect(barrel).toHaveProperty(name);
    }
    // Services are declared (HostContribution.services) and started by the host configuration, not by commands.
    expect(barrel).not.toHaveProperty('serviceStartCommands');
  });
});

describe('runtime-safe install plans', () => {
  test.each([
    ['cax21', 'arm64'],
    ['cx23', 'amd64'],
  ] as const)('%s: the plan by architecture is the plan by server type', (serverType, arch) => {
    expect(logShippingPlanFor(arch)).toEqual(logShippingInstallPlan({ serverType }));
    expect(monitoringPlanFor(arch)).toEqual(monitoringInstallPlan({ serverType }));
    const key = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGTnhmkBEADUfak3\n-----END PGP PUBLIC KEY BLOCK-----\n';
    expect(logShippingPlanFor(arch, { grafanaAptKey: key, versions: { alloy: '1.20.3' } })).toEqual(
      logShippingInstallPlan({ serverType, grafanaAptKey: key, versions: { alloy: '1.20.3' } }),
    );
  });

  test('fails if the architecture is not one we build for', () => {
    expect(() => logShippingPlanFor('i386' as never)).toThrow(/architecture: got "i386"; allowed: a supported Debian architecture/);
  });
});

describe('copies outside the cdktf-reaching modules stay identical', () => {
  // common.ts and units.ts keep their own definitions until they re-export these (see the report of
  // this change); until then this test keeps the two in step.
  test.each(['plain', 'quote " back\\slash', 'new\nline\ttab\r', 'ctl \u0000\u0007\u007f', 'é 🚀', ''])('quoteString(%j)', (s) => {
    expect(strings.quoteString(s)).toBe(common.quoteString(s));
  });

  test('lone surrogates are refused by both', () => {
    expect(() => strings.quoteString('\ud800')).toThrow(/lone surrogate/);
    expect(() => common.quoteString('\ud800')).toThrow(/lone surrogate/);
  });

  test('header and /etc/default/alloy', () => {
    expect(strings.GENERATED_HEADER).toBe(common.GENERATED_HEADER);
    expect(host.ALLOY_ENVIRONMENT_FILE).toBe(units.ALLOY_ENVIRONMENT_FILE);
    expect(host.renderAlloyEnvironment()).toBe(units.renderAlloyEnvironment());
    expect(host.renderAlloyEnvironment('/etc/alloy/x.alloy')).toBe(units.renderAlloyEnvironment('/etc/alloy/x.alloy'));
    expect(() => host.renderAlloyEnvironment('/etc/alloy/x" y')).toThrow(/configFile: got .*; allowed: a valid Alloy config path/);
  });
});
