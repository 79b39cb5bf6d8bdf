import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Segment } from '../../src/model/customer';
import { moneyFromDecimal } from '../../src/model/money';
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
 * sandboxes with Klaviyo's documented rate limits. Expected values are computed here from the seed records alone,
 * never by the lifecycle code under test: counts, spend, dates and RFM by plain arithmetic. Segments, churn risk
 * and next-order dates against an independent reference are in test/e2e/segments-reference.test.ts (a store small
 * enough for the documented prior and thresholds to be worked out by hand).
 */
const DAY = 86_400_000;
const START = new Date('2018-10-01T00:00:00Z');

interface Expected {
  readonly ordersCount: number;
  readonly totalSpentMinor: number;
  readonly lastOrderAt: string | null;
  /** Placement times of the orders not cancelled. */
  readonly placed: readonly number[];
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

/** Plain arithmetic straight from the seed records. */
function expectedFromSeed(store: SandboxStore): Map<string, Expected> {
  const customers = new Map<string, Expected>();
  for (let i = 0; i < store.size; i++) {
    const record = store.recordAt(i);
    const email = emailOf(record);
    const cancelled = record.cancelledAt !== null;
    const net = cancelled ? 0 : moneyFromDecimal(record.totalPrice, record.currencyCode).minor - moneyFromDecimal(record.totalRefunded, record.currencyCode).minor;
    const previous = customers.get(email);
    const lastOrderAt = cancelled ? previous?.lastOrderAt ?? null : [previous?.lastOrderAt, new Date(record.createdAt).toISOString()].filter(Boolean).sort().pop() ?? null;
    customers.set(email, {
      ordersCount: (previous?.ordersCount ?? 0) + (cancelled ? 0 : 1),
      totalSpentMinor: (previous?.totalSpentMinor ?? 0) + Math.max(0, net),
      lastOrderAt,
      placed: [...(previous?.placed ?? []), ...(cancelled ? [] : [Date.parse(record.createdAt)])],
    });
  }
  return customers;
}

/** RULES.md's fixed RFM bands, from the seed: days since the last order, orders in the last year, net spend. */
function rfmOf(expected: Expected, now: Date): string {
  if (expected.lastOrderAt === null) return '111';
  const days = (now.getTime() - Date.parse(expected.lastOrderAt)) / DAY;
  const recency = days <= 7 ? 5 : days <= 30 ? 4 : days <= 90 ? 3 : days <= 180 ? 2 : 1;
  const inYear = expected.placed.filter((at) => now.getTime() - at <= 365 * DAY).length;
  const frequency = inYear >= 10 ? 5 : inYear >= 5 ? 4 : inYear >= 3 ? 3 : inYear >= 2 ? 2 : 1;
  const spent = expected.totalSpentMinor / 100;
  const monetary = spent >= 3000 ? 5 : spent >= 1000 ? 4 : spent >= 300 ? 3 : spent >= 100 ? 2 : 1;
  return `${recency}${frequency}${monetary}`;
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
    const customers = expectedFromSeed(store);
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
      expect({ email, rfm: properties?.ss_rfm_score }).toEqual({ email, rfm: rfmOf(expected, START) });
      // Only cancelled orders: nothing to market on; anyone who bought has a segment among the buyers'.
      if (expected.ordersCount === 0) expect(properties?.ss_segment).toBe('no_purchase');
      else expect(['first_time', 'repeat', 'vip', 'at_risk', 'lapsed']).toContain(properties?.ss_segment);
      const risk = properties?.ss_churn_risk;
      if (expected.ordersCount > 0) expect(typeof risk === 'number' && risk >= 0 && risk <= 1).toBe(true);
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

  it('as time passes, a customer whose segment moves gets one event saying so, and only those are sent', async () => {
    const segmentsBefore = new Map([...profilesByEmail()].map(([email, p]) => [email, p.properties.ss_segment as Segment]));
    clock.advance(120 * DAY);
    const eventsBefore = segmentEvents().length;
    const lifecycleBefore = new Map([...profilesByEmail()].map(([email, p]) => [email, lifecycleProperties(p.properties)]));
    await harness.app.syncOnce();
    // Parcels still in transit get fresh predictions as time passes too; only lifecycle properties are judged here.
    const lifecycleChanged = [...profilesByEmail()]
      .filter(([email, p]) => JSON.stringify(lifecycleProperties(p.properties)) !== JSON.stringify(lifecycleBefore.get(email)))
      .map(([email]) => email);
    // What Klaviyo now holds against what it held: the segment moved for these customers, with time only.
    const expectedChanges = new Map([...profilesByEmail()]
      .map(([email, p]) => [email, p.properties.ss_segment as Segment] as const)
      .filter(([email, segment]) => segmentsBefore.get(email) !== segment));
    expect(expectedChanges.size).toBeGreaterThan(0);
    // Time only deepens silence: nobody moves anywhere but at_risk or lapsed.
    expect([...new Set(expectedChanges.values())].every((segment) => segment === 'at_risk' || segment === 'lapsed')).toBe(true);
    expect(new Set(lifecycleChanged)).toEqual(new Set(expectedChanges.keys()));
    const newEvents = segmentEvents().slice(eventsBefore);
    expect(new Map(newEvents.map((e) => [e.profile.email, e.properties.Segment]))).toEqual(expectedChanges);
    expect(new Map(newEvents.map((e) => [e.profile.email, e.properties.PreviousSegment]))).toEqual(new Map([...expectedChanges.keys()].map((email) => [email, segmentsBefore.get(email)])));
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
    const expected = expectedFromSeed(store).get(emailOf(refunded));
    expect(profile?.properties.ss_total_spent).toBe((expected?.totalSpentMinor ?? NaN) / 100);
    expect(harness.stack.klaviyo.validationFailures()).toEqual([]);
  }, 60_000);
});
