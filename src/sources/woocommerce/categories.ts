import type { WooCommerceClient } from './client';

/** `include` ids per `GET /products` request: WooCommerce's `per_page` maximum, so one page answers each request. */
const IDS_PER_REQUEST = 100;
/** Product ids remembered per process: a backfill's catalogue, without growing with every product ever sold. */
export const DEFAULT_CATEGORY_CACHE = 5_000;

/** WooCommerce files a product with no category under its default "Uncategorized" term (slug `uncategorized`). */
const PLACEHOLDER_SLUG = 'uncategorized';

/**
 * The category of a REST v3 product, as the normalized model's `category`: the first category's name, skipping
 * WooCommerce's "Uncategorized" placeholder (it means none); null when the product has no other.
 */
export function productCategory(product: unknown): { id: string; category: string | null } | null {
  if (typeof product !== 'object' || product === null) return null;
  const { id, categories } = product as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return null;
  const list = Array.isArray(categories) ? categories : [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, slug } = entry as Record<string, unknown>;
    if (slug === PLACEHOLDER_SLUG || typeof name !== 'string' || name.trim() === '') continue;
    return { id: String(id), category: name.trim() };
  }
  return { id: String(id), category: null };
}

/**
 * Product id → category, read with `GET /products?include=…` because REST v3 order line items carry only
 * `product_id`. A bounded LRU per process: a backfill asks once per product, a long-running daemon re-asks only
 * for products it has not seen lately. A product the store no longer has (deleted) is not in the answer and is
 * remembered as null. Errors are the client's: 429/5xx retried, 401/403/404 permanent, so a page of orders is
 * never yielded with categories half-read.
 */
export class ProductCategories {
  private readonly known = new Map<string, string | null>();

  constructor(private readonly client: WooCommerceClient, private readonly capacity = DEFAULT_CATEGORY_CACHE) {}

  /** The categories of `productIds`, asking the store only for those not remembered. */
  async lookup(productIds: Iterable<string>): Promise<ReadonlyMap<string, string | null>> {
    const wanted = [...new Set(productIds)];
    const missing = wanted.filter((id) => !this.known.has(id));
    const fetched = new Map<string, string | null>(missing.map((id) => [id, null]));
    for (let start = 0; start < missing.length; start += IDS_PER_REQUEST) {
      const chunk = missing.slice(start, start + IDS_PER_REQUEST);
      const page = await this.client.list('products', { include: chunk.join(','), per_page: IDS_PER_REQUEST });
      for (const item of page.items) {
        const product = productCategory(item);
        if (product && fetched.has(product.id)) fetched.set(product.id, product.category);
      }
    }
    const out = new Map<string, string | null>();
    for (const id of wanted) {
      const category = fetched.has(id) ? (fetched.get(id) ?? null) : (this.known.get(id) ?? null);
      out.set(id, category);
      this.remember(id, category);
    }
    return out;
  }

  get size(): number {
    return this.known.size;
  }

  private remember(id: string, category: string | null): void {
    // Re-inserting moves the id to the newest end; the oldest (least recently used) is dropped past capacity.
    this.known.delete(id);
    this.known.set(id, category);
    while (this.known.size > this.capacity) {
      const oldest = this.known.keys().next();
      if (oldest.done) break;
      this.known.delete(oldest.value);
    }
  }
}
