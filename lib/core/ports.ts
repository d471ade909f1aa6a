/**
 * Every TCP port of the platform, defined once. Cloud firewalls, host ufw rules, systemd units,
 * env files and scrape configs all read their port from here.
 */
export interface ServicePort {
  /** Short stable name, used in rule comments and descriptions. */
  readonly name: string;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  readonly description: string;
}

function port(name: string, p: number, description: string): ServicePort {
  return { name, port: p, protocol: 'tcp', description };
}

export const Ports = {
  /** OpenSSH. Public only from the admin CIDRs. */
  ssh: port('ssh', 22, 'SSH'),
  /** The orchestrator's HTTP API, behind the load balancer (and its `/health` check). */
  orchestratorApi: port('orchestrator-api', 8000, 'aiai orchestrator API'),
  /** The aiai metrics exporter (`aiai-metrics.service`): the ONE application metrics port. */
  aiaiMetrics: port('aiai-metrics', 9091, 'aiai application metrics'),
  /** Prometheus node exporter, on every host. */
  nodeExporter: port('node-exporter', 9100, 'Prometheus node exporter'),
  /** Grafana Alloy's own HTTP server (UI and self metrics). */
  alloy: port('alloy', 12345, 'Grafana Alloy'),
  prometheus: port('prometheus', 9090, 'Prometheus'),
  alertmanager: port('alertmanager', 9093, 'Alertmanager'),
  grafana: port('grafana', 3000, 'Grafana'),
  loki: port('loki', 3100, 'Loki HTTP (push and query)'),
  lokiGrpc: port('loki-grpc', 9096, 'Loki gRPC'),
} as const;

export type PortName = keyof typeof Ports;
