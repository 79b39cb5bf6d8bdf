import { replenishmentEventId } from '../../src/mapping/product-events';
import type { OrderRecord } from '../../src/sandbox/shopify/record';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * Product signals end to end: Shopify product types through the sandbox (paged and bulk read the same fields), the
 * properties Klaviyo receives, and `Replenishment Due` produced by the daemon's review job once the clock passes a
 * customer's due date: once, with its deterministic id.
 *
 * The store: four regulars re-buy coffee beans (product type Coffee) every 30 days, three times each, and buy a
 * grinder with the first bag; "newbie" bought one bag (and a mug) 10 days ago. Coffee is then replenishable at the
 * product level (4 repeat customers, 8 gaps of 30 days), so newbie is due 30 days after their bag: in 20 days.
 */
const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const COFFEE = 9_200_001;
const GRINDER = 9_200_002;
const MUG = 9_200_003;
const TYPES: Record<number, string> = { [COFFEE]: 'Coffee', [GRINDER]: 'Grinders', [MUG]: 'Mugs' };
const TITLES: Record<number, string> = { [COFFEE]: 'Coffee beans 1 kg', [GRINDER]: 'Burr grinder', [MUG]: 'Stoneware mug' };
const PRICES: Record<number, string> = { [COFFEE]: '20.00', [GRINDER]: '80.00', [MUG]: '12.00' };

interface Purchase { readonly email: string; readonly daysAgo: number; readonly products: readonly number[] }

const regulars = ['ana', 'ben', 'cai', 'dee'].map((name) => `${name}@coffee.test`);
const PURCHASES: readonly Purchase[] = [
  ...regulars.flatMap((email, i) => [
    { email, daysAgo: 65 + i, products: [COFFEE, GRINDER] },
    { email, daysAgo: 35 + i, products: [COFFEE] },
    { email, daysAgo: 5 + i, products: [COFFEE] },
  ]),
  { email: 'newbie@coffee.test', daysAgo: 10, products: [COFFEE, MUG] },
];

function records(now: Date): OrderRecord[] {
  let line = 0;
  return PURCHASES.map((p, n) => {
    const at = new Date(now.getTime() - p.daysAgo * DAY).toISOString();
    const total = p.products.reduce((sum, id) => sum + Number(PRICES[id]), 0).toFixed(2);
    return {
      legacyId: 9_000_000 + n, name: `#${7000 + n}`, email: p.email, phone: null,
      createdAt: at, updatedAt: at, processedAt: at, cancelledAt: null, cancelReason: null, closedAt: null,
      test: false, tags: [], note: null, currencyCode: 'USD', totalPrice: total, totalRefunded: '0.00',
      displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'UNFULFILLED',
      lineItems: p.products.map((id) => ({
        legacyId: 9_100_000 + ++line, title: TITLES[id], variantTitle: null, sku: `SKU-${id}`, vendor: null, quantity: 1,
        unitPrice: PRICES[id], productLegacyId: id, productType: TYPES[id],
      })),
      customer: { legacyId: 9_300_000 + n, firstName: null, lastName: null, email: p.email, phone: null, createdAt: at, tags: [] },
      fulfillments: [], shippingAddress: null, customAttributes: [],
    } satisfies OrderRecord;
  });
}

const gid = (kind: string, id: number): string => `gid://shopify/${kind}/${id}`;

describe.each([['bulk', 'true'], ['paged', 'false']])('product signals through the daemon (%s read)', (_mode, bulk) => {
  const clock = new ManualClock(NOW);
  let harness: Harness;

  beforeAll(async () => {
    const store = new SandboxStore(recordSource(records(NOW), 'USD'), { clock });
    harness = await startHarness({
      store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off',
      env: { SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_BACKFILL: bulk },
    });
  }, 60_000);

  afterAll(() => harness?.close());

  const profile = (email: string) => harness.stack.klaviyo.profiles().find((p) => p.email === email)?.properties ?? {};
  const dueEvents = () => harness.stack.klaviyo.events().filter((e) => e.metric === 'Replenishment Due');

  test('the first sync sets category, affinity, recommendations and the next replenishment', async () => {
    await harness.app.syncOnce();
    const newbie = profile('newbie@coffee.test');
    expect(newbie.ss_top_category).toBe('Coffee');
    expect(newbie.ss_category_affinity).toEqual(['Coffee 63%', 'Mugs 38%']);
    // Everyone who bought coffee bought a grinder with it; newbie owns the coffee and the mug, so not those.
    expect(newbie.ss_recommended_products).toEqual([`${gid('Product', GRINDER)} | ${TITLES[GRINDER]}`]);
    expect(newbie.ss_replenishment_product).toBe(TITLES[COFFEE]);
    expect(newbie.ss_next_replenishment_at).toBe(new Date(NOW.getTime() + 20 * DAY).toISOString());
    // A regular is due at their own interval, 30 days after their last bag.
    expect(profile(regulars[0]).ss_next_replenishment_at).toBe(new Date(NOW.getTime() + 25 * DAY).toISOString());
    // A regular owns the coffee and the grinder; the mug was bought with coffee (by newbie).
    expect(profile(regulars[0]).ss_recommended_products).toEqual([`${gid('Product', MUG)} | ${TITLES[MUG]}`]);
    expect(dueEvents()).toEqual([]);
    expect(harness.stack.klaviyo.validationFailures()).toEqual([]);
  }, 60_000);

  test('once the clock passes the due date the review job sends Replenishment Due once, with its id', async () => {
    clock.advance(21 * DAY);
    await harness.app.syncOnce();
    const events = dueEvents();
    expect(events.map((e) => e.profile.email)).toEqual(['newbie@coffee.test']);
    expect(events[0].properties).toMatchObject({
      ProductId: gid('Product', COFFEE), ProductName: TITLES[COFFEE], UsualIntervalDays: 30, LearnedFrom: 'product', TopCategory: 'Coffee',
    });
    expect(events[0].uniqueId).toBe(replenishmentEventId('newbie@coffee.test', gid('Product', COFFEE), gid('Order', 9_000_000 + PURCHASES.length - 1)));
    clock.advance(DAY);
    await harness.app.syncOnce();
    expect(dueEvents().filter((e) => e.profile.email === 'newbie@coffee.test')).toHaveLength(1);
    clock.advance(5 * DAY);
    await harness.app.syncOnce();
    // The regulars' own cycles came due meanwhile (22-25 days after the start): one event each, none twice.
    expect(dueEvents().map((e) => e.profile.email).sort()).toEqual([...regulars, 'newbie@coffee.test'].sort());
    expect(dueEvents().filter((e) => e.properties.LearnedFrom === 'customer')).toHaveLength(4);
  }, 60_000);
});
