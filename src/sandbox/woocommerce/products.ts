import type { WooErrorJson, WooProductCategoryRefJson, WooProductJson } from '../../sources/woocommerce/types';
import type { SandboxStore } from '../shopify/store';
import { integer, invalidParams, MAX_PER_PAGE, type Problems } from './params';
import type { SiteTime } from './render';

/** WooCommerce creates "Uncategorized" on install and files every product without a category under it. */
export const UNCATEGORIZED: WooProductCategoryRefJson = { id: 15, name: 'Uncategorized', slug: 'uncategorized' };

interface ProductRow {
  readonly id: number;
  readonly name: string;
  readonly sku: string;
  readonly price: string;
  readonly firstSoldAt: string;
  readonly category: WooProductCategoryRefJson;
}

export interface ProductListRequest {
  /** `include`: only these ids (WordPress's `post__in`); null for every product. */
  readonly include: readonly number[] | null;
  readonly perPage: number;
  readonly page: number;
}

const slugify = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'product';

/**
 * The WooCommerce sandbox's product catalogue, derived from the shared seed's line items: each product id once,
 * with its first line's title, SKU and price, and the seed's product type as its one category (Olist's English
 * category in the demo), or "Uncategorized" when it has none, as WooCommerce files it. Orders added later add
 * their products on the next read (the catalogue indexes the records it has not seen yet).
 */
export class WooProductCatalog {
  private readonly products = new Map<number, ProductRow>();
  private readonly categories = new Map<string, WooProductCategoryRefJson>();
  private indexed = 0;

  constructor(private readonly store: SandboxStore, private readonly site: SiteTime = { utcOffsetMinutes: 0 }) {}

  /** One page of `GET /products` in WooCommerce's default order (`orderby=date`, `order=desc`), and the match count. */
  list(request: ProductListRequest, siteUrl: string): { products: WooProductJson[]; total: number } {
    this.catchUp();
    const ids = request.include ?? [...this.products.keys()];
    const matching = [...new Set(ids)].flatMap((id) => this.products.get(id) ?? [])
      .sort((a, b) => b.firstSoldAt.localeCompare(a.firstSoldAt) || b.id - a.id);
    const start = (request.page - 1) * request.perPage;
    const rows = matching.slice(start, start + request.perPage);
    return { products: rows.map((row) => this.render(row, siteUrl)), total: matching.length };
  }

  private catchUp(): void {
    for (; this.indexed < this.store.size; this.indexed += 1) {
      const record = this.store.recordAt(this.indexed);
      for (const item of record.lineItems) {
        const id = item.productLegacyId;
        if (id === null || this.products.has(id)) continue;
        const type = item.productType?.trim() ?? '';
        this.products.set(id, {
          id, name: item.title, sku: item.sku ?? '', price: item.unitPrice, firstSoldAt: record.createdAt,
          category: type === '' ? UNCATEGORIZED : this.category(type),
        });
      }
    }
  }

  private category(name: string): WooProductCategoryRefJson {
    const known = this.categories.get(name);
    if (known) return known;
    // Term ids after Uncategorized's, in the order the seed first sells each category: stable for a given seed.
    const made = { id: UNCATEGORIZED.id + 1 + this.categories.size, name, slug: slugify(name) };
    this.categories.set(name, made);
    return made;
  }

  private render(row: ProductRow, siteUrl: string): WooProductJson {
    const gmt = row.firstSoldAt.slice(0, 19);
    const local = new Date(Date.parse(row.firstSoldAt) + this.site.utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
    const slug = `${slugify(row.name)}-${row.id}`;
    return {
      id: row.id, name: row.name, slug, permalink: `${siteUrl}/product/${slug}/`,
      date_created: local, date_created_gmt: gmt, date_modified: local, date_modified_gmt: gmt,
      type: 'simple', status: 'publish', sku: row.sku, price: row.price,
      categories: [row.category],
      _links: { self: [{ href: `${siteUrl}/wp-json/wc/v3/products/${row.id}` }], collection: [{ href: `${siteUrl}/wp-json/wc/v3/products` }] },
    };
  }
}

/**
 * `GET /products` parameters this sandbox honours, validated as WordPress validates them: `include` is an array of
 * integers (`include=1,2`, `include[]=1` or `include[0]=1`), `per_page` 1..100, `page` ≥ 1.
 */
export function parseProductParams(params: ReadonlyMap<string, string>): ProductListRequest | { error: WooErrorJson } {
  const problems: Problems = {};
  const values: string[] = [];
  let named = false;
  for (const [name, value] of params) {
    if (name !== 'include' && !/^include\[\d*\]$/.test(name)) continue;
    named = true;
    values.push(...value.split(',').map((v) => v.trim()).filter((v) => v !== ''));
  }
  const bad = values.findIndex((value) => !/^\d+$/.test(value));
  if (bad >= 0) problems.include = { code: 'rest_invalid_type', message: `include[${bad}] is not of type integer.` };
  const perPage = integer(params, 'per_page', 1, MAX_PER_PAGE, 10, problems);
  const page = integer(params, 'page', 1, null, 1, problems);
  const invalid = invalidParams(problems);
  if (invalid) return { error: invalid };
  // An empty `include` is no filter in WP_Query (`post__in` empty is ignored).
  return { include: named && values.length > 0 ? values.map(Number) : null, perPage, page };
}
