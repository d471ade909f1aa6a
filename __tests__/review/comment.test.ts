/**
 * The review comment renderer and its inputs: plan summaries (actions, stateful replacements
 * first), cost delta, policy findings, the marker, the size limit and escaping.
 */
import {
  actionOf,
  costDelta,
  escapeText,
  GITHUB_COMMENT_LIMIT,
  OFFLINE_PLAN_NOTE,
  parsePolicyReport,
  renderReviewComment,
  REVIEW_MARKER,
  REVIEW_STATEFUL_TYPES,
  summarizePolicy,
  summarizeStackPlan,
} from '../../lib/review';
import { STATEFUL_HCLOUD_RESOURCE_TYPES } from '../../lib/state';
import { A, costReport, item, policyReport, rc, show } from './fixtures';

describe('plan summary', () => {
  test('maps every action of terraform show -json, both replace orders included', () => {
    expect(actionOf(['create'])).toBe('create');
    expect(actionOf(['delete', 'create'])).toBe('replace');
    expect(actionOf(['create', 'delete'])).toBe('replace');
    expect(actionOf(['no-op'])).toBe('no-op');
    expect(actionOf(['read'])).toBe('read');
    expect(actionOf(['forget'])).toBe('forget');
    expect(() => actionOf(['create', 'update'])).toThrow('unexpected plan actions [create, update]');
  });

  test('counts per action, drops no-ops, puts stateful replacements and deletions first', () => {
    const plan = summarizeStackPlan(
      show(
        rc('hcloud_firewall.fw', A.update),
        rc('hcloud_network_subnet.a', A.create),
        rc('hcloud_ssh_key.k', A.replace, [['public_key']]),
        rc('hcloud_volume.data', A.delete),
        rc('hcloud_server.web', A.replaceCbd, [['user_data'], ['image']]),
        rc('hcloud_server.db', A.noop),
        rc('data.hcloud_image.x', A.read),
      ),
      { stack: 'aiai-production' },
    );
    expect(plan.counts).toEqual({ create: 1, update: 1, delete: 1, replace: 2, read: 1, 'no-op': 1, forget: 0 });
    expect(plan.changes.map((c) => `${c.action} ${c.address}`)).toEqual([
      'replace hcloud_server.web',
      'delete hcloud_volume.data',
      'replace hcloud_ssh_key.k',
      'create hcloud_network_subnet.a',
      'update hcloud_firewall.fw',
      'read data.hcloud_image.x',
    ]);
    expect(plan.dangerous.map((c) => c.address)).toEqual(['hcloud_server.web', 'hcloud_volume.data']);
    expect(plan.changes[0].replacePaths).toEqual(['user_data', 'image']);
    expect(plan.source).toBe('terraform');
  });

  test('the stateful types include every type the StatefulResourceProtection aspect protects, servers and buckets', () => {
    expect(REVIEW_STATEFUL_TYPES).toEqual(expect.arrayContaining([...STATEFUL_HCLOUD_RESOURCE_TYPES, 'hcloud_server', 'aws_s3_bucket']));
  });
});

describe('cost delta (contract 2: { stacks: StackCostEstimate[] })', () => {
  const base = costReport({
    'aiai-production': [item('hcloud_server.primary', 8.09), item('hcloud_server.standby', 4.99), item('hcloud_volume.data', 2.2, { kind: 'volume' })],
    'aiai-old': [item('hcloud_server.x', 4.99)],
  });

  test('up: a bigger server and a new stack; removed stack and items; unchanged items not listed', () => {
    const head = costReport({
      'aiai-production': [item('hcloud_server.primary', 15.99, { description: 'cx43 server' }), item('hcloud_server.standby', 4.99), item('hcloud_volume.data', 2.2, { kind: 'volume' })],
      'aiai-minimal': [item('hcloud_server.one', 4.99)],
    });
    const d = costDelta(base, head);
    expect(d.stacks.map((s) => [s.stack, s.status, s.deltaEur])).toEqual([
      ['aiai-minimal', 'added', 4.99],
      ['aiai-old', 'removed', -4.99],
      ['aiai-production', 'changed', 7.9],
    ]);
    expect(d.stacks[2].items).toEqual([
      { address: 'hcloud_server.primary', kind: 'server', description: 'cx43 server', status: 'changed', baseEur: 8.09, headEur: 15.99, deltaEur: 7.9 },
    ]);
    expect(d.baseEur).toBe(20.27);
    expect(d.headEur).toBe(28.17);
    expect(d.deltaEur).toBe(7.9);
    const md = renderReviewComment({ plans: [], cost: d });
    expect(md).toContain('**€28.17** per month (base €20.27): **+€7.90**.');
    expect(md).toContain('| <code>aiai&#45;minimal</code> (new) | — | €4.99 | +€4.99 |');
    expect(md).toContain('| <code>aiai&#45;old</code> (removed) | €4.99 | €0.00 | −€4.99 |');
    expect(md).toContain('3 items changed');
  });

  test('down: a removed server, and float noise in the totals is no change', () => {
    const head = costReport({
      'aiai-production': [item('hcloud_server.primary', 8.09), item('hcloud_volume.data', 2.2, { kind: 'volume' })],
      'aiai-old': [item('hcloud_server.x', 4.99)],
    });
    const d = costDelta(base, head);
    const prod = d.stacks.find((s) => s.stack === 'aiai-production')!;
    expect(prod.items.map((i) => [i.address, i.status, i.deltaEur])).toEqual([['hcloud_server.standby', 'removed', -4.99]]);
    expect(d.stacks.find((s) => s.stack === 'aiai-old')!.status).toBe('unchanged');
    expect(d.deltaEur).toBe(-4.99);
    expect(renderReviewComment({ plans: [], cost: d })).toContain('**−€4.99**');
  });

  test('no cost data for base: head totals, no delta', () => {
    const d = costDelta(undefined, costReport({ 'aiai-production': [item('hcloud_server.primary', 8.09)] }));
    expect(d.baseMissing).toBe('no cost data for base');
    const md = renderReviewComment({ plans: [], cost: d });
    expect(md).toContain('**€8.09** per month for this branch; no cost data for base, so no delta.');
    expect(md).toContain('| <code>aiai&#45;production</code> (new) | — | €8.09 | — |');
  });

  test('without any cost data the section says why', () => {
    expect(renderReviewComment({ plans: [], costNote: 'npm run cost failed on head' })).toContain('No cost data: npm run cost failed on head');
  });
});

describe('policy findings (contract 3)', () => {
  const reports = [
    policyReport('aiai-production', [
      { ruleId: 'AIAI-W07', level: 'warning', path: 'aiai-production/ObjectStore/logs', resource: 'aws_s3_bucket.logs', message: 'bucket without lifecycle rules', fix: 'add expiry' },
      { ruleId: 'AIAI-E01', level: 'error', path: 'aiai-production/Orchestrator/Firewall', message: 'SSH open to 0.0.0.0/0', fix: 'restrict adminCidrs' },
    ], [{ ruleId: 'AIAI-W03', path: 'aiai-production/Monitoring', reason: 'single node by design' }]),
    policyReport('aiai-minimal', []),
  ];

  test('errors first, counts, suppressions with their reasons', () => {
    const p = summarizePolicy(reports.map((r, i) => parsePolicyReport(r, `report ${i}`)));
    expect([p.errors, p.warnings, p.suppressed]).toEqual([1, 1, 1]);
    expect(p.findings.map((f) => f.ruleId)).toEqual(['AIAI-E01', 'AIAI-W07']);
    const md = renderReviewComment({ plans: [], policy: p });
    expect(md).toContain('❌ 1 error, 1 warning, 1 suppressed');
    expect(md.indexOf('AIAI&#45;E01')).toBeLessThan(md.indexOf('AIAI&#45;W07'));
    expect(md).toContain('<code>aws&#95;s3&#95;bucket.logs</code>');
    expect(md).toContain('single node by design');
  });

  test('a document that is not a report is refused, naming the file', () => {
    expect(() => parsePolicyReport({ findings: [] }, 'cdktf.out/stacks/x/aiai-policy-report.json')).toThrow('cdktf.out/stacks/x/aiai-policy-report.json: not a policy report');
    expect(() => parsePolicyReport(policyReport('x', [{ ruleId: 'R', level: 'info' as 'error', path: 'p', message: 'm', fix: 'f' }]), 'f.json')).toThrow('finding R has level "info" (allowed: error, warning)');
  });

  test('no findings: a clean line', () => {
    expect(renderReviewComment({ plans: [], policy: summarizePolicy([policyReport('aiai-minimal', [])]) })).toContain('✅ 0 errors, 0 warnings, 0 suppressed');
  });
});

describe('renderReviewComment', () => {
  test('a small plan: marker first, counts table, stateful replacement called out before the plans', () => {
    const plan = summarizeStackPlan(show(rc('hcloud_server.web', A.replace, [['user_data']]), rc('hcloud_firewall.fw', A.update), rc('hcloud_network.n', A.noop)), { stack: 'aiai-production' });
    const md = renderReviewComment({ plans: [plan], artifact: { name: 'aiai-review-plans', url: 'https://github.com/o/r/actions/runs/1' }, headSha: 'abc1234' });
    expect(md.startsWith(`${REVIEW_MARKER}\n`)).toBe(true);
    expect(md.split(REVIEW_MARKER)).toHaveLength(2);
    expect(md).toContain('| <code>aiai&#45;production</code> | terraform | 0 | 1 | 1 | 0 |');
    expect(md).toContain('### ⚠️ Stateful resources replaced or deleted: 1');
    expect(md).toContain('- **replace** <code>hcloud&#95;server.web</code> in <code>aiai&#45;production</code> — forced by <code>user&#95;data</code>');
    expect(md.indexOf('Stateful resources')).toBeLessThan(md.indexOf('### Plans'));
    expect(md).toContain('-/+ hcloud_server.web  # forced by user_data\n~   hcloud_firewall.fw\n~~~~');
    expect(md).not.toContain('hcloud_network.n');
    expect(md).not.toContain('Truncated');
    expect(md).toContain('[this workflow run](https://github.com/o/r/actions/runs/1)');
    expect(md).not.toContain(OFFLINE_PLAN_NOTE);
  });

  test('offline plans are marked as such, with their note', () => {
    const plan = summarizeStackPlan(show(rc('hcloud_server.web', A.create)), { stack: 'aiai-minimal', source: 'offline', note: 'no credentials: TF_VAR_hcloud_token is not set' });
    const md = renderReviewComment({ plans: [plan] });
    expect(md).toContain(`**${OFFLINE_PLAN_NOTE}**`);
    expect(md).toContain('| <code>aiai&#45;minimal</code> | offline ⚠️ |');
    expect(md).toContain('TF&#95;VAR&#95;hcloud&#95;token is not set');
    expect(md).toContain('Stateful resources replaced or deleted: 0');
  });

  test('a stack without changes says so', () => {
    const md = renderReviewComment({ plans: [summarizeStackPlan(show(rc('hcloud_network.n', A.noop)), { stack: 'aiai-state' })] });
    expect(md).toContain('- <code>aiai&#45;state</code>: no changes');
  });

  test('5,000 resources: under the limit, replacements still shown first, a truncation note naming the artifact', () => {
    const changes = [];
    for (let i = 0; i < 5000; i++) changes.push(rc(`hcloud_firewall.rule_set_number_${i}`, A.create));
    for (let i = 0; i < 30; i++) changes.push(rc(`hcloud_server.worker_${i}`, A.replace, [['user_data']]));
    changes.push(rc('hcloud_volume.data', A.delete));
    const plan = summarizeStackPlan(show(...changes), { stack: 'aiai-production-ha', source: 'offline' });
    const md = renderReviewComment({ plans: [plan], artifact: { name: 'aiai-review-plans' } });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT * 0.8);
    expect(md).toContain('Stateful resources replaced or deleted: 31');
    for (let i = 0; i < 30; i++) expect(md).toContain(`<code>hcloud&#95;server.worker&#95;${i}</code>`);
    expect(md).toContain('<code>hcloud&#95;volume.data</code>');
    // In the plan list too, the replacements come first.
    expect(md.indexOf('-/+ hcloud_server.worker_0')).toBeLessThan(md.indexOf('+   hcloud_firewall.rule_set_number_0'));
    expect(md).toMatch(/✂️ \*\*Truncated:\*\* [\d,]+ changes did not fit in this comment .*The full plans are in the artifact <code>aiai&#45;review&#45;plans<\/code>/);
    expect(md).toMatch(/\.\.\. \d+ more changes not shown/);
    expect(md).toContain(OFFLINE_PLAN_NOTE);
    expect(md.endsWith('\n') || md.endsWith('.')).toBe(true);
    // The code fences stay balanced: every opened block is closed.
    expect((md.match(/^~~~~/gm) ?? []).length % 2).toBe(0);
    expect((md.match(/<details>/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
  });

  test('a huge number of dangerous changes and findings still fits, each list saying what it left out', () => {
    const changes = Array.from({ length: 3000 }, (_, i) => rc(`hcloud_volume.v${i}`, A.delete));
    const plan = summarizeStackPlan(show(...changes), { stack: 's' });
    const findings = Array.from({ length: 2000 }, (_, i) => ({ ruleId: `R${i}`, level: 'warning' as const, path: `s/p${i}`, message: 'x'.repeat(50), fix: 'y'.repeat(50) }));
    const md = renderReviewComment({ plans: [plan], policy: summarizePolicy([policyReport('s', findings)]), maxChars: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toMatch(/- … and \d+ more: see/);
    expect(md).toMatch(/\d+ more findings: see the policy reports/);
  });

  test('escapes Markdown and HTML in addresses, stack names and messages', () => {
    const evil = 'hcloud_server.web["<img src=x onerror=alert(1)>|**bold**`x`[link](http://e)"]';
    const plan = summarizeStackPlan(show(rc(evil, A.replace, [['user_data']])), { stack: 'st<ack>|' });
    const md = renderReviewComment({
      plans: [plan],
      policy: summarizePolicy([policyReport('st<ack>|', [{ ruleId: 'R1', level: 'error', path: 'a|b', resource: evil, message: '<script>x</script> | *y*', fix: '`rm -rf`\nnext line' }])]),
    });
    const outsideFences = md.replace(/^~~~~diff\n[\s\S]*?^~~~~$/gm, '');
    expect(outsideFences).not.toMatch(/<(img|script)/);
    expect(outsideFences).not.toContain('**bold**');
    expect(outsideFences).not.toContain('[link](');
    // Table rows keep their column count: no raw `|` from data.
    for (const row of outsideFences.split('\n').filter((l) => l.startsWith('| ❌'))) expect(row.split('|')).toHaveLength(7);
    expect(escapeText('a<b>&`c`|d')).toBe('a&#60;b&#62;&#38;&#96;c&#96;&#124;d');
    // Inside the fenced block the address is verbatim (nothing is interpreted there).
    expect(md).toContain(`-/+ ${evil}  # forced by user_data`);
  });

  test('an address cannot close the fence or break out with a newline', () => {
    const plan = summarizeStackPlan(show(rc('null_resource.x["~~~~\\n</details>\n~~~~"]', A.create)), { stack: 's' });
    const md = renderReviewComment({ plans: [plan] });
    const fences = md.split('\n').filter((l) => /^~~~/.test(l));
    expect(fences).toEqual(['~~~~diff', '~~~~']);
  });
});
