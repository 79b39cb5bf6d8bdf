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
export function categoryAffinity(orders: readonly OrderContribution[], top: number): readonly CategoryShare[] {
  // Tallied in the module's scratch arrays, searched linearly: this runs for every assessed customer and every
  // shipment event's TopCategory, and most customers have one or two categories. Fresh arrays (and a Map, a sort,
  // a ranking list) per call were the feature's largest allocation. Safe to share: nothing here awaits or recurses.
  // A history of many categories gets an index, so a wholesale customer is not searched quadratically.
  const { names, minor, last } = TALLY;
  let count = 0;
  let index: Map<string, number> | null = null;
  let total = 0;
  for (let o = 0; o < orders.length; o++) {
    const items = orders[o].items;
    if (items === undefined) continue;
    for (const item of items) {
      if (item.category === null || item.netMinor <= 0) continue;
      let at = -1;
      if (index !== null) at = index.get(item.category) ?? -1;
      else for (let i = 0; i < count; i++) if (names[i] === item.category) { at = i; break; }
      if (at >= 0) {
        minor[at] += item.netMinor;
        last[at] = o;
      } else {
        names[count] = item.category;
        minor[count] = item.netMinor;
        last[count] = o;
        count += 1;
        if (index !== null) index.set(item.category, count - 1);
        else if (count > 16) index = new Map(names.slice(0, count).map((name, i) => [name, i]));
      }
      total += item.netMinor;
    }
  }
  // One category (most customers): one shared value per category, so its labels are made once (profile-fields.ts).
  if (count === 1 && top > 0) {
    const category = names[0];
    names[0] = '';
    return soleCategory(category);
  }
  const shares: CategoryShare[] = [];
  // The best `top` by selection, each pass taking the best not yet taken: `top` is three, and a sort of every
  // category was the same order at more cost. Ties: bought more recently, then by name.
  for (let k = 0; total > 0 && k < top && k < count; k++) {
    let best = -1;
    for (let i = 0; i < count; i++) if (minor[i] >= 0 && (best < 0 || before(i, best))) best = i;
    shares.push({ category: names[best], share: Number((minor[best] / total).toFixed(3)) });
    minor[best] = -1; // taken (spend is positive, so no untaken tally is negative)
  }
  names.fill('', 0, count); // no category name kept alive between calls
  return shares;
}

/**
 * The affinity of a customer who bought in one category, one value per category name. Bounded: a store that
 * names categories without end starts the values over rather than keeping them all.
 */
const SOLE = new Map<string, readonly CategoryShare[]>();
function soleCategory(category: string): readonly CategoryShare[] {
  let shares = SOLE.get(category);
  if (shares === undefined) {
    if (SOLE.size >= 10_000) SOLE.clear();
    shares = Object.freeze([Object.freeze({ category, share: 1 })]);
    SOLE.set(category, shares);
  }
  return shares;
}

/** The scratch tallies: category names, their net spend in minor units, and the index of their latest order. */
const TALLY = { names: [] as string[], minor: [] as number[], last: [] as number[] };

function before(a: number, b: number): boolean {
  const { names, minor, last } = TALLY;
  if (minor[a] !== minor[b]) return minor[a] > minor[b];
  if (last[a] !== last[b]) return last[a] > last[b];
  return names[a] < names[b];
}

/** `ss_category_affinity` as Klaviyo can segment on it (a list of text): "category 62%". */
export function affinityLabels(shares: readonly CategoryShare[]): string[] {
  return shares.map((s) => `${s.category} ${Math.round(s.share * 100)}%`);
}
