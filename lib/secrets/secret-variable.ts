import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { PropValidator } from '../core/validation-error';

export interface SecretVariableOptions {
  readonly description: string;
  /** Allow an empty value (e.g. an optional webhook). @default false */
  readonly allowEmpty?: boolean;
}

/**
 * A sensitive Terraform variable of type string, set at deploy time with `TF_VAR_<name>`. Terraform
 * rejects empty values and values with line breaks (they would corrupt env files). Synth needs no value.
 */
export function secretVariable(scope: Construct, name: string, opts: SecretVariableOptions): TerraformVariable {
  const v = new PropValidator(scope);
  v.check('name', name, /^[a-z][a-z0-9_]*$/.test(name), 'a snake_case Terraform variable name (lowercase letters, digits and _, starting with a letter)');
  v.throwIfInvalid();
  const conditions = [`!can(regex("[\\r\\n]", var.${name}))`];
  if (!opts.allowEmpty) conditions.push(`length(var.${name}) > 0`);
  return new TerraformVariable(scope, name, {
    type: 'string',
    sensitive: true,
    nullable: false,
    description: `${opts.description} (sensitive; set TF_VAR_${name})`,
    validation: [
      {
        condition: '${' + conditions.join(' && ') + '}',
        errorMessage: `${name} must be ${opts.allowEmpty ? '' : 'non-empty and '}a single line.`,
      },
    ],
  });
}
