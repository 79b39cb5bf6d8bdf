import type { OrderContribution } from '../../model/customer';

export interface CategoryShare {
  readonly category: string;
  /** Share of the customer's net spend on categorised products, 0-1. */
  readonly share: number;
}

/**
 * The customer's categories by share of net spend: refunds and cancellations already took their lines' value to
 * zero, so a returned purchase does not make a category the customer's favourite. Spend on products without a
 * category is left out of the denominator (a store that categorises half its catalogue still ranks the half it
 * does). Ties go to the category bought most recently, then by name, so the order is stable. Pure.
 */
export function categoryAffinity(orders: readonly OrderContribution[], top: number): CategoryShare[] {
  // Tallies in parallel arrays, searched linearly: this runs for every assessed customer and every shipment
  // event's TopCategory, and most customers have one or two categories (a Map and a tally object each cost more).
  // A history of many categories gets an index, so a wholesale customer is not searched quadratically.
  const names: string[] = [];
  const minor: number[] = [];
  const last: number[] = [];
  let index: Map<string, number> | null = null;
  let total = 0;
  for (let o = 0; o < orders.length; o++) {
    const items = orders[o].items;
    if (items === undefined) continue;
    for (const item of items) {
      if (item.category === null || item.netMinor <= 0) continue;
      const at = index !== null ? index.get(item.category) ?? -1 : names.indexOf(item.category);
      if (at >= 0) {
        minor[at] += item.netMinor;
        last[at] = o;
      } else {
        names.push(item.category);
        minor.push(item.netMinor);
        last.push(o);
        if (index !== null) index.set(item.category, names.length - 1);
        else if (names.length > 16) index = new Map(names.map((name, i) => [name, i]));
      }
      total += item.netMinor;
    }
  }
  if (total <= 0) return [];
  const ranked = names.map((_, i) => i);
  if (ranked.length > 1) ranked.sort((a, b) => minor[b] - minor[a] || last[b] - last[a] || (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  const shares: CategoryShare[] = [];
  for (let i = 0; i < ranked.length && i < top; i++) shares.push({ category: names[ranked[i]], share: Number((minor[ranked[i]] / total).toFixed(3)) });
  return shares;
}

/** `ss_category_affinity` as Klaviyo can segment on it (a list of text): "category 62%". */
export function affinityLabels(shares: readonly CategoryShare[]): string[] {
  return shares.map((s) => `${s.category} ${Math.round(s.share * 100)}%`);
}
