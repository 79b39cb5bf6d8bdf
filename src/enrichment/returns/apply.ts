import type { CustomerAggregate } from '../../model/customer';
import type { Order } from '../../model/order';
import type { OrderReturnsRecord } from '../../model/returns';
import { mergeOrderReturns, pendingChanges, withParcelStatus, type ReturnChange, type ReturnParcelReport } from './ledger';

export type { ReturnParcelReport } from './ledger';

export interface ReturnsApplied {
  /** The same object when nothing changed (so the page can skip the customer). */
  readonly customer: CustomerAggregate;
  readonly changes: readonly ReturnChange[];
}

function replaceRecord(customer: CustomerAggregate, record: OrderReturnsRecord): CustomerAggregate {
  const others = (customer.returns ?? []).filter((r) => r.orderId !== record.orderId);
  const returns = [...others, record].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  return { ...customer, returns };
}

function withReports(record: OrderReturnsRecord, reports: ReadonlyMap<string, ReturnParcelReport>): OrderReturnsRecord {
  let out = record;
  for (const ret of record.returns) {
    for (const parcel of ret.parcels) {
      const report = reports.get(parcel.code);
      if (report) out = withParcelStatus(out, parcel.code, report);
    }
  }
  return out;
}

/**
 * Folds an order's returns and refunds (and any carrier reports on its return parcels) into its customer, and says
 * what must be announced. Pure; replaying the same order changes nothing and announces nothing.
 */
export function applyOrderReturns(customer: CustomerAggregate, order: Order, reports: ReadonlyMap<string, ReturnParcelReport> = new Map()): ReturnsApplied {
  const previous = customer.returns?.find((r) => r.orderId === order.id) ?? null;
  const merged = mergeOrderReturns(previous, order);
  if (!merged) return { customer, changes: [] };
  const { record, changes } = pendingChanges(withReports(merged, reports));
  if (changes.length === 0 && JSON.stringify(record) === JSON.stringify(previous)) return { customer, changes };
  return { customer: replaceRecord(customer, record), changes };
}

/** A carrier report on one return parcel of one of the customer's orders (tracker polls and webhooks). */
export function applyParcelReport(customer: CustomerAggregate, orderId: string, code: string, report: ReturnParcelReport): ReturnsApplied {
  const previous = customer.returns?.find((r) => r.orderId === orderId);
  if (!previous) return { customer, changes: [] };
  const { record, changes } = pendingChanges(withParcelStatus(previous, code, report));
  if (changes.length === 0 && JSON.stringify(record) === JSON.stringify(previous)) return { customer, changes };
  return { customer: replaceRecord(customer, record), changes };
}

/** Return parcels of the order not yet reported delivered: the codes to follow through the tracking source. */
export function returnParcelsToFollow(order: Order): Array<{ readonly code: string; readonly carrier: string | null; readonly returnId: string }> {
  return (order.returns ?? []).flatMap((ret) => (ret.status === 'declined' || ret.status === 'canceled' ? [] : ret.deliveries
    .flatMap((d) => (d.tracking ? [{ code: d.tracking.code, carrier: d.tracking.carrier, returnId: ret.id }] : []))));
}
