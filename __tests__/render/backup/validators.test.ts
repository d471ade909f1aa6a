import { renderOffsiteBackup, renderSnapshotRotation } from '../../../lib/render/backup';
import { describeWithTool, run } from '../../support/tools';
import { OFFSITE } from './fixtures';
import { shellcheck, verifyUnits } from './verify-tools';

const rotation = renderSnapshotRotation({ project: 'aiai', environment: 'production' });
const offsite = renderOffsiteBackup(OFFSITE);
const offsiteMinimal = renderOffsiteBackup({
  hostName: 'aiai-production-orchestrator-1',
  bucket: 'acme-aiai-prod-backups',
  endpoint: 'https://hel1.your-objectstorage.com',
  region: 'hel1',
  configPaths: ['/etc/aiai'],
});

const cases = [
  ['snapshot rotation', rotation],
  ['off-site backup with Prometheus', offsite],
  ['off-site backup of configuration only', offsiteMinimal],
] as const;

describeWithTool('shellcheck', 'shellcheck', 'backup scripts pass shellcheck', () => {
  test.each(cases)('%s', (_name, parts) => {
    for (const file of parts.files) {
      const result = shellcheck(file.content);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
  });
});

describeWithTool('systemd-analyze', 'systemd', 'backup units pass systemd-analyze verify', () => {
  test.each(cases)('%s', (_name, parts) => {
    const result = verifyUnits(parts.units, parts.files);
    // verify exits 0 on unknown keys and bad values (it only warns): any output is a failure.
    expect(result.stderr + result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  test('the verification catches a missing ExecStart binary and bad directives', () => {
    expect(verifyUnits(rotation.units, []).stderr).toMatch(/aiai-snapshot-rotate is not executable/);
    const [service] = rotation.units;
    const broken = { ...service, sections: { ...service.sections, Service: { ...service.sections.Service, ProtectSystem: 'maybe', Bogus: 'x' } } };
    expect(verifyUnits([broken], rotation.files).stderr).toMatch(/Unknown key 'Bogus'[^]*|protect system value/);
  });

  test.each([
    rotation.units[1].sections.Timer!.OnCalendar as string,
    offsite.units[1].sections.Timer!.OnCalendar as string,
    'Sun *-*-* 02:30:00',
  ])('the schedule %j is a valid calendar expression', (expression) => {
    const result = run('systemd-analyze', ['calendar', expression]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
