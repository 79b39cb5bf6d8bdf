import type { FulfillmentRecord, LineItemRecord, OrderRecord } from '../../src/sandbox/shopify';
import { ShopifyGraphqlClient } from '../../src/sources/shopify/client';
import type { ShopifySandbox } from '../../src/sandbox/shopify';
import type { Order } from '../../src/model/order';
import { readOrders, type OrdersStreamOptions } from '../../src/sources/shopify/orders-stream';
import type { OrdersCursor } from '../../src/sources/shopify/cursor';

/** Test helpers: plain sandbox order records of a chosen shape, and reading a sandbox through shipsignal's reader. */
export interface OrderShape {
  readonly items: number;
  /** Per fulfillment: minutes after the order (several may share one), and how many tracking numbers. */
  readonly fulfillments: ReadonlyArray<{ readonly minutes: number; readonly tracking: number }>;
  readonly refundedCents: number;
  readonly cancelled: boolean;
}

const BASE = Date.parse('2026-01-05T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function orderRecord(index: number, shape: OrderShape): OrderRecord {
  const legacyId = 7_000_000_001 + index;
  const at = BASE + index * 3_600_000;
  const lineItems: LineItemRecord[] = Array.from({ length: shape.items }, (_, i) => ({
    legacyId: legacyId * 1000 + i, title: `Item ${i}`, variantTitle: i % 3 === 0 ? 'Large' : null, sku: i % 2 ? `SKU-${i}` : null,
    vendor: null, quantity: 1 + (i % 4), unitPrice: `${(i % 17) + 1}.25`, productLegacyId: i % 5 === 0 ? null : 800 + i,
  }));
  const totalCents = lineItems.reduce((sum, item) => sum + item.quantity * Math.round(Number(item.unitPrice) * 100), 0);
  const refunded = Math.min(totalCents, shape.refundedCents);
  const minutes = [...shape.fulfillments].sort((a, b) => a.minutes - b.minutes);
  const fulfillments: FulfillmentRecord[] = minutes.map((f, i) => ({
    legacyId: legacyId * 100 + i, status: 'SUCCESS', displayStatus: 'IN_TRANSIT',
    createdAt: iso(at + f.minutes * 60_000), updatedAt: iso(at + f.minutes * 60_000), inTransitAt: null, deliveredAt: null,
    estimatedDeliveryAt: null,
    tracking: Array.from({ length: f.tracking }, (_, t) => ({ number: `TRK${legacyId}-${i}-${t}`, company: 'UPS', url: null })),
  }));
  const cents = (n: number) => (n / 100).toFixed(2);
  return {
    legacyId, name: `#${1001 + index}`, email: `buyer${index}@example.com`, phone: null,
    createdAt: iso(at), updatedAt: iso(at + 600_000), processedAt: iso(at),
    cancelledAt: shape.cancelled ? iso(at + 600_000) : null, cancelReason: shape.cancelled ? 'CUSTOMER' : null, closedAt: null,
    test: false, tags: [], note: null, currencyCode: 'USD',
    totalPrice: cents(totalCents), totalRefunded: cents(refunded),
    displayFinancialStatus: refunded === 0 ? 'PAID' : refunded === totalCents ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
    displayFulfillmentStatus: fulfillments.length ? 'FULFILLED' : 'UNFULFILLED',
    lineItems, customer: null, fulfillments, shippingAddress: null, customAttributes: [],
  };
}

export function readerClient(sandbox: ShopifySandbox, accessToken = sandbox.accessToken): ShopifyGraphqlClient {
  return new ShopifyGraphqlClient({ storeDomain: sandbox.shopDomain, accessToken, baseUrl: sandbox.url, timeoutMs: 10_000 });
}

export const READ_OPTIONS: OrdersStreamOptions = { pageSize: 15, overlapMs: 60_000, bulkBackfill: true, bulkPollMs: 5 };

export async function readAll(
  client: ShopifyGraphqlClient, cursor: OrdersCursor | null, options: Partial<OrdersStreamOptions> = {},
): Promise<{ orders: Order[]; rejections: Array<{ recordId: string; reason: string }> }> {
  const orders: Order[] = [];
  const rejections: Array<{ recordId: string; reason: string }> = [];
  for await (const page of readOrders(client, cursor, { ...READ_OPTIONS, ...options })) {
    orders.push(...page.orders);
    rejections.push(...page.rejections);
  }
  return { orders, rejections };
}
