import { PropValidator } from '../../core/validation-error';
import { checkMustBeLiteral } from './common';
import { architectureOfServerType, InstallOptions, InstallPlan, logShippingPlanFor, monitoringPlanFor } from './install-plan';

/*
 * The plans themselves are built in ./install-plan.ts, which imports nothing that reaches cdktf
 * (the runner CLI uses it at run time); this module adds the synth-time validation.
 */
export * from './install-plan';

const VERSION_PATTERN = /^\d+(\.\d+){1,2}(-[0-9A-Za-z.+~]+)?$|^\d+(\.\d+){0,1}\.\*$/;

export function validateInstallOptions(v: PropValidator, o: InstallOptions): void {
  if (checkMustBeLiteral(v, 'serverType', o.serverType)) {
    v.check('serverType', o.serverType, typeof o.serverType === 'string' && /^[a-z]+\d+[a-z]*$/.test(o.serverType), 'a Hetzner server type like cax21 or cx33');
  }
  for (const [name, value] of Object.entries(o.versions ?? {})) {
    v.check(`versions.${name}`, value, typeof value === 'string' && VERSION_PATTERN.test(value), "an exact version ('13.2.3', '1.20.1-1') or a series ('13.2.*')");
  }
  if (o.grafanaAptKey !== undefined) {
    v.check('grafanaAptKey', '<key>', /^-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----\s*$/.test(o.grafanaAptKey), 'an ASCII-armored PGP public key');
  }
}

function validated(o: InstallOptions): void {
  const v = new PropValidator('MonitoringInstall');
  validateInstallOptions(v, o);
  v.throwIfInvalid();
}

/** Every host of the platform (the monitoring host too): node exporter (Ubuntu) and Alloy (Grafana repository). */
export function logShippingInstallPlan(o: InstallOptions): InstallPlan {
  validated(o);
  return logShippingPlanFor(architectureOfServerType(o.serverType), o);
}

/**
 * The server side on the monitoring host: Prometheus and Alertmanager from Ubuntu, Grafana and Loki
 * from Grafana's repository. Combine it with {@link logShippingInstallPlan} (node exporter, Alloy),
 * which every host gets; the two plans share the APT source and write different pin files.
 */
export function monitoringInstallPlan(o: InstallOptions): InstallPlan {
  validated(o);
  return monitoringPlanFor(architectureOfServerType(o.serverType), o);
}
