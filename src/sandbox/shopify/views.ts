import { moneyFromDecimal, toDecimalString } from '../../model/money';
import { encodeCursor, decodeCursor } from './cursor';
import { gid, orderReturnStatus, type CustomerRecord, type FulfillmentRecord, type LineItemRecord, type OrderRecord } from './record';
import { parseSearchQuery } from './search-query';
import type { SandboxStore } from './store';

/**
 * GraphQL views over stored records. graphql-js's default resolution reads properties, and calls a property that
 * is a function with the field's arguments: connections and sized lists are such functions. Anything not set here
 * is left to the sandbox's field resolver (null when the schema allows it, a clear error when it does not).
 */
export type View = { readonly __typename: string } & Record<string, unknown>;
export type FieldArgs = Record<string, unknown>;

export interface ConnectionArgs {
  readonly first?: number | null;
  readonly last?: number | null;
  readonly after?: string | null;
  readonly before?: string | null;
}

export interface ExecContext {
  readonly store: SandboxStore;
  /** Inside a bulk operation connections take no page size: they return everything. */
  readonly bulk: boolean;
  /** The caller's access scopes, for fields gated beyond `read_orders` (returns need `read_returns`). */
  readonly scopes?: readonly string[];
}

function money(amount: string, currencyCode: string): View {
  return { __typename: 'MoneyV2', amount, currencyCode };
}

export function bag(amount: string, currencyCode: string): View {
  return { __typename: 'MoneyBag', shopMoney: money(amount, currencyCode), presentmentMoney: money(amount, currencyCode) };
}

function times(amount: string, quantity: number, currency: string): string {
  return toDecimalString({ minor: moneyFromDecimal(amount, currency).minor * quantity, currency });
}

function minus(a: string, b: string, currency: string): string {
  return toDecimalString({ minor: moneyFromDecimal(a, currency).minor - moneyFromDecimal(b, currency).minor, currency });
}

function numberArg(args: FieldArgs, name: string): number | null {
  const value = args[name];
  return typeof value === 'number' ? value : null;
}

function stringArg(args: FieldArgs, name: string): string | null {
  const value = args[name];
  return typeof value === 'string' ? value : null;
}

/** A Relay connection over an in-memory list; cursors carry the position. */
export function arrayConnection<T>(items: readonly T[], args: FieldArgs, toView: (item: T, position: number) => View): View {
  const position = (cursor: string | null): number | null => (cursor ? decodeCursor(cursor)?.lastValue ?? null : null);
  const after = position(stringArg(args, 'after'));
  const before = position(stringArg(args, 'before'));
  const start = after === null ? 0 : after + 1;
  const end = before === null ? items.length : Math.min(before, items.length);
  const first = numberArg(args, 'first');
  const last = numberArg(args, 'last');
  let from = start;
  let to = end;
  if (first !== null) to = Math.min(end, start + first);
  else if (last !== null) from = Math.max(start, end - last);
  const edges: View[] = [];
  for (let p = from; p < to; p++) {
    edges.push({ __typename: 'Edge', cursor: encodeCursor({ lastId: p, lastValue: p }), node: toView(items[p], p) });
  }
  return {
    __typename: 'Connection',
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      __typename: 'PageInfo',
      hasNextPage: to < end,
      hasPreviousPage: from > start,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

function sizedList<T>(items: readonly T[], args: FieldArgs): readonly T[] {
  const first = numberArg(args, 'first');
  return first === null ? items : items.slice(0, first);
}

export function customerView(customer: CustomerRecord, store: SandboxStore, currency: string): View {
  const stats = store.customerStats(customer.legacyId);
  const displayName = [customer.firstName, customer.lastName].filter(Boolean).join(' ') || customer.email || '';
  return {
    __typename: 'Customer',
    id: gid('Customer', customer.legacyId),
    legacyResourceId: String(customer.legacyId),
    firstName: customer.firstName,
    lastName: customer.lastName,
    displayName,
    email: customer.email,
    phone: customer.phone,
    defaultEmailAddress: customer.email ? { __typename: 'CustomerEmailAddress', emailAddress: customer.email } : null,
    defaultPhoneNumber: customer.phone ? { __typename: 'CustomerPhoneNumber', phoneNumber: customer.phone } : null,
    numberOfOrders: String(stats.count),
    amountSpent: money(toDecimalString({ minor: stats.netMinor, currency }), currency),
    createdAt: customer.createdAt,
    tags: customer.tags,
  };
}

export function lineItemView(item: LineItemRecord, currency: string): View {
  const total = times(item.unitPrice, item.quantity, currency);
  return {
    __typename: 'LineItem',
    id: gid('LineItem', item.legacyId),
    name: item.variantTitle ? `${item.title} - ${item.variantTitle}` : item.title,
    title: item.title,
    variantTitle: item.variantTitle,
    sku: item.sku,
    vendor: item.vendor,
    quantity: item.quantity,
    currentQuantity: item.quantity,
    requiresShipping: true,
    isGiftCard: false,
    originalUnitPriceSet: bag(item.unitPrice, currency),
    discountedUnitPriceSet: bag(item.unitPrice, currency),
    originalTotalSet: bag(total, currency),
    discountedTotalSet: () => bag(total, currency),
    product: item.productLegacyId === null ? null : { __typename: 'Product', id: gid('Product', item.productLegacyId), productType: item.productType ?? '' },
    variant: null,
  };
}

/**
 * `Order.fulfillments(first:, query:)`: a plain list in creation order, filtered by `created_at`/`updated_at` terms
 * (the documented use of its `query`), then truncated to `first`. No cursor: the filter is the only way past a page.
 */
function fulfillmentList(order: OrderRecord, args: FieldArgs, now: number): View[] {
  const query = stringArg(args, 'query');
  const { predicate } = parseSearchQuery(query, now);
  const matching = order.fulfillments.filter((f) => {
    const createdAt = Date.parse(f.createdAt);
    return predicate({ legacyId: f.legacyId, createdAt, updatedAt: Date.parse(f.updatedAt), processedAt: createdAt, cancelled: false, closed: false, test: false });
  });
  return sizedList(matching, args).map((f) => fulfillmentView(f, order, order.fulfillments.indexOf(f)));
}

export function fulfillmentView(fulfillment: FulfillmentRecord, order: OrderRecord, position: number): View {
  return {
    __typename: 'Fulfillment',
    id: gid('Fulfillment', fulfillment.legacyId),
    legacyResourceId: String(fulfillment.legacyId),
    name: `${order.name}-F${position + 1}`,
    status: fulfillment.status,
    displayStatus: fulfillment.displayStatus,
    createdAt: fulfillment.createdAt,
    updatedAt: fulfillment.updatedAt,
    inTransitAt: fulfillment.inTransitAt,
    deliveredAt: fulfillment.deliveredAt,
    estimatedDeliveryAt: fulfillment.estimatedDeliveryAt,
    requiresShipping: true,
    trackingInfo: (args: FieldArgs) =>
      sizedList(fulfillment.tracking, args).map((t) => ({ __typename: 'FulfillmentTrackingInfo', ...t })),
  };
}

export function orderView(order: OrderRecord, store: SandboxStore): View {
  const currency = order.currencyCode;
  const current = minus(order.totalPrice, order.totalRefunded, currency);
  return {
    __typename: 'Order',
    id: gid('Order', order.legacyId),
    legacyResourceId: String(order.legacyId),
    name: order.name,
    email: order.email,
    phone: order.phone,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    processedAt: order.processedAt,
    cancelledAt: order.cancelledAt,
    cancelReason: order.cancelReason,
    closedAt: order.closedAt,
    closed: order.closedAt !== null,
    test: order.test,
    tags: order.tags,
    note: order.note,
    displayFinancialStatus: order.displayFinancialStatus,
    displayFulfillmentStatus: order.displayFulfillmentStatus,
    currencyCode: currency,
    presentmentCurrencyCode: currency,
    totalPriceSet: bag(order.totalPrice, currency),
    originalTotalPriceSet: bag(order.totalPrice, currency),
    currentTotalPriceSet: bag(current, currency),
    totalRefundedSet: bag(order.totalRefunded, currency),
    subtotalLineItemsQuantity: order.lineItems.reduce((sum, item) => sum + item.quantity, 0),
    lineItems: (args: FieldArgs) => arrayConnection(order.lineItems, args, (item) => lineItemView(item, currency)),
    customer: order.customer ? customerView(order.customer, store, currency) : null,
    fulfillments: (args: FieldArgs) => fulfillmentList(order, args, store.now().getTime()),
    shippingAddress: order.shippingAddress
      ? { __typename: 'MailingAddress', id: gid('MailingAddress', order.legacyId), ...order.shippingAddress }
      : null,
    customAttributes: order.customAttributes.map((a) => ({ __typename: 'Attribute', ...a })),
    // The order's returns and refunds are served by return-views.ts (root.ts merges them); the status is plain data.
    returnStatus: orderReturnStatus(order),
  };
}
