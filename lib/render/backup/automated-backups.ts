import { serverType } from '../../hetzner/catalog';
import { CURRENT_PRICE_CATALOG, priceCatalog } from '../../cost/price-catalog';

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
  /** Share of the server's monthly price the option costs (from the price catalog). */
  priceFraction: priceCatalog(CURRENT_PRICE_CATALOG).serverBackupFraction.value,
} as const;

/**
 * Monthly price in EUR of automated backups for a server type (20 % of the server price) in a
 * price catalog, or undefined when the catalog has no price for the type. Throws for unknown or
 * deprecated types.
 * @param catalog price catalog id @default CURRENT_PRICE_CATALOG
 */
export function automatedBackupsMonthlyCostEur(serverTypeName: string, catalog: string = CURRENT_PRICE_CATALOG): number | undefined {
  serverType(serverTypeName);
  const c = priceCatalog(catalog);
  const price = c.serverTypes[serverTypeName]?.monthlyEur;
  if (price === undefined) return undefined;
  return Math.round(price * c.serverBackupFraction.value * 100) / 100;
}
