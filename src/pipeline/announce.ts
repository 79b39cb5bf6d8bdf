import type { CustomerAggregate } from '../model/customer';
import type { SinkRecord } from '../model/records';
import type { LifecycleAssessment } from '../enrichment/lifecycle/types';
import { segmentChangedEvent } from '../mapping/lifecycle-events';
import type { MappingConfig } from '../mapping/mapping-config';
import { buildProfilePatch, patchHash } from '../mapping/profile';

export interface AnnounceOptions {
  readonly mapping: MappingConfig;
  /** Events older than this instant are history: sent with Klaviyo's backfill flag, or not at all. */
  readonly liveSince: Date;
  readonly backfill: 'flag' | 'skip';
}

export interface Announcement {
  /** The customer with segment, hash and review time updated to what was announced. */
  readonly customer: CustomerAggregate;
  readonly records: readonly SinkRecord[];
}

/**
 * Decides what Klaviyo must hear about one customer after an assessment: the profile properties when they differ
 * from what was last queued, and a segment-change event when the segment moved. Pure.
 * A customer's first segment is set on the profile without an event: nothing changed from the marketer's view.
 */
export function announce(
  customer: CustomerAggregate,
  lifecycle: LifecycleAssessment,
  changeAt: Date,
  cause: 'order' | 'time',
  options: AnnounceOptions,
): Announcement {
  const records: SinkRecord[] = [];
  let { segment, segmentSince, segmentChanges = 0 } = customer;
  if (segment !== lifecycle.segment) {
    if (segment !== null) {
      const backfill = changeAt < options.liveSince;
      const event = segmentChangedEvent(
        { customer, from: segment, to: lifecycle.segment, at: changeAt, cause, backfill, ordinal: segmentChanges + 1 },
        options.mapping,
      );
      if (event && !(backfill && options.backfill === 'skip')) records.push(event);
      segmentChanges += 1;
    }
    segment = lifecycle.segment;
    segmentSince = changeAt.toISOString();
  }
  const patch = buildProfilePatch({ customer, lifecycle }, options.mapping);
  const hash = patchHash(patch);
  if (hash !== customer.pushedHash) records.push(patch);
  return {
    customer: {
      ...customer,
      segment,
      segmentSince,
      segmentChanges,
      pushedHash: hash,
      nextReviewAt: lifecycle.nextReviewAt?.toISOString() ?? null,
    },
    records,
  };
}
