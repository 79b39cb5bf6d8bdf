import type { CustomerAggregate, Segment } from '../model/customer';
import { toDecimalNumber } from '../model/money';
import type { MetricEvent } from '../model/records';
import type { ReturnChange } from '../enrichment/returns/ledger';
import type { MappingConfig } from './mapping-config';
import { identityOf } from './profile';
import { uniqueId } from './unique-id';

type ReturnEventName = keyof MappingConfig['events']['returns'];

const EVENT_OF: Readonly<Record<ReturnChange['kind'], ReturnEventName>> = {
  requested: 'requested', approved: 'approved', declined: 'declined', in_transit: 'inTransit',
  received: 'received', closed: 'closed', refund: 'refundIssued',
};

/**
 * One return or refund change as a metric event, or null when the mapping turns it off. The id is the return (or
 * refund) and the step: the same change always carries the same id, so Klaviyo drops any replay. Pure.
 */
export function returnEvent(
  change: ReturnChange,
  customer: Pick<CustomerAggregate, 'email' | 'phone' | 'currency'>,
  segment: Segment | null,
  backfill: boolean,
  mapping: MappingConfig,
): MetricEvent | null {
  const config = mapping.events.returns[EVENT_OF[change.kind]];
  if (!config.enabled) return null;
  const order = { OrderId: change.order.orderId, OrderNumber: change.order.orderName, LifecycleSegment: segment };
  if (change.kind === 'refund') {
    const { refund } = change;
    const amount = { minor: refund.amountMinor, currency: refund.currency };
    return {
      kind: 'event', metric: config.metric, identity: identityOf(customer), time: change.at,
      uniqueId: uniqueId('refund', refund.id),
      value: toDecimalNumber(amount), valueCurrency: refund.currency,
      properties: {
        ...order,
        RefundId: refund.id,
        ReturnId: refund.returnId,
        Amount: toDecimalNumber(amount),
        ShippingRefunded: toDecimalNumber({ minor: refund.shippingMinor, currency: refund.currency }),
        CoveredShipping: refund.shippingMinor > 0,
        Reason: refund.note,
        ItemNames: refund.lines.map((l) => l.name),
        Items: refund.lines.map((l) => ({ ProductName: l.name, SKU: l.sku, Quantity: l.quantity })),
      },
      backfill,
    };
  }
  const { ret } = change;
  const parcel = ret.parcels.find((p) => p.movedAt !== null) ?? ret.parcels[0] ?? null;
  return {
    kind: 'event', metric: config.metric, identity: identityOf(customer), time: change.at,
    uniqueId: uniqueId('return', ret.id, change.kind),
    value: null, valueCurrency: null,
    properties: {
      ...order,
      ReturnId: ret.id,
      ReturnName: ret.name,
      ReturnStatus: ret.status,
      ReturnReasons: [...new Set(ret.lines.map((l) => l.reason))],
      ItemNames: ret.lines.map((l) => l.name),
      Items: ret.lines.map((l) => ({ ProductName: l.name, SKU: l.sku, Quantity: l.quantity, Reason: l.reason, ReasonName: l.reasonName })),
      Quantity: ret.lines.reduce((sum, l) => sum + l.quantity, 0),
      DeclineReason: ret.declineReason,
      TrackingCode: parcel?.code ?? null,
      Carrier: parcel?.carrier ?? null,
      TrackingUrl: parcel?.url ?? null,
      RequestedAt: ret.requestedAt,
    },
    backfill,
  };
}
