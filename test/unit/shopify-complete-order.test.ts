import { isComplete, missingParts } from '../../src/sources/shopify/complete-order';
import { isOurBulkQuery } from '../../src/sources/shopify/bulk-read';
import { bulkOrdersQuery, FULFILLMENTS_PER_ORDER, TRACKING_PER_FULFILLMENT } from '../../src/sources/shopify/queries';
import { parseBulkSearch } from '../../src/sandbox/shopify/bulk-search';
import type { ShopifyFulfillmentNode, ShopifyOrderNode } from '../../src/sources/shopify/types';

const fulfillment = (id: number, tracking: number): ShopifyFulfillmentNode => ({
  id: `gid://shopify/Fulfillment/${id}`, createdAt: '2026-01-01T00:00:00Z', displayStatus: null, estimatedDeliveryAt: null, deliveredAt: null,
  trackingInfo: Array.from({ length: tracking }, (_, i) => ({ number: `T${id}-${i}`, company: null, url: null })),
});

const order = (fulfillments: ShopifyFulfillmentNode[], hasNextPage: boolean): ShopifyOrderNode => ({
  id: 'gid://shopify/Order/1', name: '#1001', email: 'a@example.com', phone: null, createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z', cancelledAt: null, test: false, tags: [], displayFinancialStatus: 'PAID', currencyCode: 'USD',
  totalPriceSet: { shopMoney: { amount: '1.00', currencyCode: 'USD' } }, currentTotalPriceSet: { shopMoney: { amount: '1.00', currencyCode: 'USD' } },
  customer: null, shippingAddress: null, customAttributes: [], fulfillments,
  lineItems: { pageInfo: { hasNextPage, endCursor: hasNextPage ? 'cursor-10' : null }, nodes: [] },
});

describe('which orders of a page need follow-up reads', () => {
  it('none for an order below every limit', () => {
    const parts = missingParts(order([fulfillment(1, TRACKING_PER_FULFILLMENT - 1)], false));
    expect(parts).toEqual({ lineItemsAfter: null, fulfillments: false, trackingOf: [] });
    expect(isComplete(parts)).toBe(true);
  });

  it('more line items after the page cursor; a full fulfillments list; a full tracking list, each by itself', () => {
    expect(missingParts(order([], true)).lineItemsAfter).toBe('cursor-10');
    const full = Array.from({ length: FULFILLMENTS_PER_ORDER }, (_, i) => fulfillment(i, 0));
    expect(missingParts(order(full, false)).fulfillments).toBe(true);
    const parts = missingParts(order([fulfillment(1, 0), fulfillment(2, TRACKING_PER_FULFILLMENT)], false));
    expect(parts.trackingOf).toEqual(['gid://shopify/Fulfillment/2']);
    expect(isComplete(parts)).toBe(false);
  });
});

describe('bulk operation bookkeeping', () => {
  it('recognizes our bulk queries by their operation name only', () => {
    expect(isOurBulkQuery(bulkOrdersQuery(null))).toBe(true);
    expect(isOurBulkQuery(bulkOrdersQuery("updated_at:>='2026-01-01T00:00:00Z'"))).toBe(true);
    expect(isOurBulkQuery('{ orders { edges { node { id } } } }')).toBe(false);
    expect(isOurBulkQuery('query ShipsignalBulkExportOther { orders { edges { node { id } } } }')).toBe(false);
  });

  it('filters bulkOperations like the documented search syntax: status, operation_type, id, OR', () => {
    const op = (legacyId: number, status: string) => ({ legacyId, status, type: 'query' as const });
    const running = parseBulkSearch('status:running OR status:created');
    expect([op(1, 'RUNNING'), op(2, 'CREATED'), op(3, 'COMPLETED')].filter(running).map((o) => o.legacyId)).toEqual([1, 2]);
    expect(parseBulkSearch('operation_type:query status:completed')(op(3, 'COMPLETED'))).toBe(true);
    expect(parseBulkSearch('operation_type:mutation')(op(3, 'COMPLETED'))).toBe(false);
    expect(parseBulkSearch('id:>=2')(op(1, 'RUNNING'))).toBe(false);
    expect(parseBulkSearch('colour:blue')(op(1, 'RUNNING'))).toBe(false);
  });
});
