import { z } from 'zod';

/**
 * Product rules and their defaults. Each default's reason is in config/products.yaml and the README; the
 * thresholds were checked by replaying real histories (npm run eval:products), not chosen by taste.
 */
export const productsConfigSchema = z.object({
  /**
   * Off: no line items kept in customers, no product statistics read or written, and the `products.*` profile
   * properties and `Replenishment Due` are not sent (a store that does not want them pays nothing for them).
   */
  enabled: z.boolean().default(true),
  affinity: z
    .object({
      /** Categories listed in ss_category_affinity, by share of the customer's net spend. */
      top: z.number().int().min(1).max(10).default(3),
    })
    .strict()
    .prefault({}),
  coPurchase: z
    .object({
      /** Co-purchased products counted per product (space-saving top-k): bounds state whatever the catalogue size. */
      perProduct: z.number().int().min(5).max(200).default(30),
      /** A customer's most recent distinct products that a new purchase is paired with (bounds the work per order). */
      historyProducts: z.number().int().min(1).max(100).default(20),
      /** Products recommended per customer (ss_recommended_products holds up to this many). */
      recommend: z.number().int().min(1).max(10).default(5),
      /** A pair seen fewer times than this is noise, not "bought together". */
      minPairCount: z.number().int().min(1).default(1),
      /** Best sellers of the customer's top category fill a list that co-purchase left short. */
      fillWithCategoryBestSellers: z.boolean().default(false),
      /** Best sellers kept per category (space-saving top-k). */
      bestSellersPerCategory: z.number().int().min(1).max(100).default(20),
    })
    .strict()
    .prefault({}),
  replenishment: z
    .object({
      /** Repeat gaps kept per product and per category (the most recent; the median is taken over them). */
      keepIntervals: z.number().int().min(5).max(500).default(60),
      /** A product is replenishable once this many customers bought it again... */
      minRepeatCustomers: z.number().int().min(1).default(3),
      /** ...giving at least this many gaps. Below either, its category's gaps are used (back-off), then nothing. */
      minIntervals: z.number().int().min(1).default(5),
      /** Re-buying must be regular: (p75 − p25) / median of the per-unit gaps at most this. */
      maxSpread: z.number().positive().default(1.5),
      /** Gaps shorter than this are a split or corrected order, not a re-purchase. */
      minGapDays: z.number().nonnegative().default(3),
      /** Gaps longer than this are a new need, not a replenishment. */
      maxGapDays: z.number().positive().default(365),
      /** A customer's own gaps for a product count from this many. */
      minOwnIntervals: z.number().int().min(1).default(1),
      /** Late at this multiple of the interval: past it the cycle is dropped (the customer bought elsewhere or stopped). */
      lateMultiple: z.number().min(1).default(1.5),
      /** The customer's most recent distinct products considered for a cycle (bounds the reads per customer). */
      candidateProducts: z.number().int().min(1).max(500).default(50),
      /** Due this many days before the interval ends, so the reminder lands before the product runs out. */
      leadDays: z.number().nonnegative().default(0),
    })
    .strict()
    .prefault({}),
}).strict();

export type ProductsConfig = z.output<typeof productsConfigSchema>;

export const DEFAULT_PRODUCTS_CONFIG: ProductsConfig = productsConfigSchema.parse({});
