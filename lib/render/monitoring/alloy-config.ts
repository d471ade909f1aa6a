import { isValidLabelValue } from '../../core/labels';
import { DAY_MS, MINUTE_MS } from '../../core/time';
import { PropValidator } from '../../core/validation-error';
import { checkDuration, checkMustBeLiteral, HOSTNAME, isIpv4, LABEL_NAME, validateIdentity } from './common';
import { AlloyStatement } from './alloy-syntax';
import { AlloyConfigOptions, alloyPipeline, LogLabels, renderAlloyPipeline, StreamLabels } from './alloy-pipeline';

/*
 * The pipeline itself is built in ./alloy-pipeline.ts, which imports nothing that reaches cdktf (the
 * runner CLI renders it at run time); this module adds the synth-time validation.
 */
export type { AlloyConfigOptions } from './alloy-pipeline';
export { alloyPipeline, LOKI_PUSH_PATH, LogLabels, renderAlloyPipeline, StreamLabels } from './alloy-pipeline';

const RESERVED = new Set<string>([...Object.values(StreamLabels), LogLabels.job, LogLabels.unit, LogLabels.level, 'filename']);

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
  checkDuration(v, 'journalMaxAge', o.journalMaxAge, { min: MINUTE_MS, max: 30 * DAY_MS, minText: '1m', maxText: '30d' });
}

/** The Alloy statements, validated (exposed for structural tests). */
export function alloyStatements(o: AlloyConfigOptions): AlloyStatement[] {
  check(o);
  return alloyPipeline(o);
}

/**
 * `/etc/alloy/config.alloy` of one host: the systemd journal and /var/log/aiai/*.log, shipped to
 * Loki on the monitoring host over the private network with host/role/environment labels.
 */
export function renderAlloyConfig(o: AlloyConfigOptions): string {
  check(o);
  return renderAlloyPipeline(o);
}

function check(o: AlloyConfigOptions): void {
  const v = new PropValidator('AlloyConfig');
  validateAlloyConfigOptions(v, o);
  v.throwIfInvalid();
}
