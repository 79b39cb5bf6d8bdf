/**
 * The GraphQL documents shipsignal sends to the Shopify Admin API (2026-10). The test suite validates each one
 * against the published schema; the sandbox rejects any that would not validate.
 */
export const SHOPIFY_API_VERSION = '2026-10';

/**
 * What one order of a paged query carries. Shopify charges 2 + first × (child cost) per connection and first ×
 * (child cost) per sized list, and refuses queries over 1,000 points, so page size × per-order cost must stay under
 * it: with 10 lines, 3 fulfillments and 2 tracking numbers an order costs about 60 points and a page of 15 fits.
 * An order that fills any of these (more lines, or as many fulfillments or tracking numbers as asked for) is read to
 * the end by the follow-up queries below (complete-order.ts). Bulk operations have no such limit and read it all.
 */
export const LINE_ITEMS_PER_ORDER = 10;
export const FULFILLMENTS_PER_ORDER = 3;
export const TRACKING_PER_FULFILLMENT = 2;

/**
 * Follow-up sizes, each query under the 1,000-point cap: a line item costs 4 (itself, product, price bag, money),
 * so 200 of them 2 + 1 + 800 = 803 with the order; a fulfillment with 10 tracking numbers costs 11, so 50 of them
 * 551; one fulfillment's tracking list at Shopify's 250 maximum, 251.
 */
export const LINE_ITEMS_FOLLOW_UP = 200;
export const FULFILLMENTS_FOLLOW_UP = 50;
export const TRACKING_FOLLOW_UP = 10;
export const TRACKING_MAX = 250;

const FULFILLMENT_SCALARS = 'id createdAt displayStatus estimatedDeliveryAt deliveredAt';
const TRACKING_FIELDS = 'number company url';

function orderFields(fulfillmentsArgs: string, trackingArgs: string): string {
  return `
  id name email phone createdAt updatedAt cancelledAt test tags
  displayFinancialStatus currencyCode returnStatus
  totalRefundedSet { shopMoney { amount currencyCode } }
  totalPriceSet { shopMoney { amount currencyCode } }
  currentTotalPriceSet { shopMoney { amount currencyCode } }
  customer { id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
  shippingAddress { firstName lastName city provinceCode zip countryCodeV2 phone }
  customAttributes { key value }
  fulfillments${fulfillmentsArgs} {
    ${FULFILLMENT_SCALARS}
    trackingInfo${trackingArgs} { ${TRACKING_FIELDS} }
  }`;
}

const LINE_ITEM_FIELDS = `id name sku quantity currentQuantity product { id productType } originalUnitPriceSet { shopMoney { amount currencyCode } }`;

export const ORDERS_PAGE_QUERY = `
query ShipsignalOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ${orderFields(`(first: ${FULFILLMENTS_PER_ORDER})`, `(first: ${TRACKING_PER_FULFILLMENT})`)}
      lineItems(first: ${LINE_ITEMS_PER_ORDER}) { pageInfo { hasNextPage endCursor } nodes { ${LINE_ITEM_FIELDS} } }
    }
  }
}`;

/** The rest of one order's line items, after the cursor the page (or the previous follow-up) ended on. */
export const ORDER_LINE_ITEMS_QUERY = `
query ShipsignalOrderLineItems($id: ID!, $after: String) {
  order(id: $id) {
    id
    lineItems(first: ${LINE_ITEMS_FOLLOW_UP}, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${LINE_ITEM_FIELDS} } }
  }
}`;

/**
 * One order's fulfillments from a creation time on. `Order.fulfillments` is a plain list (no cursor, no pageInfo):
 * its `query` argument filtering by `created_at` is the only way past the first page.
 */
export const ORDER_FULFILLMENTS_QUERY = `
query ShipsignalOrderFulfillments($id: ID!, $query: String) {
  order(id: $id) {
    id
    fulfillments(first: ${FULFILLMENTS_FOLLOW_UP}, query: $query) {
      ${FULFILLMENT_SCALARS}
      trackingInfo(first: ${TRACKING_FOLLOW_UP}) { ${TRACKING_FIELDS} }
    }
  }
}`;

/** Every tracking number of one fulfillment (a list too, at most 250 per request). */
export const FULFILLMENT_TRACKING_QUERY = `
query ShipsignalFulfillmentTracking($id: ID!) {
  fulfillment(id: $id) { id trackingInfo(first: ${TRACKING_MAX}) { ${TRACKING_FIELDS} } }
}`;

/** How many orders changed since the cursor, counted up to `limit` (Shopify answers `AT_LEAST` beyond it). */
export const ORDERS_COUNT_QUERY = `
query ShipsignalOrdersCount($query: String!, $limit: Int!) {
  ordersCount(query: $query, limit: $limit) { count precision }
}`;

/**
 * The operation name every bulk query of ours carries, so a later start can tell our operations from another
 * tool's among the app's bulk operations (Shopify keeps the query text as sent).
 */
export const BULK_OPERATION_NAME = 'ShipsignalBulkExport';

/**
 * The inner query of a bulk operation: no page sizes (lists unsized return every element); connection children
 * arrive as their own JSONL lines.
 */
export function bulkOrdersQuery(searchQuery: string | null): string {
  const args = searchQuery ? `(query: ${JSON.stringify(searchQuery)}, sortKey: UPDATED_AT)` : '(sortKey: UPDATED_AT)';
  return `query ${BULK_OPERATION_NAME} { orders${args} { edges { node { ${orderFields('', '')}
    lineItems { edges { node { ${LINE_ITEM_FIELDS} } } } } } } }`;
}

export const BULK_RUN_MUTATION = `
mutation ShipsignalBulkOrders($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

export const BULK_STATUS_QUERY = `
query ShipsignalBulkStatus($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount url partialDataUrl query createdAt }
}`;

/** The app's unfinished and recent bulk query operations, newest first (`currentBulkOperation` is deprecated). */
export const BULK_OPERATIONS_QUERY = `
query ShipsignalBulkOperations($query: String!) {
  bulkOperations(first: 10, query: $query, sortKey: CREATED_AT) {
    nodes { id status errorCode objectCount rootObjectCount url partialDataUrl query createdAt }
  }
}`;

export const BULK_CANCEL_MUTATION = `
mutation ShipsignalBulkCancel($id: ID!) {
  bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } }
}`;

/**
 * Returns and refunds are read by a follow-up per order that has any (`returnStatus` other than NO_RETURN, or an
 * amount refunded): few orders do, and nesting them in every page would cost each order ~300 points. Sizes keep
 * the follow-up near 650 points: 5 returns of 10 lines, 2 reverse fulfillment orders of 2 deliveries each, and 10
 * refunds. More returns page by cursor, more return lines through `return(id)`, and an order with 10 refunds or
 * more is re-read through the refund list alone (refunds past the 10th carry no lines).
 * `returns` and everything under it need the `read_returns` scope; refunds need `read_orders`.
 */
export const RETURNS_PER_FOLLOW_UP = 5;
export const RETURN_LINES_PER_RETURN = 10;
export const RETURN_LINES_FOLLOW_UP = 100;
export const REFUNDS_PER_ORDER = 10;
export const REFUNDS_MAX = 200;

const MONEY = '{ shopMoney { amount currencyCode } }';
const RETURN_LINE_FIELDS = `id quantity customerNote returnReasonNote returnReasonDefinition { handle name }
  ... on ReturnLineItem { fulfillmentLineItem { lineItem { id sku name } } }`;
const RETURN_FIELDS = `id name status createdAt requestApprovedAt closedAt decline { reason note }
  returnLineItems(first: ${RETURN_LINES_PER_RETURN}) { pageInfo { hasNextPage endCursor } nodes { ${RETURN_LINE_FIELDS} } }
  reverseFulfillmentOrders(first: 2) { nodes { id status reverseDeliveries(first: 2) { nodes { id
    deliverable { ... on ReverseDeliveryShippingDeliverable { tracking { number carrierName url } } } } } } }`;
const REFUND_FIELDS = `id createdAt note return { id } totalRefundedSet ${MONEY}`;

export const ORDER_RETURNS_QUERY = `
query ShipsignalOrderReturns($id: ID!, $after: String, $withReturns: Boolean!) {
  order(id: $id) {
    id
    returns(first: ${RETURNS_PER_FOLLOW_UP}, after: $after) @include(if: $withReturns) { pageInfo { hasNextPage endCursor } nodes { ${RETURN_FIELDS} } }
    refunds(first: ${REFUNDS_PER_ORDER}) { ${REFUND_FIELDS}
      refundShippingLines(first: 2) { nodes { subtotalAmountSet ${MONEY} } }
      refundLineItems(first: 20) { nodes { quantity lineItem { id sku name } } } }
  }
}`;

/** The rest of one return's lines, after the cursor the follow-up ended on. */
export const RETURN_LINES_QUERY = `
query ShipsignalReturnLines($id: ID!, $after: String) {
  return(id: $id) { id returnLineItems(first: ${RETURN_LINES_FOLLOW_UP}, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${RETURN_LINE_FIELDS} } } }
}`;

/** Every refund of an order that has more than the follow-up reads (a list: no cursor, one large read). */
export const ORDER_ALL_REFUNDS_QUERY = `
query ShipsignalOrderRefunds($id: ID!) {
  order(id: $id) { id refunds(first: ${REFUNDS_MAX}) { ${REFUND_FIELDS} } }
}`;

/** The app's granted scopes: `read_returns` decides whether returns are read (doctor names it when missing). */
export const ACCESS_SCOPES_QUERY = `query ShipsignalScopes { currentAppInstallation { accessScopes { handle } } }`;

export const SHOP_QUERY = `query ShipsignalShop { shop { name currencyCode ianaTimezone } }`;
