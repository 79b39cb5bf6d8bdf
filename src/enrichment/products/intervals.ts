import type { OrderContribution } from '../../model/customer';
import type { ProductsConfig } from './config';
import { perUnitGap } from './learn';
import { median, quantile } from './top-counts';
import { memoByValue } from '../../util/memo';
import type { CategoryStats, LearnedFrom, ProductStats } from './types';

type Rules = ProductsConfig['replenishment'];

/**
 * The store's per-unit re-purchase interval from a set of gaps, or null when they do not make the product
 * replenishable: too few customers re-bought it, too few gaps, or the gaps too irregular to time a reminder by.
 */
export function storeInterval(stats: { readonly repeatCustomers: number; readonly gaps: readonly number[] } | undefined, rules: Rules): number | null {
  if (!stats || stats.repeatCustomers < rules.minRepeatCustomers || stats.gaps.length < rules.minIntervals) return null;
  // Statistics are immutable values (learning makes new ones), and one category's or popular product's is asked
  // for by every customer of a re-assessment chunk: its interval is computed once per value and rules.
  return intervalsOf(stats)(rules);
}

const intervalsOf = memoByValue((stats: { readonly gaps: readonly number[] }) => memoByValue((rules: Rules) => computeInterval(stats.gaps, rules)));

function computeInterval(gaps: readonly number[], rules: Rules): number | null {
  const sorted = [...gaps].sort((a, b) => a - b);
  const mid = median(sorted);
  if (!(mid > 0)) return null;
  const spread = (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / mid;
  return spread <= rules.maxSpread ? mid : null;
}

/**
 * A product's per-unit interval and where it was learnt: the product's own gaps when it is replenishable, else its
 * category's (back-off to the product type), else null (not replenishable).
 */
export function productInterval(product: ProductStats | undefined, category: CategoryStats | undefined, rules: Rules): { perUnitDays: number; from: Exclude<LearnedFrom, 'customer'> } | null {
  const own = storeInterval(product, rules);
  if (own !== null) return { perUnitDays: own, from: 'product' };
  const backOff = storeInterval(category, rules);
  return backOff !== null ? { perUnitDays: backOff, from: 'product_type' } : null;
}

/** A customer's kept purchases of one product, oldest first. */
export type ProductPurchases = ReadonlyArray<{ readonly placedAt: string; readonly quantity: number }>;

/** The customer's kept purchases of one product, oldest first. */
export function keptPurchasesOf(orders: readonly OrderContribution[], productId: string): Array<{ placedAt: string; quantity: number; orderId: string }> {
  const purchases: Array<{ placedAt: string; quantity: number; orderId: string }> = [];
  for (const order of orders) {
    for (const item of order.items ?? []) {
      if (item.productId === productId && !item.returned) purchases.push({ placedAt: order.placedAt, quantity: item.quantity, orderId: order.orderId });
    }
  }
  return purchases;
}

/** Per-unit gaps between consecutive kept purchases of one product. */
export function gapsOf(purchases: ProductPurchases, rules: Rules): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < purchases.length; i++) {
    const gap = perUnitGap(purchases[i - 1], purchases[i].placedAt, rules);
    if (gap !== null) gaps.push(gap);
  }
  return gaps;
}

/** The customer's own per-unit interval from their purchases of a product when they have enough gaps, else null. */
export function ownInterval(purchases: ProductPurchases, rules: Rules): number | null {
  const gaps = gapsOf(purchases, rules);
  return gaps.length >= rules.minOwnIntervals ? median(gaps) : null;
}

/** The customer's own per-unit interval when they have enough gaps of their own, else null. */
export function customerInterval(orders: readonly OrderContribution[], productId: string, rules: Rules): number | null {
  return ownInterval(keptPurchasesOf(orders, productId), rules);
}
