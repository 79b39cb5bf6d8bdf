import type { CustomerAggregate, OrderContribution } from '../../model/customer';
import { normalizeEmail } from '../../model/identity';
import type { Order } from '../../model/order';
import { RecordRejection } from '../../util/errors';
import { purchasedItems } from '../products/lines';

function contributionOf(order: Order, keepItems: boolean): OrderContribution {
  const cancelled = order.cancelledAt !== null;
  const items = keepItems ? purchasedItems(order) : [];
  return {
    orderId: order.id,
    placedAt: order.createdAt.toISOString(),
    // Refunds never make a customer's spend negative: a refund larger than the order is a correction elsewhere.
    netMinor: cancelled ? 0 : Math.max(0, order.currentTotal.minor),
    cancelled,
    units: cancelled ? 0 : order.lineItems.reduce((sum, item) => sum + item.quantity, 0),
    // Absent when the order has no product lines: most bytes of a customer are read on every page that touches it.
    ...(items.length > 0 ? { items } : {}),
  };
}

function sameItems(a: OrderContribution['items'], b: OrderContribution['items']): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((item, i) => {
    const other = y[i];
    return item.productId === other.productId && item.category === other.category && item.quantity === other.quantity
      && item.netMinor === other.netMinor && item.returned === other.returned;
  });
}

function sameContribution(a: OrderContribution, b: OrderContribution): boolean {
  return a.orderId === b.orderId && a.placedAt === b.placedAt && a.netMinor === b.netMinor && a.cancelled === b.cancelled
    && a.units === b.units && sameItems(a.items, b.items);
}

function byPlacedAt(a: OrderContribution, b: OrderContribution): number {
  if (a.placedAt !== b.placedAt) return a.placedAt < b.placedAt ? -1 : 1;
  return a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;
}

/**
 * Folds one order (new or updated) into its customer. Orders are keyed by id, so replaying an order is a no-op
 * (the same object comes back) and an update replaces the order's earlier contribution. Returns null when the
 * order has no usable email: without a key there is no customer, and the pipeline rejects the order.
 * `keepItems` false (product signals off) keeps no line items: nothing would read them.
 */
export function applyOrder(customer: CustomerAggregate | null, order: Order, keepItems = true): CustomerAggregate | null {
  const email = normalizeEmail(order.email);
  if (email === null) return null;
  if (customer !== null && customer.key !== email) {
    throw new RecordRejection(order.source, order.id, `order email ${email} does not belong to customer ${customer.key}`);
  }
  const currency = order.currentTotal.currency;
  if (customer !== null && customer.currency !== currency) {
    // Sums across currencies would be meaningless; stores report in one shop currency, so this is bad input.
    throw new RecordRejection(order.source, order.id, `order currency ${currency} differs from customer currency ${customer.currency}`);
  }
  const contribution = contributionOf(order, keepItems);
  const previous = customer?.orders.find((o) => o.orderId === order.id);
  const newest = customer === null || customer.orders.length === 0
    || contribution.placedAt >= customer.orders[customer.orders.length - 1].placedAt;
  // The newest order's contact details win; an older order only fills gaps.
  const pick = (fromOrder: string | null, existing: string | null): string | null =>
    newest ? fromOrder ?? existing : existing ?? fromOrder;
  const phone = pick(order.phone, customer?.phone ?? null);
  const firstName = pick(order.firstName, customer?.firstName ?? null);
  const lastName = pick(order.lastName, customer?.lastName ?? null);
  if (
    customer !== null && previous !== undefined && sameContribution(previous, contribution)
    && phone === customer.phone && firstName === customer.firstName && lastName === customer.lastName
  ) {
    return customer;
  }
  const others = customer?.orders.filter((o) => o.orderId !== order.id) ?? [];
  return {
    key: email,
    email,
    phone,
    firstName,
    lastName,
    currency,
    orders: [...others, contribution].sort(byPlacedAt),
    segment: customer?.segment ?? null,
    segmentSince: customer?.segmentSince ?? null,
    // Part of the next segment-change event id: losing it would reuse an id Klaviyo already holds.
    segmentChanges: customer?.segmentChanges ?? 0,
    pushedHash: customer?.pushedHash ?? null,
    nextReviewAt: customer?.nextReviewAt ?? null,
    ...(customer?.returns ? { returns: customer.returns } : {}),
    ...(customer?.replenishment ? { replenishment: customer.replenishment } : {}),
  };
}
