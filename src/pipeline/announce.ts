import type { CustomerAggregate } from '../model/customer';
import type { SinkRecord } from '../model/records';
import type { LifecycleAssessment } from '../enrichment/lifecycle/types';
import type { ProductSignals } from '../enrichment/products/types';
import { segmentChangedEvent } from '../mapping/lifecycle-events';
import { replenishmentDueEvent } from '../mapping/product-events';
import type { MappingConfig } from '../mapping/mapping-config';
import { buildProfilePatch, patchHash } from '../mapping/profile';

export interface AnnounceOptions {
  readonly mapping: MappingConfig;
  /** Events older than this instant are history: sent with Klaviyo's backfill flag, or not at all. */
  readonly liveSince: Date;
  readonly backfill: 'flag' | 'skip';
}

/** The customer's product signals, and what the replenishment rule needs to know about now. */
export interface ProductAnnouncement {
  readonly signals: ProductSignals;
  readonly now: Date;
  /** Promotions are held (an open live delivery issue): a due cycle waits, re-checked daily until it is late. */
  readonly held: boolean;
}

export interface Announcement {
  /** The customer with segment, hash, review time and replenishment cycle updated to what was announced. */
  readonly customer: CustomerAggregate;
  readonly records: readonly SinkRecord[];
  /** When to review this customer again (the segment's next change, or a replenishment cycle coming due). */
  readonly reviewAt: ReadonlyArray<Date>;
}

const DAY_MS = 86_400_000;

/**
 * The replenishment part of an assessment: a cycle whose due date has come is announced once (`announcedCycle`
 * remembers it; the event id is deterministic anyway), dated at its due date (history before the live window goes
 * with the backfill flag, or not at all). A held customer's due cycle waits and is looked at again daily until it is
 * late. A future cycle is reviewed on its due date. Pure.
 */
function announceReplenishment(customer: CustomerAggregate, products: ProductAnnouncement, options: AnnounceOptions): {
  state: CustomerAggregate['replenishment']; record: SinkRecord | null; reviewAt: Date | null;
} {
  const due = products.signals.replenishment;
  if (due === null) return { state: null, record: null, reviewAt: null };
  const cycle = `${due.productId}|${due.cycleOrderId}`;
  const announcedBefore = customer.replenishment?.announcedCycle ?? null;
  const state = { productId: due.productId, dueAt: due.dueAt.toISOString(), cycleOrderId: due.cycleOrderId, announcedCycle: announcedBefore };
  if (announcedBefore === cycle) return { state, record: null, reviewAt: null };
  if (due.dueAt > products.now) return { state, record: null, reviewAt: due.dueAt };
  if (products.held) {
    const retry = new Date(products.now.getTime() + DAY_MS);
    return { state, record: null, reviewAt: retry < due.lateAt ? retry : null };
  }
  const backfill = due.dueAt < options.liveSince;
  const event = replenishmentDueEvent(customer, due, products.signals.topCategory, backfill, options.mapping);
  const record = event && !(backfill && options.backfill === 'skip') ? event : null;
  return { state: { ...state, announcedCycle: cycle }, record, reviewAt: null };
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
  products: ProductAnnouncement,
): Announcement {
  const records: SinkRecord[] = [];
  let { segment, segmentSince, segmentChanges = 0 } = customer;
  if (segment !== lifecycle.segment) {
    if (segment !== null) {
      const backfill = changeAt < options.liveSince;
      const event = segmentChangedEvent(
        { customer, from: segment, to: lifecycle.segment, at: changeAt, cause, backfill, ordinal: segmentChanges + 1, topCategory: products.signals.topCategory },
        options.mapping,
      );
      if (event && !(backfill && options.backfill === 'skip')) records.push(event);
      segmentChanges += 1;
    }
    segment = lifecycle.segment;
    segmentSince = changeAt.toISOString();
  }
  const patch = buildProfilePatch({ customer, lifecycle, products: products.signals }, options.mapping);
  const hash = patchHash(patch);
  if (hash !== customer.pushedHash) records.push(patch);
  const replenishment = announceReplenishment(customer, products, options);
  if (replenishment.record) records.push(replenishment.record);
  const { replenishment: _previous, ...rest } = customer;
  return {
    customer: {
      ...rest,
      segment,
      segmentSince,
      segmentChanges,
      pushedHash: hash,
      nextReviewAt: lifecycle.nextReviewAt?.toISOString() ?? null,
      // Stored only when there is a cycle: most customers have none, and every byte of a customer is read per page.
      ...(replenishment.state ? { replenishment: replenishment.state } : {}),
    },
    records,
    reviewAt: [lifecycle.nextReviewAt, replenishment.reviewAt].filter((at): at is Date => at !== null),
  };
}
