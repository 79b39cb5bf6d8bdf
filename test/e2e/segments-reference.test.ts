import type { OrderRecord } from '../../src/sandbox/shopify/record';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * Segments, RFM, churn risk and the next-order date as Klaviyo receives them, for a hand-built store, against a
 * small reference written here from src/enrichment/lifecycle/RULES.md (not from the code under test), with the
 * numbers of a few customers worked out by hand below as a check on the reference itself.
 *
 * The store is small on purpose: fewer than 30 repeat customers (the store's typical gap is the 60-day prior),
 * fewer than 200 training examples (churn risk is the documented prior, no fitted model), fewer than 50 buyers
 * (no top-10% VIP rule). The fitted model is unit-tested in test/unit/lifecycle-churn.test.ts.
 */
const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const PRIOR_GAP_DAYS = 60;
const HORIZON_DAYS = 90;

interface Fixture { readonly name: string; readonly orders: ReadonlyArray<{ daysAgo: number; cancelled?: boolean; price?: string }> }

const weekly = Array.from({ length: 10 }, (_, i) => ({ daysAgo: 3 + 7 * i }));
const FIXTURES: readonly Fixture[] = [
  { name: 'first', orders: [{ daysAgo: 10 }] },
  { name: 'repeat', orders: [{ daysAgo: 40 }, { daysAgo: 10 }] },
  // Two orders two hours apart are one shopping occasion: not a repeat customer.
  { name: 'split', orders: [{ daysAgo: 5 }, { daysAgo: 5 - 2 / 24 }] },
  { name: 'overdue', orders: [{ daysAgo: 100 }, { daysAgo: 70 }] },
  { name: 'gone', orders: [{ daysAgo: 250 }] },
  { name: 'habitual', orders: weekly },
  { name: 'cancelled', orders: [{ daysAgo: 20, cancelled: true }] },
  // Not yet 1.5 usual gaps overdue, but the churn risk clause holds.
  { name: 'risky', orders: [{ daysAgo: 350 }, { daysAgo: 150 }] },
];

const emailOf = (name: string): string => `${name}@segments.test`;

function records(now: Date): OrderRecord[] {
  let n = 0;
  return FIXTURES.flatMap((fixture, c) => fixture.orders.map(({ daysAgo, cancelled, price = '50.00' }) => {
    n += 1;
    const at = new Date(now.getTime() - daysAgo * DAY).toISOString();
    return {
      legacyId: 8_000_000 + n, name: `#${5000 + n}`, email: emailOf(fixture.name), phone: null,
      createdAt: at, updatedAt: at, processedAt: at, cancelledAt: cancelled ? at : null, cancelReason: cancelled ? 'CUSTOMER' : null, closedAt: null,
      test: false, tags: [], note: null, currencyCode: 'USD', totalPrice: price, totalRefunded: cancelled ? price : '0.00',
      displayFinancialStatus: cancelled ? 'REFUNDED' : 'PAID', displayFulfillmentStatus: 'UNFULFILLED',
      lineItems: [{ legacyId: 8_100_000 + n, title: 'Mug', variantTitle: null, sku: 'MUG', vendor: null, quantity: 1, unitPrice: price, productLegacyId: 8_200_000 }],
      customer: { legacyId: 8_300_000 + c, firstName: fixture.name, lastName: null, email: emailOf(fixture.name), phone: null, createdAt: at, tags: [] },
      fulfillments: [], shippingAddress: null, customAttributes: [],
    } satisfies OrderRecord;
  }));
}

interface Reference {
  readonly segment: string;
  readonly rfm: string;
  readonly churnRisk: number | null;
  readonly expectedNextOrderAt: string | null;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** RULES.md, read literally, for a store below every "enough data" threshold (see the file comment). */
function reference(fixture: Fixture, now: Date, placedAt: Date): Reference {
  const kept = fixture.orders.filter((o) => !o.cancelled).map((o) => placedAt.getTime() - o.daysAgo * DAY).sort((a, b) => a - b);
  if (kept.length === 0) return { segment: 'no_purchase', rfm: '111', churnRisk: null, expectedNextOrderAt: null };
  // Orders less than 24 h apart are one occasion; gaps are measured between occasions.
  const occasions = kept.filter((at, i) => i === 0 || at - kept[i - 1] >= 24 * HOUR);
  const gaps = occasions.slice(1).map((at, i) => (at - occasions[i]) / DAY);
  // Usual gap: own median gap shrunk toward the store's typical gap as if it were one more gap.
  const gap = gaps.length === 0 ? PRIOR_GAP_DAYS : (gaps.length * median(gaps) + PRIOR_GAP_DAYS) / (gaps.length + 1);
  const last = kept[kept.length - 1];
  const days = (now.getTime() - last) / DAY;
  const risk = 1 - (1 / (1 + (days / (2 * gap)) ** 2)) * (1 - Math.exp(-HORIZON_DAYS / gap));
  const segment = days >= Math.max(180, 4 * gap) ? 'lapsed'
    : days >= Math.max(30, 1.5 * gap) || (risk >= 0.55 && days >= 30) ? 'at_risk'
      : kept.length >= 10 ? 'vip'
        : occasions.length >= 2 ? 'repeat' : 'first_time';
  const recency = days <= 7 ? 5 : days <= 30 ? 4 : days <= 90 ? 3 : days <= 180 ? 2 : 1;
  const inYear = kept.filter((at) => now.getTime() - at <= 365 * DAY).length;
  const frequency = inYear >= 10 ? 5 : inYear >= 5 ? 4 : inYear >= 3 ? 3 : inYear >= 2 ? 2 : 1;
  const spent = kept.length * 50;
  const monetary = spent >= 3000 ? 5 : spent >= 1000 ? 4 : spent >= 300 ? 3 : spent >= 100 ? 2 : 1;
  const due = last + gap * DAY;
  const next = due > now.getTime() ? due : now.getTime() + Math.LN2 * gap * DAY;
  return { segment, rfm: `${recency}${frequency}${monetary}`, churnRisk: Number(risk.toFixed(3)), expectedNextOrderAt: new Date(next).toISOString() };
}

describe('segments and churn risk against a reference written from RULES.md', () => {
  const clock = new ManualClock(NOW);
  let harness: Harness;

  beforeAll(async () => {
    const store = new SandboxStore(recordSource(records(NOW), 'USD'), { clock });
    harness = await startHarness({
      store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off',
      env: { SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_BACKFILL: 'false' },
    });
  }, 60_000);

  afterAll(() => harness?.close());

  const received = (): Map<string, Reference> => new Map(harness.stack.klaviyo.profiles().map((p) => [p.email ?? '', {
    segment: String(p.properties.ss_segment),
    rfm: String(p.properties.ss_rfm_score),
    churnRisk: (p.properties.ss_churn_risk as number | undefined) ?? null,
    expectedNextOrderAt: (p.properties.ss_expected_next_order_at as string | undefined) ?? null,
  }]));

  test('the reference agrees with the numbers worked out by hand', () => {
    const at = (name: string) => reference(FIXTURES.find((f) => f.name === name) as Fixture, NOW, NOW);
    // One order 10 days ago, usual gap 60: 1 - 1/(1 + (10/120)²) × (1 - e^(-1.5)) = 1 - 0.993103 × 0.776870.
    expect(at('first')).toMatchObject({ segment: 'first_time', churnRisk: 0.228, rfm: '411', expectedNextOrderAt: '2026-07-21T00:00:00.000Z' });
    // One gap of 30 days shrunk toward 60: usual gap 45; last order 10 days ago.
    expect(at('repeat')).toMatchObject({ segment: 'repeat', churnRisk: 0.146, rfm: '422', expectedNextOrderAt: '2026-07-06T00:00:00.000Z' });
    // Usual gap 45, 70 days since the last order ≥ 1.5 × 45.
    expect(at('overdue').segment).toBe('at_risk');
    // Usual gap (200 + 60) / 2 = 130; 150 days < 1.5 × 130, but the risk 1 - 0.750278 × 0.499573 = 0.625 ≥ 0.55.
    expect(at('risky')).toMatchObject({ segment: 'at_risk', churnRisk: 0.625 });
    // One order 250 days ago: 250 ≥ max(180, 4 × 60).
    expect(at('gone').segment).toBe('lapsed');
    expect(at('habitual').segment).toBe('vip');
    expect(at('split').segment).toBe('first_time');
    expect(at('cancelled').segment).toBe('no_purchase');
  });

  test('Klaviyo holds the reference values after the first sync', async () => {
    await harness.app.syncOnce();
    const got = received();
    const buyers = FIXTURES.filter((f) => f.orders.some((o) => !o.cancelled));
    for (const fixture of buyers) {
      expect({ name: fixture.name, ...got.get(emailOf(fixture.name)) }).toEqual({ name: fixture.name, ...reference(fixture, NOW, NOW) });
    }
    expect(got.get(emailOf('cancelled'))?.segment ?? 'no_purchase').toBe('no_purchase');
    expect(harness.stack.klaviyo.validationFailures()).toEqual([]);
  }, 60_000);

  test('120 days later, time alone moves exactly the customers the reference moves, each with one event', async () => {
    const before = new Map([...received()].map(([email, r]) => [email, r.segment]));
    clock.advance(120 * DAY);
    const later = clock.now();
    const expectedChanges = new Map(FIXTURES
      .filter((f) => f.orders.some((o) => !o.cancelled))
      .map((f) => [emailOf(f.name), reference(f, later, NOW).segment] as const)
      .filter(([email, segment]) => before.get(email) !== segment));
    // By hand: first, repeat and split become at_risk, overdue lapses, habitual (a VIP) is now at_risk; risky and
    // gone stay where they are.
    expect(Object.fromEntries(expectedChanges)).toEqual({
      [emailOf('first')]: 'at_risk', [emailOf('repeat')]: 'at_risk', [emailOf('split')]: 'at_risk',
      [emailOf('overdue')]: 'lapsed', [emailOf('habitual')]: 'at_risk',
    });
    const eventsBefore = harness.stack.klaviyo.events().length;
    await harness.app.syncOnce();
    const changes = harness.stack.klaviyo.events().slice(eventsBefore).filter((e) => e.metric === 'Lifecycle Segment Changed');
    expect(new Map(changes.map((e) => [e.profile.email, e.properties.Segment]))).toEqual(expectedChanges);
    expect(changes).toHaveLength(expectedChanges.size);
    // A customer is re-assessed on the day its segment changes (README: indexed by that day), so those who moved
    // carry every value of that moment; the others keep their segment (and the values last sent).
    const got = received();
    for (const fixture of FIXTURES.filter((f) => f.orders.some((o) => !o.cancelled))) {
      const email = emailOf(fixture.name);
      const expected = reference(fixture, later, NOW);
      if (expectedChanges.has(email)) expect({ name: fixture.name, ...got.get(email) }).toEqual({ name: fixture.name, ...expected });
      else expect({ name: fixture.name, segment: got.get(email)?.segment }).toEqual({ name: fixture.name, segment: expected.segment });
    }
  }, 60_000);
});
