import type { MetricEvent } from '../model/records';
import { toDecimalNumber } from '../model/money';
import type { LineItem, Order } from '../model/order';
import type { MappingConfig } from './mapping-config';
import { uniqueId } from './unique-id';

/**
 * Klaviyo's own ecommerce metrics (Placed Order, Ordered Product, Cancelled Order, Refunded Order), off by default:
 * Klaviyo's native Shopify integration already sends them, and duplicates skew its CLV. Names and properties follow
 * Klaviyo's integration guide so its predictive analytics recognise them when a store turns them on.
 */
function lineRow(item: LineItem) {
  return {
    ProductID: item.productId,
    SKU: item.sku,
    ProductName: item.name,
    Quantity: item.quantity,
    ItemPrice: toDecimalNumber(item.unitPrice),
    RowTotal: toDecimalNumber({ minor: item.unitPrice.minor * item.quantity, currency: item.unitPrice.currency }),
  };
}

/** Klaviyo refuses event properties holding arrays longer than this. */
const MAX_ARRAY_ITEMS = 4000;

export function orderEvents(order: Order, previous: { cancelled: boolean; netMinor: number } | null, mapping: MappingConfig, backfill: boolean): MetricEvent[] {
  if (!order.email) return [];
  const identity = { email: order.email, phoneNumber: order.phone, externalId: null };
  // A huge order still gets its Placed Order: the item lists are cut to Klaviyo's array limit and say so.
  const listed = order.lineItems.slice(0, MAX_ARRAY_ITEMS);
  const base = {
    OrderId: order.id,
    OrderNumber: order.name,
    ItemCount: order.lineItems.length,
    ItemsTruncated: listed.length < order.lineItems.length,
    ItemNames: listed.map((item) => item.name),
    Items: listed.map(lineRow),
  };
  const event = (metric: string, id: string, time: Date, value: number, properties: Record<string, unknown>): MetricEvent => ({
    kind: 'event', metric, identity, time, uniqueId: id, value, valueCurrency: order.total.currency, properties, backfill,
  });
  const events: MetricEvent[] = [];
  const { placedOrder, orderedProduct, cancelledOrder, refundedOrder } = mapping.events;
  if (placedOrder.enabled && !previous) {
    events.push(event(placedOrder.metric, order.id, order.createdAt, toDecimalNumber(order.total), base));
  }
  if (orderedProduct.enabled && !previous) {
    order.lineItems.forEach((item) => {
      const row = lineRow(item);
      events.push(event(orderedProduct.metric, uniqueId('item', order.id, item.id), order.createdAt, row.RowTotal, { OrderId: order.id, ...row }));
    });
  }
  if (cancelledOrder.enabled && order.cancelledAt && !previous?.cancelled) {
    // Same unique id as Placed Order: Klaviyo pairs them for CLV (dedupe is per metric, so no collision).
    events.push(event(cancelledOrder.metric, order.id, order.cancelledAt, toDecimalNumber(order.total), base));
  }
  const refundedMinor = order.total.minor - order.currentTotal.minor;
  const previouslyRefunded = previous ? order.total.minor - previous.netMinor : 0;
  if (refundedOrder.enabled && !order.cancelledAt && refundedMinor > 0 && refundedMinor !== previouslyRefunded) {
    events.push(event(refundedOrder.metric, uniqueId('refund', order.id, refundedMinor), order.updatedAt, toDecimalNumber({ minor: refundedMinor, currency: order.total.currency }), base));
  }
  return events;
}
