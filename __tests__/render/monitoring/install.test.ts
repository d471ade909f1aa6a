import {
  architectureOfServerType,
  AptPreferencePaths,
  DEFAULT_GRAFANA_VERSIONS,
  GrafanaApt,
  logShippingInstallPlan,
  monitoringInstallPlan,
  renderAptPreferences,
} from '../../../lib/render/monitoring';
import { describeWithTool, run } from '../../support/tools';
import { tempDir } from '../../support/tmp';
import { writeIn } from './support';

describe('install plans', () => {
  test.each(['cax11', 'cax21', 'cax31', 'cax41'])('%s is arm64', (t) => {
    expect(architectureOfServerType(t)).toBe('arm64');
    const plan = monitoringInstallPlan({ serverType: t });
    expect(plan.architecture).toBe('arm64');
    expect(plan.aptSources[0].source).toBe('deb [arch=arm64 signed-by=$KEY_FILE] https://apt.grafana.com stable main');
    // Nothing of the plan names the other architecture (no amd64 tarball on an arm64 host).
    expect(JSON.stringify([plan, logShippingInstallPlan({ serverType: t })])).not.toMatch(/amd64|x86_64|linux-amd64|\.tar\.gz|\.zip/);
  });

  test.each(['cx23', 'cx33', 'cpx12', 'cpx22', 'cpx62', 'ccx13', 'cx53'])('%s is amd64', (t) => {
    expect(architectureOfServerType(t)).toBe('amd64');
    const plan = logShippingInstallPlan({ serverType: t });
    expect(plan.aptSources[0].source).toBe('deb [arch=amd64 signed-by=$KEY_FILE] https://apt.grafana.com stable main');
    expect(JSON.stringify(plan)).not.toMatch(/arm64|aarch64/);
  });

  test('the monitoring server installs Prometheus and Alertmanager from Ubuntu, Grafana and Loki from Grafana', () => {
    const plan = monitoringInstallPlan({ serverType: 'cax21' });
    expect(plan.packages).toEqual(['prometheus', 'prometheus-alertmanager', 'grafana', 'loki']);
  });

  test('every host installs node exporter from Ubuntu and Alloy from Grafana', () => {
    expect(logShippingInstallPlan({ serverType: 'cx23' }).packages).toEqual(['prometheus-node-exporter', 'alloy']);
  });

  test('the Grafana repository is signed by its key, fetched by fingerprint unless the key is given', () => {
    expect(monitoringInstallPlan({ serverType: 'cax21' }).aptSources[0]).toEqual({
      name: 'grafana',
      source: 'deb [arch=arm64 signed-by=$KEY_FILE] https://apt.grafana.com stable main',
      keyid: GrafanaApt.keyFingerprint,
      keyserver: 'keyserver.ubuntu.com',
    });
    const key = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGTnhmkBEADUfak3\n-----END PGP PUBLIC KEY BLOCK-----\n';
    const withKey = monitoringInstallPlan({ serverType: 'cax21', grafanaAptKey: key }).aptSources[0];
    expect(withKey.key).toBe(key);
    expect(withKey.keyid).toBeUndefined();
  });

  test('Grafana packages are pinned, in one pin file per plan so a host can carry both', () => {
    const mon = monitoringInstallPlan({ serverType: 'cax21' });
    const ship = logShippingInstallPlan({ serverType: 'cax21' });
    expect(mon.files).toEqual([{ path: AptPreferencePaths.monitoring, content: renderAptPreferences({ grafana: '13.2.*', loki: '3.7.*' }), early: true }]);
    expect(ship.files).toEqual([{ path: AptPreferencePaths.logShipping, content: renderAptPreferences({ alloy: '1.20.*' }), early: true }]);
    expect(mon.files[0].content).toContain('Package: grafana\nPin: version 13.2.*\nPin-Priority: 1001');
    expect(DEFAULT_GRAFANA_VERSIONS).toEqual({ grafana: '13.2.*', loki: '3.7.*', alloy: '1.20.*' });
    const exact = monitoringInstallPlan({ serverType: 'cax21', versions: { grafana: '13.2.3', loki: '3.7.8' } });
    expect(exact.files[0].content).toContain('Package: loki\nPin: version 3.7.8\n');
  });

  test('fails if a version is not an exact version or a series', () => {
    expect(() => monitoringInstallPlan({ serverType: 'cax21', versions: { grafana: 'latest' } })).toThrow(/MonitoringInstall:\n  - versions.grafana: got "latest"; allowed: an exact version/);
    expect(() => monitoringInstallPlan({ serverType: 'cax21', versions: { loki: '3.7.8\nPackage: *' } })).toThrow(/versions.loki/);
  });

  test('fails if the server type or the key is malformed', () => {
    expect(() => monitoringInstallPlan({ serverType: 'CAX 21' })).toThrow(/serverType: got "CAX 21"; allowed: a Hetzner server type/);
    expect(() => monitoringInstallPlan({ serverType: 'cax21', grafanaAptKey: 'not a key' })).toThrow(/grafanaAptKey: got "<key>"; allowed: an ASCII-armored PGP public key/);
  });
});

describeWithTool('apt-cache', 'apt', 'APT pin files under apt', () => {
  test('apt reads both pin files without complaint', () => {
    const dir = tempDir('apt-prefs-');
    for (const plan of [monitoringInstallPlan({ serverType: 'cax21' }), logShippingInstallPlan({ serverType: 'cax21' })]) {
      for (const f of plan.files) writeIn(dir, f.path.split('/').pop()!, f.content);
    }
    const r = run('apt-cache', ['-o', `Dir::Etc::PreferencesParts=${dir}`, '-o', 'Dir::Etc::Preferences=/dev/null', 'policy']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // A broken record is reported, so the check is real.
    writeIn(dir, 'zz-broken.pref', 'Pin: version 1.0\n');
    const bad = run('apt-cache', ['-o', `Dir::Etc::PreferencesParts=${dir}`, '-o', 'Dir::Etc::Preferences=/dev/null', 'policy']);
    expect(bad.stderr).toMatch(/Invalid record in the preferences file .*zz-broken\.pref/);
  });
});
