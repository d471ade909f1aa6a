/**
 * One test per rule, titled by its ID: the rule fires on a minimal bad stack (naming the construct
 * path and a fix) and is quiet on the same stack fixed.
 */
import { Aspects, TerraformLocal, TerraformStack, TerraformVariable } from 'cdktf';
import { HetznerLimits } from '../../lib/hetzner/catalog';
import { HETZNER_RULE_IDS, HETZNER_RULES } from '../../lib/policy';
import { Ports } from '../../lib/core/ports';
import { PoolLimits } from '../../lib/runtime/pool-settings';
import { StatefulResourceProtection } from '../../lib/state/stateful-resource-protection';
import { sharedTemplate } from '../../lib/core/shared-text';
import { SYSTEMD_UNIT_DIR } from '../../lib/core/paths';
import { SNAPSHOT_ROTATION_NAME } from '../../lib/render/backup/snapshot-rotation';
import { ADMIN_CIDR, adminFirewall, goodServer, ref, reportOf, res } from './support';

type Build = (s: TerraformStack) => void;
interface Case {
  readonly bad: Build;
  readonly good: Build;
  /** Text the bad finding's message contains (besides the path). */
  readonly says: string;
}

const world4 = '0.0.0.0/0';
const world6 = '::/0';
const prod = { project: 'aiai', environment: 'production', role: 'orchestrator' };

function firewallWith(s: TerraformStack, rules: Record<string, unknown>[]) {
  return res(s, 'hcloud_firewall', 'Fw', { name: 'fw', rule: rules });
}

function lbWithTargets(s: TerraformStack, servers: ReturnType<typeof goodServer>[], extra: Record<string, unknown> = {}) {
  const lb = res(s, 'hcloud_load_balancer', 'Lb', { name: 'lb', load_balancer_type: 'lb11', location: 'fsn1', labels: prod, delete_protection: true, lifecycle: { prevent_destroy: true }, ...extra });
  servers.forEach((srv, i) => res(s, 'hcloud_load_balancer_target', `Target${i}`, { load_balancer_id: ref(lb), type: 'server', server_id: ref(srv), use_private_ip: true }));
  return lb;
}

function pool(s: TerraformStack, lifetime: string | undefined, reaper: boolean) {
  res(s, 'github_actions_variable', 'Pool', { repository: 'aiai', variable_name: 'AIAI_RUNNER_POOL', value: 'ci' });
  if (lifetime !== undefined) res(s, 'github_actions_variable', 'Lifetime', { repository: 'aiai', variable_name: 'AIAI_RUNNER_MAX_LIFETIME_MINUTES', value: lifetime });
  if (reaper) {
    const content = [
      'name: Reap ci runners',
      'on:',
      '  schedule:',
      '    - cron: "*/15 * * * *"',
      'jobs:',
      '  reap:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: aiai-runner reap',
      '        env:',
      '          AIAI_RUNNER_POOL: $${{ vars.AIAI_RUNNER_POOL }}',
      '',
    ].join('\n');
    res(s, 'github_repository_file', 'Reaper', { repository: 'aiai', file: '.github/workflows/aiai-runner-ci-reap.yml', content });
  }
}

const CASES: Record<string, Case> = {
  'HZ-NET-001': {
    bad: (s) => void firewallWith(s, [{ direction: 'in', protocol: 'tcp', port: '443', source_ips: [world4, world6] }]),
    good: (s) => {
      firewallWith(s, [{ direction: 'in', protocol: 'tcp', port: '443', source_ips: [world4, world6] }]);
      // 443 is a load balancer listen port: open to the world on purpose.
      res(s, 'hcloud_load_balancer_service', 'Https', { load_balancer_id: '1', protocol: 'https', destination_port: 8000 });
    },
    says: 'admits 0.0.0.0/0 and ::/0',
  },
  'HZ-NET-002': {
    bad: (s) => void firewallWith(s, [{ direction: 'in', protocol: 'tcp', port: '20-25', source_ips: [world6] }]),
    good: (s) => void firewallWith(s, [{ direction: 'in', protocol: 'tcp', port: '22', source_ips: [ADMIN_CIDR] }]),
    says: `opens SSH (port ${Ports.ssh.port}) to ::/0`,
  },
  'HZ-NET-003': {
    bad: (s) => void goodServer(s, 'Web', { firewall_ids: [] }),
    good: (s) => {
      const web = goodServer(s, 'Web', { firewall_ids: [] });
      const fw = adminFirewall(s, 'Shared');
      res(s, 'hcloud_firewall_attachment', 'Attach', { firewall_id: ref(fw), server_ids: [ref(web)] });
      // And by label selector (apply_to).
      goodServer(s, 'Db', { firewall_ids: [], labels: { role: 'db' } });
      res(s, 'hcloud_firewall', 'ByLabel', { name: 'by-label', rule: [], apply_to: [{ label_selector: 'role=db' }] });
    },
    says: 'has no firewall',
  },
  'HZ-NET-004': {
    bad: (s) => {
      firewallWith(s, [{ direction: 'in', protocol: 'tcp', port: String(Ports.grafana.port), source_ips: ['198.51.100.0/24'] }]);
      res(s, 'hcloud_load_balancer_service', 'Metrics', { load_balancer_id: '1', protocol: 'tcp', listen_port: Ports.prometheus.port, destination_port: Ports.prometheus.port });
    },
    good: (s) => void firewallWith(s, [{ direction: 'in', protocol: 'tcp', port: String(Ports.grafana.port), source_ips: ['10.0.0.0/16'] }]),
    says: `opens ${Ports.grafana.port} (Grafana) to public sources 198.51.100.0/24`,
  },
  'HZ-NET-005': {
    bad: (s) => {
      const lb = res(s, 'hcloud_load_balancer', 'Lb', { name: 'lb' });
      res(s, 'hcloud_load_balancer_network', 'LbNet', { load_balancer_id: ref(lb), network_id: '1' });
      res(s, 'hcloud_load_balancer_target', 'Target', { load_balancer_id: ref(lb), type: 'server', server_id: '1', use_private_ip: false });
    },
    good: (s) => {
      const lb = res(s, 'hcloud_load_balancer', 'Lb', { name: 'lb' });
      res(s, 'hcloud_load_balancer_network', 'LbNet', { load_balancer_id: ref(lb), network_id: '1' });
      res(s, 'hcloud_load_balancer_target', 'Target', { load_balancer_id: ref(lb), type: 'server', server_id: '1', use_private_ip: true });
    },
    says: 'reached over its public IP',
  },
  'HZ-LIM-001': {
    bad: (s) => void firewallWith(s, Array.from({ length: HetznerLimits.firewallRules + 1 }, (_, i) => ({ direction: 'out', protocol: 'tcp', port: String(1000 + i), destination_ips: [world4] }))),
    good: (s) => void firewallWith(s, Array.from({ length: HetznerLimits.firewallRules }, (_, i) => ({ direction: 'out', protocol: 'tcp', port: String(1000 + i), destination_ips: [world4] }))),
    says: `has ${HetznerLimits.firewallRules + 1} rules`,
  },
  'HZ-LIM-002': {
    bad: (s) => void firewallWith(s, [{ direction: 'in', protocol: 'tcp', port: '22', source_ips: Array.from({ length: HetznerLimits.firewallEffectiveRules + 1 }, (_, i) => `198.18.${i >> 8}.${i & 255}/32`) }]),
    good: (s) => void firewallWith(s, [{ direction: 'in', protocol: 'tcp', port: '22', source_ips: ['198.18.0.0/15'] }]),
    says: `hold ${HetznerLimits.firewallEffectiveRules + 1} CIDRs`,
  },
  'HZ-LIM-003': {
    bad: (s) => {
      const g = res(s, 'hcloud_placement_group', 'Spread', { name: 'spread', type: 'spread' });
      for (let i = 0; i <= HetznerLimits.spreadPlacementGroupServers; i++) goodServer(s, `S${i}`, { placement_group_id: ref(g) });
    },
    good: (s) => {
      const g = res(s, 'hcloud_placement_group', 'Spread', { name: 'spread', type: 'spread' });
      for (let i = 0; i < HetznerLimits.spreadPlacementGroupServers; i++) goodServer(s, `S${i}`, { placement_group_id: ref(g) });
    },
    says: `${HetznerLimits.spreadPlacementGroupServers + 1} servers are in this spread placement group`,
  },
  'HZ-LIM-004': {
    bad: (s) => void goodServer(s, 'Web', { user_data: `#cloud-config\n# ${'x'.repeat(HetznerLimits.userDataBytes)}\n` }),
    good: (s) => void goodServer(s, 'Web', { user_data: `#cloud-config\n# ${'x'.repeat(HetznerLimits.userDataBytes - 100)}\n` }),
    says: `Hetzner accepts ${HetznerLimits.userDataBytes}`,
  },
  'HZ-LIM-005': {
    bad: (s) => void goodServer(s, 'Web', { labels: { role: 'web server!' } }),
    good: (s) => void goodServer(s, 'Web', { labels: { role: 'web-server', 'example.com/tier': 'front' } }),
    says: 'label role has the invalid value "web server!"',
  },
  'HZ-LIM-006': {
    bad: (s) => void goodServer(s, 'Web', { firewall_ids: Array.from({ length: HetznerLimits.firewallsPerServer + 1 }, (_, i) => ref(adminFirewall(s, `F${i}`))) }),
    good: (s) => void goodServer(s, 'Web', { firewall_ids: Array.from({ length: HetznerLimits.firewallsPerServer }, (_, i) => ref(adminFirewall(s, `F${i}`))) }),
    says: `${HetznerLimits.firewallsPerServer + 1} firewalls apply to this server`,
  },
  'HZ-SRV-001': {
    bad: (s) => void goodServer(s, 'Web', { server_type: 'cx22' }),
    good: (s) => void goodServer(s, 'Web', { server_type: 'cx23' }),
    says: 'server type cx22 is deprecated',
  },
  'HZ-SRV-002': {
    bad: (s) => void goodServer(s, 'Web', { server_type: 'cx99' }),
    good: (s) => void goodServer(s, 'Web', { server_type: 'cax11' }),
    says: 'server type "cx99" is not an orderable',
  },
  'HZ-SRV-003': {
    bad: (s) => void goodServer(s, 'Web', { server_type: 'cax21', location: 'ash' }),
    good: (s) => void goodServer(s, 'Web', { server_type: 'cpx22', location: 'ash' }),
    says: 'cax21 (cax) is not offered in ash (us-east)',
  },
  'HZ-SRV-004': {
    bad: (s) => void goodServer(s, 'Web', { datacenter: 'fsn1-dc14', location: null }),
    good: (s) => void goodServer(s, 'Web'),
    says: 'datacenter is set to "fsn1-dc14"',
  },
  'HZ-SRV-005': {
    bad: (s) => void goodServer(s, 'Web', { image: 'debian-12' }),
    good: (s) => void goodServer(s, 'Web', { image: '123456' }),
    says: 'image "debian-12"',
  },
  'HZ-PRT-001': {
    bad: (s) => void res(s, 'hcloud_volume', 'Data', { name: 'data', size: 10, location: 'fsn1' }),
    good: (s) => {
      res(s, 'hcloud_volume', 'Data', { name: 'data', size: 10, location: 'fsn1' });
      Aspects.of(s).add(new StatefulResourceProtection());
    },
    says: 'hcloud_volume has no delete protection',
  },
  'HZ-PRT-002': {
    bad: (s) => void res(s, 'hcloud_primary_ip', 'Ip', { name: 'ip', type: 'ipv4', assignee_type: 'server', delete_protection: true }),
    good: (s) => {
      res(s, 'hcloud_primary_ip', 'Ip', { name: 'ip', type: 'ipv4', assignee_type: 'server' });
      Aspects.of(s).add(new StatefulResourceProtection());
    },
    says: 'hcloud_primary_ip has no prevent_destroy',
  },
  'HZ-PRT-003': {
    bad: (s) => void res(s, 'aws_s3_bucket', 'Bucket', { bucket: 'scratch', force_destroy: true }),
    good: (s) => {
      const b = res(s, 'aws_s3_bucket', 'Bucket', { bucket: 'kept', force_destroy: false, lifecycle: { prevent_destroy: true } });
      res(s, 'aws_s3_bucket_lifecycle_configuration', 'Rules', { bucket: ref(b) });
    },
    says: 'bucket "scratch" has force_destroy',
  },
  'HZ-SEC-001': {
    bad: (s) => {
      new TerraformVariable(s, 'agent_key', { type: 'string', sensitive: true });
      goodServer(s, 'Web', { user_data: '#cloud-config\nwrite_files:\n  - content: ${var.agent_key}\n' });
    },
    good: (s) => {
      new TerraformVariable(s, 'agent_key', { type: 'string', sensitive: true });
      goodServer(s, 'Web', { user_data: '#cloud-config\nhostname: web\n' });
    },
    says: 'user_data interpolates the sensitive variable(s) agent_key',
  },
  'HZ-SEC-002': {
    bad: (s) => void res(s, 'github_actions_secret', 'Secret', { repository: 'aiai', secret_name: 'TOKEN', plaintext_value: 'hunter2-but-longer' }),
    good: (s) => {
      new TerraformVariable(s, 'token', { type: 'string', sensitive: true });
      res(s, 'github_actions_secret', 'Secret', { repository: 'aiai', secret_name: 'TOKEN', plaintext_value: '${var.token}' });
    },
    says: 'plaintext_value of secret "TOKEN" is a literal',
  },
  'HZ-SEC-003': {
    bad: (s) => void new TerraformVariable(s, 'api_token', { type: 'string', sensitive: true, default: 'not-so-secret' }),
    good: (s) => void new TerraformVariable(s, 'api_token', { type: 'string', sensitive: true }),
    says: 'sensitive variable api_token has a default value',
  },
  'HZ-SEC-004': {
    bad: (s) => void res(s, 'terraform_data', 'Deliver', { input: { env: `GITHUB_TOKEN=ghp_${'a1B2'.repeat(9)}` } }),
    good: (s) => void res(s, 'terraform_data', 'Deliver', { input: { env: 'GITHUB_TOKEN=${var.github_token}', digest: 'a'.repeat(64) } }),
    says: 'input.env contains a GitHub token',
  },
  'HZ-OBJ-001': {
    bad: (s) => void res(s, 'aws_s3_bucket', 'Logs', { bucket: 'logs', lifecycle: { prevent_destroy: true } }),
    good: (s) => {
      const b = res(s, 'aws_s3_bucket', 'Logs', { bucket: 'logs', lifecycle: { prevent_destroy: true } });
      res(s, 'terraform_data', 'Rules', { provisioner: [{ 'local-exec': { command: 'apply', environment: { AIAI_LIFECYCLE_BUCKET: ref(b, 'bucket') } } }] });
    },
    says: 'bucket "logs" has no lifecycle rules',
  },
  'HZ-OBJ-002': {
    bad: (s) => {
      const b = res(s, 'aws_s3_bucket', 'Site', { bucket: 'site' });
      res(s, 'aws_s3_bucket_policy', 'Policy', { bucket: ref(b), policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] }) });
    },
    good: (s) => {
      const b = res(s, 'aws_s3_bucket', 'Site', { bucket: 'site' });
      res(s, 'aws_s3_bucket_acl', 'Acl', { bucket: ref(b), acl: 'private' });
    },
    says: 'the bucket policy allows Principal "*"',
  },
  'HZ-PRD-001': {
    bad: (s) => void goodServer(s, 'Web', { labels: prod, backups: false }),
    good: (s) => {
      goodServer(s, 'Web', { labels: prod, backups: true });
      goodServer(s, 'Staging', { labels: { ...prod, environment: 'staging' }, backups: false });
    },
    says: 'has neither Hetzner backups nor a snapshot rotation',
  },
  'HZ-PRD-002': {
    bad: (s) => {
      const g = res(s, 'hcloud_placement_group', 'Spread', { name: 'spread', type: 'spread' });
      lbWithTargets(s, [goodServer(s, 'Primary', { labels: prod, backups: true, placement_group_id: ref(g) })]);
    },
    good: (s) => {
      const g = res(s, 'hcloud_placement_group', 'Spread', { name: 'spread', type: 'spread' });
      lbWithTargets(s, ['Primary', 'Standby'].map((id) => goodServer(s, id, { labels: prod, backups: true, placement_group_id: ref(g) })));
    },
    says: 'has 1 target server',
  },
  'HZ-PRD-003': {
    bad: (s) => void lbWithTargets(s, ['Primary', 'Standby'].map((id) => goodServer(s, id, { labels: prod, backups: true }))),
    good: (s) => {
      const g = res(s, 'hcloud_placement_group', 'Spread', { name: 'spread', type: 'spread' });
      // Targets by label selector count too.
      lbWithTargets(s, [], { target: [{ type: 'label_selector', label_selector: 'role=orchestrator' }] });
      for (const id of ['Primary', 'Standby']) goodServer(s, id, { labels: prod, backups: true, placement_group_id: ref(g) });
    },
    says: 'not in one spread placement group',
  },
  'HZ-RUN-001': {
    bad: (s) => pool(s, String(PoolLimits.maxLifetimeMinutes + 1), true),
    good: (s) => pool(s, '120', true),
    says: `has the max lifetime "${PoolLimits.maxLifetimeMinutes + 1}"`,
  },
  'HZ-RUN-002': {
    bad: (s) => pool(s, '120', false),
    good: (s) => pool(s, '120', true),
    says: 'has no scheduled reaper',
  },
  'HZ-RUN-003': {
    bad: (s) => void goodServer(s, 'Runner', { labels: { project: 'aiai', environment: 'staging', role: 'ci-runner' } }),
    good: (s) => void goodServer(s, 'Runner', { labels: { project: 'aiai', environment: 'staging', role: 'ci-runner', 'expires-at': '1700000000' } }),
    says: 'never expires',
  },
};

test('the pack has at least 20 rules, each with a stable unique ID, a level, a title and a fix', () => {
  expect(HETZNER_RULES.length).toBeGreaterThanOrEqual(20);
  expect(new Set(HETZNER_RULE_IDS).size).toBe(HETZNER_RULE_IDS.length);
  for (const r of HETZNER_RULES) {
    expect({ id: r.id, ok: /^HZ-[A-Z]{3}-\d{3}$/.test(r.id) && ['error', 'warning'].includes(r.level) && r.title.length > 10 && r.fix.length > 10 }).toEqual({ id: r.id, ok: true });
  }
});

test('every rule has a case below', () => {
  expect(Object.keys(CASES).sort()).toEqual([...HETZNER_RULE_IDS].sort());
});

describe.each(HETZNER_RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  test(`fires on a minimal bad stack: ${rule.title}`, () => {
    const c = CASES[id];
    const report = reportOf(c.bad);
    const hits = report.findings.filter((f) => f.ruleId === id);
    expect(hits.length).toBeGreaterThan(0);
    const hit = hits[0];
    expect(hit.level).toBe(rule.level);
    expect(hit.message).toContain(c.says);
    // Where: the construct path (and the Terraform address) open the message.
    expect(hit.message.startsWith(`${hit.path}`)).toBe(true);
    expect(hit.path.startsWith('policy-test')).toBe(true);
    expect(hit.fix.length).toBeGreaterThan(10);
  });

  test('is quiet once fixed', () => {
    const report = reportOf(CASES[id].good);
    expect(report.findings.filter((f) => f.ruleId === id)).toEqual([]);
  });
});

describe('HZ-PRD-001 and the snapshot rotation', () => {
  const unit = `${SYSTEMD_UNIT_DIR}/${SNAPSHOT_ROTATION_NAME}.service`;
  /** A host manifest that installs the rotation unit for `selector` (long enough to be a shared text). */
  const manifest = (selector: string): string =>
    JSON.stringify({ files: [{ path: unit, content: `[Service]\nEnvironment="SERVER_SELECTOR=${selector}"\n${'# padding\n'.repeat(40)}` }] });
  /** A production server without backups and `uploads` terraform_data each uploading the manifest (through sharedTemplate). */
  const stack = (selector: string, uploads: number) => (s: TerraformStack) => {
    goodServer(s, 'Web', { labels: prod, backups: false });
    for (let i = 0; i < uploads; i++) {
      res(s, 'terraform_data', `Deliver${i}`, { provisioner: [{ file: { content: sharedTemplate(s, [manifest(selector)]), destination: '/tmp/m' } }] });
    }
  };
  const findings = (build: (s: TerraformStack) => void) => reportOf(build).findings.filter((f) => f.ruleId === 'HZ-PRD-001');

  test('reads the selector from a manifest uploaded inline or written once as a shared text (a local)', () => {
    expect(findings(stack('role=orchestrator', 1))).toEqual([]);
    expect(findings(stack('role=orchestrator', 2))).toEqual([]);
  });

  test('reads it from a manifest whose unit path is cut between the upload and a local', () => {
    const text = manifest('role=orchestrator');
    const cut = text.indexOf('systemd/') + 'systemd/'.length;
    const build = (s: TerraformStack) => {
      goodServer(s, 'Web', { labels: prod, backups: false });
      new TerraformLocal(s, 'rest', text.slice(cut));
      res(s, 'terraform_data', 'Deliver', { provisioner: [{ file: { content: `${text.slice(0, cut)}\${local.rest}`, destination: '/tmp/m' } }] });
    };
    expect(findings(build)).toEqual([]);
  });

  test('fails if the rotation selects other servers, inline or shared', () => {
    for (const uploads of [1, 2]) expect(findings(stack('role=monitoring', uploads))).toHaveLength(1);
  });
});
