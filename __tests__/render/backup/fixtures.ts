import { OffsiteBackupSpec } from '../../../lib/render/backup';

/** The off-site backup of a monitoring host with every part (git, configs, Prometheus). */
export const OFFSITE: OffsiteBackupSpec = {
  hostName: 'aiai-production-monitoring',
  bucket: 'acme-aiai-prod-backups',
  endpoint: 'https://fsn1.your-objectstorage.com',
  region: 'fsn1',
  gitRepositories: ['/opt/aiai'],
  configPaths: ['/etc/aiai', '/etc/prometheus'],
  prometheus: { dataDir: '/var/lib/prometheus/metrics2' },
};
