import { registerDemoParcels } from '../../src/sandbox/demo-parcels';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { mulberry32 } from '../../src/util/prng';
import { startHarness, type Harness } from '../helpers/daemon-harness';
import { storeActivity } from '../helpers/store-activity';

/**
 * Issue 11 item 4, through the daemon's own job table (what the cron ticks run): each job fails alone and none
 * waits on another's retries. Klaviyo down → every orders tick still reads the store into the outbox; Shopify down
 * → trackers are still polled and their parcels still reach Klaviyo.
 */
const END = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return check();
}

function tick(harness: Harness, name: string): () => Promise<unknown> {
  const job = harness.app.scheduled().find((candidate) => candidate.name === name);
  if (!job) throw new Error(`no ${name} job`);
  return job.run;
}

describe('jobs fail alone', () => {
  let harness: Harness;
  let clock: ManualClock;
  let store: SandboxStore;

  beforeEach(async () => {
    clock = new ManualClock(END);
    store = generateStore({ orders: 150, seed: 8, start: new Date(END.getTime() - 120 * DAY), spanDays: 120, clock });
    harness = await startHarness({
      store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', easypost: { listRatePerSecond: false },
      env: { SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_BACKFILL: 'false' },
    });
  }, 30_000);

  afterEach(async () => {
    await harness.close();
  }, 60_000);

  it('Klaviyo down: every orders tick still reads the store into the outbox, without waiting for the drain', async () => {
    const { app, stack } = harness;
    stack.klaviyo.faults.outage(true);
    const random = mulberry32(3);
    const regulars = Array.from({ length: 10 }, () => Math.floor(random() * store.size));
    const depths: number[] = [];
    const orders = tick(harness, 'orders');
    for (let n = 0; n < 4; n++) {
      const started = Date.now();
      await orders();
      // The drain it kicked retries through the outage for 30-60 s; the tick must not wait for it.
      expect(Date.now() - started).toBeLessThan(15_000);
      depths.push((await app.context.outbox.depth()).batches);
      clock.advance(DAY);
      storeActivity(store, random, regulars, `down-${n}`);
    }
    expect(depths[0]).toBeGreaterThan(0);
    expect(depths[3]).toBeGreaterThan(depths[0]);
    expect(app.health.isFailing('shopify')).toBe(false);
    expect(stack.klaviyo.events()).toHaveLength(0);
    stack.klaviyo.faults.outage(false);
  }, 120_000);

  it('Shopify down: trackers are still polled and the parcels still reach Klaviyo', async () => {
    const { app, stack } = harness;
    const easypost = stack.easypost;
    if (!easypost) throw new Error('no EasyPost sandbox');
    const parcels = registerDemoParcels(store, easypost, new Date(END.getTime() - 72 * 3_600_000));
    expect(parcels).toBeGreaterThan(0);
    await app.syncOnce();
    const parcelEvents = () => stack.klaviyo.events().filter((e) => /^(Shipment |Delivery Issue)/.test(e.metric)).length;
    const before = parcelEvents();
    stack.shopify.faults.configure({ serverError: 1 });
    // The orders tick retries Shopify's 500s for minutes; it is not awaited here.
    const stuck = tick(harness, 'orders')().then(() => null, (error: unknown) => error);
    clock.advance(10 * DAY);
    await easypost.tick();
    const started = Date.now();
    await tick(harness, 'trackers')();
    expect(Date.now() - started).toBeLessThan(15_000);
    const moved = await waitFor(() => parcelEvents() > before, 20_000);
    expect(moved).toBe(true);
    stack.shopify.faults.configure({});
    // close() aborts the orders job's retry wait; it ends with Shopify's error, having committed nothing.
    await harness.app.close();
    expect(String(await stuck)).toMatch(/Shopify answered 5|abort/i);
  }, 120_000);
});
