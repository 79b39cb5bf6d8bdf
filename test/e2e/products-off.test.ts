import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COFFEE_SHOP, coffeeShopOrders } from '../../src/sandbox/shopify/seeds/replenishment';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { categoryStatsKey, productStatsKey } from '../../src/state/keys';
import { fromPackageRoot } from '../../src/util/package-root';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * Product signals switched off (config/products.yaml `enabled: false`), on the coffee shop whose newcomer is due in
 * 20 days with them on (products.test.ts): no product property reaches Klaviyo, no `Replenishment Due` is sent once
 * that date has passed, no product statistics are stored and customers keep no line items.
 */
const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const gid = (kind: string, id: number): string => `gid://shopify/${kind}/${id}`;

describe('product signals off', () => {
  const clock = new ManualClock(NOW);
  const config = mkdtempSync(join(tmpdir(), 'shipsignal-products-off-'));
  let harness: Harness;

  beforeAll(async () => {
    cpSync(fromPackageRoot('config'), config, { recursive: true });
    const file = join(config, 'products.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('enabled: true', 'enabled: false'));
    const store = new SandboxStore(recordSource(coffeeShopOrders(NOW), 'USD'), { clock });
    harness = await startHarness({
      store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off',
      env: { SHIPSIGNAL_LOG_LEVEL: 'error', SHIPSIGNAL_CONFIG_DIR: config },
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
    rmSync(config, { recursive: true, force: true });
  });

  test('nothing of products is sent or stored, the other properties are', async () => {
    await harness.app.syncOnce();
    clock.advance(30 * DAY);
    await harness.app.syncOnce();
    const profiles = harness.stack.klaviyo.profiles();
    const newbie = profiles.find((p) => p.email === 'newbie@coffee.test')?.properties ?? {};
    expect(newbie.ss_segment).toBeDefined();
    for (const profile of profiles) {
      expect(Object.keys(profile.properties).filter((name) => /category|recommended|replenishment/.test(name))).toEqual([]);
    }
    expect(harness.stack.klaviyo.events().filter((e) => e.metric === 'Replenishment Due')).toEqual([]);
    const { store } = harness.app.context;
    expect(await store.get(productStatsKey(gid('Product', COFFEE_SHOP.coffee)))).toBeUndefined();
    expect(await store.get(categoryStatsKey('Coffee'))).toBeUndefined();
    const customer = (await harness.app.context.customers.getMany(['newbie@coffee.test'])).get('newbie@coffee.test');
    expect(customer?.orders.length).toBeGreaterThan(0);
    expect(customer?.orders.every((order) => order.items === undefined)).toBe(true);
    expect(harness.stack.klaviyo.validationFailures()).toEqual([]);
  }, 60_000);
});
