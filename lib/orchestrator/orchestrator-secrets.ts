import { posix } from 'node:path';
import { Fn } from 'cdktf';
import { HostPaths, SYSTEMD_UNIT_DIR } from '../core/paths';
import { HostConfig } from '../host/host-config';
import { IObjectStore } from '../object-store/object-store';
import { BackupSecretNames } from '../render/backup/common';
import { renderOffsiteBackup } from '../render/backup/offsite-backup';
import { SecretFile } from '../secrets/secret-files';

/** File name of the services' secret env file under HostPaths.secretsDir. */
export const SECRET_ENV_FILE_NAME = posix.basename(HostPaths.secretEnvFile);

/**
 * The secret env file as a Terraform expression: `KEY="value"` lines, with `\` and `"` escaped
 * inside the double quotes as systemd's EnvironmentFile parser expects (the variables already
 * reject line breaks). The values stay Terraform references: nothing secret is in the JSON.
 */
export function secretEnvFileContent(env: Readonly<Record<string, string>>): string {
  // Fn.rawString escapes only double quotes, so backslashes are written as HCL escapes here:
  // '\\\\' is the HCL string "\\" (one backslash), '\\\\\\\\' is two.
  const backslash = Fn.rawString('\\\\');
  const quote = Fn.rawString('"');
  const escape = (value: string) => Fn.replace(Fn.replace(value, backslash, Fn.rawString('\\\\\\\\')), quote, Fn.rawString('\\\\"'));
  const parts = Object.entries(env).flatMap(([key, value]) => [Fn.rawString(`${key}="`), escape(value), Fn.rawString('"\n')]);
  return Fn.join('', parts);
}

/** Configuration the off-site backup archives on an orchestrator (the secrets folder is always excluded). */
export const ORCHESTRATOR_BACKUP_CONFIG_PATHS = [HostPaths.configDir, SYSTEMD_UNIT_DIR] as const;

/** Adds the nightly off-site backup (git bundle of the agent repository, configuration) to a host. */
export function applyOffsiteBackup(host: HostConfig, hostName: string, store: IObjectStore): void {
  const parts = renderOffsiteBackup({
    hostName,
    bucket: store.bucketNames.backups,
    endpoint: store.endpoint,
    region: store.region,
    gitRepositories: [HostPaths.releaseRepo],
    configPaths: [...ORCHESTRATOR_BACKUP_CONFIG_PATHS],
  });
  host.addPackages(...parts.packages);
  for (const f of parts.files) host.addFile(f);
  for (const u of parts.units) host.addUnit(u);
}

/** The S3 credentials the off-site backup reads, as secret files. */
export function offsiteBackupSecretFiles(store: IObjectStore): SecretFile[] {
  return [
    { name: BackupSecretNames.s3AccessKey, content: store.credentials.accessKeyId },
    { name: BackupSecretNames.s3SecretKey, content: store.credentials.secretAccessKey },
  ];
}
