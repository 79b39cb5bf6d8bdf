/**
 * A bounded count table (space-saving top-k), highest first: `counts[i]` is the count of `keys[i]`. Two flat arrays,
 * not a [key, count] pair per entry: a store's statistics hold one table per product, and pairs made each table
 * four times the memory (a 5,000-product catalogue: 15.7 MB against 8.3 MB) and a new pair per count.
 */
export interface TopCounts {
  readonly keys: readonly string[];
  readonly counts: readonly number[];
}

/** What the store has learnt about one product, from its own orders; one state entry per product. */
export interface ProductStats {
  readonly productId: string;
  readonly title: string;
  readonly category: string | null;
  /** Orders that kept it. */
  readonly orders: number;
  /** Customers who bought it again at a counted gap. */
  readonly repeatCustomers: number;
  /** Products bought with it: in the same order, or by its buyers before or after. */
  readonly co: TopCounts;
  /** The most recent per-unit re-purchase gaps, in days, oldest first. */
  readonly gaps: readonly number[];
}

/** What the store has learnt about one category: the back-off for thin products, and its best sellers. */
export interface CategoryStats {
  readonly category: string;
  readonly repeatCustomers: number;
  readonly gaps: readonly number[];
  readonly best: TopCounts;
}

export type LearnedFrom = 'customer' | 'product' | 'product_type';

/** A product a customer will need again, and when. */
export interface ReplenishmentDue {
  readonly productId: string;
  readonly title: string;
  readonly dueAt: Date;
  readonly lateAt: Date;
  /** The interval for the quantity last bought, in days. */
  readonly intervalDays: number;
  readonly learnedFrom: LearnedFrom;
  /** The order whose purchase started this cycle. */
  readonly cycleOrderId: string;
}

export interface Recommendation {
  readonly productId: string;
  readonly title: string;
}

/** Everything the products layer says about one customer: the profile fields and the replenishment cycle. */
export interface ProductSignals {
  readonly topCategory: string | null;
  readonly affinity: ReadonlyArray<{ readonly category: string; readonly share: number }>;
  readonly recommendations: readonly Recommendation[];
  readonly replenishment: ReplenishmentDue | null;
}

export const NO_PRODUCT_SIGNALS: ProductSignals = { topCategory: null, affinity: [], recommendations: [], replenishment: null };
