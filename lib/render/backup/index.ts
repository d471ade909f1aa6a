export * from './automated-backups';
export * from './common';
export * from './offsite-backup';
export * from './snapshot-rotation';
