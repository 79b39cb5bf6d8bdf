import type { Segment } from '../model/customer';
import type { MetricEvent } from '../model/records';
import type { MappingConfig } from './mapping-config';
import { uniqueId } from './unique-id';

/**
 * The tracking page's two metrics. A view's id is the order and the UTC hour, so Klaviyo keeps one view per order
 * per hour however often the page is opened or the outbox replays; a click's id adds the block. Pure.
 */
export interface PageVisit {
  readonly email: string;
  readonly orderId: string;
  readonly orderNumber: string;
  readonly status: string;
  readonly issueOpen: boolean;
  readonly segment: Segment | null;
}

const HOUR_MS = 3_600_000;
const hourOf = (at: Date): string => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS).toISOString().slice(0, 13);

/** One page metric for the visit's customer; null when the metric is switched off in the mapping. */
function pageEvent(config: { metric: string; enabled: boolean }, visit: PageVisit, id: string, at: Date, properties: Record<string, unknown>): MetricEvent | null {
  if (!config.enabled) return null;
  return {
    kind: 'event',
    metric: config.metric,
    identity: { email: visit.email, phoneNumber: null, externalId: null },
    time: at,
    uniqueId: id,
    value: null,
    valueCurrency: null,
    properties,
    backfill: false,
  };
}

export function pageViewEvent(visit: PageVisit, blocksShown: readonly string[], at: Date, mapping: MappingConfig): MetricEvent | null {
  return pageEvent(mapping.events.trackingPage.viewed, visit, uniqueId('tpv', visit.orderId, hourOf(at)), at, {
    OrderId: visit.orderId, OrderNumber: visit.orderNumber, Status: visit.status, IssueOpen: visit.issueOpen,
    LifecycleSegment: visit.segment, BlocksShown: [...blocksShown],
  });
}

export function blockClickEvent(visit: PageVisit, blockId: string, at: Date, mapping: MappingConfig): MetricEvent | null {
  return pageEvent(mapping.events.trackingPage.clicked, visit, uniqueId('tpc', visit.orderId, blockId, hourOf(at)), at, {
    BlockId: blockId, OrderId: visit.orderId, OrderNumber: visit.orderNumber, LifecycleSegment: visit.segment,
  });
}
