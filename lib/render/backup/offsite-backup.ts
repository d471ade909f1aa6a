import { asset } from '../../core/assets';
import { HostPaths } from '../../core/paths';
import { Ports } from '../../core/ports';
import { BUCKET_NAME_RULES, bucketNameProblems } from '../../hetzner/bucket-name';
import { serviceSandbox, SystemdUnit } from '../systemd';
import {
  BackupHostParts,
  BackupSecretNames,
  backupTimer,
  checkSchedule,
  environmentAssignment,
  SAFE_ABSOLUTE_PATH,
  scriptFile,
  secretFilePath,
  TimerSchedule,
} from './common';
import { PropValidator } from '../../core/validation-error';

/** Prometheus on the same host, snapshotted through its admin API on localhost. */
export interface PrometheusBackupSpec {
  /** Prometheus `--storage.tsdb.path` (snapshots appear in `<dataDir>/snapshots/`). */
  readonly dataDir: string;
  /**
   * Port Prometheus listens on at 127.0.0.1. Prometheus must run with `--web.enable-admin-api`.
   * @default Ports.prometheus.port
   */
  readonly port?: number;
}

export interface OffsiteBackupSpec {
  /** First part of every object key: the host name (`<host>/<part>/<yyyy>/<mm>/<dd>/...`). */
  readonly hostName: string;
  /** The backups bucket (`IObjectStore.bucketNames.backups`). */
  readonly bucket: string;
  /** S3 endpoint (`IObjectStore.endpoint`), `https://<location>.your-objectstorage.com`. */
  readonly endpoint: string;
  /** S3 region (`IObjectStore.region`): the location. */
  readonly region: string;
  /** Git repositories to bundle (`git bundle create --all`), e.g. `[HostPaths.appDir]`. @default none */
  readonly gitRepositories?: readonly string[];
  /**
   * Configuration files and directories to archive. HostPaths.secretsDir is always excluded,
   * even when a parent such as /etc/aiai is listed.
   * @default none
   */
  readonly configPaths?: readonly string[];
  /** Snapshot this host's Prometheus TSDB. @default no Prometheus backup */
  readonly prometheus?: PrometheusBackupSpec;
  /** When to run. @default daily at 04:00 UTC, randomized by up to 30 minutes (after snapshot rotation) */
  readonly schedule?: TimerSchedule;
}

export const OFFSITE_BACKUP_NAME = 'aiai-offsite-backup';
export const OffsiteBackupDefaults = {
  schedule: { onCalendar: '*-*-* 04:00:00', randomizedDelay: '30min' } as TimerSchedule,
};

/** Paths the sandbox hides (ProtectHome) or that are not files: never backed up from here. */
const FORBIDDEN_ROOTS = ['/home', '/root', '/run/user', '/proc', '/sys', '/dev'];

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

function checkPath(v: PropValidator, prop: string, path: string): boolean {
  if (!SAFE_ABSOLUTE_PATH.test(path) || path.includes('//') || path.split('/').includes('..') || (path.length > 1 && path.endsWith('/'))) {
    v.fail(prop, path, "absolute paths of letters, digits and ._-/ without '..'");
    return false;
  }
  return v.check(prop, path, !(path === '/' || FORBIDDEN_ROOTS.some((r) => under(path, r))), `a path that is not / or under ${FORBIDDEN_ROOTS.join(', ')} (hidden by the service sandbox)`);
}

/**
 * Off-site backup to the backups bucket, by timer: a git bundle of each repository (verified
 * before upload), a tar.gz of the configuration paths, and a Prometheus TSDB snapshot taken via
 * the admin API on 127.0.0.1 (uploaded, then deleted locally). Uploads go through `rclone` (S3,
 * path-style, the bucket is not created or probed). S3 keys are the secret files `s3-access-key`
 * and `s3-secret-key`, handed to the service as systemd credentials.
 *
 * The service runs as root in a sandbox: read-only file system (except the Prometheus data
 * directory, to delete the snapshot), private /tmp, and only the capabilities to read every file
 * (CAP_DAC_READ_SEARCH) and, with Prometheus, to delete the snapshot Prometheus owns (CAP_DAC_OVERRIDE).
 *
 * Bad values fail with a ValidationError on `v`: a construct passes its own validator (e.g.
 * `v.under('disasterRecovery')`) so the error names its path.
 */
export function renderOffsiteBackup(spec: OffsiteBackupSpec, v: PropValidator = new PropValidator('OffsiteBackup')): BackupHostParts {
  const repos = spec.gitRepositories ?? [];
  const configs = spec.configPaths ?? [];
  const schedule = spec.schedule ?? OffsiteBackupDefaults.schedule;
  v.check('hostName', spec.hostName, /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(spec.hostName), 'a hostname label (lowercase letters, digits, -)');
  const bucketProblems = bucketNameProblems(spec.bucket);
  v.check('bucket', spec.bucket, bucketProblems.length === 0, `${BUCKET_NAME_RULES} (it ${bucketProblems.join('; ')})`);
  v.check('endpoint', spec.endpoint, /^https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/.test(spec.endpoint), 'an https:// URL without path');
  v.check('region', spec.region, /^[a-z0-9-]{1,32}$/.test(spec.region), 'a location name like fsn1');
  repos.forEach((p, i) => checkPath(v, `gitRepositories[${i}]`, p));
  configs.forEach((p, i) => {
    if (checkPath(v, `configPaths[${i}]`, p)) {
      v.check(`configPaths[${i}]`, p, !under(p, HostPaths.secretsDir), `a path that does not include the secrets directory ${HostPaths.secretsDir}`);
    }
  });
  v.check('gitRepositories', repos, new Set(repos).size === repos.length, 'paths that are not repeated');
  v.check('configPaths', configs, new Set(configs).size === configs.length, 'paths that are not repeated');
  const prometheusPort = spec.prometheus?.port ?? Ports.prometheus.port;
  if (spec.prometheus) {
    checkPath(v, 'prometheus.dataDir', spec.prometheus.dataDir);
    v.check('prometheus.port', prometheusPort, Number.isInteger(prometheusPort) && prometheusPort >= 1 && prometheusPort <= 65535, 'a TCP port (1-65535)');
  }
  v.check('gitRepositories', repos, repos.length > 0 || configs.length > 0 || spec.prometheus !== undefined, 'something to back up: give gitRepositories, configPaths or prometheus');
  checkSchedule(v, schedule);
  v.throwIfInvalid();

  const env = [
    environmentAssignment('BACKUP_BUCKET', spec.bucket),
    environmentAssignment('S3_ENDPOINT', spec.endpoint),
    environmentAssignment('S3_REGION', spec.region),
    environmentAssignment('BACKUP_HOST', spec.hostName),
    environmentAssignment('EXCLUDE_PATHS', HostPaths.secretsDir),
  ];
  if (repos.length > 0) env.push(environmentAssignment('GIT_REPOSITORIES', repos.join(' ')));
  if (configs.length > 0) env.push(environmentAssignment('CONFIG_PATHS', configs.join(' ')));
  if (spec.prometheus) {
    env.push(environmentAssignment('PROMETHEUS_URL', `http://127.0.0.1:${prometheusPort}`));
    env.push(environmentAssignment('PROMETHEUS_DATA_DIR', spec.prometheus.dataDir));
  }

  const sandbox = serviceSandbox(spec.prometheus ? [`-${spec.prometheus.dataDir}`] : []);
  const service: SystemdUnit = {
    name: `${OFFSITE_BACKUP_NAME}.service`,
    enable: false,
    start: false,
    sections: {
      Unit: {
        Description: 'aiai: off-site backup (git bundles, configuration, Prometheus snapshot) to Object Storage',
        Wants: 'network-online.target',
        After: 'network-online.target',
        // The Prometheus data lives on the monitoring volume: never run before it is mounted.
        ...(spec.prometheus ? { RequiresMountsFor: spec.prometheus.dataDir } : {}),
      },
      Service: {
        Type: 'oneshot',
        ExecStart: `${HostPaths.scriptDir}/${OFFSITE_BACKUP_NAME}`,
        Environment: env,
        LoadCredential: [
          `s3-access-key:${secretFilePath(BackupSecretNames.s3AccessKey)}`,
          `s3-secret-key:${secretFilePath(BackupSecretNames.s3SecretKey)}`,
        ],
        ...sandbox,
        CapabilityBoundingSet: spec.prometheus ? 'CAP_DAC_READ_SEARCH CAP_DAC_OVERRIDE' : 'CAP_DAC_READ_SEARCH',
        Nice: 10,
        IOSchedulingClass: 'idle',
        TimeoutStartSec: '4h',
      },
    },
  };
  const packages = ['rclone', 'tar', 'gzip'];
  if (repos.length > 0) packages.push('git');
  if (spec.prometheus) packages.push('curl', 'jq');
  return {
    packages,
    files: [scriptFile(OFFSITE_BACKUP_NAME, asset('backup/aiai-offsite-backup.sh'))],
    units: [service, backupTimer(OFFSITE_BACKUP_NAME, 'aiai: nightly off-site backup', schedule)],
    secretFiles: [BackupSecretNames.s3AccessKey, BackupSecretNames.s3SecretKey],
  };
}
