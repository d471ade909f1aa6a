export * from './hetzner-s3-backend';
export * from './state-bootstrap-stack';
export * from './stateful-resource-protection';
