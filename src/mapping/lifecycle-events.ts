import type { CustomerAggregate, Segment } from '../model/customer';
import type { MetricEvent } from '../model/records';
import type { MappingConfig } from './mapping-config';
import { identityOf } from './profile';
import { uniqueId } from './unique-id';

export interface SegmentChange {
  readonly customer: CustomerAggregate;
  readonly from: Segment;
  readonly to: Segment;
  /** When the change happened: the order that caused it, or the instant a time threshold was crossed. */
  readonly at: Date;
  readonly cause: 'order' | 'time';
  readonly backfill: boolean;
  /** This customer's nth announced change: the event id, so a replay after a crash keeps the same id. */
  readonly ordinal: number;
  /** The customer's top category by net spend, for flow branches (null: none known). */
  readonly topCategory: string | null;
}

/** `Lifecycle Segment Changed`, once per real change. */
export function segmentChangedEvent(change: SegmentChange, mapping: MappingConfig): MetricEvent | null {
  const config = mapping.events.lifecycleSegmentChanged;
  if (!config.enabled) return null;
  return {
    kind: 'event',
    metric: config.metric,
    identity: identityOf(change.customer),
    time: change.at,
    uniqueId: uniqueId('seg', change.customer.key, change.ordinal),
    value: null,
    valueCurrency: null,
    properties: { PreviousSegment: change.from, Segment: change.to, Cause: change.cause, TopCategory: change.topCategory },
    backfill: change.backfill,
  };
}
