/**
 * The rule pack stays quiet on every stack of the reference app: no finding, errors or warnings;
 * what a construct accepts on purpose is suppressed with its reason (and listed in `suppressed`).
 */
import { Testing, TerraformStack } from 'cdktf';
import { buildReferenceApp } from '../../main';
import { checkStack, HetznerChecks } from '../../lib/policy';

const app = Testing.app();
buildReferenceApp(app);
// Every stack the app builds, whatever their number (new scenarios are checked without a change here).
const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
for (const s of stacks) HetznerChecks.applyTo(s);

test('the reference app builds stacks to check', () => {
  expect(stacks.map((s) => s.node.id)).toEqual(expect.arrayContaining(['aiai-state', 'aiai-production']));
});

describe.each(stacks.map((s) => [s.node.id, s] as const))('%s', (_id, stack) => {
  const report = checkStack(stack);

  test('has no findings (no error, no unjustified warning)', () => {
    expect(report.findings.map((f) => `[${f.ruleId}] ${f.message}`)).toEqual([]);
  });

  test('every suppression names its rule and a reason', () => {
    for (const s of report.suppressed) expect({ ...s, reason: s.reason.length > 10 }).toEqual({ ruleId: expect.stringMatching(/^HZ-/), path: expect.any(String), reason: true });
  });
});
