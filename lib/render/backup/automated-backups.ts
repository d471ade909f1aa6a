import { HetznerLimits, serverType } from '../../hetzner/catalog';

/**
 * Hetzner's automated server backups (`backups = true` on a server): 7 daily backups kept by
 * Hetzner in a window Hetzner picks, restorable from the console or the API. They cost a fixed
 * share of the server price (Hetzner docs "Backups"). Unlike our snapshot rotation they need no
 * token on a host, but they are tied to the server: deleting the server deletes its backups
 * (convert one to a snapshot first). See docs/disaster-recovery.md.
 */
export const AutomatedBackups = {
  /** Backups Hetzner keeps per server. */
  slots: 7,
  /** Share of the server's monthly price the option costs. */
  priceFraction: HetznerLimits.backupPriceFraction,
} as const;

/**
 * Monthly price in EUR of automated backups for a server type (20 % of the server price), or
 * undefined when the catalog has no price for the type. Throws for unknown or deprecated types.
 */
export function automatedBackupsMonthlyCostEur(serverTypeName: string): number | undefined {
  const price = serverType(serverTypeName).priceEurMonthly;
  if (price === undefined) return undefined;
  return Math.round(price * AutomatedBackups.priceFraction * 100) / 100;
}
