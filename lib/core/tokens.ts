import { Token } from 'cdktf';

/** True when the value is (or contains) an unresolved CDKTF token: such values are not validated at synth. */
export function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}
