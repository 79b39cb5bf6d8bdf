import { replenishmentEventId } from '../../src/mapping/product-events';
import { COFFEE_SHOP, COFFEE_SHOP_TITLES, coffeeShopOrders } from '../../src/sandbox/shopify/seeds/replenishment';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * Product signals end to end: Shopify product types through the sandbox (paged and bulk read the same fields), the
 * properties Klaviyo receives, and `Replenishment Due` produced by the daemon's review job once the clock passes a
 * customer's due date: once, with its deterministic id.
 * The store is the coffee shop of src/sandbox/shopify/seeds/replenishment.ts (the newcomer due in 20 days).
 */
const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const { coffee: COFFEE, grinder: GRINDER, mug: MUG, regulars } = COFFEE_SHOP;
const TITLES = COFFEE_SHOP_TITLES;
const NEWCOMER_ORDER = 9_000_000 + 12;

const gid = (kind: string, id: number): string => `gid://shopify/${kind}/${id}`;

describe.each([['bulk', 'true'], ['paged', 'false']])('product signals through the daemon (%s read)', (_mode, bulk) => {
  const clock = new ManualClock(NOW);
  let harness: Harness;

  beforeAll(async () => {
    const store = new SandboxStore(recordSource(coffeeShopOrders(NOW), 'USD'), { clock });
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
    expect(newbie.ss_recommended_products).toEqual([`${GRINDER} | ${TITLES[GRINDER]}`]);
    expect(newbie.ss_replenishment_product).toBe(TITLES[COFFEE]);
    expect(newbie.ss_next_replenishment_at).toBe(new Date(NOW.getTime() + 20 * DAY).toISOString());
    // A regular is due at their own interval, 30 days after their last bag.
    expect(profile(regulars[0]).ss_next_replenishment_at).toBe(new Date(NOW.getTime() + 25 * DAY).toISOString());
    // A regular owns the coffee and the grinder; the mug was bought with coffee (by newbie).
    expect(profile(regulars[0]).ss_recommended_products).toEqual([`${MUG} | ${TITLES[MUG]}`]);
    expect(dueEvents()).toEqual([]);
    expect(harness.stack.klaviyo.validationFailures()).toEqual([]);
  }, 60_000);

  test('once the clock passes the due date the review job sends Replenishment Due once, with its id', async () => {
    clock.advance(21 * DAY);
    await harness.app.syncOnce();
    const events = dueEvents();
    expect(events.map((e) => e.profile.email)).toEqual(['newbie@coffee.test']);
    expect(events[0].properties).toMatchObject({
      ProductId: String(COFFEE), ProductName: TITLES[COFFEE], UsualIntervalDays: 30, LearnedFrom: 'product', TopCategory: 'Coffee',
    });
    expect(events[0].uniqueId).toBe(replenishmentEventId('newbie@coffee.test', gid('Product', COFFEE), gid('Order', NEWCOMER_ORDER)));
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
