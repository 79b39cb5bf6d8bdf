import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CustomerAggregate, Segment } from '../../src/model/customer';
import { addCounters, contribution, dayOf, type Counters } from '../../src/outcomes/counters';
import { emptyFacts, withCustomer, type CustomerFacts } from '../../src/outcomes/facts';
import { returnsByReason } from '../../src/outcomes/series';
import { report, wilson } from '../../src/outcomes/report';
import { HOLD_COUNTS_KEY, customerKey, outcomeFactsKey, shipmentKey } from '../../src/state/keys';
import { OutcomeStore } from '../../src/state/outcomes';
import type { ShipmentState } from '../../src/state/shipments';
import { openStateStore } from '../../src/state/store';

/**
 * The outcome counters are kept incrementally by the commit; these tests hold them to their definition: after any
 * sequence of customer, parcel and hold changes (replays included), the stored counters equal the sum of every
 * customer's contribution computed from scratch, the day buckets add up to the total, and the event counters
 * (segment sizes, holds) equal the state they track.
 */
const EMAILS = ['a@x.example', 'b@x.example', 'c@x.example'];
const SEGMENTS: Segment[] = ['first_time', 'repeat', 'vip', 'at_risk', 'lapsed', 'no_purchase'];
const DAY = 86_400_000;
const BASE = Date.parse('2026-03-02T00:00:00Z');

const customerArb = fc.record({
  email: fc.constantFrom(...EMAILS),
  segment: fc.constantFrom(...SEGMENTS),
  orders: fc.array(fc.record({ day: fc.integer({ min: 0, max: 60 }), cancelled: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  // Returns on the customer's orders: declined and canceled ones must not count; a reason counts once per return.
  returns: fc.array(fc.record({
    order: fc.integer({ min: 0, max: 2 }),
    day: fc.integer({ min: 0, max: 65 }),
    status: fc.constantFrom('requested', 'open', 'closed', 'declined', 'canceled'),
    reasons: fc.array(fc.constantFrom('defective', 'unwanted', 'wrong-item'), { minLength: 1, maxLength: 3 }),
  }), { maxLength: 3 }),
});
const parcelArb = fc.record({
  email: fc.constantFrom(...EMAILS),
  order: fc.integer({ min: 0, max: 2 }),
  shippedDay: fc.integer({ min: 0, max: 60 }),
  transit: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
  promised: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
  issue: fc.option(fc.constantFrom('stalled_in_transit', 'exception_address'), { nil: null }),
  issueDay: fc.integer({ min: 0, max: 5 }),
  predicted: fc.boolean(),
});
const stepArb = fc.record({
  customers: fc.array(customerArb, { maxLength: 2 }),
  parcels: fc.array(parcelArb, { maxLength: 2 }),
  holds: fc.option(fc.dictionary(fc.constantFrom('stalled_in_transit', 'exception_address'), fc.integer({ min: 0, max: 3 })), { nil: null }),
  dayForward: fc.integer({ min: 0, max: 2 }),
  replay: fc.boolean(),
});

const iso = (day: number, hour = 10): string => new Date(BASE + day * DAY + hour * 3_600_000).toISOString();

type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

function customer(c: Generated<typeof customerArb>): CustomerAggregate {
  return {
    key: c.email, email: c.email, phone: null, firstName: null, lastName: null, currency: 'EUR',
    orders: c.orders.map((o, i) => ({ orderId: `${c.email}#${i}`, placedAt: iso(o.day), netMinor: 1000, cancelled: o.cancelled })),
    segment: c.segment, segmentSince: null, pushedHash: null, nextReviewAt: null,
    returns: [0, 1, 2].map((order) => ({
      orderId: `${c.email}#${order}`, orderName: `#${order}`, refunds: [],
      returns: c.returns.filter((r) => r.order === order).map((r, i) => ({
        id: `${c.email}#${order}/r${i}`, name: null, status: r.status, requestedAt: iso(r.day), approvedAt: null, closedAt: null, declineReason: null,
        seenAt: iso(r.day), receivedByStore: false, parcels: [], announced: [],
        lines: r.reasons.map((reason) => ({ sku: null, name: null, quantity: 1, reason, reasonName: null })),
      })),
    })).filter((record) => record.returns.length > 0),
  };
}

function parcel(p: Generated<typeof parcelArb>): ShipmentState {
  const delivered = p.transit === null ? null : iso(p.shippedDay + p.transit, 15);
  const value = {
    key: `${p.email}:${p.order}`, orderId: `${p.email}#${p.order}`, customerEmail: p.email, carrier: 'ups', destinationCountry: 'US', destinationRegion: 'CA',
    shippedAt: iso(p.shippedDay), deliveredAt: delivered, status: delivered ? 'delivered' : 'in_transit',
    promisedDeliveryAt: p.promised === null ? null : iso(p.shippedDay + p.promised, 0),
    prediction: p.predicted ? { mostLikelyAt: iso(p.shippedDay + 4), latestLikelyAt: iso(p.shippedDay + 7) } : null,
    risk: { openIssue: p.issue ? { code: p.issue, openedAt: iso(p.shippedDay + p.issueDay) } : null, assessedAt: iso(p.shippedDay + p.issueDay + 1) },
  };
  return value as unknown as ShipmentState;
}

describe('outcome counters kept by the commit', () => {
  it('equal the sum of contributions recomputed from scratch, whatever the sequence of changes and replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipsignal-outcomes-'));
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (steps) => {
      run += 1;
      const store = await openStateStore(`sqlite://${join(dir, 'state.sqlite')}`, `outcomes-prop-${run}`);
      const outcomes = new OutcomeStore(store);
      try {
        let now = BASE + 70 * DAY;
        for (const step of steps) {
          now += step.dayForward * DAY;
          const entries: Array<readonly [string, unknown]> = [
            ...step.customers.map((c) => [customerKey(c.email), customer(c)] as const),
            ...step.parcels.map((p) => [shipmentKey(`${p.email}:${p.order}`), parcel(p)] as const),
            ...(step.holds ? [[HOLD_COUNTS_KEY, { byRule: Object.fromEntries(Object.entries(step.holds).filter(([, n]) => n > 0)) }] as const] : []),
          ];
          for (let round = 0; round < (step.replay ? 2 : 1); round++) {
            await store.commit({ entries: [...entries, ...(await outcomes.entriesFor(entries, new Date(now)))] });
          }
        }
        const facts = (await store.getMany<CustomerFacts>(EMAILS.map(outcomeFactsKey))).filter((f): f is CustomerFacts => f !== undefined);
        const expected: Counters = {};
        for (const f of facts) for (const bucket of contribution(f).values()) addCounters(expected, bucket);
        for (const f of facts) if (f.segment) expected[`seg|${f.segment}`] = (expected[`seg|${f.segment}`] ?? 0) + 1;
        const holds = (await store.get<{ byRule: Record<string, number> }>(HOLD_COUNTS_KEY))?.byRule ?? {};
        for (const [rule, n] of Object.entries(holds)) expected[`hold|${rule}`] = n;
        const totals = await outcomes.totals();
        const withoutMoves = Object.fromEntries(Object.entries(totals).filter(([name]) => !name.startsWith('mv|')));
        expect(withoutMoves).toEqual(expected);
        const days = await outcomes.days('2026-01-01', '2026-12-31');
        const summed: Counters = {};
        for (const bucket of days.values()) addCounters(summed, bucket);
        expect(summed).toEqual(totals);
      } finally {
        await store.close();
      }
    }), { numRuns: 60 });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('returns in the outcome counters', () => {
  it('count each return that brings items back once per reason, on its requested day, under the segment now', () => {
    const c = customer({
      email: 'r@x.example', segment: 'repeat', orders: [{ day: 1, cancelled: false }, { day: 2, cancelled: false }],
      returns: [
        { order: 0, day: 5, status: 'closed', reasons: ['defective', 'defective', 'unwanted'] },
        { order: 1, day: 6, status: 'declined', reasons: ['unwanted'] },
        { order: 1, day: 7, status: 'requested', reasons: ['wrong-item'] },
      ],
    });
    const counters = contribution(withCustomer(emptyFacts(), c));
    const returns = [...counters].flatMap(([day, bucket]) => [...bucket].filter(([name]) => name.startsWith('ret|')).map(([name, n]) => `${day} ${name} ${n}`));
    expect(returns.sort()).toEqual([
      '2026-03-07 ret|repeat|defective 1', '2026-03-07 ret|repeat|unwanted 1', '2026-03-09 ret|repeat|wrong-item 1',
    ]);
    expect(returnsByReason(Object.assign({}, ...[...counters.values()].map((bucket) => Object.fromEntries(bucket))) as Counters)).toEqual([
      { reason: 'defective', segment: 'repeat', returns: 1 }, { reason: 'unwanted', segment: 'repeat', returns: 1 }, { reason: 'wrong-item', segment: 'repeat', returns: 1 },
    ]);
  });
});

describe('outcome report', () => {
  it('computes the Wilson interval', () => {
    expect(wilson(0, 10)?.map((x) => Number(x.toFixed(4)))).toEqual([0, 0.2775]);
    expect(wilson(5, 10)?.map((x) => Number(x.toFixed(4)))).toEqual([0.2366, 0.7634]);
    expect(wilson(0, 0)).toBeNull();
  });

  it('counts a repeat window only once it has fully passed, split by issue', () => {
    const days = new Map<string, Counters>([
      ['2026-01-01', { 'o|repeat|dlv': 2, 'o|repeat|issue': 1, 'o|repeat|issue|n': 1, 'o|repeat|issue|r30': 1, 'o|repeat|clean|n': 1 }],
      ['2026-01-20', { 'o|repeat|dlv': 1, 'o|repeat|clean|n': 1, 'o|repeat|clean|r30': 1 }],
    ]);
    const totals: Counters = { 'seg|repeat': 2 };
    for (const bucket of days.values()) addCounters(totals, bucket);
    const at = (now: string) => report({ days, totals, since: null, until: now.slice(0, 10), now: new Date(now) }).segments[0]?.repeat[0];
    // 30 days after 2026-01-01 is 2026-01-31: not over until that day has ended.
    expect(at('2026-01-31T12:00:00Z')?.withIssue.of).toBe(0);
    expect(at('2026-02-01T00:00:00Z')).toMatchObject({ withIssue: { count: 1, of: 1 }, withoutIssue: { count: 0, of: 1 } });
    expect(at('2026-02-20T00:00:00Z')).toMatchObject({ withIssue: { count: 1, of: 1 }, withoutIssue: { count: 1, of: 2 } });
  });
});

describe('dayOf', () => {
  it('slices UTC instants and converts everything else through Date', () => {
    expect(dayOf('2024-03-01T23:59:59Z')).toBe('2024-03-01');
    expect(dayOf('2024-03-01T23:59:59.999Z')).toBe('2024-03-01');
    // An offset moves the instant across midnight: the UTC day is the next one.
    expect(dayOf('2024-03-01T22:30:00-03:00')).toBe('2024-03-02');
    expect(dayOf(new Date(Date.UTC(2024, 1, 29, 12)))).toBe('2024-02-29');
    expect(() => dayOf('not a date')).toThrow(RangeError);
  });

  it('agrees with Date for any UTC instant', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (date) => {
      const iso = date.toISOString();
      expect(dayOf(iso)).toBe(new Date(iso).toISOString().slice(0, 10));
      expect(dayOf(iso.replace('.000Z', 'Z'))).toBe(iso.slice(0, 10));
    }));
  });
});
