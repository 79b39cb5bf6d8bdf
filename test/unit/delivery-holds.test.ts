import {
  HOLD_SHARE_MIN_CUSTOMERS, emptyHoldCounts, heldCustomers, holdShareWarning, isPendingAgedOut, pendingHorizonEnd, updateHoldCounts,
  type HoldCounts,
} from '../../src/enrichment/delivery';

const counts = (byRule: Record<string, number>): HoldCounts => ({ byRule });

describe('pending-parcel horizon', () => {
  const placed = new Date('2026-06-04T15:00:00Z');

  it('ends exactly the configured number of calendar days after placement (weekends count)', () => {
    expect(pendingHorizonEnd(placed, 30).toISOString()).toBe('2026-07-04T15:00:00.000Z');
    expect(pendingHorizonEnd(placed, 7).toISOString()).toBe('2026-06-11T15:00:00.000Z');
  });

  it('is aged out from the horizon instant on, not a millisecond before', () => {
    const end = pendingHorizonEnd(placed, 30).getTime();
    expect(isPendingAgedOut(placed, new Date(end - 1), 30)).toBe(false);
    expect(isPendingAgedOut(placed, new Date(end), 30)).toBe(true);
    expect(isPendingAgedOut(placed, new Date(end + 86_400_000), 30)).toBe(true);
    expect(isPendingAgedOut(placed, placed, 30)).toBe(false);
  });
});

describe('held-customer counts, updated by the holds that changed', () => {
  it('moves one customer per change between rules, and counts the held', () => {
    const start = counts({ stalled_fulfillment: 2 });
    const next = updateHoldCounts(start, [
      { before: null, after: 'late_vs_promise' },
      { before: 'stalled_fulfillment', after: null },
      { before: 'stalled_fulfillment', after: 'exception_lost' },
    ]);
    expect(next.byRule).toEqual({ late_vs_promise: 1, exception_lost: 1 });
    expect(heldCustomers(next)).toBe(2);
    expect(start.byRule).toEqual({ stalled_fulfillment: 2 }); // pure: the input is untouched
  });

  it('returns the same value when nothing moved, so the caller writes nothing (a replayed change is before = after)', () => {
    const start = counts({ stalled_fulfillment: 1 });
    expect(updateHoldCounts(start, [])).toBe(start);
    expect(updateHoldCounts(start, [{ before: 'stalled_fulfillment', after: 'stalled_fulfillment' }, { before: null, after: null }])).toBe(start);
  });

  it('never goes below zero and drops a rule at zero (a hold set before the counts existed)', () => {
    expect(updateHoldCounts(counts({ stalled_fulfillment: 1 }), [{ before: 'stalled_fulfillment', after: null }]).byRule).toEqual({});
    const unknown = updateHoldCounts(emptyHoldCounts(), [{ before: 'late_vs_carrier', after: null }]);
    expect(unknown.byRule).toEqual({});
    expect(updateHoldCounts(emptyHoldCounts(), [{ before: 'late_vs_carrier', after: 'stalled_in_transit' }]).byRule).toEqual({ stalled_in_transit: 1 });
  });
});

describe('holdShareWarning', () => {
  it('warns only above the threshold: 20 of 100 is 20% (no warning), 21 of 100 warns', () => {
    expect(holdShareWarning(counts({ stalled_fulfillment: 20 }), 100, 20)).toBeNull();
    const warning = holdShareWarning(counts({ stalled_fulfillment: 21 }), 100, 20);
    expect(warning).toMatchObject({ held: 21, customers: 100, percent: 21, thresholdPercent: 20 });
    expect(warning?.message).toContain('stalled_fulfillment 21');
    expect(warning?.message).toContain('fulfillments recorded in Shopify');
  });

  it('compares exactly, without floating-point drift (7 / 100 × 100 is 7.000000000000001 in floating point)', () => {
    expect(holdShareWarning(counts({ late_vs_promise: 7 }), 100, 7)).toBeNull();
    expect(holdShareWarning(counts({ late_vs_promise: 8 }), 100, 7)).not.toBeNull();
  });

  it('names every rule, most customers first, and sums them', () => {
    const warning = holdShareWarning(counts({ late_vs_promise: 400, stalled_fulfillment: 2629 }), 3059, 20);
    expect(warning?.rules).toEqual([{ rule: 'stalled_fulfillment', customers: 2629 }, { rule: 'late_vs_promise', customers: 400 }]);
    expect(warning?.held).toBe(3029);
    expect(warning?.percent).toBe(99);
    expect(warning?.message.startsWith('3029 of 3059 customers (99%) are held from promotions, more than the plausible 20%: stalled_fulfillment 2629, late_vs_promise 400')).toBe(true);
  });

  it('says nothing for a store too small for a share to mean much, nor for an empty one', () => {
    expect(holdShareWarning(counts({ stalled_fulfillment: HOLD_SHARE_MIN_CUSTOMERS - 1 }), HOLD_SHARE_MIN_CUSTOMERS - 1, 20)).toBeNull();
    expect(holdShareWarning(counts({ stalled_fulfillment: HOLD_SHARE_MIN_CUSTOMERS }), HOLD_SHARE_MIN_CUSTOMERS, 20)).not.toBeNull();
    expect(holdShareWarning(emptyHoldCounts(), 0, 20)).toBeNull();
    expect(holdShareWarning(emptyHoldCounts(), 5000, 20)).toBeNull();
  });

  it('a 100% threshold never warns', () => {
    expect(holdShareWarning(counts({ stalled_fulfillment: 100 }), 100, 100)).toBeNull();
  });
});
