/**
 * The GraphQL documents shipsignal sends to the Shopify Admin API (2026-10). The test suite validates each one
 * against the published schema; the sandbox rejects any that would not validate.
 */
export const SHOPIFY_API_VERSION = '2026-10';

/**
 * Line items per order in a paged query. Shopify charges 2 + first × (child cost) per connection and refuses
 * queries over 1,000 points, so page size × per-order cost must stay under it: with 10 lines, 3 fulfillments and
 * 2 tracking numbers an order costs about 60 points and a page of 15 stays below the cap. Bulk operations (the
 * first backfill) have no such limit and return every line.
 */
export const LINE_ITEMS_PER_ORDER = 10;

const ORDER_FIELDS = `
  id name email phone createdAt updatedAt cancelledAt test tags
  displayFinancialStatus currencyCode
  totalPriceSet { shopMoney { amount currencyCode } }
  currentTotalPriceSet { shopMoney { amount currencyCode } }
  customer { id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
  shippingAddress { firstName lastName city provinceCode zip countryCodeV2 phone }
  customAttributes { key value }
  fulfillments(first: 3) {
    id createdAt displayStatus estimatedDeliveryAt deliveredAt
    trackingInfo(first: 2) { number company url }
  }`;

const LINE_ITEM_FIELDS = `id name sku quantity product { id } originalUnitPriceSet { shopMoney { amount currencyCode } }`;

export const ORDERS_PAGE_QUERY = `
query ShipsignalOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ${ORDER_FIELDS}
      lineItems(first: ${LINE_ITEMS_PER_ORDER}) { nodes { ${LINE_ITEM_FIELDS} } }
    }
  }
}`;

/** How many orders changed since the cursor, counted up to `limit` (Shopify answers `AT_LEAST` beyond it). */
export const ORDERS_COUNT_QUERY = `
query ShipsignalOrdersCount($query: String!, $limit: Int!) {
  ordersCount(query: $query, limit: $limit) { count precision }
}`;

/** The inner query of a bulk operation: no page sizes; children arrive as their own JSONL lines. */
export function bulkOrdersQuery(searchQuery: string | null): string {
  const args = searchQuery ? `(query: ${JSON.stringify(searchQuery)}, sortKey: UPDATED_AT)` : '(sortKey: UPDATED_AT)';
  return `{ orders${args} { edges { node { ${ORDER_FIELDS}
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
  bulkOperation(id: $id) { id status errorCode objectCount url partialDataUrl }
}`;

export const SHOP_QUERY = `query ShipsignalShop { shop { name currencyCode ianaTimezone } }`;
