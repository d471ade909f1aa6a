/** Suppressions (mandatory reason, scope, record) and the synth hook (report file, failing synth). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { suppressPolicyRule } from '../../lib/core/policy-suppressions';
import { ValidationError } from '../../lib/core/validation-error';
import { checkStack, HetznerChecks, POLICY_REPORT_FILE, policyReportPath, PolicyViolationError } from '../../lib/policy';
import { ADMIN_CIDR, goodServer, newStack, ref, res, ruleIds } from './support';

/** A stack with one world-open SSH firewall (error HZ-NET-002) on a server, under `Tier`. */
function sshOpenStack(app: App = Testing.app()) {
  const stack = new TerraformStack(app, 'policy-test');
  const tier = new Construct(stack, 'Tier');
  const fw = res(tier, 'hcloud_firewall', 'Fw', { name: 'fw', rule: [{ direction: 'in', protocol: 'tcp', port: '22', source_ips: ['0.0.0.0/0'] }] });
  goodServer(tier, 'Web', { firewall_ids: [ref(fw)] });
  return { stack, tier, fw };
}

describe('suppressions', () => {
  test('need a reason: an empty one is a ValidationError naming the construct', () => {
    const { tier } = sshOpenStack();
    for (const reason of ['', '   ']) {
      let err: unknown;
      try {
        HetznerChecks.suppress(tier, 'HZ-NET-002', reason);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).message).toContain('policy-test/Tier');
      expect((err as ValidationError).message).toContain('reason');
    }
  });

  test('name a rule of the pack: an unknown or malformed ID is a ValidationError listing the IDs', () => {
    const { tier } = sshOpenStack();
    expect(() => HetznerChecks.suppress(tier, 'HZ-NET-999', 'typo')).toThrow(/HZ-NET-001, HZ-NET-002/);
    expect(() => HetznerChecks.suppress(tier, 'NET-2', 'typo')).toThrow(ValidationError);
    // Recorded from a lower layer (lib/core) with an unknown ID: rejected when the stack is checked.
    const { stack, tier: t2 } = sshOpenStack();
    suppressPolicyRule(t2, 'HZ-ABC-001', 'from a construct');
    expect(() => checkStack(stack)).toThrow(/policy suppression ruleId: got "HZ-ABC-001"/);
  });

  test('apply to the construct and its children, are recorded with the reason, and hide nothing else', () => {
    const { stack, tier } = sshOpenStack();
    expect(ruleIds(checkStack(stack))).toEqual(['HZ-NET-002']);
    HetznerChecks.suppress(tier, 'HZ-NET-002', 'bastion tier: SSH is the service, fail2ban and keys only');
    const report = checkStack(stack);
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toEqual([{ ruleId: 'HZ-NET-002', path: 'policy-test/Tier/Fw', reason: 'bastion tier: SSH is the service, fail2ban and keys only' }]);
    // Another rule on the same construct still reports.
    res(tier, 'hcloud_firewall', 'Fw2', { name: 'fw2', rule: [{ direction: 'in', protocol: 'tcp', port: '3000', source_ips: [ADMIN_CIDR] }] });
    expect(ruleIds(checkStack(stack))).toEqual(['HZ-NET-004']);
  });

  test('on a sibling do not apply', () => {
    const { stack } = sshOpenStack();
    HetznerChecks.suppress(new Construct(stack, 'Other'), 'HZ-NET-002', 'not the firewall');
    expect(ruleIds(checkStack(stack))).toEqual(['HZ-NET-002']);
    expect(checkStack(stack).suppressed).toEqual([]);
  });
});

describe('checks on a scope', () => {
  test('an aspect added to a construct reports only what is under it', () => {
    const { stack } = sshOpenStack();
    const other = new Construct(stack, 'Other');
    goodServer(other, 'Db', { server_type: 'cx22' });
    HetznerChecks.applyTo(other);
    const report = checkStack(other);
    expect(ruleIds(report)).toEqual(['HZ-SRV-001']);
    expect(ruleIds(checkStack(stack))).toEqual(['HZ-NET-002', 'HZ-SRV-001']);
  });
});

describe('at synth', () => {
  test('a clean stack synthesizes and gets the report next to cdk.tf.json (contract 3)', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'clean');
    goodServer(stack, 'Web');
    res(stack, 'aws_s3_bucket', 'Scratch', { bucket: 'scratch', lifecycle: { prevent_destroy: true } });
    HetznerChecks.suppress(stack.node.findChild('Scratch'), 'HZ-OBJ-001', 'scratch bucket, emptied by the test run');
    Aspects.of(stack).add(new HetznerChecks());
    app.synth();
    const dir = join(app.outdir, 'stacks', 'clean');
    expect(policyReportPath(stack)).toBe(join(dir, POLICY_REPORT_FILE));
    expect(existsSync(join(dir, 'cdk.tf.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, POLICY_REPORT_FILE), 'utf8'))).toEqual({
      stack: 'clean',
      rulePack: 'aiai-hetzner',
      findings: [],
      suppressed: [{ ruleId: 'HZ-OBJ-001', path: 'clean/Scratch', reason: 'scratch bucket, emptied by the test run' }],
    });
  });

  test('errors fail the synth with every finding and its fix; the report is written, cdk.tf.json is not', () => {
    const app = Testing.app();
    const { stack } = sshOpenStack(app);
    goodServer(stack, 'Old', { server_type: 'cx32' });
    HetznerChecks.applyTo(stack);
    let err: unknown;
    try {
      app.synth();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyViolationError);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as PolicyViolationError).report.findings).toHaveLength(2);
    expect((err as PolicyViolationError).problems.map((p) => p.property)).toEqual(expect.arrayContaining(['HZ-SRV-001 policy-test/Old']));
    const message = (err as Error).message;
    expect(message).toContain('Policy check (aiai-hetzner rule pack) failed for stack policy-test: 2 errors');
    expect(message).toContain('[HZ-NET-002] policy-test/Tier/Fw (hcloud_firewall.Tier_Fw_E35BA67B): rule 1 (tcp 22)');
    expect(message).toContain('[HZ-SRV-001] policy-test/Old (hcloud_server.Old): server type cx32 is deprecated');
    expect(message).toContain('fix: set server_type to cx33');
    const report = JSON.parse(readFileSync(policyReportPath(stack), 'utf8'));
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId).sort()).toEqual(['HZ-NET-002', 'HZ-SRV-001']);
    expect(report.findings[0]).toEqual({ ruleId: expect.any(String), level: 'error', path: expect.any(String), resource: expect.any(String), message: expect.any(String), fix: expect.any(String) });
    expect(existsSync(join(app.outdir, 'stacks', 'policy-test', 'cdk.tf.json'))).toBe(false);
  });

  test('warnings do not fail the synth: they are in the report and become cdktf warning annotations', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'warned');
    goodServer(stack, 'Web', { image: 'debian-12' });
    HetznerChecks.applyTo(stack);
    app.synth();
    const report = JSON.parse(readFileSync(policyReportPath(stack), 'utf8'));
    expect(report.findings.map((f: { ruleId: string; level: string }) => [f.ruleId, f.level])).toEqual([['HZ-SRV-005', 'warning']]);
    const manifest = JSON.parse(readFileSync(join(app.outdir, 'manifest.json'), 'utf8'));
    const annotations = manifest.stacks.warned.annotations as { level: string; message: string; constructPath: string }[];
    expect(annotations).toEqual([expect.objectContaining({ level: '@cdktf/warn', constructPath: 'warned/Web', message: expect.stringContaining('[HZ-SRV-005]') })]);
  });

  test('failOnError: false reports errors without failing; writeReport: false writes no report', () => {
    const app = Testing.app();
    const { stack } = sshOpenStack(app);
    HetznerChecks.applyTo(stack, { failOnError: false, writeReport: false });
    expect(() => app.synth()).not.toThrow();
    expect(existsSync(policyReportPath(stack))).toBe(false);
    expect(ruleIds(checkStack(stack))).toEqual(['HZ-NET-002']);
  });

  test('Testing.synth (no validations) runs no checks and writes nothing', () => {
    const app = Testing.app();
    const { stack } = sshOpenStack(app);
    HetznerChecks.applyTo(stack);
    expect(() => Testing.synth(stack)).not.toThrow();
    expect(existsSync(policyReportPath(stack))).toBe(false);
    expect(() => Testing.synth(stack, true)).toThrow(PolicyViolationError);
  });
});

describe('secret detection beyond variables', () => {
  test('HZ-SEC-001 also matches secret patterns and sensitive defaults in user_data', () => {
    const s = newStack();
    const key = ['-----BEGIN', 'OPENSSH PRIVATE KEY-----'].join(' ');
    goodServer(s, 'Web', { user_data: `#cloud-config\nwrite_files:\n  - content: |\n      ${key}\n` });
    const report = checkStack(s);
    expect(report.findings.filter((f) => f.ruleId === 'HZ-SEC-001').map((f) => f.message)).toEqual([expect.stringContaining('user_data contains a private key')]);
  });

  test('HZ-SEC-004 names the path of each secret it finds (nested lists, providers, outputs) and does not enter comments or secret-valued attributes', () => {
    const s = newStack();
    const token = `ghp_${'a1B2'.repeat(9)}`;
    res(s, 'terraform_data', 'Deliver', {
      provisioner: [{ 'remote-exec': { inline: ['set -eu', `echo ${token}`] } }, { file: { content: 'fine', destination: '/tmp/x' } }],
      '//': { note: token },
      user_data: token,
    });
    s.addOverride('provider.hcloud', [{ token: '${var.hcloud_token}', endpoint: `https://x/?t=${token}` }]);
    s.addOverride('output.leak', { value: [{ t: token }] });
    const messages = checkStack(s)
      .findings.filter((f) => f.ruleId === 'HZ-SEC-004')
      .map((f) => f.message)
      .sort();
    expect(messages).toEqual([
      'policy-test/Deliver (terraform_data.Deliver): provisioner[0].remote-exec.inline[1] contains a GitHub token',
      'policy-test: output.leak.value[0].t contains a GitHub token',
      'policy-test: provider.hcloud[0].endpoint contains a GitHub token',
    ]);
  });

  test('HZ-SEC-004 flags a literal provider credential', () => {
    const s = newStack();
    s.addOverride('provider.hcloud', [{ token: 'literal-token-value' }]);
    expect(checkStack(s).findings.map((f) => f.message)).toEqual([expect.stringContaining('provider hcloud[0] has the credential token as a literal')]);
  });
});
