import { moneyFromDecimal } from '../../model/money';
import { RETURN_STATUSES, type OrderReturn, type Refund, type ReturnStatus } from '../../model/returns';
import type { ShopifyRefundNode, ShopifyReturnNode, ShopifyReturnsRead } from './types';

/** Shopify's returns and refunds as the normalized model (model/returns.ts). Pure; throws RangeError on bad amounts. */
export function normalizeShopifyReturns(read: ShopifyReturnsRead, currency: string): { returns?: OrderReturn[]; refunds: Refund[] } {
  const refunds = read.refunds.map((r) => normalizeRefund(r, currency)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  if (read.returns === null) return { refunds };
  const returns = read.returns.map(normalizeReturn).sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime());
  return { returns, refunds };
}

function returnStatus(status: string): ReturnStatus {
  const lower = status.toLowerCase();
  if (!(RETURN_STATUSES as readonly string[]).includes(lower)) throw new RangeError(`unknown return status ${JSON.stringify(status)}`);
  return lower as ReturnStatus;
}

const instant = (text: string | null): Date | null => (text ? new Date(text) : null);

function normalizeReturn(node: ShopifyReturnNode): OrderReturn {
  const orders = node.reverseFulfillmentOrders.nodes;
  return {
    id: node.id,
    name: node.name,
    status: returnStatus(node.status),
    requestedAt: new Date(node.createdAt),
    approvedAt: instant(node.requestApprovedAt),
    closedAt: instant(node.closedAt),
    declineReason: node.decline?.reason.toLowerCase() ?? null,
    lines: node.returnLineItems.nodes.map((line) => ({
      lineItemId: line.fulfillmentLineItem?.lineItem.id ?? null,
      sku: line.fulfillmentLineItem?.lineItem.sku || null,
      name: line.fulfillmentLineItem?.lineItem.name ?? null,
      quantity: line.quantity,
      reason: line.returnReasonDefinition?.handle ?? 'unknown',
      reasonName: line.returnReasonDefinition?.name ?? null,
      customerNote: line.customerNote,
    })),
    deliveries: orders.flatMap((o) => o.reverseDeliveries.nodes).map((d) => {
      const tracking = d.deliverable?.tracking;
      const code = tracking?.number?.trim();
      return { id: d.id, tracking: code ? { code, carrier: tracking?.carrierName ?? null, url: tracking?.url ?? null } : null };
    }),
    received: orders.length > 0 && orders.every((o) => o.status === 'CLOSED'),
  };
}

function normalizeRefund(node: ShopifyRefundNode, currency: string): Refund {
  const money = (amount: string) => moneyFromDecimal(amount, currency);
  const shipping = (node.refundShippingLines?.nodes ?? []).reduce((sum, l) => sum + money(l.subtotalAmountSet.shopMoney.amount).minor, 0);
  return {
    id: node.id,
    createdAt: new Date(node.createdAt),
    amount: money(node.totalRefundedSet.shopMoney.amount),
    shipping: { minor: shipping, currency },
    returnId: node.return?.id ?? null,
    note: node.note,
    lines: (node.refundLineItems?.nodes ?? []).map((l) => ({ lineItemId: l.lineItem.id, sku: l.lineItem.sku || null, name: l.lineItem.name, quantity: l.quantity })),
  };
}
