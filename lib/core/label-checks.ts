import { Token } from 'cdktf';
import { isValidLabelKey, isValidLabelValue } from './labels';
import { PropValidator } from './validation-error';

// Kept apart from labels.ts: the runner CLI imports labels.ts and must not load cdktf.

/**
 * Records a problem on `v` for every label key or value Hetzner would reject (values that are
 * unresolved tokens are skipped). `property` prefixes the reported property, e.g. `labels.role`.
 */
export function checkLabels(v: PropValidator, labels: Readonly<Record<string, string>> | undefined, property = 'labels'): void {
  if (labels === undefined || labels === null) return;
  if (!v.check(property, labels, typeof labels === 'object' && !Array.isArray(labels), 'an object of label keys to string values')) return;
  for (const [key, value] of Object.entries(labels)) {
    v.check(property, key, isValidLabelKey(key), 'label keys of at most 63 letters, digits, `-_.` with an optional DNS prefix');
    v.check(
      `${property}.${key}`,
      value,
      Token.isUnresolved(value) || (typeof value === 'string' && isValidLabelValue(value)),
      'a label value of at most 63 letters, digits, `-_.`, starting and ending alphanumeric',
    );
  }
}
