import { PropValidator } from '../../core/validation-error';
import { DAY_MS, MINUTE_MS } from '../../core/time';
import { checkDuration, GENERATED_HEADER, quoteString, toYaml } from './common';
import { HOST_SYMPTOM_ALERTS } from './alert-rules';
import { MonitoringHostOptions } from './options';
import { credentialPath, MonitoringSecrets, monitoringPaths } from './paths';
import { TargetLabels } from './prometheus-config';

/**
 * How notifications leave Alertmanager. Both take their URL from a secret file delivered after boot.
 *
 * - `webhook`: Alertmanager's generic webhook JSON.
 * - `slack`: Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, ...).
 *
 * The rendered file names the secret with `url_file` / `api_url_file`, but Alertmanager never reads
 * it that way: Alertmanager 0.26 (Ubuntu 24.04) panics on any non-2xx answer of a webhook that uses
 * `url_file` (fixed in 0.28). The file is a template; at every start the unit's ExecStartPre= runs
 * cloud-init/monitoring/aiai-alertmanager-config.sh, which writes the effective config with the URLs
 * inline (`url` / `api_url`) into the unit's private runtime directory (see `monitoringDropIns`).
 */
export type AlertReceiverKind = 'webhook' | 'slack';

export interface AlertmanagerConfigOptions extends Pick<MonitoringHostOptions, 'paths' | 'volumeMountpoint'> {
  /** Kind of the notification receiver. @default 'webhook' */
  readonly receiver?: AlertReceiverKind;
  /**
   * Route the always-firing `Watchdog` alert to a heartbeat URL (secret `alertmanager-heartbeat-url`)
   * every `heartbeatInterval`. Enable together with AlertRulesOptions.heartbeat.
   * @default false
   */
  readonly heartbeat?: boolean;
  /** How often the heartbeat is repeated. @default '5m' */
  readonly heartbeatInterval?: string;
  /** Wait before the first notification of a new group. @default '30s' (critical alerts: 10s) */
  readonly groupWait?: string;
  /** Wait before notifying about new alerts of a group already notified. @default '5m' */
  readonly groupInterval?: string;
  /** Repeat of still-firing warnings. @default '4h' (critical: 1h, info: 24h) */
  readonly repeatInterval?: string;
}

/** Receiver names (routes and tests refer to them). */
export const Receivers = {
  notify: 'notify',
  heartbeat: 'heartbeat',
  /** Receives nothing: alerts of severity `none` end here. */
  blackhole: 'blackhole',
} as const;

export function validateAlertmanagerConfigOptions(v: PropValidator, o: AlertmanagerConfigOptions): void {
  if (o.receiver !== undefined) v.check('receiver', o.receiver, o.receiver === 'webhook' || o.receiver === 'slack', "'webhook' or 'slack'");
  checkDuration(v, 'heartbeatInterval', o.heartbeatInterval, { min: 60_000, max: 3_600_000, minText: '1m', maxText: '1h' });
  checkDuration(v, 'groupWait', o.groupWait, { min: 0, max: 3_600_000, minText: '0s', maxText: '1h' });
  checkDuration(v, 'groupInterval', o.groupInterval, { min: MINUTE_MS, max: DAY_MS, minText: '1m', maxText: '1d' });
  checkDuration(v, 'repeatInterval', o.repeatInterval, { min: MINUTE_MS, max: 7 * DAY_MS, minText: '1m', maxText: '7d' });
}

const matcher = (name: string, value: string) => `${name}=${quoteString(value)}`;
const regexMatcher = (name: string, values: readonly string[]) => `${name}=~${quoteString(values.join('|'))}`;

/** The Alertmanager config as data. */
export function alertmanagerConfig(o: AlertmanagerConfigOptions = {}): Record<string, unknown> {
  const v = new PropValidator('AlertmanagerConfig');
  validateAlertmanagerConfigOptions(v, o);
  v.throwIfInvalid();
  const paths = o.paths ?? monitoringPaths(o.volumeMountpoint);
  const kind = o.receiver ?? 'webhook';
  const urlFile = credentialPath(paths, MonitoringSecrets.alertWebhookUrl);
  const notifyReceiver =
    kind === 'webhook'
      ? { name: Receivers.notify, webhook_configs: [{ url_file: urlFile, send_resolved: true }] }
      : { name: Receivers.notify, slack_configs: [{ api_url_file: urlFile, send_resolved: true }] };

  const routes: Record<string, unknown>[] = [];
  if (o.heartbeat) {
    routes.push({
      receiver: Receivers.heartbeat,
      matchers: [matcher('alertname', 'Watchdog')],
      group_wait: '0s',
      group_interval: '1m',
      repeat_interval: o.heartbeatInterval ?? '5m',
    });
  }
  routes.push(
    { receiver: Receivers.blackhole, matchers: [matcher('severity', 'none')] },
    { receiver: Receivers.notify, matchers: [matcher('severity', 'critical')], group_wait: '10s', repeat_interval: '1h' },
    { receiver: Receivers.notify, matchers: [matcher('severity', 'info')], repeat_interval: '24h' },
  );

  const receivers: Record<string, unknown>[] = [notifyReceiver, { name: Receivers.blackhole }];
  if (o.heartbeat) {
    receivers.push({
      name: Receivers.heartbeat,
      webhook_configs: [{ url_file: credentialPath(paths, MonitoringSecrets.heartbeatUrl), send_resolved: false }],
    });
  }

  return {
    route: {
      receiver: Receivers.notify,
      group_by: ['alertname', TargetLabels.environment],
      group_wait: o.groupWait ?? '30s',
      group_interval: o.groupInterval ?? '5m',
      repeat_interval: o.repeatInterval ?? '4h',
      routes,
    },
    receivers,
    inhibit_rules: [
      {
        // A down host explains every other alert about it.
        source_matchers: [matcher('alertname', 'HostDown')],
        target_matchers: [regexMatcher('alertname', HOST_SYMPTOM_ALERTS)],
        equal: [TargetLabels.host],
      },
      {
        source_matchers: [matcher('alertname', 'MonitoringVolumeAlmostFull')],
        target_matchers: [matcher('alertname', 'MonitoringVolumeFillingUp')],
        equal: [TargetLabels.host, 'mountpoint'],
      },
    ],
  };
}

/**
 * `alertmanager.yml`, the template: no secret inside. Every URL is a `url_file`/`api_url_file` line
 * naming the unit's credential, which the config script replaces by the inline URL; keep those
 * values plain absolute paths on one line (the script refuses anything else).
 */
export function renderAlertmanagerConfig(o: AlertmanagerConfigOptions = {}): string {
  return toYaml(alertmanagerConfig(o), GENERATED_HEADER);
}
