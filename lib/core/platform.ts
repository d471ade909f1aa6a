import { LabelKeys } from './labels';

/** Identity of one deployment, shared by every role construct. */
export interface PlatformIdentity {
  /** Project label and name prefix. @default 'aiai' */
  readonly project?: string;
  /** Environment label (e.g. `production`, `staging`). */
  readonly environment: string;
}

export const DEFAULT_PROJECT = 'aiai';

/** The labels every resource of a role carries. */
export function roleLabels(id: PlatformIdentity, role: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    [LabelKeys.project]: id.project ?? DEFAULT_PROJECT,
    [LabelKeys.environment]: id.environment,
    [LabelKeys.role]: role,
    ...extra,
  };
}

/** `<project>-<environment>-<suffix>`: the naming scheme of Hetzner resources. */
export function resourceName(id: PlatformIdentity, suffix: string): string {
  return `${id.project ?? DEFAULT_PROJECT}-${id.environment}-${suffix}`;
}
