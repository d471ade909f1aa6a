import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { HardenedServer } from '../../lib/host/hardened-server';
import { HostConfig } from '../../lib/host/host-config';
import { SecretFiles, SecretFilesProps } from '../../lib/secrets/secret-files';
import { secretVariable } from '../../lib/secrets/secret-variable';
import { onlySecretDelivery } from './helpers';
import { access, expectProblem, network, secretToken, synth, testStack, validationError } from '../support/stack';

describe('secretVariable', () => {
  test('a sensitive, non-nullable string variable that rejects empty and multi-line values', () => {
    const stack = testStack();
    secretVariable(stack, 'openrouter_api_key', { description: 'OpenRouter key' });
    const v = synth(stack).variable.openrouter_api_key;
    expect(v).toMatchObject({ type: 'string', sensitive: true, nullable: false });
    expect(v).not.toHaveProperty('default');
    expect(v.description).toBe('OpenRouter key (sensitive; set TF_VAR_openrouter_api_key)');
    expect(v.validation).toEqual([
      {
        condition: '${!can(regex("[\\r\\n]", var.openrouter_api_key)) && length(var.openrouter_api_key) > 0}',
        error_message: 'openrouter_api_key must be non-empty and a single line.',
      },
    ]);
  });

  test('allowEmpty drops the non-empty condition', () => {
    const stack = testStack();
    secretVariable(stack, 'webhook_url', { description: 'optional', allowEmpty: true });
    const v = synth(stack).variable.webhook_url;
    expect(v.validation[0].condition).toBe('${!can(regex("[\\r\\n]", var.webhook_url))}');
    expect(v.validation[0].error_message).toBe('webhook_url must be a single line.');
  });

  test('multiLine allows line breaks (a PEM private key) and still rejects an empty value', () => {
    const stack = testStack();
    secretVariable(stack, 'ssh_private_key', { description: 'key', multiLine: true });
    secretVariable(stack, 'any_text', { description: 'x', multiLine: true, allowEmpty: true });
    const vars = synth(stack).variable;
    expect(vars.ssh_private_key.validation).toEqual([{ condition: '${length(var.ssh_private_key) > 0}', error_message: 'ssh_private_key must be non-empty.' }]);
    expect(vars.ssh_private_key.sensitive).toBe(true);
    expect(vars.any_text).not.toHaveProperty('validation');
  });

  test.each(['OpenRouterKey', 'api-key', '1key', ''])('fails if the name %j is not snake_case', (name) => {
    expectProblem(validationError(() => secretVariable(testStack(), name, { description: 'x' })), {
      path: 'test',
      property: 'name',
      value: name,
      allowed: /^a snake_case Terraform variable name/,
    });
  });
});

describe('SecretFiles', () => {
  function fixture() {
    const stack = testStack();
    const net = network(stack);
    const acc = access(stack);
    const host = new HardenedServer(stack, 'Host', {
      name: 'host-1',
      serverType: 'cx23',
      network: net,
      privateIp: '10.0.1.10',
      access: acc,
      labels: { project: 'aiai', role: 'orchestrator', environment: 'test' },
      hostConfig: new HostConfig(),
    });
    const key = secretToken(stack, 'api_key');
    return { stack, host, key };
  }

  function secrets(f: ReturnType<typeof fixture>, props: Partial<SecretFilesProps> = {}) {
    return new SecretFiles(f.stack, 'Secrets', {
      host: f.host,
      files: [{ name: 'aiai.env', content: Fn.join('', ['API_KEY=', f.key, '\n']) }],
      restartUnits: ['aiai-orchestrator.service'],
      ...props,
    });
  }

  test('a terraform_data resource: wait for cloud-init, upload to the inbox, install with sudo, restart units', () => {
    const f = fixture();
    const s = secrets(f);
    const r = onlySecretDelivery(synth(f.stack));
    const [wait, upload, install] = r.provisioner;
    // The agent explicitly (fails at once without SSH_AUTH_SOCK), tried for 5 minutes.
    const connection = { type: 'ssh', host: expect.stringMatching(/^\$\{hcloud_server\.Host_Server_[0-9A-F]+\.ipv4_address\}$/), user: 'aiai', agent: true, timeout: '300s' };
    // One resource-level connection for every step; no step has its own.
    expect(r.connection).toEqual(connection);
    for (const p of r.provisioner) expect(Object.values(p)[0]).not.toHaveProperty('connection');
    expect(wait['remote-exec'].inline).toEqual(['cloud-init status --wait > /dev/null || true', 'test -d /home/aiai/.secrets-inbox']);
    expect(upload.file).toEqual({ content: '${join("", ["API_KEY=", var.api_key, "\\n"])}', destination: '/home/aiai/.secrets-inbox/aiai.env' });
    expect(install['remote-exec'].inline).toEqual([
      'set -eu',
      'sudo install -m 0600 -o root -g aiai /home/aiai/.secrets-inbox/aiai.env /etc/aiai/secrets/aiai.env',
      'rm -f /home/aiai/.secrets-inbox/aiai.env',
      'sudo systemctl reset-failed aiai-orchestrator.service || true',
      'sudo systemctl restart aiai-orchestrator.service',
    ]);
    expect(s.installScript).toEqual(install['remote-exec'].inline);
    expect(r.connection).not.toHaveProperty('private_key');
    // The units it restarts exist once the host's configuration is delivered.
    expect(r.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Host_Configuration_Converge_[0-9A-F]+$/)]);
  });

  test('re-runs when the server is replaced or a secret changes: a digest of the values, never the values', () => {
    const f = fixture();
    secrets(f, { files: [{ name: 'a.env', content: Fn.join('', ['A=', f.key]) }, { name: 'b.key', content: f.key, mode: '0600' }] });
    const r = onlySecretDelivery(synth(f.stack));
    expect(r.triggers_replace.server).toMatch(/^\$\{hcloud_server\.Host_Server_[0-9A-F]+\.id\}$/);
    expect(r.triggers_replace.files).toBe('a.env:0600,b.key:0600');
    expect(r.triggers_replace.digest).toBe('${sha256(join("\\n", [sha256(join("", ["A=", var.api_key])), sha256(var.api_key)]))}');
  });

  test('deliveries of the same secrets in one stack share one digest expression; other secrets get their own', () => {
    const f = fixture();
    const other = secretToken(f.stack, 'other_key');
    const a = new SecretFiles(f.stack, 'A', { host: f.host, files: [{ name: 'k', content: f.key }] });
    const b = new SecretFiles(f.stack, 'B', { host: f.host, files: [{ name: 'k', content: f.key }] });
    const c = new SecretFiles(f.stack, 'C', { host: f.host, files: [{ name: 'k', content: other }] });
    const digest = (s: SecretFiles) => (s.resource as unknown as { triggersReplaceValue: { digest: string } }).triggersReplaceValue.digest;
    expect(digest(a)).toBe(digest(b));
    expect(digest(c)).not.toBe(digest(a));
    const json = synth(f.stack);
    const digests = Object.values(json.resource.terraform_data as Record<string, { triggers_replace?: { digest?: string } }>)
      .map((r) => r.triggers_replace?.digest)
      .filter((d) => d !== undefined)
      .sort();
    expect(digests).toEqual(['${sha256(join("\\n", [sha256(var.api_key)]))}', '${sha256(join("\\n", [sha256(var.api_key)]))}', '${sha256(join("\\n", [sha256(var.other_key)]))}']);
  });

  test('the SSH private key, when given, is a variable reference, and the agent is off', () => {
    const f = fixture();
    secrets(f, { sshPrivateKey: secretToken(f.stack, 'deploy_ssh_key'), sshTimeoutSeconds: 120 });
    const json = synth(f.stack);
    const r = onlySecretDelivery(json);
    expect(r.provisioner).toHaveLength(3);
    for (const p of r.provisioner) expect(Object.values(p)[0]).not.toHaveProperty('connection');
    expect(r.connection).toEqual({
      type: 'ssh',
      host: expect.stringMatching(/^\$\{hcloud_server\./),
      user: 'aiai',
      agent: false,
      timeout: '120s',
      private_key: '${var.deploy_ssh_key}',
    });
    expect(json.variable.deploy_ssh_key.sensitive).toBe(true);
  });

  test.each([0, 29, 1801, 12.5, Number.NaN])('fails if the SSH timeout is %p seconds', (t) => {
    expectProblem(validationError(() => secrets(fixture(), { sshTimeoutSeconds: t })), {
      path: 'test/Secrets',
      property: 'sshTimeoutSeconds',
      value: t,
      allowed: /^an integer from 30 to 1800 \(seconds\)$/,
    });
  });

  test('fails if a file content is a literal (it would land in the synthesized JSON); the literal is not echoed', () => {
    const f = fixture();
    const err = validationError(() => secrets(f, { files: [{ name: 'aiai.env', content: 'API_KEY=sk-or-v1-literal-secret' }] }));
    expectProblem(err, {
      path: 'test/Secrets',
      property: 'files[0].content',
      value: '<literal, not shown>',
      allowed: /^a Terraform expression from sensitive variables \(a literal would land in the synthesized JSON\)$/,
    });
    expect(err.message).not.toContain('sk-or-v1-literal-secret');
  });

  test('fails if the SSH private key is a literal; the literal is not echoed', () => {
    const f = fixture();
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n';
    const err = validationError(() => secrets(f, { sshPrivateKey: pem }));
    expectProblem(err, { path: 'test/Secrets', property: 'sshPrivateKey', value: '<literal, not shown>', allowed: /^a sensitive Terraform variable token/ });
    expect(err.message).not.toContain('BEGIN OPENSSH');
  });

  test('fails if there are no files', () => {
    expectProblem(validationError(() => secrets(fixture(), { files: [] })), { path: 'test/Secrets', property: 'files', value: 0, allowed: /^at least one file$/ });
  });

  test.each(['../etc/passwd', 'a b', '.hidden', 'x'.repeat(65), ''])('fails if a file name is %j', (name) => {
    const f = fixture();
    expectProblem(validationError(() => secrets(f, { files: [{ name, content: f.key }] })), {
      path: 'test/Secrets',
      property: 'files[0].name',
      value: name,
      allowed: /^a unique file name of letters, digits, `\._-`$/,
    });
  });

  test('fails if two files share a name', () => {
    const f = fixture();
    expectProblem(validationError(() => secrets(f, { files: [{ name: 'a', content: f.key }, { name: 'a', content: f.key }] })), {
      path: 'test/Secrets',
      property: 'files[1].name',
      value: 'a',
      allowed: /unique file name/,
    });
  });

  test.each(['640', '0999', 'rw'])('fails if a mode is %j', (mode) => {
    const f = fixture();
    expectProblem(validationError(() => secrets(f, { files: [{ name: 'a', content: f.key, mode }] })), {
      path: 'test/Secrets',
      property: 'files[0].mode',
      value: mode,
      allowed: /^an octal mode like '0640'$/,
    });
  });

  test.each(['aiai-orchestrator', 'x.service; rm -rf /', 'a.socket'])('fails if a restart unit is %j', (u) => {
    expectProblem(validationError(() => secrets(fixture(), { restartUnits: [u] })), {
      path: 'test/Secrets',
      property: 'restartUnits[0]',
      value: u,
      allowed: /^a unit name like aiai-orchestrator\.service$/,
    });
  });
});

describe('secretVariable: props found by __tests__/properties', () => {
  test('fails if the name is not a string (cdktf threw "Only root constructs may have an empty ID")', () => {
    expectProblem(validationError(() => secretVariable(testStack(), null as any, { description: 'x' })), { path: 'test', property: 'name', value: null, allowed: /^a snake_case Terraform variable name/ });
  });

  test('fails if the description is empty', () => {
    expectProblem(validationError(() => secretVariable(testStack(), 'token', { description: ' ' })), { path: 'test', property: 'description', value: ' ', allowed: /^a non-empty description$/ });
  });

  test('is named `name` under any scope, so its validation condition refers to itself (terraform init failed before)', () => {
    const stack = testStack();
    secretVariable(new Construct(stack, 'Nested'), 'nested_token', { description: 'x' });
    const json = synth(stack);
    expect(json.variable.nested_token.validation[0].condition).toContain('var.nested_token');
  });
});
