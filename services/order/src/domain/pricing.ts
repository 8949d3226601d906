// Pricing a checkout: every line at the catalog's price as of a known item version (never a price a client
// sent), totals in integer minor units. Items the catalog no longer sells become stock alerts with nothing available.

export interface WantedLine {
  itemId: string;
  quantity: number;
  /** The cart's name for the line, used only if the catalog does not know the item. */
  name: string;
}

/** What pricing needs from a catalog item. */
export interface CatalogPrice {
  id: string;
  name: string;
  onSale: boolean;
  currency: string;
  minorUnits: bigint;
  /** The catalog item version the price is of. */
  version: bigint;
}

export interface PricedLine {
  itemId: string;
  name: string;
  quantity: number;
  unitPriceMinor: bigint;
  /** The catalog item version the line was priced at (absent on lines priced before versions were recorded). */
  itemVersion?: bigint;
}

export interface UnsellableLine {
  itemId: string;
  name: string;
  requested: number;
}

export interface PricedCheckout {
  lines: PricedLine[];
  /** Lines that cannot be bought at all (missing, archived, or priced in another currency). */
  unsellable: UnsellableLine[];
  totalMinor: bigint;
}

export function lineTotalMinor(line: { quantity: number; unitPriceMinor: bigint }): bigint {
  return BigInt(line.quantity) * line.unitPriceMinor;
}

export function totalMinor(lines: { quantity: number; unitPriceMinor: bigint }[]): bigint {
  return lines.reduce((sum, l) => sum + lineTotalMinor(l), 0n);
}

/** Merges repeated items (a cart should not have them, but a checkout must never reserve an item twice). */
export function mergeLines(lines: WantedLine[]): WantedLine[] {
  const byItem = new Map<string, WantedLine>();
  for (const l of lines) {
    const seen = byItem.get(l.itemId);
    if (seen) seen.quantity += l.quantity;
    else byItem.set(l.itemId, { ...l });
  }
  return [...byItem.values()];
}

export function priceLines(wanted: WantedLine[], catalog: Map<string, CatalogPrice>, storeCurrency: string): PricedCheckout {
  const lines: PricedLine[] = [];
  const unsellable: UnsellableLine[] = [];
  for (const w of mergeLines(wanted)) {
    const item = catalog.get(w.itemId);
    if (!item || !item.onSale || item.currency !== storeCurrency || item.minorUnits < 0n) {
      unsellable.push({ itemId: w.itemId, name: item?.name ?? w.name, requested: w.quantity });
      continue;
    }
    lines.push({ itemId: item.id, name: item.name, quantity: w.quantity, unitPriceMinor: item.minorUnits, itemVersion: item.version });
  }
  return { lines, unsellable, totalMinor: totalMinor(lines) };
}
