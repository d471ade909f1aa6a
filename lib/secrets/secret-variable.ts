import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { PropValidator } from '../core/validation-error';

export interface SecretVariableOptions {
  readonly description: string;
  /** Allow an empty value (e.g. an optional webhook). @default false */
  readonly allowEmpty?: boolean;
  /**
   * Allow line breaks: for a value that is never written into an env file, such as the PEM private
   * key of an SSH connection (`sshPrivateKey` of SecretFiles and the roles).
   * @default false (a value with a line break is rejected at plan)
   */
  readonly multiLine?: boolean;
}

/**
 * A sensitive Terraform variable of type string, set at deploy time with `TF_VAR_<name>`. Terraform
 * rejects empty values and values with line breaks (they would corrupt env files) unless allowed.
 * Synth needs no value.
 */
export function secretVariable(scope: Construct, name: string, opts: SecretVariableOptions): TerraformVariable {
  const v = new PropValidator(scope);
  v.check('name', name, typeof name === 'string' && /^[a-z][a-z0-9_]*$/.test(name), 'a snake_case Terraform variable name (lowercase letters, digits and _, starting with a letter)');
  v.check('description', opts?.description, typeof opts?.description === 'string' && opts.description.trim() !== '', 'a non-empty description');
  v.throwIfInvalid();
  const conditions: string[] = [];
  if (!opts.multiLine) conditions.push(`!can(regex("[\\r\\n]", var.${name}))`);
  if (!opts.allowEmpty) conditions.push(`length(var.${name}) > 0`);
  const rules = [...(opts.allowEmpty ? [] : ['non-empty']), ...(opts.multiLine ? [] : ['a single line'])];
  const variable = new TerraformVariable(scope, name, {
    type: 'string',
    sensitive: true,
    nullable: false,
    description: `${opts.description} (sensitive; set TF_VAR_${name})`,
    validation:
      conditions.length === 0
        ? undefined
        : [{ condition: '${' + conditions.join(' && ') + '}', errorMessage: `${name} must be ${rules.join(' and ')}.` }],
  });
  // The variable is `name` wherever it is created (under a construct cdktf would name it by its
  // path): TF_VAR_<name> sets it, and its validation condition may only refer to itself.
  variable.overrideLogicalId(name);
  return variable;
}
