import { GraphQLError } from 'graphql';
import { gid, type LineItemRecord, type OrderRecord, type RefundRecord, type ReturnRecord } from './record';
import { RETURN_REASON_NAMES } from './returns';
import { arrayConnection, bag, lineItemView, type ExecContext, type FieldArgs, type View } from './views';

/**
 * GraphQL views of returns and refunds. `Order.returns` and everything under a Return need `read_returns` (or
 * `read_marketplace_returns`): without it Shopify answers the field with an ACCESS_DENIED error and null data, and
 * so does the sandbox. Refunds need only `read_orders`.
 */
export const RETURN_SCOPES: readonly string[] = ['read_returns', 'read_marketplace_returns'];

function requireReturnsScope(context: ExecContext): void {
  if (context.scopes?.some((s) => RETURN_SCOPES.includes(s))) return;
  throw new GraphQLError('Access denied for returns field. Required access: `read_returns` access scope.', {
    extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes', requiredAccess: '`read_returns` access scope.' },
  });
}

const lineItemOf = (order: OrderRecord, legacyId: number): LineItemRecord | undefined => order.lineItems.find((l) => l.legacyId === legacyId);

function returnView(ret: ReturnRecord, order: OrderRecord): View {
  const currency = order.currencyCode;
  const rfo = ret.reverseFulfillmentOrder;
  const refunds = (order.refunds ?? []).filter((r) => r.returnLegacyId === ret.legacyId);
  return {
    __typename: 'Return',
    id: gid('Return', ret.legacyId),
    name: ret.name,
    status: ret.status,
    createdAt: ret.createdAt,
    requestApprovedAt: ret.requestApprovedAt,
    closedAt: ret.closedAt,
    totalQuantity: ret.lines.reduce((sum, l) => sum + l.quantity, 0),
    decline: ret.decline ? { __typename: 'ReturnDecline', reason: ret.decline.reason, note: ret.decline.note } : null,
    returnLineItems: (args: FieldArgs) => arrayConnection(ret.lines, args, (line) => {
      const item = lineItemOf(order, line.lineItemLegacyId);
      return {
        __typename: 'ReturnLineItem',
        id: gid('ReturnLineItem', line.legacyId),
        quantity: line.quantity,
        processedQuantity: 0,
        unprocessedQuantity: line.quantity,
        refundableQuantity: line.quantity,
        refundedQuantity: refunds.flatMap((r) => r.lines).filter((l) => l.lineItemLegacyId === line.lineItemLegacyId).reduce((s, l) => s + l.quantity, 0),
        customerNote: line.customerNote,
        returnReasonNote: '',
        returnReasonDefinition: line.reasonHandle
          ? { __typename: 'ReturnReasonDefinition', id: gid('ReturnReasonDefinition', 1), handle: line.reasonHandle, name: RETURN_REASON_NAMES[line.reasonHandle] ?? line.reasonHandle, deleted: false }
          : null,
        fulfillmentLineItem: item ? { __typename: 'FulfillmentLineItem', id: gid('FulfillmentLineItem', item.legacyId), quantity: item.quantity, lineItem: lineItemView(item, currency) } : null,
      };
    }),
    reverseFulfillmentOrders: (args: FieldArgs) => arrayConnection(rfo ? [rfo] : [], args, (r) => ({
      __typename: 'ReverseFulfillmentOrder',
      id: gid('ReverseFulfillmentOrder', r.legacyId),
      status: r.status,
      reverseDeliveries: (a: FieldArgs) => arrayConnection(r.deliveries, a, (d) => ({
        __typename: 'ReverseDelivery',
        id: gid('ReverseDelivery', d.legacyId),
        deliverable: {
          __typename: 'ReverseDeliveryShippingDeliverable',
          tracking: d.tracking ? { __typename: 'ReverseDeliveryTrackingV2', ...d.tracking } : null,
          label: null,
        },
      })),
    })),
    refunds: (args: FieldArgs) => arrayConnection(refunds, args, (r) => refundView(r, order)),
  };
}

function refundView(refund: RefundRecord, order: OrderRecord): View {
  const currency = order.currencyCode;
  const ret = refund.returnLegacyId === null ? null : order.returns?.find((r) => r.legacyId === refund.returnLegacyId) ?? null;
  return {
    __typename: 'Refund',
    id: gid('Refund', refund.legacyId),
    legacyResourceId: String(refund.legacyId),
    createdAt: refund.createdAt,
    processedAt: refund.createdAt,
    updatedAt: refund.createdAt,
    note: refund.note,
    totalRefundedSet: bag(refund.amount, currency),
    return: ret ? returnView(ret, order) : null,
    refundShippingLines: (args: FieldArgs) => arrayConnection(refund.shipping === '0.00' || Number(refund.shipping) === 0 ? [] : [refund.shipping], args, (amount) => ({
      __typename: 'RefundShippingLine', id: gid('RefundShippingLine', refund.legacyId), subtotalAmountSet: bag(amount, currency),
    })),
    refundLineItems: (args: FieldArgs) => arrayConnection(refund.lines, args, (l) => {
      const item = lineItemOf(order, l.lineItemLegacyId);
      return { __typename: 'RefundLineItem', id: gid('RefundLineItem', l.lineItemLegacyId), quantity: l.quantity, restocked: false, restockType: 'NO_RESTOCK', lineItem: item ? lineItemView(item, currency) : null };
    }),
  };
}

/** The order's return and refund fields (merged into the order view). */
export function orderReturnFields(order: OrderRecord): Record<string, unknown> {
  return {
    returns: (args: FieldArgs, context: ExecContext) => {
      requireReturnsScope(context);
      return arrayConnection(order.returns ?? [], args, (ret) => returnView(ret, order));
    },
    refunds: (args: FieldArgs) => {
      const first = typeof args.first === 'number' ? args.first : null;
      const all = order.refunds ?? [];
      return (first === null ? all : all.slice(0, first)).map((r) => refundView(r, order));
    },
  };
}

/** `return(id)`: the return with its order, or null (also without `read_returns`: an error). */
export function returnById(order: OrderRecord, legacyId: number, context: ExecContext): View | null {
  requireReturnsScope(context);
  const ret = order.returns?.find((r) => r.legacyId === legacyId);
  return ret ? returnView(ret, order) : null;
}
