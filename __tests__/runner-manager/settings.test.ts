import { DEFAULT_NAME_PREFIX, poolGithubNames } from '../../lib/runtime/pool-names';
import { PINNED_ACTIONS_RUNNER, PoolSettings } from '../../lib/runtime/pool-settings';
import { SettingsError, checkPoolSettings, resolvePoolSettings, runnerArchitecture } from '../../lib/runtime/pool-settings-check';
import { parsePoolSettings, poolVariableValues } from '../../lib/runtime/pool-settings-env';
import { placementCandidates, runnerName, serverLabelsFor } from '../../lib/runtime/pool-labels';

const base = { AIAI_RUNNER_POOL: 'ci' };

function parseFails(env: Record<string, string>): SettingsError {
  try {
    parsePoolSettings({ ...base, ...env });
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return e as SettingsError;
  }
  throw new Error('expected a SettingsError');
}

describe('defaults', () => {
  test('only the pool name is needed; defaults follow the issue (cpx32, fsn1, ubuntu-24.04)', () => {
    const s = parsePoolSettings(base);
    expect(s).toEqual<PoolSettings>({
      pool: 'ci',
      serverType: 'cpx32',
      fallbackServerTypes: ['cx33'],
      location: 'fsn1',
      fallbackLocations: ['nbg1', 'hel1'],
      image: 'ubuntu-24.04',
      networkId: undefined,
      subnetIpRange: undefined,
      lokiHost: undefined,
      firewallIds: [],
      sshKeys: [],
      runnerLabels: [],
      serverLabels: {},
      maxRunners: 5,
      maxLifetimeMinutes: 120,
      runnerGroupId: 1,
      actionsRunner: PINNED_ACTIONS_RUNNER,
    });
  });

  test('empty variables (an unset `vars.X` renders as "") mean default; "none" means an empty list', () => {
    const s = parsePoolSettings({ ...base, AIAI_RUNNER_SERVER_TYPE: '', AIAI_RUNNER_FALLBACK_LOCATIONS: 'none', AIAI_RUNNER_FALLBACK_SERVER_TYPES: ' ' });
    expect(s.serverType).toBe('cpx32');
    expect(s.fallbackLocations).toEqual([]);
    expect(s.fallbackServerTypes).toEqual(['cx33']);
  });

  test('a non-default primary does not inherit the default fallbacks', () => {
    const s = resolvePoolSettings({ pool: 'ci', serverType: 'cax21', location: 'hel1' });
    expect(s.fallbackServerTypes).toEqual([]);
    expect(s.fallbackLocations).toEqual([]);
  });
});

describe('variables round trip', () => {
  test('poolVariableValues -> environment -> parsePoolSettings gives the same settings', () => {
    const settings = resolvePoolSettings({
      pool: 'gpu-pool',
      serverType: 'ccx23',
      fallbackServerTypes: ['cpx42', 'cx43'],
      location: 'nbg1',
      fallbackLocations: ['fsn1'],
      image: '123456',
      networkId: '99',
      subnetIpRange: '10.0.2.0/24',
      lokiHost: '10.0.1.20',
      firewallIds: ['7', '8'],
      sshKeys: ['ops key'],
      runnerLabels: ['gpu', 'big.mem'],
      serverLabels: { project: 'aiai', environment: 'staging', monitoring: 'true' },
      maxRunners: 12,
      maxLifetimeMinutes: 300,
      runnerGroupId: 3,
    });
    const values = poolVariableValues(settings);
    expect(values.AIAI_RUNNER_FALLBACK_SERVER_TYPES).toBe('cpx42,cx43');
    expect(values.AIAI_RUNNER_SERVER_LABELS).toBe('project=aiai,environment=staging,monitoring=true');
    expect(values.AIAI_RUNNER_LOKI_HOST).toBe('10.0.1.20');
    expect(values.AIAI_RUNNER_SUBNET_IP_RANGE).toBe('10.0.2.0/24');
    const parsed = parsePoolSettings(values);
    expect(parsed).toEqual(settings);
    expect(parsed.lokiHost).toBe('10.0.1.20');
    expect(parsed.subnetIpRange).toBe('10.0.2.0/24');
  });

  test('empty lists are written as "none" so that they survive the round trip', () => {
    const settings = resolvePoolSettings({ pool: 'ci', fallbackServerTypes: [], fallbackLocations: [] });
    const values = poolVariableValues(settings);
    expect(values.AIAI_RUNNER_FALLBACK_SERVER_TYPES).toBe('none');
    expect(values).not.toHaveProperty('AIAI_RUNNER_NETWORK_ID');
    expect(values).not.toHaveProperty('AIAI_RUNNER_LOKI_HOST');
    expect(values).not.toHaveProperty('AIAI_RUNNER_SUBNET_IP_RANGE');
    expect(Object.keys(values)).toHaveLength(Object.keys(poolGithubNames().variables).length - 3);
    expect(parsePoolSettings(values)).toEqual(settings);
  });

  test('names per prefix: variables and secrets', () => {
    const names = poolGithubNames('CI_POOL');
    expect(names.variables.serverType).toBe('CI_POOL_SERVER_TYPE');
    expect(names.secrets).toEqual({ hcloudToken: 'CI_POOL_HCLOUD_TOKEN', githubToken: 'CI_POOL_GITHUB_TOKEN' });
    expect(poolGithubNames().variables.maxRunners).toBe(`${DEFAULT_NAME_PREFIX}_MAX_RUNNERS`);
  });

  test('fails if the prefix is not a valid variable name or starts with GITHUB', () => {
    expect(() => poolGithubNames('ci-pool')).toThrow(/variable name prefix "ci-pool" is invalid/);
    expect(() => poolGithubNames('GITHUB_X')).toThrow(/not starting with GITHUB/);
  });
});

describe('fails if ...', () => {
  test('fails if the pool name is missing', () => {
    expect(() => parsePoolSettings({})).toThrow(/AIAI_RUNNER_POOL: got nothing \(not set\); allowed: the pool name/);
  });

  test('fails if the pool name is not a lower-case host name part', () => {
    expect(parseFails({ AIAI_RUNNER_POOL: 'CI_Pool' }).message).toMatch(/AIAI_RUNNER_POOL: got "CI_Pool"; allowed: lower-case letters/);
  });

  test('fails if max runners < 1 (or not an integer)', () => {
    expect(parseFails({ AIAI_RUNNER_MAX_RUNNERS: '0' }).message).toMatch(/AIAI_RUNNER_MAX_RUNNERS: got 0; allowed: an integer from 1 to 100/);
    expect(parseFails({ AIAI_RUNNER_MAX_RUNNERS: 'five' }).message).toMatch(/AIAI_RUNNER_MAX_RUNNERS: got "five"; allowed: an integer$/m);
  });

  test('fails if the server type is unknown, naming the allowed ones', () => {
    expect(parseFails({ AIAI_RUNNER_SERVER_TYPE: 'cpx99' }).message).toMatch(/AIAI_RUNNER_SERVER_TYPE: got "cpx99"; allowed: one of cx23, .*cpx32/);
  });

  test('fails if the server type is deprecated, naming the replacement', () => {
    expect(parseFails({ AIAI_RUNNER_SERVER_TYPE: 'cpx31' }).message).toMatch(/cpx31 is deprecated .* use cpx32/);
  });

  test('fails if a fallback server type has another CPU architecture', () => {
    expect(parseFails({ AIAI_RUNNER_FALLBACK_SERVER_TYPES: 'cx33,cax21' }).message).toMatch(
      /AIAI_RUNNER_FALLBACK_SERVER_TYPES: got "cax21"; allowed: an x64 server type like the primary cpx32/,
    );
  });

  test('fails if the runner labels contain an empty label', () => {
    expect(parseFails({ AIAI_RUNNER_LABELS: 'gpu,,big' }).message).toMatch(/AIAI_RUNNER_LABELS: got ""; allowed: a non-empty label/);
  });

  test('fails if the lifetime is too short for a runner to start and run a job', () => {
    expect(parseFails({ AIAI_RUNNER_MAX_LIFETIME_MINUTES: '15' }).message).toMatch(/AIAI_RUNNER_MAX_LIFETIME_MINUTES: got 15; allowed: an integer from 20 to 10080/);
  });

  test('fails if a location is unknown or an eu-only type is asked for outside the EU', () => {
    expect(parseFails({ AIAI_RUNNER_LOCATION: 'fra1' }).message).toMatch(/AIAI_RUNNER_LOCATION: got "fra1"; allowed: one of fsn1, nbg1, hel1, ash, hil, sin/);
    expect(parseFails({ AIAI_RUNNER_SERVER_TYPE: 'cx33', AIAI_RUNNER_LOCATION: 'ash', AIAI_RUNNER_FALLBACK_SERVER_TYPES: 'none' }).message).toMatch(
      /AIAI_RUNNER_LOCATION: got "ash"; allowed: a location where cx33 is offered: cx\* types are only offered in eu-central/,
    );
  });

  test('fails if a fallback location is in another network zone while a private network is attached', () => {
    expect(parseFails({ AIAI_RUNNER_NETWORK_ID: '12', AIAI_RUNNER_FALLBACK_LOCATIONS: 'nbg1,ash' }).message).toMatch(
      /AIAI_RUNNER_FALLBACK_LOCATIONS: got "ash"; allowed: a location in network zone eu-central/,
    );
  });

  test('fails if IDs are not numeric or there are more than 5 firewalls', () => {
    const e = parseFails({ AIAI_RUNNER_NETWORK_ID: 'net-1', AIAI_RUNNER_FIREWALL_IDS: '1,2,3,4,5,x' });
    expect(e.message).toMatch(/AIAI_RUNNER_NETWORK_ID: got "net-1"; allowed: a numeric Hetzner network ID/);
    expect(e.message).toMatch(/AIAI_RUNNER_FIREWALL_IDS: got "x"; allowed: a numeric Hetzner firewall ID/);
    expect(e.message).toMatch(/at most 5 firewalls/);
  });

  test('fails if server labels set a key the pool owns, or are malformed', () => {
    expect(parseFails({ AIAI_RUNNER_SERVER_LABELS: 'pool=x' }).message).toMatch(/AIAI_RUNNER_SERVER_LABELS: got "pool"; allowed: a key other than role, pool, expires-at, run, runner/);
    expect(parseFails({ AIAI_RUNNER_SERVER_LABELS: 'project' }).message).toMatch(/got "project"; allowed: comma-separated key=value pairs/);
    expect(parseFails({ AIAI_RUNNER_SERVER_LABELS: 'a=-bad-' }).message).toMatch(/got "-bad-"; allowed: a Hetzner label value/);
  });

  test('fails if the image is neither ubuntu-24.04 nor a snapshot ID', () => {
    expect(parseFails({ AIAI_RUNNER_IMAGE: 'debian-12' }).message).toMatch(/AIAI_RUNNER_IMAGE: got "debian-12"; allowed: one of ubuntu-24.04 or the numeric ID/);
  });

  test('fails if another runner version is pinned without its checksums', () => {
    const e = parseFails({ AIAI_RUNNER_ACTIONS_RUNNER_VERSION: '2.330.0' });
    expect(e.message).toMatch(/AIAI_RUNNER_ACTIONS_RUNNER_SHA256_X64: got ""; allowed: the lower-case hex SHA-256 of actions-runner-linux-x64-2.330.0.tar.gz/);
    expect(e.message).toMatch(/AIAI_RUNNER_ACTIONS_RUNNER_SHA256_ARM64/);
  });

  test.each(['10.0.1.256', 'loki.internal', '010.0.1.20', '10.0.1.20/32', '8.8.8.8', '172.32.0.1', ' 10.0.1.20x'])(
    'fails if the Loki host is not a private IPv4 address: %j',
    (ip) => {
      const e = parseFails({ AIAI_RUNNER_NETWORK_ID: '12', AIAI_RUNNER_SERVER_LABELS: 'environment=production', AIAI_RUNNER_LOKI_HOST: ip });
      expect(e.message).toMatch(/AIAI_RUNNER_LOKI_HOST: got ".*"; allowed: the private \(RFC 1918\) IPv4 of the monitoring node/);
      expect(e.problems).toHaveLength(1);
    },
  );

  test('fails if the runner subnet is set without a private network', () => {
    const e = parseFails({ AIAI_RUNNER_SUBNET_IP_RANGE: '10.0.2.0/24' });
    expect(e.message).toMatch(/AIAI_RUNNER_SUBNET_IP_RANGE: got "10.0.2.0\/24"; allowed: unset without a private network \(networkId\)/);
  });

  test.each(['8.8.8.0/24', '10.0.2.0/30', '10.0.2.5/24', '10.0.2.0', 'subnet-2'])('fails if the runner subnet is %j (no private /29 or larger block)', (range) => {
    const e = parseFails({ AIAI_RUNNER_NETWORK_ID: '5', AIAI_RUNNER_SUBNET_IP_RANGE: range });
    expect(e.problems).toEqual([
      { property: 'subnetIpRange', variable: 'subnetIpRange', value: range, allowed: 'the IP range of a subnet of the network (RFC 1918, /29 or larger), e.g. 10.0.2.0/24' },
    ]);
  });

  test('fails if max runners exceed the addresses the runner subnet has', () => {
    const env = { AIAI_RUNNER_NETWORK_ID: '5', AIAI_RUNNER_SUBNET_IP_RANGE: '10.0.2.0/28' };
    expect(parsePoolSettings({ ...base, ...env, AIAI_RUNNER_MAX_RUNNERS: '13' }).maxRunners).toBe(13);
    const e = parseFails({ ...env, AIAI_RUNNER_MAX_RUNNERS: '14' });
    expect(e.message).toMatch(/AIAI_RUNNER_MAX_RUNNERS: got 14; allowed: at most 13 \(the addresses Hetzner can assign in subnet 10.0.2.0\/28\)/);
  });

  test('fails if the Loki host is set without a private network (no way to reach Loki)', () => {
    const e = parseFails({ AIAI_RUNNER_SERVER_LABELS: 'environment=production', AIAI_RUNNER_LOKI_HOST: '10.0.1.20' });
    expect(e.message).toMatch(/AIAI_RUNNER_LOKI_HOST: got "10.0.1.20"; allowed: unset without a private network \(networkId\)/);
  });

  test('fails if the Loki host is set without an environment server label (the environment label of the logs)', () => {
    const e = parseFails({ AIAI_RUNNER_NETWORK_ID: '12', AIAI_RUNNER_SERVER_LABELS: 'project=aiai', AIAI_RUNNER_LOKI_HOST: '192.168.3.4' });
    expect(e.message).toMatch(/AIAI_RUNNER_SERVER_LABELS: got \{"project":"aiai"\}; allowed: labels with an environment label when lokiHost is set/);
  });

  test('every problem is reported at once', () => {
    const e = parseFails({ AIAI_RUNNER_MAX_RUNNERS: '0', AIAI_RUNNER_SERVER_TYPE: 'nope', AIAI_RUNNER_IMAGE: 'x' });
    expect(e.problems.map((p) => p.variable)).toEqual(expect.arrayContaining(['maxRunners', 'serverType', 'image']));
  });
});

describe('construct-side validation', () => {
  test('checkPoolSettings returns problems by setting path and skips unresolved tokens', () => {
    const token = '${TfToken[TOKEN.1]}';
    const problems = checkPoolSettings({ pool: 'ci', maxRunners: 0, firewallIds: [token], networkId: token }, { isUnresolved: (v) => v === token });
    expect(problems).toEqual([{ property: 'maxRunners', variable: 'maxRunners', value: 0, allowed: 'an integer from 1 to 100' }]);
    expect(() => resolvePoolSettings({ pool: 'ci', maxRunners: 0 })).toThrow(/Invalid runner pool settings:\n {2}- maxRunners: got 0/);
  });

  test('a Loki host token (the monitoring node\'s address from another construct) is not parsed at synth', () => {
    const token = '${TfToken[TOKEN.2]}';
    const input = { pool: 'ci', networkId: '5', lokiHost: token, serverLabels: { environment: 'production' } };
    expect(checkPoolSettings(input, { isUnresolved: (v) => v === token })).toEqual([]);
    expect(checkPoolSettings(input).map((p) => p.property)).toEqual(['lokiHost']);
  });
});

describe('names and labels', () => {
  test('runner names are host names of at most 63 characters, distinct per job', () => {
    expect(runnerName('ci', '9001-1', 'build')).toBe('ci-9001-1-build');
    const long = runnerName('a-rather-long-pool01', '12345678901-12', 'integration_tests_against_the_database_with_a_long_name');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])$/);
    expect(runnerName('ci', '1-1', 'Build')).not.toBe(runnerName('ci', '1-1', 'build'));
    expect(runnerName('ci', '1-1', 'test_a')).not.toBe(runnerName('ci', '1-1', 'test-a'));
    expect(() => runnerName('ci', 'Run 1', 'x')).toThrow(/run key "Run 1" is invalid/);
  });

  test('server labels: the pool bookkeeping wins over extra labels', () => {
    const s = resolvePoolSettings({ pool: 'ci', serverLabels: { project: 'aiai' } });
    expect(serverLabelsFor(s, '1-1', 'ci-1-1-a', 1700000000)).toEqual({
      project: 'aiai',
      role: 'ci-runner',
      pool: 'ci',
      run: '1-1',
      runner: 'ci-1-1-a',
      'expires-at': '1700000000',
    });
  });

  test('architecture by server type: cax is arm64, the rest x64', () => {
    expect(runnerArchitecture('cax11')).toBe('arm64');
    expect(runnerArchitecture('cpx32')).toBe('x64');
    expect(runnerArchitecture('ccx13')).toBe('x64');
  });

  test('placement order: every type in a location before the next location; cx types skipped outside the EU', () => {
    const s = resolvePoolSettings({ pool: 'ci', serverType: 'cpx32', fallbackServerTypes: ['cx33'], location: 'fsn1', fallbackLocations: ['ash'] });
    expect(placementCandidates(s)).toEqual([
      { serverType: 'cpx32', location: 'fsn1' },
      { serverType: 'cx33', location: 'fsn1' },
      { serverType: 'cpx32', location: 'ash' },
    ]);
  });
});
