import type { ShopifyGraphqlClient } from './client';
import { ORDER_ALL_REFUNDS_QUERY, ORDER_RETURNS_QUERY, REFUNDS_PER_ORDER, RETURN_LINES_QUERY } from './queries';
import type { ShopifyOrderNode, ShopifyPageInfo, ShopifyRefundNode, ShopifyReturnLineNode, ShopifyReturnNode, ShopifyReturnsRead } from './types';

/**
 * The follow-up read of an order's returns and refunds (queries.ts explains the sizes). Only orders that have any
 * are read: `returnStatus` other than NO_RETURN (returns feed the return rate and trust, whatever their age), or an
 * amount refunded on an order changed since `refundsSince` (a refund-only order older than the live window is
 * history: its refund is already in the order's net total, and a backfill of a store that refunds often would
 * otherwise cost one request per refunded order). A long list of returns pages by cursor; a
 * return with more lines than the follow-up holds is read to the end through `return(id)`; an order with
 * `REFUNDS_PER_ORDER` refunds or more is re-read through its refund list alone.
 */
export function needsReturnsRead(node: ShopifyOrderNode, refundsSince: number): boolean {
  if (node.returnStatus !== undefined && node.returnStatus !== 'NO_RETURN') return true;
  const refunded = node.totalRefundedSet ? Number(node.totalRefundedSet.shopMoney.amount) > 0 : false;
  return refunded && Date.parse(node.updatedAt) >= refundsSince;
}

interface ReturnsData {
  order: {
    returns?: { pageInfo: ShopifyPageInfo; nodes: ShopifyReturnNode[] };
    refunds: ShopifyRefundNode[];
  } | null;
}
interface ReturnLinesData {
  return: { returnLineItems: { pageInfo: ShopifyPageInfo; nodes: ShopifyReturnLineNode[] } } | null;
}
interface RefundsData {
  order: { refunds: ShopifyRefundNode[] } | null;
}

export class OrderVanished extends Error {}

async function allLines(client: ShopifyGraphqlClient, ret: ShopifyReturnNode): Promise<ShopifyReturnNode> {
  const lines = [...ret.returnLineItems.nodes];
  let info = ret.returnLineItems.pageInfo;
  while (info.hasNextPage && info.endCursor) {
    const data: ReturnLinesData = await client.query<ReturnLinesData>(RETURN_LINES_QUERY, { id: ret.id, after: info.endCursor });
    if (!data.return) throw new OrderVanished(`return ${ret.id} disappeared while its lines were read`);
    lines.push(...data.return.returnLineItems.nodes);
    info = data.return.returnLineItems.pageInfo;
  }
  return { ...ret, returnLineItems: { pageInfo: info, nodes: lines } };
}

/** The order's returns (null without `read_returns`) and refunds, or throws OrderVanished. */
export async function readOrderReturns(client: ShopifyGraphqlClient, id: string, withReturns: boolean): Promise<ShopifyReturnsRead> {
  const returns: ShopifyReturnNode[] = [];
  let refunds: ShopifyRefundNode[] = [];
  let after: string | null = null;
  let first = true;
  do {
    const data: ReturnsData = await client.query<ReturnsData>(ORDER_RETURNS_QUERY, { id, after, withReturns });
    if (!data.order) throw new OrderVanished(`order ${id} disappeared while its returns were read`);
    if (first) refunds = data.order.refunds;
    first = false;
    for (const ret of data.order.returns?.nodes ?? []) returns.push(await allLines(client, ret));
    const info = data.order.returns?.pageInfo;
    after = info?.hasNextPage ? info.endCursor : null;
  } while (after !== null);
  if (refunds.length >= REFUNDS_PER_ORDER) {
    const data = await client.query<RefundsData>(ORDER_ALL_REFUNDS_QUERY, { id });
    if (!data.order) throw new OrderVanished(`order ${id} disappeared while its refunds were read`);
    const detailed = new Map(refunds.map((r) => [r.id, r]));
    refunds = data.order.refunds.map((r) => detailed.get(r.id) ?? r);
  }
  return { returns: withReturns ? returns : null, refunds };
}
