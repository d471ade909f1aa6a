import { isValidLabelValue } from '../../core/labels';
import { Ports } from '../../core/ports';
import { PropValidator } from '../../core/validation-error';
import { DEFAULT_PROJECT } from '../../core/platform';
import { checkDuration, checkMustBeLiteral, GENERATED_HEADER, HOSTNAME, isIpv4, LABEL_NAME, MonitoringIdentity, validateIdentity } from './common';
import { AlloyStatement, attr, block, ref, renderAlloy } from './alloy-syntax';
import { MonitoringPaths, monitoringPaths } from './paths';
import { TargetLabels } from './prometheus-config';

/** Log shipping of one host (every host of the platform runs it). */
export interface AlloyConfigOptions extends MonitoringIdentity {
  /** This host's name: the `host` label of its logs. */
  readonly hostname: string;
  /** This host's role (a Roles value): the `role` label of its logs. */
  readonly role: string;
  /** Private IPv4 of the monitoring host, where Loki listens. */
  readonly lokiHost: string;
  /** More labels for every log line of the host (names `[a-zA-Z_][a-zA-Z0-9_]*`, values any text). @default - none */
  readonly extraLabels?: Readonly<Record<string, string>>;
  /** Journal entries older than this are not read on first start. @default '12h' */
  readonly journalMaxAge?: string;
  /** Path override (tests). @default monitoringPaths() */
  readonly paths?: MonitoringPaths;
}

/** Loki's push endpoint path. */
export const LOKI_PUSH_PATH = '/loki/api/v1/push';

/** Label names of shipped logs. */
export const LogLabels = {
  /** `systemd-journal` or `aiai`. */
  job: 'job',
  /** systemd unit of a journal entry. */
  unit: 'unit',
  /** Journal priority keyword (`err`, `info`, ...). */
  level: 'level',
} as const;

const RESERVED = new Set<string>([TargetLabels.host, TargetLabels.role, TargetLabels.environment, 'project', LogLabels.job, LogLabels.unit, LogLabels.level, 'filename']);

export function validateAlloyConfigOptions(v: PropValidator, o: AlloyConfigOptions): void {
  validateIdentity(v, o);
  if (checkMustBeLiteral(v, 'hostname', o.hostname)) {
    v.check('hostname', o.hostname, typeof o.hostname === 'string' && HOSTNAME.test(o.hostname), 'a host name of lowercase letters, digits and `-`, at most 63 chars');
  }
  if (checkMustBeLiteral(v, 'role', o.role)) {
    v.check('role', o.role, typeof o.role === 'string' && o.role.length > 0 && isValidLabelValue(o.role), 'a non-empty Hetzner label value');
  }
  if (checkMustBeLiteral(v, 'lokiHost', o.lokiHost)) {
    v.check('lokiHost', o.lokiHost, typeof o.lokiHost === 'string' && isIpv4(o.lokiHost), 'the private IPv4 of the monitoring host, e.g. 10.0.1.20');
  }
  for (const [name, value] of Object.entries(o.extraLabels ?? {})) {
    v.check(
      `extraLabels.${name}`,
      name,
      LABEL_NAME.test(name) && !name.startsWith('__') && !RESERVED.has(name),
      `a label name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with __, not one of ${[...RESERVED].join(', ')}`,
    );
    v.check(`extraLabels.${name}`, value, typeof value === 'string' && value.length <= 1024, 'a string of at most 1024 characters');
  }
  checkDuration(v, 'journalMaxAge', o.journalMaxAge, { min: 60_000, max: 30 * 86_400_000, minText: '1m', maxText: '30d' });
}

/** The Alloy statements (exposed for structural tests). */
export function alloyStatements(o: AlloyConfigOptions): AlloyStatement[] {
  const v = new PropValidator('AlloyConfig');
  validateAlloyConfigOptions(v, o);
  v.throwIfInvalid();
  const paths = o.paths ?? monitoringPaths();
  const receiver = ref('loki.write.monitoring.receiver');
  return [
    block('logging', undefined, [attr('level', 'info'), attr('format', 'logfmt')]),
    block('loki.write', 'monitoring', [
      block('endpoint', undefined, [attr('url', `http://${o.lokiHost}:${Ports.loki.port}${LOKI_PUSH_PATH}`)]),
      attr('external_labels', {
        [TargetLabels.host]: o.hostname,
        [TargetLabels.role]: o.role,
        [TargetLabels.environment]: o.environment,
        project: o.project ?? DEFAULT_PROJECT,
        ...(o.extraLabels ?? {}),
      }),
    ]),
    block('loki.relabel', 'journal', [
      attr('forward_to', []),
      block('rule', undefined, [attr('source_labels', ['__journal__systemd_unit']), attr('target_label', LogLabels.unit)]),
      block('rule', undefined, [attr('source_labels', ['__journal_priority_keyword']), attr('target_label', LogLabels.level)]),
    ]),
    block('loki.source.journal', 'journal', [
      attr('max_age', o.journalMaxAge ?? '12h'),
      attr('relabel_rules', ref('loki.relabel.journal.rules')),
      attr('labels', { [LogLabels.job]: 'systemd-journal' }),
      attr('forward_to', [receiver]),
    ]),
    block('local.file_match', 'aiai', [attr('path_targets', [{ __path__: paths.aiaiLogGlob, [LogLabels.job]: 'aiai' }])]),
    block('loki.source.file', 'aiai', [attr('targets', ref('local.file_match.aiai.targets')), attr('forward_to', [receiver])]),
  ];
}

/**
 * `/etc/alloy/config.alloy` of one host: the systemd journal and /var/log/aiai/*.log, shipped to
 * Loki on the monitoring host over the private network with host/role/environment labels.
 */
export function renderAlloyConfig(o: AlloyConfigOptions): string {
  return renderAlloy(alloyStatements(o), GENERATED_HEADER);
}
