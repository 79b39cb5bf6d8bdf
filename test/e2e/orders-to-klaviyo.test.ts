import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyOrder } from '../../src/enrichment/lifecycle/aggregate';
import { refitChurnModel } from '../../src/enrichment/lifecycle/churn-model';
import { lifecycleConfigSchema, type LifecycleConfig } from '../../src/enrichment/lifecycle/config';
import { evaluateLifecycle } from '../../src/enrichment/lifecycle/evaluate';
import { createStoreStats, updateStoreStats, type StoreStats } from '../../src/enrichment/lifecycle/store-stats';
import type { CustomerAggregate, Segment } from '../../src/model/customer';
import { moneyFromDecimal } from '../../src/model/money';
import type { Order } from '../../src/model/order';
import type { OrderRecord } from '../../src/sandbox/shopify/record';
import { loadOlistStore } from '../../src/sandbox/shopify/seeds/olist';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { loadYamlFile } from '../../src/config/yaml-file';
import { mappingConfigSchema } from '../../src/mapping/mapping-config';
import { ManualClock } from '../../src/util/clock';
import { fromPackageRoot } from '../../src/util/package-root';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * Issue 3's acceptance, end to end: the real daemon code, the official SDK clients, the Shopify and Klaviyo
 * sandboxes with Klaviyo's documented rate limits. Expected values are computed here from the seed records alone.
 */
const DAY = 86_400_000;
const START = new Date('2018-10-01T00:00:00Z');

interface Expected {
  readonly ordersCount: number;
  readonly totalSpentMinor: number;
  readonly lastOrderAt: string | null;
  aggregate: CustomerAggregate;
}

const LIFECYCLE_PROPERTIES = Object.entries(loadYamlFile(fromPackageRoot('mappings', 'klaviyo.yaml'), mappingConfigSchema).profile.properties)
  .filter(([, field]) => field.startsWith('lifecycle.'))
  .map(([name]) => `ss_${name}`);
const lifecycleProperties = (properties: Readonly<Record<string, unknown>>) => LIFECYCLE_PROPERTIES.map((name) => properties[name]);

const emailOf = (record: OrderRecord): string => (record.customer?.email ?? record.email ?? '').trim().toLowerCase();

/**
 * The repository's config with the churn-model refit pushed out of reach: the model is fitted once on the first
 * sync, so advancing the clock below moves customers by time alone (a refit re-assesses everyone, on purpose).
 */
function configWithoutRefit(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipsignal-config-'));
  cpSync(fromPackageRoot('config'), dir, { recursive: true });
  const file = join(dir, 'lifecycle.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/refitEveryDays: \d+/, 'refitEveryDays: 100000'));
  return dir;
}
const LIFECYCLE_CONFIG: LifecycleConfig = lifecycleConfigSchema.parse({ model: { refitEveryDays: 100000 } });

/** Independent arithmetic straight from the seed records, plus the aggregate the pure lifecycle code folds. */
async function expectedFromSeed(store: SandboxStore): Promise<{ customers: Map<string, Expected>; stats: StoreStats }> {
  const customers = new Map<string, Expected>();
  let stats = createStoreStats();
  for (let i = 0; i < store.size; i++) {
    const record = store.recordAt(i);
    const email = emailOf(record);
    const cancelled = record.cancelledAt !== null;
    const net = cancelled ? 0 : moneyFromDecimal(record.totalPrice, record.currencyCode).minor - moneyFromDecimal(record.totalRefunded, record.currencyCode).minor;
    const previous = customers.get(email);
    const order: Order = {
      source: 'shopify', id: `gid://shopify/Order/${record.legacyId}`, name: record.name, email, phone: null,
      firstName: null, lastName: null, createdAt: new Date(record.createdAt), updatedAt: new Date(record.updatedAt),
      cancelledAt: record.cancelledAt ? new Date(record.cancelledAt) : null, financialStatus: null,
      total: moneyFromDecimal(record.totalPrice, record.currencyCode), currentTotal: { minor: net, currency: record.currencyCode },
      lineItems: [], fulfillments: [], shippingAddress: null, promisedDeliveryAt: null, tags: [], test: false,
    };
    const aggregate = applyOrder(previous?.aggregate ?? null, order) as CustomerAggregate;
    stats = updateStoreStats(stats, previous?.aggregate ?? null, aggregate);
    const lastOrderAt = cancelled ? previous?.lastOrderAt ?? null : [previous?.lastOrderAt, new Date(record.createdAt).toISOString()].filter(Boolean).sort().pop() ?? null;
    customers.set(email, {
      ordersCount: (previous?.ordersCount ?? 0) + (cancelled ? 0 : 1),
      totalSpentMinor: (previous?.totalSpentMinor ?? 0) + Math.max(0, net),
      lastOrderAt,
      aggregate,
    });
  }
  // The daemon fits the churn model on the store's own customers once the history is in; so does the expectation.
  stats = await refitChurnModel(stats, [...customers.values()].map((c) => c.aggregate), START, LIFECYCLE_CONFIG);
  return { customers, stats };
}

describe('Shopify orders → segments → Klaviyo, end to end', () => {
  const clock = new ManualClock(START);
  let harness: Harness;
  let store: SandboxStore;

  beforeAll(async () => {
    store = loadOlistStore({ clock });
    harness = await startHarness({ store, storeClock: clock, clock, env: { SHIPSIGNAL_CONFIG_DIR: configWithoutRefit() } });
  }, 120_000);

  afterAll(() => harness?.close());

  const profilesByEmail = () => new Map(harness.stack.klaviyo.profiles().map((p) => [p.email ?? '', p]));
  const segmentEvents = () => harness.stack.klaviyo.events().filter((e) => e.metric === 'Lifecycle Segment Changed');

  it('syncs every customer with the values computed independently from the seed', async () => {
    const report = await harness.app.syncOnce();
    const { customers, stats } = await expectedFromSeed(store);
    expect(report.orders).toBe(store.size);
    const profiles = profilesByEmail();
    expect(profiles.size).toBe(customers.size);
    for (const [email, expected] of customers) {
      const properties = profiles.get(email)?.properties;
      // Klaviyo deletes a custom property sent as null, so "no last order" reads as absent.
      expect({ email, orders: properties?.ss_orders_count, spent: properties?.ss_total_spent, last: properties?.ss_last_order_at ?? null, currency: properties?.ss_currency }).toEqual({
        email,
        orders: expected.ordersCount,
        spent: expected.totalSpentMinor / 100,
        last: expected.lastOrderAt,
        currency: 'BRL',
      });
      const lifecycle = evaluateLifecycle(expected.aggregate, stats, START, LIFECYCLE_CONFIG);
      expect(properties?.ss_segment).toBe(lifecycle.segment);
      expect(properties?.ss_rfm_score).toBe(`${lifecycle.rfm.recency}${lifecycle.rfm.frequency}${lifecycle.rfm.monetary}`);
      // The churn and next-order figures are the ones the evaluation code computes (same pure functions).
      expect(properties?.ss_churn_risk ?? null).toBe(lifecycle.churnRisk === null ? null : Number(lifecycle.churnRisk.toFixed(3)));
      expect(properties?.ss_expected_next_order_at ?? null).toBe(lifecycle.expectedNextOrderAt?.toISOString() ?? null);
      expect(properties?.ss_churn_risk_reasons ?? []).toEqual([...lifecycle.churnRiskReasons]);
    }
    expect(harness.stack.klaviyo.validationFailures()).toEqual([]);
    expect(harness.stack.shopify.rejectedQueries()).toEqual([]);
  }, 180_000);

  it('sends nothing when nothing changed', async () => {
    const before = harness.stack.klaviyo.requests().length;
    const report = await harness.app.syncOnce();
    expect(report.orders).toBe(0);
    expect(harness.stack.klaviyo.requests().length).toBe(before);
  }, 60_000);

  it('moves the right customers to at_risk/lapsed as time passes, and sends only those', async () => {
    const segmentsBefore = new Map([...profilesByEmail()].map(([email, p]) => [email, p.properties.ss_segment as Segment]));
    const { customers, stats } = await expectedFromSeed(store);
    clock.advance(120 * DAY);
    const expectedChanges = new Map<string, Segment>();
    for (const [email, expected] of customers) {
      const announced = segmentsBefore.get(email) as Segment;
      const now = evaluateLifecycle({ ...expected.aggregate, segment: announced }, stats, clock.now(), LIFECYCLE_CONFIG).segment;
      if (now !== announced) expectedChanges.set(email, now);
    }
    expect(expectedChanges.size).toBeGreaterThan(0);
    const eventsBefore = segmentEvents().length;
    const lifecycleBefore = new Map([...profilesByEmail()].map(([email, p]) => [email, lifecycleProperties(p.properties)]));
    await harness.app.syncOnce();
    // Parcels still in transit get fresh predictions as time passes too; only lifecycle properties are judged here.
    const lifecycleChanged = [...profilesByEmail()]
      .filter(([email, p]) => JSON.stringify(lifecycleProperties(p.properties)) !== JSON.stringify(lifecycleBefore.get(email)))
      .map(([email]) => email);
    expect(new Set(lifecycleChanged)).toEqual(new Set(expectedChanges.keys()));
    const newEvents = segmentEvents().slice(eventsBefore);
    expect(new Map(newEvents.map((e) => [e.profile.email, e.properties.Segment]))).toEqual(expectedChanges);
    expect(new Set(newEvents.map((e) => e.uniqueId)).size).toBe(newEvents.length);
    const profiles = profilesByEmail();
    for (const [email, segment] of expectedChanges) expect(profiles.get(email)?.properties.ss_segment).toBe(segment);
    expect(harness.stack.klaviyo.stats().duplicatesDropped).toBe(0);
  }, 120_000);

  it('re-sends only the profile whose order changed', async () => {
    const record = store.recordAt(42);
    const refunded = store.refundOrder(record.legacyId, '10.00');
    clock.advance(60_000);
    const before = harness.stack.klaviyo.requests().length;
    const eventsBefore = harness.stack.klaviyo.events().length;
    const report = await harness.app.syncOnce();
    expect(report.orders).toBe(1);
    const sent = harness.stack.klaviyo.requests().slice(before).filter((r) => r.method === 'POST');
    // One profile upsert; an event only if the refund moved this customer's segment, and then about them alone.
    expect(sent.filter((r) => r.operation !== 'create_event').map((r) => r.operation)).toEqual(['create_or_update_profile']);
    const newEvents = harness.stack.klaviyo.events().slice(eventsBefore);
    expect(newEvents.filter((e) => e.profile.email !== emailOf(refunded))).toEqual([]);
    expect(newEvents.every((e) => e.metric === 'Lifecycle Segment Changed')).toBe(true);
    const profile = profilesByEmail().get(emailOf(refunded));
    const expected = (await expectedFromSeed(store)).customers.get(emailOf(refunded));
    expect(profile?.properties.ss_total_spent).toBe((expected?.totalSpentMinor ?? NaN) / 100);
    expect(harness.stack.klaviyo.validationFailures()).toEqual([]);
  }, 60_000);
});
