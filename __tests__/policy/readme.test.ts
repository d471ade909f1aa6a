/** The README's "Policy checks" table lists every rule with its level (a rule added without a row fails). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HETZNER_RULES } from '../../lib/policy';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Policy checks'), readme.indexOf('\n## ', readme.indexOf('## Policy checks') + 3));

test('the README has a Policy checks section naming the report and how to suppress', () => {
  expect(section).toContain('cdktf.out/stacks/<stack>/aiai-policy-report.json');
  expect(section).toContain('HetznerChecks.suppress(construct,');
});

test.each(HETZNER_RULES.map((r) => [r.id, r.level] as const))('%s has a row with its level (%s)', (id, level) => {
  expect(section).toMatch(new RegExp(`^\\| ${id} \\| ${level} \\| .+ \\| .+ \\|$`, 'm'));
});
