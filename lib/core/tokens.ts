import { Token } from 'cdktf';
import { PropValidator } from './validation-error';

/** True when the value is (or contains) an unresolved CDKTF token: such values are not validated at synth. */
export function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** How a rejected literal secret appears in a ValidationError (the value itself is never shown). */
export const SECRET_NOT_SHOWN = '<literal, not shown>';

/**
 * Records a problem unless `value` is a token (a sensitive Terraform variable, or an expression of
 * such variables): a literal secret would be written into the synthesized JSON. The literal is not
 * echoed; a missing value (`undefined`) is shown as such.
 */
export function checkSecretToken(
  v: PropValidator,
  property: string,
  value: unknown,
  allowed = 'a sensitive Terraform variable token (a literal would land in the synthesized JSON)',
): boolean {
  return v.check(property, value === undefined ? undefined : SECRET_NOT_SHOWN, Token.isUnresolved(value), allowed);
}
