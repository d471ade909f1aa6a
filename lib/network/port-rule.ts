import { ServicePort } from '../core/ports';

/** Who may reach a port on a host. */
export type PortSource =
  /** The private network's whole range (Hetzner cloud firewalls do not filter private traffic; ufw does). */
  | { readonly kind: 'private' }
  /** The admin CIDRs, over the public interface (and the private range). */
  | { readonly kind: 'admin' }
  /** Explicit CIDRs. */
  | { readonly kind: 'cidrs'; readonly cidrs: readonly string[] };

export interface PortRule {
  readonly port: ServicePort;
  readonly from: PortSource;
}

export const PortSources = {
  private: { kind: 'private' } as PortSource,
  admin: { kind: 'admin' } as PortSource,
  cidrs: (cidrs: readonly string[]): PortSource => ({ kind: 'cidrs', cidrs }),
};
