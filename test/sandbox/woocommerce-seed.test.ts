import { applyOrder } from '../../src/enrichment/lifecycle/aggregate';
import type { CustomerAggregate } from '../../src/model/customer';
import type { Order } from '../../src/model/order';
import { startLocalStack } from '../../src/sandbox/local-stack';
import { loadGiftRetailerStore, loadOlistStore, type SandboxStore } from '../../src/sandbox/shopify';
import { createWooCommerceSource } from '../../src/sources/woocommerce';
import { ShopifyGraphqlClient } from '../../src/sources/shopify/client';
import { readOrders } from '../../src/sources/shopify/orders-stream';
import { readAll } from './woocommerce-client';

/** The numeric id both stores share (orders, products): Shopify's GID tail, WooCommerce's id. */
const numericId = (id: string): string => id.replace(/^gid:\/\/shopify\/\w+\//, '');

/**
 * What a normalized Order says about the purchase, without what only differs by store: ids, the source, tags
 * (WooCommerce orders have none), and the carrier's view of a parcel that Shopify fulfillments carry and the
 * Shipment Tracking extension does not (display status, estimated and actual delivery), and refunds (WooCommerce's
 * order summaries against Shopify's refund objects, read by a follow-up this comparison does not make).
 */
function comparable(order: Order): unknown {
  const { refunds: _refunds, returns: _returns, ...purchase } = order;
  return {
    ...purchase,
    source: null, id: numericId(order.id), tags: null,
    lineItems: order.lineItems.map((item) => ({ ...item, id: null, productId: null })),
    fulfillments: order.fulfillments.map((f) => ({ createdAt: f.createdAt, tracking: f.tracking })),
  };
}

function customers(orders: readonly Order[]): Map<string, unknown> {
  const out = new Map<string, CustomerAggregate | null>();
  for (const order of [...orders].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    const key = order.email ?? '';
    out.set(key, applyOrder(out.get(key) ?? null, order));
  }
  return new Map([...out].map(([key, c]) => [key, c && { ...c, orders: c.orders.map((o) => ({ ...o, orderId: numericId(o.orderId), ...(o.items ? { items: o.items.map((item) => ({ ...item, productId: numericId(item.productId) })) } : {}) })) }]));
}

/**
 * One seed behind both sandboxes, started as the demo starts them (the local stack); the WooCommerce source is
 * built from the stack's environment. That a seed loads the same each time is shopify-seeds' test.
 */
async function bothWays(load: () => SandboxStore): Promise<{ shopify: readonly Order[]; woo: readonly Order[] }> {
  const stack = await startLocalStack({ store: load(), shopifyThrottle: 'off', klaviyoRateLimits: 'off', woocommerce: {} });
  try {
    const { env } = stack;
    const client = new ShopifyGraphqlClient({ storeDomain: env.SHOPIFY_STORE_DOMAIN, accessToken: env.SHOPIFY_ACCESS_TOKEN, baseUrl: env.SHOPIFY_BASE_URL, timeoutMs: 30_000 });
    const shopify: Order[] = [];
    for await (const page of readOrders(client, null, { pageSize: 15, overlapMs: 60_000, bulkBackfill: true, bulkPollMs: 20 })) shopify.push(...page.orders);
    const source = createWooCommerceSource({
      url: env.WOOCOMMERCE_URL, consumerKey: env.WOOCOMMERCE_CONSUMER_KEY, consumerSecret: env.WOOCOMMERCE_CONSUMER_SECRET,
      webhookSecret: env.WOOCOMMERCE_WEBHOOK_SECRET,
    });
    const woo = (await readAll(source, null)).orders;
    return { shopify, woo };
  } finally {
    await stack.close();
  }
}

describe('the WooCommerce sandbox serves the Shopify sandbox\'s seed', () => {
  it.each([
    ['Olist', loadOlistStore, 9_999],
    ['the gift retailer', loadGiftRetailerStore, null],
  ])('%s: the same orders, amounts and customers through both sources', async (_name, load, expected) => {
    const { shopify, woo } = await bothWays(load);
    if (expected !== null) expect(woo).toHaveLength(expected);
    expect(woo.length).toBe(shopify.length);
    const wooById = new Map(woo.map((o) => [o.id, o]));
    // Every order, not a sample: the property is cheap to check whole.
    const mismatches = shopify.filter((order) => {
      const twin = wooById.get(numericId(order.id));
      return !twin || JSON.stringify(comparable(twin)) !== JSON.stringify(comparable(order));
    });
    // The first mismatch in full, if any (a JSON comparison per order; jest's deep diff of 10,000 is slow).
    if (mismatches.length > 0) expect(comparable(wooById.get(numericId(mismatches[0].id)) ?? mismatches[0])).toEqual(comparable(mismatches[0]));
    expect(mismatches).toHaveLength(0);
    // Customer aggregates (what segments are computed from) are equal too, customer by customer.
    expect(JSON.stringify([...customers(woo)].sort())).toBe(JSON.stringify([...customers(shopify)].sort()));
  }, 120_000);
});
