/**
 * The research doc's address plan, as host offsets inside the cloud subnet (10.0.1.0/24 by default):
 * load balancer .5, orchestrators .10/.11, monitoring .20, runners from .30.
 */
export const IpPlan = {
  loadBalancer: 5,
  orchestratorPrimary: 10,
  orchestratorStandby: 11,
  monitoring: 20,
  runnersFrom: 30,
} as const;

/** Hetzner reserves the first host address of every subnet for its gateway. */
export const RESERVED_GATEWAY_OFFSET = 1;
