export * from './bucket-name';
export * from './bucket-removal-policy';
export * from './hetzner-bucket';
export * from './hetzner-object-storage';
export * from './hetzner-object-storage-provider';
export * from './locations';
export * from './object-store';
export * from './retention';
