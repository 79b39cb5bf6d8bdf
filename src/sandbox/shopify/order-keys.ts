import { moneyFromDecimal } from '../../model/money';
import type { OrderRecord } from './record';
import type { OrderKeys } from './search-query';

/**
 * Where a store's orders come from. Real seeds hold records; the synthetic generator materializes them on demand,
 * so `keys` must be cheap: the store reads it once per order to build its indexes.
 */
export interface OrderSource {
  readonly count: number;
  readonly currency: string;
  record(index: number): OrderRecord;
  keys(index: number): SourceKeys;
}

export interface SourceKeys extends OrderKeys {
  /** 0 when the order has no customer. */
  readonly customerId: number;
  /** What the order adds to its customer's amountSpent, in minor units. */
  readonly netMinor: number;
}

export const CANCELLED = 1;
export const CLOSED = 2;
export const TEST = 4;
const UNPAID: ReadonlySet<string> = new Set(['VOIDED', 'EXPIRED', 'PENDING', 'AUTHORIZED']);

export function flagsOf(keys: OrderKeys): number {
  return (keys.cancelled ? CANCELLED : 0) | (keys.closed ? CLOSED : 0) | (keys.test ? TEST : 0);
}

/** The keys the store indexes, derived from a record (used for every record-backed source and for mutations). */
export function keysOfRecord(record: OrderRecord): SourceKeys {
  const paid = record.displayFinancialStatus === null || !UNPAID.has(record.displayFinancialStatus);
  const net = paid
    ? moneyFromDecimal(record.totalPrice, record.currencyCode).minor - moneyFromDecimal(record.totalRefunded, record.currencyCode).minor
    : 0;
  return {
    legacyId: record.legacyId,
    createdAt: Date.parse(record.createdAt),
    updatedAt: Date.parse(record.updatedAt),
    processedAt: Date.parse(record.processedAt),
    cancelled: record.cancelledAt !== null,
    closed: record.closedAt !== null,
    test: record.test,
    customerId: record.customer?.legacyId ?? 0,
    netMinor: Math.max(0, net),
  };
}

export function recordSource(records: readonly OrderRecord[], currency: string): OrderSource {
  return { count: records.length, currency, record: (i) => records[i], keys: (i) => keysOfRecord(records[i]) };
}
