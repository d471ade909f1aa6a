/**
 * The Alloy pipeline of one host's log shipping, as text, without validation (the runtime-safe
 * half; ./alloy-config.ts is the validating synth-time half): the Alloy pipeline (journald and
 * /var/log/aiai/*.log to Loki) and `/etc/default/alloy`.
 *
 * Runtime code renders it too (the `aiai-runner` CLI writes it into an ephemeral runner's
 * cloud-init), so this module and everything it imports must not reach cdktf or constructs
 * (guarded by __tests__/runner-manager/imports.test.ts). Validation lives elsewhere: at synth in
 * ./alloy-config.ts (`validateAlloyConfigOptions`, which `renderAlloyConfig` runs first), at run
 * time in lib/runner-manager (settings and user-data checks). Every value is written through the
 * Alloy syntax writer, which quotes strings, so an unchecked value cannot change the structure.
 */
import type { MonitoringIdentity } from './common';
import { Ports } from '../../core/ports';
import { DEFAULT_PROJECT } from '../../core/platform';
import { AlloyStatement, attr, block, ref, renderAlloy } from './alloy-syntax';
import { MonitoringPaths, monitoringPaths } from './paths';
import { GENERATED_HEADER } from './strings';
import { invalid } from '../../core/validation-error';

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

/**
 * Labels of every log stream of a host. host, role and environment are the names the Prometheus
 * targets carry too (TargetLabels), so a dashboard can go from a host's metrics to its logs.
 */
export const StreamLabels = {
  host: 'host',
  role: 'role',
  environment: 'environment',
  project: 'project',
} as const;

/** Label names of shipped logs. */
export const LogLabels = {
  /** `systemd-journal` or `aiai`. */
  job: 'job',
  /** systemd unit of a journal entry. */
  unit: 'unit',
  /** Journal priority keyword (`err`, `info`, ...). */
  level: 'level',
} as const;

/** Default of {@link AlloyConfigOptions.journalMaxAge}. */
export const DEFAULT_JOURNAL_MAX_AGE = '12h';

/**
 * The Alloy statements of a host's pipeline, not validated (see the module comment; synth-time
 * callers use `alloyStatements` of ./alloy-config.ts, which validates first).
 */
export function alloyPipeline(o: AlloyConfigOptions): AlloyStatement[] {
  const paths = o.paths ?? monitoringPaths();
  const receiver = ref('loki.write.monitoring.receiver');
  return [
    block('logging', undefined, [attr('level', 'info'), attr('format', 'logfmt')]),
    block('loki.write', 'monitoring', [
      block('endpoint', undefined, [attr('url', `http://${o.lokiHost}:${Ports.loki.port}${LOKI_PUSH_PATH}`)]),
      attr('external_labels', {
        [StreamLabels.host]: o.hostname,
        [StreamLabels.role]: o.role,
        [StreamLabels.environment]: o.environment,
        [StreamLabels.project]: o.project ?? DEFAULT_PROJECT,
        ...(o.extraLabels ?? {}),
      }),
    ]),
    block('loki.relabel', 'journal', [
      attr('forward_to', []),
      block('rule', undefined, [attr('source_labels', ['__journal__systemd_unit']), attr('target_label', LogLabels.unit)]),
      block('rule', undefined, [attr('source_labels', ['__journal_priority_keyword']), attr('target_label', LogLabels.level)]),
    ]),
    block('loki.source.journal', 'journal', [
      attr('max_age', o.journalMaxAge ?? DEFAULT_JOURNAL_MAX_AGE),
      attr('relabel_rules', ref('loki.relabel.journal.rules')),
      attr('labels', { [LogLabels.job]: 'systemd-journal' }),
      attr('forward_to', [receiver]),
    ]),
    block('local.file_match', 'aiai', [attr('path_targets', [{ __path__: paths.aiaiLogGlob, [LogLabels.job]: 'aiai' }])]),
    block('loki.source.file', 'aiai', [attr('targets', ref('local.file_match.aiai.targets')), attr('forward_to', [receiver])]),
  ];
}

/** `/etc/alloy/config.alloy` text of {@link alloyPipeline}, not validated. */
export function renderAlloyPipeline(o: AlloyConfigOptions): string {
  return renderAlloy(alloyPipeline(o), GENERATED_HEADER);
}

/** The packaged alloy.service reads its arguments from here. */
export const ALLOY_ENVIRONMENT_FILE = '/etc/default/alloy';

/**
 * `/etc/default/alloy` (read by the packaged alloy.service): our config file, Alloy's own HTTP
 * server on 127.0.0.1 at Ports.alloy, no usage reporting.
 */
export function renderAlloyEnvironment(configFile = '/etc/alloy/config.alloy'): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(configFile)) invalid('renderAlloyEnvironment', 'configFile', configFile, 'a valid Alloy config path: absolute, of letters, digits and ._/-');
  return [
    '# Generated by aiai-hetzner (lib/render/monitoring). Read by alloy.service.',
    `CONFIG_FILE="${configFile}"`,
    `CUSTOM_ARGS="--server.http.listen-addr=127.0.0.1:${Ports.alloy.port} --disable-reporting"`,
    'RESTART_ON_UPGRADE=true',
    '',
  ].join('\n');
}
