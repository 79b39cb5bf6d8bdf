import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RejectsLog } from '../../src/state/rejects';
import { openStateStore } from '../../src/state/store';
import type { CustomerRecord, LineItemRecord } from '../../src/sandbox/shopify/record';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import { ManualClock } from '../../src/util/clock';
import { fromPackageRoot } from '../../src/util/package-root';
import { startHarness, type Harness } from '../helpers/daemon-harness';
import { mappingsWithOrderEvents } from '../helpers/order-events-mappings';

/**
 * Issue 5, guarantee 4: bad records are rejected one by one with a reason, and the good records around them flow.
 * Placed Order and Ordered Product are switched on so Klaviyo's own per-record refusals are exercised too.
 */
const clock = new ManualClock(new Date('2024-06-01T00:00:00Z'));

const customer = (legacyId: number, email: string | null, firstName: string, lastName: string): CustomerRecord => ({
  legacyId, email, firstName, lastName, phone: null, createdAt: '2024-05-01T00:00:00Z', tags: [],
});
const line = (legacyId: number, unitPrice = '9.90'): LineItemRecord => ({
  legacyId, title: `Item ${legacyId}`, variantTitle: null, sku: `SKU-${legacyId}`, vendor: null, quantity: 1, unitPrice, productLegacyId: legacyId,
});

describe('bad input never stops the pipeline', () => {
  let harness: Harness;
  const bad: Record<string, string> = {};
  let goodWithEmoji = '';
  let hugeOrder = '';

  beforeAll(async () => {
    const store = generateStore({ orders: 200, seed: 11, clock, start: new Date('2024-01-01T00:00:00Z'), spanDays: 140 });
    const add = (input: Parameters<typeof store.addOrder>[0]) => `gid://shopify/Order/${store.addOrder(input).legacyId}`;
    bad.noEmail = add({ email: null, customer: null, lineItems: [line(1)] });
    bad.unknownCurrency = add({ email: 'xxx@example.com', customer: customer(9001, 'xxx@example.com', 'X', 'X'), currencyCode: 'XXX', lineItems: [line(2)] });
    bad.negativeTotal = add({ email: 'neg@example.com', customer: customer(9002, 'neg@example.com', 'N', 'N'), totalPrice: '-5.00', lineItems: [] });
    bad.absurdTotal = add({ email: 'rich@example.com', customer: customer(9003, 'rich@example.com', 'R', 'R'), totalPrice: '90000000.00', lineItems: [] });
    goodWithEmoji = add({ email: 'Sara.Emoji@Example.com ', customer: customer(9004, 'sara.emoji@example.com', 'שרה 🚚', 'العربي'), phone: '12345', lineItems: [line(3)] });
    hugeOrder = add({
      email: 'bulk.buyer@example.com', customer: customer(9005, 'bulk.buyer@example.com', 'Bulk', 'Buyer'),
      lineItems: Array.from({ length: 10_000 }, (_, i) => line(100_000 + i, '1.00')),
    });
    harness = await startHarness({ store, storeClock: clock, clock, env: { SHIPSIGNAL_MAPPINGS_DIR: mappingsWithOrderEvents() } });
  }, 60_000);

  afterAll(() => harness?.close());

  it('rejects each bad record with its reason and delivers the good ones around it', async () => {
    const report = await harness.app.syncOnce();
    expect(report.orders).toBeGreaterThan(200);
    const store = await openStateStore(harness.stateUrl, harness.app.storeId);
    // A second connection to the same SQLite file: the daemon's own keeps running.
    const rejects = await new RejectsLog(store).list(1000);
    await store.close();
    const reasonFor = (id: string) => rejects.find((r) => r.recordId === id)?.reason;
    expect(reasonFor(bad.noEmail)).toMatch(/no valid email/);
    expect(reasonFor(bad.unknownCurrency)).toMatch(/unknown currency "XXX"/);
    expect(reasonFor(bad.negativeTotal)).toMatch(/negative total/);
    expect(reasonFor(bad.absurdTotal)).toMatch(/implausible total/);
    // Nothing we sent broke Klaviyo's documented limits: the 10,000-line order's item lists were cut to 4,000.
    expect(rejects.filter((r) => r.source === 'klaviyo')).toEqual([]);
    expect(harness.stack.klaviyo.validationFailures()).toEqual([]);

    const klaviyo = harness.stack.klaviyo;
    const emails = new Set(klaviyo.profiles().map((p) => p.email));
    expect(emails).toContain('sara.emoji@example.com');
    expect(emails).toContain('bulk.buyer@example.com');
    expect(emails).not.toContain('xxx@example.com');
    const sara = klaviyo.profiles().find((p) => p.email === 'sara.emoji@example.com');
    expect([sara?.firstName, sara?.lastName, sara?.phoneNumber]).toEqual(['שרה 🚚', 'العربي', null]);
    const ordered = klaviyo.events().filter((e) => e.metric === 'Ordered Product' && e.properties.OrderId === hugeOrder);
    expect(ordered).toHaveLength(10_000);
    expect(klaviyo.events().some((e) => e.metric === 'Placed Order' && e.properties.OrderId === goodWithEmoji)).toBe(true);
    const huge = klaviyo.events().find((e) => e.metric === 'Placed Order' && e.properties.OrderId === hugeOrder);
    expect([huge?.properties.ItemCount, huge?.properties.ItemsTruncated, (huge?.properties.Items as unknown[]).length]).toEqual([10_000, true, 4000]);
    expect(klaviyo.events().filter((e) => e.metric === 'Placed Order').length).toBeGreaterThanOrEqual(200);
  }, 120_000);

  it('lists the rejects from the CLI with source, id and reason', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [fromPackageRoot('dist', 'src', 'cli', 'main.js'), 'rejects', '--limit', '100'], {
      // The rejects are per store: the CLI reads the namespace of the store the daemon ran for.
      env: { ...process.env, SHIPSIGNAL_STATE_URL: harness.stateUrl, SHIPSIGNAL_STORE_ID: harness.app.storeId },
    });
    expect(stdout).toContain(`shopify  ${bad.unknownCurrency}  unknown currency "XXX"`);
    expect(stdout).toContain(bad.noEmail);
  }, 30_000);
});
