import { OFFSITE } from './fixtures';
import {
  automatedBackupsMonthlyCostEur,
  AutomatedBackups,
  BackupHostParts,
  BackupSecretNames,
  environmentAssignment,
  renderOffsiteBackup,
  renderSnapshotRotation,
} from '../../../lib/render/backup';
import { renderSystemdUnit, SystemdUnit } from '../../../lib/render/systemd';
import { asset } from '../../../lib/core/assets';

function unit(parts: BackupHostParts, suffix: '.service' | '.timer'): SystemdUnit {
  const found = parts.units.find((u) => u.name.endsWith(suffix));
  if (!found) throw new Error(`no ${suffix}`);
  return found;
}

function service(parts: BackupHostParts): Record<string, unknown> {
  return unit(parts, '.service').sections.Service as Record<string, unknown>;
}


describe('renderSnapshotRotation', () => {
  const parts = renderSnapshotRotation({ project: 'aiai', environment: 'production' });

  test('installs the static script as an executable under the script dir', () => {
    expect(parts.files).toEqual([
      { path: '/usr/local/lib/aiai/aiai-snapshot-rotate', content: asset('backup/aiai-snapshot-rotate.sh'), permissions: '0755', owner: 'root:root' },
    ]);
    expect(parts.packages).toEqual(['hcloud-cli', 'jq']);
    expect(parts.secretFiles).toEqual([BackupSecretNames.hcloudToken]);
  });

  test('selects the platform servers of this environment by label, never the CI runners', () => {
    expect(service(parts).Environment).toEqual([
      '"SERVER_SELECTOR=project=aiai,environment=production,role in (orchestrator,monitoring)"',
      '"SNAPSHOT_KEEP=7"',
      '"SNAPSHOT_OF_LABEL=snapshot-of"',
      '"SNAPSHOT_LABELS=project=aiai environment=production"',
    ]);
  });

  test('reads the token as a systemd credential from the secrets dir, as a sandboxed dynamic user', () => {
    const s = service(parts);
    expect(s.LoadCredential).toBe('hcloud-token:/etc/aiai/secrets/hcloud-snapshot-token');
    expect(s).toMatchObject({ Type: 'oneshot', DynamicUser: true, NoNewPrivileges: true, ProtectSystem: 'strict', PrivateTmp: true, CapabilityBoundingSet: '' });
    expect(s.ExecStart).toBe('/usr/local/lib/aiai/aiai-snapshot-rotate');
    expect(JSON.stringify(s)).not.toMatch(/HCLOUD_TOKEN/);
  });

  test('runs from a persistent, randomized timer; the service itself is not enabled', () => {
    expect(unit(parts, '.service')).toMatchObject({ enable: false, start: false });
    const timer = unit(parts, '.timer');
    expect(timer.enable).toBeUndefined();
    expect(timer.sections.Timer).toEqual({
      OnCalendar: '*-*-* 03:00:00',
      RandomizedDelaySec: '30min',
      Persistent: true,
      Unit: 'aiai-snapshot-rotate.service',
    });
    expect(timer.sections.Install).toEqual({ WantedBy: 'timers.target' });
  });

  test('keep, roles and schedule are configurable', () => {
    const custom = renderSnapshotRotation({
      project: 'acme',
      environment: 'staging',
      roles: ['orchestrator'],
      keep: 3,
      schedule: { onCalendar: 'Sun *-*-* 02:30:00', randomizedDelay: '1h' },
    });
    expect(service(custom).Environment).toContain('"SNAPSHOT_KEEP=3"');
    expect(service(custom).Environment).toContain('"SERVER_SELECTOR=project=acme,environment=staging,role in (orchestrator)"');
    expect(unit(custom, '.timer').sections.Timer).toMatchObject({ OnCalendar: 'Sun *-*-* 02:30:00', RandomizedDelaySec: '1h' });
  });

  test.each([
    [{ keep: 0 }, /^Invalid props for SnapshotRotation:\n  - keep: got 0; allowed: a whole number from 1 to 100$/],
    [{ keep: 2.5 }, /keep: got 2.5; allowed: a whole number/],
    [{ keep: 101 }, /keep: got 101; allowed: a whole number/],
    [{ roles: [] }, /roles: got \[\]; allowed: at least one role/],
    [{ roles: ['ci-runner'] }, /roles: got \["ci-runner"\]; allowed: roles that do not include ci-runner/],
    [{ environment: 'prod env' }, /environment: got "prod env"; allowed: a non-empty Hetzner label value/],
    [{ project: '' }, /project: got ""; allowed: a non-empty Hetzner label value/],
    [{ schedule: { onCalendar: 'daily\nExecStart=/bin/sh', randomizedDelay: '1h' } }, /schedule.onCalendar: got .*; allowed: a systemd calendar expression \(OnCalendar\)/],
    [{ schedule: { onCalendar: 'daily', randomizedDelay: 'soon' } }, /schedule.randomizedDelay: got "soon"; allowed: a systemd time span \(RandomizedDelaySec\)/],
  ])('fails if %j', (override, message) => {
    expect(() => renderSnapshotRotation({ project: 'aiai', environment: 'production', ...override })).toThrow(message);
  });
});

describe('renderOffsiteBackup', () => {
  const parts = renderOffsiteBackup(OFFSITE);

  test('configures bucket, endpoint, host, parts and the secrets exclusion', () => {
    expect(service(parts).Environment).toEqual([
      '"BACKUP_BUCKET=acme-aiai-prod-backups"',
      '"S3_ENDPOINT=https://fsn1.your-objectstorage.com"',
      '"S3_REGION=fsn1"',
      '"BACKUP_HOST=aiai-production-monitoring"',
      '"EXCLUDE_PATHS=/etc/aiai/secrets"',
      '"GIT_REPOSITORIES=/opt/aiai"',
      '"CONFIG_PATHS=/etc/aiai /etc/prometheus"',
      '"PROMETHEUS_URL=http://127.0.0.1:9090"',
      '"PROMETHEUS_DATA_DIR=/var/lib/prometheus/metrics2"',
    ]);
  });

  test('reads the S3 keys as systemd credentials and runs sandboxed with only the capabilities it needs', () => {
    const s = service(parts);
    expect(s.LoadCredential).toEqual(['s3-access-key:/etc/aiai/secrets/s3-access-key', 's3-secret-key:/etc/aiai/secrets/s3-secret-key']);
    expect(s).toMatchObject({
      Type: 'oneshot',
      ProtectSystem: 'strict',
      ProtectHome: true,
      PrivateTmp: true,
      NoNewPrivileges: true,
      ReadWritePaths: '-/var/lib/prometheus/metrics2',
      CapabilityBoundingSet: 'CAP_DAC_READ_SEARCH CAP_DAC_OVERRIDE',
      IOSchedulingClass: 'idle',
    });
    expect(s.User).toBeUndefined();
    expect(parts.secretFiles).toEqual(['s3-access-key', 's3-secret-key']);
  });

  test('with Prometheus, waits for the volume that holds its data to be mounted', () => {
    expect(unit(parts, '.service').sections.Unit?.RequiresMountsFor).toBe('/var/lib/prometheus/metrics2');
    expect(unit(renderOffsiteBackup({ ...OFFSITE, prometheus: undefined }), '.service').sections.Unit?.RequiresMountsFor).toBeUndefined();
  });

  test('without Prometheus: read-only everywhere, read capability only, no curl/jq', () => {
    const p = renderOffsiteBackup({ ...OFFSITE, prometheus: undefined });
    expect(service(p).ReadWritePaths).toBeUndefined();
    expect(service(p).CapabilityBoundingSet).toBe('CAP_DAC_READ_SEARCH');
    expect(service(p).Environment).not.toContainEqual(expect.stringContaining('PROMETHEUS'));
    expect(p.packages).toEqual(['rclone', 'tar', 'gzip', 'git']);
  });

  test('packages follow the parts', () => {
    expect(parts.packages).toEqual(['rclone', 'tar', 'gzip', 'git', 'curl', 'jq']);
    expect(renderOffsiteBackup({ ...OFFSITE, gitRepositories: [], prometheus: undefined }).packages).toEqual(['rclone', 'tar', 'gzip']);
  });

  test('runs after the snapshot rotation from a persistent, randomized timer', () => {
    expect(unit(parts, '.timer').sections.Timer).toEqual({
      OnCalendar: '*-*-* 04:00:00',
      RandomizedDelaySec: '30min',
      Persistent: true,
      Unit: 'aiai-offsite-backup.service',
    });
    expect(unit(parts, '.service')).toMatchObject({ enable: false, start: false });
  });

  test('the rendered units match the snapshot', () => {
    expect(parts.units.map((u) => renderSystemdUnit(u)).join('\n---\n')).toMatchSnapshot();
  });

  test.each([
    [{ hostName: 'Monitoring' }, /^Invalid props for OffsiteBackup:\n  - hostName: got "Monitoring"; allowed: a hostname label/],
    [{ bucket: 'Bad_Bucket' }, /bucket: got "Bad_Bucket"; allowed: .*contains uppercase letters/],
    [{ endpoint: 'http://fsn1.your-objectstorage.com' }, /endpoint: got "http:.*; allowed: an https:\/\/ URL/],
    [{ endpoint: 'https://fsn1.your-objectstorage.com/path' }, /endpoint: got .*\/path"; allowed: an https:\/\/ URL without path/],
    [{ region: 'FSN 1' }, /region: got "FSN 1"; allowed: a location name/],
    [{ gitRepositories: ['relative/repo'] }, /gitRepositories\[0\]: got "relative\/repo"; allowed: absolute paths/],
    [{ gitRepositories: ['/opt/a b'] }, /gitRepositories\[0\]: got "\/opt\/a b"; allowed: absolute paths/],
    [{ configPaths: ['/etc/../root'] }, /without '\.\.'/],
    [{ configPaths: ['/etc/aiai/secrets'] }, /allowed: a path that does not include the secrets directory/],
    [{ configPaths: ['/etc/aiai/secrets/aiai.env'] }, /allowed: a path that does not include the secrets directory/],
    [{ configPaths: ['/root/.ssh'] }, /configPaths\[0\]: got "\/root\/.ssh"; allowed: a path that is not \/ or under \/home, \/root/],
    [{ configPaths: ['/'] }, /configPaths\[0\]: got "\/"; allowed: a path that is not \//],
    [{ configPaths: ['/etc/x', '/etc/x'] }, /configPaths: got .*; allowed: paths that are not repeated/],
    [{ configPaths: ['/etc/$(reboot)'] }, /allowed: absolute paths/],
    [{ prometheus: { dataDir: '/var/lib/prometheus', port: 0 } }, /prometheus.port: got 0; allowed: a TCP port/],
    [{ gitRepositories: [], configPaths: [], prometheus: undefined }, /gitRepositories: got \[\]; allowed: something to back up/],
  ])('fails if %j', (override, message) => {
    expect(() => renderOffsiteBackup({ ...OFFSITE, ...override })).toThrow(message);
  });
});

describe('environmentAssignment', () => {
  test('quotes and escapes systemd specifiers', () => {
    expect(environmentAssignment('A', 'x y')).toBe('"A=x y"');
    expect(environmentAssignment('A', '50%')).toBe('"A=50%%"');
  });

  test.each(['a"b', 'a\\b', 'a\nb'])('fails if the value is %j', (value) => {
    expect(() => environmentAssignment('A', value)).toThrow(/allowed: a value without quotes, backslashes or line breaks/);
  });

  test('fails if the name is not an environment variable name', () => {
    expect(() => environmentAssignment('a-b', 'x')).toThrow(/key: got "a-b"; allowed: an UPPER_SNAKE_CASE environment variable name/);
  });
});

describe('automated backups', () => {
  test('cost 20 % of the server price and keep 7 backups', () => {
    expect(AutomatedBackups).toEqual({ slots: 7, priceFraction: 0.2 });
    // Prices from the dated catalog (lib/cost/price-catalog.ts): the current one unless told.
    expect(automatedBackupsMonthlyCostEur('cx33')).toBe(1.3);
    expect(automatedBackupsMonthlyCostEur('cx33', '2026-02')).toBe(1.1);
    expect(automatedBackupsMonthlyCostEur('cax21', '2026-02')).toBe(1.3);
    expect(automatedBackupsMonthlyCostEur('cpx22', '2026-02')).toBe(1.2);
  });

  test('fails if the server type is deprecated, naming the replacement', () => {
    expect(() => automatedBackupsMonthlyCostEur('cx22')).toThrow(/use cx23/);
  });
});
