import type { CustomerAggregate } from '../model/customer';
import type { Order } from '../model/order';
import type { ProductsConfig } from '../enrichment/products/config';
import { categoryAffinity } from '../enrichment/products/affinity';
import { productKeyOf } from '../enrichment/products/lines';
import { emptyBook, recentProducts, type ProductBook } from '../enrichment/products/learn';
import type { StatsLookup } from '../enrichment/products/replenishment';
import { addStatsNeeded, productSignals, recommendedIds } from '../enrichment/products/signals';
import { soleProduct } from '../enrichment/products/recommend';
import type { ProductSignals, ProductStats, Recommendation } from '../enrichment/products/types';
import { customerKey } from '../state/keys';
import type { StateStore } from '../state/port';
import { ProductStatsRepository } from '../state/products';
import { memoByValue } from '../util/memo';
import type { PipelineContext } from './context';

/**
 * The I/O around the pure products layer: one batched read of the statistics a step needs (the products and
 * categories of its orders and of its customers' recent history), then one more for the titles of the products
 * recommended. Nothing here writes; an order page commits `productStats.stage(book, lessons)` with the rest of its unit.
 */
export async function readProductBook(context: PipelineContext, customers: Iterable<CustomerAggregate>, orders: readonly Order[] = [], purpose: 'signals' | 'learning' = 'signals'): Promise<ProductBook> {
  if (!context.settings.products.enabled) return emptyBook();
  const products = new Set<string>();
  const categories = new Set<string>();
  for (const order of orders) {
    for (const line of order.lineItems) {
      const id = productKeyOf(line);
      if (id !== null) products.add(id);
      if (line.category !== null) categories.add(line.category);
    }
  }
  // Learning alone (a backfill page, which assesses no one) reads only the products an order pairs with.
  const config = context.settings.products;
  if (purpose === 'learning') for (const customer of customers) for (const id of recentProducts(customer.orders, config.coPurchase.historyProducts)) products.add(id);
  else for (const customer of customers) addStatsNeeded(customer, config, products, categories);
  return context.productStats.read(products, categories);
}

export const lookupOf = (book: ProductBook): StatsLookup => ({
  product: (id) => book.products.get(id),
  category: (category) => book.categories.get(category),
});

/** Every customer's product signals, from a book that holds their statistics (titles of recommendations read here). */
export async function signalsFor(repository: ProductStatsRepository, book: ProductBook, customers: readonly CustomerAggregate[], now: Date, config: ProductsConfig): Promise<Map<string, ProductSignals>> {
  if (!config.enabled) return new Map(); // every customer gets NO_PRODUCT_SIGNALS
  const lookup = lookupOf(book);
  // Categories ranked once per customer: the top one picks the recommendations, the top few are the affinity.
  const affinities = customers.map((customer) => categoryAffinity(customer.orders, config.affinity.top));
  // A customer who bought only one product (most customers) owns nothing else, so their recommendations are those of
  // everyone in the step who bought only that product: one list per product (and top category, when that fills).
  const bySole = new Map<string, readonly string[]>();
  const ids = customers.map((customer, i) => {
    const topCategory = affinities[i][0]?.category ?? null;
    const sole = soleProduct(customer.orders);
    if (sole === null) return recommendedIds(customer, lookup, config, topCategory);
    const key = config.coPurchase.fillWithCategoryBestSellers ? `${sole}\u0000${topCategory ?? ''}` : sole;
    let shared = bySole.get(key);
    if (shared === undefined) {
      shared = recommendedIds(customer, lookup, config, topCategory);
      bySole.set(key, shared);
    }
    return shared;
  });
  // One recommendation value per product for the whole step (a chunk's customers share a few hundred products):
  // found where its statistics are, or read first with the others not yet copied (rare once the copies are warm).
  const distinct = new Set(ids);
  const recommendations = new Map<string, Recommendation>();
  const missing: string[] = [];
  for (const list of distinct) {
    for (const id of list) {
      if (recommendations.has(id)) continue;
      const stats = repository.statsOf(book, id);
      if (stats !== undefined) recommendations.set(id, recommendationOf(stats));
      else if (!missing.includes(id)) missing.push(id);
    }
  }
  if (missing.length > 0) {
    await repository.complete(book, missing);
    for (const id of missing) {
      const stats = repository.statsOf(book, id);
      recommendations.set(id, stats ? recommendationOf(stats) : { productId: id, title: id });
    }
  }
  // One list of values per list of ids: customers who share ids share the list, and with it its labels (profile-fields.ts).
  const lists = new Map([...distinct].map((list) => [list, list.map((id) => recommendations.get(id) as Recommendation)] as const));
  return new Map(customers.map((customer, i) => [customer.key, productSignals(customer, lookup, now, config, lists.get(ids[i]) as readonly Recommendation[], affinities[i])]));
}

/**
 * One recommendation value per statistics value, across steps: the profile fields make their labels once per
 * recommendation value (mapping/profile-fields.ts), and a re-assessment's chunks recommend the same few thousand
 * products to every customer. A book's values are final once its page has learnt (learning copies a value before
 * it changes it), so a value's title never changes under its recommendation.
 */
const recommendationOf = memoByValue((stats: ProductStats): Recommendation => ({ productId: stats.productId, title: stats.title }));

/** Customers held from promotions now (an open live delivery issue): no `Replenishment Due` reaches them. */
export async function heldCustomers(context: PipelineContext, emails: readonly string[]): Promise<Set<string>> {
  const profiles = await context.shipments.profiles(emails);
  return new Set([...profiles].filter(([, profile]) => (profile.hold ?? null) !== null).map(([email]) => email));
}

/**
 * A customer's recommendations as the tracking page shows them (`recommendations` of its view model): the same
 * source as `ss_recommended_products`, read from state. `email` is the customer key (a shipment's
 * `customerEmail`); an unknown customer has none.
 */
export async function recommendationsFor(store: StateStore, email: string, config: ProductsConfig, now: Date): Promise<Recommendation[]> {
  if (!config.enabled) return [];
  const customer = await store.get<CustomerAggregate>(customerKey(email));
  if (!customer) return [];
  const repository = new ProductStatsRepository(store);
  const products = new Set<string>();
  const categories = new Set<string>();
  addStatsNeeded(customer, config, products, categories);
  const book = await repository.read(products, categories);
  const signals = await signalsFor(repository, book, [customer], now, config);
  return [...(signals.get(customer.key)?.recommendations ?? [])];
}

/**
 * Which of these customers are held, read only for those whose replenishment cycle is due now and not yet
 * announced (the only ones the hold can change anything for): most pages read no delivery profile at all.
 */
export async function heldAmongDue(context: PipelineContext, customers: readonly CustomerAggregate[], signals: ReadonlyMap<string, ProductSignals>, now: Date): Promise<Set<string>> {
  const due = customers.filter((customer) => {
    const cycle = signals.get(customer.key)?.replenishment;
    return cycle && cycle.dueAt <= now && customer.replenishment?.announcedCycle !== `${cycle.productId}|${cycle.cycleOrderId}`;
  });
  return due.length > 0 ? heldCustomers(context, due.map((c) => c.email)) : new Set();
}
