import type { ShopifyGraphqlClient } from './client';
import {
  FULFILLMENTS_FOLLOW_UP, FULFILLMENTS_PER_ORDER, FULFILLMENT_TRACKING_QUERY, ORDER_FULFILLMENTS_QUERY,
  ORDER_LINE_ITEMS_QUERY, TRACKING_FOLLOW_UP, TRACKING_PER_FULFILLMENT,
} from './queries';
import type { ShopifyFulfillmentNode, ShopifyLineItemNode, ShopifyOrderNode, ShopifyPageInfo } from './types';

/**
 * A paged query reads each order's nested lists only up to a size (the query-cost cap), and Shopify says nothing
 * when a plain list (`fulfillments`, `trackingInfo`) was cut: an order that filled a list may have more. These
 * follow-up queries read such an order's remaining line items, fulfillments and tracking numbers, so a paged read
 * yields the same order as a bulk read. Ordinary orders fill nothing and cost no extra request.
 */

export type CompletedOrder =
  | { readonly ok: true; readonly node: ShopifyOrderNode; readonly lineItems: readonly ShopifyLineItemNode[] }
  | { readonly ok: false; readonly reason: string };

/** What a page's copy of an order may lack (pure): the cursor of the next line items, and which lists were full. */
export interface MissingParts {
  readonly lineItemsAfter: string | null;
  readonly fulfillments: boolean;
  readonly trackingOf: readonly string[];
}

export function missingParts(node: ShopifyOrderNode, trackingLimit = TRACKING_PER_FULFILLMENT): MissingParts {
  const pageInfo: ShopifyPageInfo | undefined = node.lineItems?.pageInfo;
  return {
    lineItemsAfter: pageInfo?.hasNextPage ? pageInfo.endCursor : null,
    fulfillments: node.fulfillments.length >= FULFILLMENTS_PER_ORDER,
    trackingOf: fullTracking(node.fulfillments, trackingLimit),
  };
}

export function isComplete(parts: MissingParts): boolean {
  return parts.lineItemsAfter === null && !parts.fulfillments && parts.trackingOf.length === 0;
}

function fullTracking(fulfillments: readonly ShopifyFulfillmentNode[], limit: number): string[] {
  return fulfillments.filter((f) => f.trackingInfo.length >= limit).map((f) => f.id);
}

interface LineItemsData {
  order: { lineItems: { pageInfo: ShopifyPageInfo; nodes: ShopifyLineItemNode[] } } | null;
}
interface FulfillmentsData {
  order: { fulfillments: ShopifyFulfillmentNode[] } | null;
}
interface TrackingData {
  fulfillment: { id: string; trackingInfo: ShopifyFulfillmentNode['trackingInfo'] } | null;
}

class Vanished extends Error {}

/** The order with every line item, fulfillment and tracking number, or why it could not be read whole. */
export async function completeOrder(client: ShopifyGraphqlClient, node: ShopifyOrderNode): Promise<CompletedOrder> {
  const first = node.lineItems?.nodes ?? [];
  const parts = missingParts(node);
  if (isComplete(parts)) return { ok: true, node, lineItems: first };
  try {
    const lineItems = parts.lineItemsAfter === null ? first : [...first, ...(await restOfLineItems(client, node.id, parts.lineItemsAfter))];
    let fulfillments = node.fulfillments;
    let trackingOf = parts.trackingOf;
    if (parts.fulfillments) {
      fulfillments = await allFulfillments(client, node.id);
      trackingOf = fullTracking(fulfillments, TRACKING_FOLLOW_UP);
    }
    if (trackingOf.length > 0) fulfillments = await withAllTracking(client, fulfillments, new Set(trackingOf));
    return { ok: true, node: { ...node, fulfillments }, lineItems };
  } catch (error) {
    if (error instanceof Vanished) return { ok: false, reason: error.message };
    throw error;
  }
}

async function restOfLineItems(client: ShopifyGraphqlClient, id: string, from: string): Promise<ShopifyLineItemNode[]> {
  const out: ShopifyLineItemNode[] = [];
  let after: string | null = from;
  while (after !== null) {
    const data: LineItemsData = await client.query<LineItemsData>(ORDER_LINE_ITEMS_QUERY, { id, after });
    if (!data.order) throw new Vanished(`order ${id} disappeared while its line items were read`);
    out.push(...data.order.lineItems.nodes);
    after = data.order.lineItems.pageInfo.hasNextPage ? data.order.lineItems.pageInfo.endCursor : null;
  }
  return out;
}

/**
 * Fulfillments come in creation order; each request asks for those created at or after the last one seen (`>=`,
 * since several can share a second) and drops the ones already held. A full page of one second's fulfillments
 * cannot be got past: that order is rejected by name rather than read in part.
 */
async function allFulfillments(client: ShopifyGraphqlClient, id: string): Promise<ShopifyFulfillmentNode[]> {
  const seen = new Map<string, ShopifyFulfillmentNode>();
  let from: string | null = null;
  for (;;) {
    const query: string | null = from === null ? null : `created_at:>='${from}'`;
    const data: FulfillmentsData = await client.query<FulfillmentsData>(ORDER_FULFILLMENTS_QUERY, { id, query });
    if (!data.order) throw new Vanished(`order ${id} disappeared while its fulfillments were read`);
    const list = data.order.fulfillments;
    let added = 0;
    for (const fulfillment of list) {
      if (seen.has(fulfillment.id)) continue;
      seen.set(fulfillment.id, fulfillment);
      added += 1;
    }
    if (list.length < FULFILLMENTS_FOLLOW_UP) break;
    if (added === 0) throw new Vanished(`order ${id} has over ${FULFILLMENTS_FOLLOW_UP} fulfillments created in one second: they cannot be paged`);
    from = list[list.length - 1].createdAt;
  }
  return [...seen.values()];
}

async function withAllTracking(client: ShopifyGraphqlClient, fulfillments: readonly ShopifyFulfillmentNode[], ids: ReadonlySet<string>): Promise<ShopifyFulfillmentNode[]> {
  const out: ShopifyFulfillmentNode[] = [];
  for (const fulfillment of fulfillments) {
    if (!ids.has(fulfillment.id)) {
      out.push(fulfillment);
      continue;
    }
    const data = await client.query<TrackingData>(FULFILLMENT_TRACKING_QUERY, { id: fulfillment.id });
    if (!data.fulfillment) throw new Vanished(`fulfillment ${fulfillment.id} disappeared while its tracking was read`);
    out.push({ ...fulfillment, trackingInfo: data.fulfillment.trackingInfo });
  }
  return out;
}
