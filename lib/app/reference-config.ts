/**
 * Settings of the reference deployment in main.ts. Nothing here is secret: secrets are sensitive
 * Terraform variables (TF_VAR_*) read at deploy time. Override the operator-specific values with
 * environment variables when you synth for a real deployment:
 *   AIAI_ADMIN_CIDRS="198.51.100.7/32,2001:db8::/64"  AIAI_SSH_PUBLIC_KEYS="alice=ssh-ed25519 AAAA... alice"
 *   AIAI_EXISTING_SSH_KEYS="alice@laptop,4711" (keys already in the Hetzner project, by name or ID)
 *   AIAI_SSH_AUTH (agent | private-key: how secret delivery authenticates; private-key reads TF_VAR_ssh_private_key)
 *   AIAI_REPOSITORY_URL, AIAI_REPOSITORY_REF, AIAI_GITHUB_OWNER, AIAI_GITHUB_REPOSITORY,
 *   AIAI_BUCKET_PREFIX, AIAI_STATE_BUCKET, AIAI_STATE_BACKEND (local | s3)
 */
import { invalid } from '../core/validation-error';
export interface ReferenceConfig {
  readonly project: string;
  readonly environment: string;
  readonly location: string;
  readonly adminCidrs: readonly string[];
  /** New Hetzner SSH keys, by short name. */
  readonly sshPublicKeys: Readonly<Record<string, string>>;
  /** SSH keys already in the Hetzner project, by name or numeric ID. */
  readonly existingSshKeys: readonly string[];
  /**
   * How terraform authenticates when secret delivery connects over SSH: the operator's SSH agent,
   * or (`private-key`, for CI) the private key in the sensitive variable `ssh_private_key`.
   */
  readonly sshAuth: 'agent' | 'private-key';
  readonly repositoryUrl: string;
  readonly repositoryRef: string;
  readonly githubOwner: string;
  readonly githubRepository: string;
  /** Prefix of the object store's buckets (bucket names are global across Hetzner). */
  readonly bucketPrefix: string;
  /** Bucket that holds the Terraform state of the other stacks. */
  readonly stateBucketName: string;
  /** Keep the platform stack's state in the state bucket (`s3`) or in terraform.tfstate.d (`local`). */
  readonly stateBackend: 'local' | 's3';
}

/** Documentation values (RFC 5737 address, a throwaway public key) so that synth works anywhere. */
export const EXAMPLE_CONFIG: ReferenceConfig = {
  project: 'aiai',
  environment: 'production',
  location: 'fsn1',
  adminCidrs: ['203.0.113.10/32'],
  sshPublicKeys: {
    operator: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOsbTQigH4tHGtjCYMX5OdD1HLNPlzKVmeBauS5oRfGr example-operator@aiai',
  },
  existingSshKeys: [],
  sshAuth: 'agent',
  repositoryUrl: 'https://github.com/your-org/aiai.git',
  repositoryRef: 'main',
  githubOwner: 'your-org',
  githubRepository: 'aiai',
  bucketPrefix: 'your-org-aiai-production',
  stateBucketName: 'your-org-aiai-tfstate',
  stateBackend: 'local',
};

/** What a bad setting of the reference app is reported against: the variables it reads. */
const ENVIRONMENT = 'the environment (AIAI_* variables)';

function parseKeys(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split(/[;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) invalid(ENVIRONMENT, 'AIAI_SSH_PUBLIC_KEYS', entry.slice(0, 30), 'entries of the form name=<public key>, separated by ; or line breaks');
    out[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
  }
  return out;
}

function parseExistingKeys(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseSshAuth(value: string | undefined): 'agent' | 'private-key' {
  if (value === undefined || value === '' || value === 'agent') return 'agent';
  if (value === 'private-key') return 'private-key';
  return invalid(ENVIRONMENT, 'AIAI_SSH_AUTH', value, "'agent' or 'private-key'");
}

function parseBackend(value: string | undefined): 'local' | 's3' {
  if (value === undefined || value === '' || value === 'local') return 'local';
  if (value === 's3') return 's3';
  return invalid(ENVIRONMENT, 'AIAI_STATE_BACKEND', value, "'local' or 's3'");
}

/** The example config with overrides from the environment. */
export function referenceConfig(env: NodeJS.ProcessEnv = process.env): ReferenceConfig {
  const existing = env.AIAI_EXISTING_SSH_KEYS ? parseExistingKeys(env.AIAI_EXISTING_SSH_KEYS) : [];
  return {
    ...EXAMPLE_CONFIG,
    environment: env.AIAI_ENVIRONMENT ?? EXAMPLE_CONFIG.environment,
    adminCidrs: env.AIAI_ADMIN_CIDRS ? env.AIAI_ADMIN_CIDRS.split(',').map((s) => s.trim()).filter(Boolean) : EXAMPLE_CONFIG.adminCidrs,
    // With existing keys named, the documentation key is not added (it is nobody's key).
    sshPublicKeys: env.AIAI_SSH_PUBLIC_KEYS ? parseKeys(env.AIAI_SSH_PUBLIC_KEYS) : existing.length > 0 ? {} : EXAMPLE_CONFIG.sshPublicKeys,
    existingSshKeys: existing,
    sshAuth: parseSshAuth(env.AIAI_SSH_AUTH),
    repositoryUrl: env.AIAI_REPOSITORY_URL ?? EXAMPLE_CONFIG.repositoryUrl,
    repositoryRef: env.AIAI_REPOSITORY_REF ?? EXAMPLE_CONFIG.repositoryRef,
    githubOwner: env.AIAI_GITHUB_OWNER ?? EXAMPLE_CONFIG.githubOwner,
    githubRepository: env.AIAI_GITHUB_REPOSITORY ?? EXAMPLE_CONFIG.githubRepository,
    bucketPrefix: env.AIAI_BUCKET_PREFIX ?? EXAMPLE_CONFIG.bucketPrefix,
    stateBucketName: env.AIAI_STATE_BUCKET ?? EXAMPLE_CONFIG.stateBucketName,
    stateBackend: parseBackend(env.AIAI_STATE_BACKEND),
  };
}
