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

export function pageViewEvent(visit: PageVisit, blocksShown: readonly string[], at: Date, mapping: MappingConfig): MetricEvent | null {
  const config = mapping.events.trackingPage.viewed;
  if (!config.enabled) return null;
  return {
    kind: 'event',
    metric: config.metric,
    identity: { email: visit.email, phoneNumber: null, externalId: null },
    time: at,
    uniqueId: uniqueId('tpv', visit.orderId, hourOf(at)),
    value: null,
    valueCurrency: null,
    properties: {
      OrderId: visit.orderId, OrderNumber: visit.orderNumber, Status: visit.status, IssueOpen: visit.issueOpen,
      LifecycleSegment: visit.segment, BlocksShown: [...blocksShown],
    },
    backfill: false,
  };
}

export function blockClickEvent(visit: PageVisit, blockId: string, at: Date, mapping: MappingConfig): MetricEvent | null {
  const config = mapping.events.trackingPage.clicked;
  if (!config.enabled) return null;
  return {
    kind: 'event',
    metric: config.metric,
    identity: { email: visit.email, phoneNumber: null, externalId: null },
    time: at,
    uniqueId: uniqueId('tpc', visit.orderId, blockId, hourOf(at)),
    value: null,
    valueCurrency: null,
    properties: { BlockId: blockId, OrderId: visit.orderId, OrderNumber: visit.orderNumber, LifecycleSegment: visit.segment },
    backfill: false,
  };
}
