import type { OrderRecord } from '../../src/sandbox/shopify/record';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { provisionedKey } from '../../src/state/keys';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';
import { DEST, EXCEPTION_SCANS, ORIGIN, at, scan, scriptedOrder } from '../helpers/scripted-parcels';

/**
 * SHIPSIGNAL_SETUP=auto (issue 16): the daemon's own `setup` job, run through its job table as the scheduler runs it,
 * against the Shopify, EasyPost and Klaviyo sandboxes (Klaviyo's documented limits on). One scripted parcel goes out
 * for delivery, fails an attempt (a delivery issue), and is delivered: each first event of a metric is sent by the
 * daemon itself, and the flow waiting for that metric is created right after, once, however many runs follow.
 */
const HOUR = 3_600_000;
const T0 = new Date('2026-06-01T12:00:00Z');
const CODE = 'SSAUTO000000001';
const SCANS = EXCEPTION_SCANS;
const DECLARED_SEGMENTS = 10;
const CREATES = ['create_segment', 'create_flow', 'create_template', 'create_tag'];
/** What the setup job sends: its lookups and its creates. */
const SETUP_OPERATIONS = ['get_metrics', 'get_segments', 'get_flows', 'get_flow', 'get_templates', 'get_tags', ...CREATES];

const order = (): OrderRecord => scriptedOrder({
  index: 0, base: 8_000_000, email: 'auto@shipsignal.test', lastName: 'Auto', trackingCode: CODE, placedAt: new Date(T0.getTime() - 26 * HOUR), labelAt: SCANS[0].at,
});

let harness: Harness;
let clock: ManualClock;
let store: SandboxStore;

beforeAll(async () => {
  clock = new ManualClock(T0);
  store = new SandboxStore(recordSource([order()], 'USD'), { clock });
  harness = await startHarness({
    store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'documented', easypost: { listRatePerSecond: false },
    env: { SHIPSIGNAL_LOG_LEVEL: 'info', SHOPIFY_BULK_BACKFILL: 'false', SHIPSIGNAL_SETUP: 'auto' },
  });
  harness.stack.easypost?.registerParcel({ trackingCode: CODE, carrier: 'USPS', service: 'Priority', scans: SCANS, weight: 12, estDeliveryDate: at('05T12:00'), origin: ORIGIN, destination: DEST });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const klaviyo = () => harness.stack.klaviyo;
const flowNames = () => klaviyo().flows().map((f) => f.name).sort();
const setupRequestsSince = (mark: number) => klaviyo().requests().slice(mark).filter((r) => r.operation !== null && SETUP_OPERATIONS.includes(r.operation));

/** One round of the daemon's scheduled jobs (orders, trackers, setup), then everything they started in the background. */
async function tick(): Promise<void> {
  const jobs = new Map(harness.app.scheduled().map((job) => [job.name, job.run]));
  for (const name of ['orders', 'trackers', 'setup'] as const) {
    const run = jobs.get(name);
    if (!run) throw new Error(`no ${name} job in the daemon's table`);
    await run();
    await harness.app.whenIdle();
  }
}

async function tickAt(when: Date): Promise<void> {
  clock.set(when);
  await harness.stack.easypost?.tick();
  await tick();
}

describe('SHIPSIGNAL_SETUP=auto: the daemon runs setup after the syncs that delivered events', () => {
  test('its first run creates every segment; every flow waits for its trigger metric', async () => {
    expect(harness.app.scheduled().map((job) => job.name)).toContain('setup');
    await tick();
    expect(klaviyo().metrics().map((m) => m.name)).toEqual(['Shipment Created']);
    expect(klaviyo().segments()).toHaveLength(DECLARED_SEGMENTS);
    expect(flowNames()).toEqual([]);
    expect(harness.logs()).toContain('"message":"setup: flow waiting"');
  }, 120_000);

  test('each waiting flow is created right after the daemon sent the first event of its metric', async () => {
    await tickAt(at('04T12:00'));
    expect(klaviyo().metrics().map((m) => m.name)).toContain('Shipment Out for Delivery');
    expect(flowNames()).toEqual(['ss: VIP out for delivery']);

    await tickAt(at('04T18:00'));
    expect(klaviyo().metrics().map((m) => m.name)).toContain('Delivery Issue Detected');
    expect(flowNames()).toEqual(['ss: Delivery issue', 'ss: VIP out for delivery']);

    await tickAt(at('05T15:00'));
    expect(flowNames()).toEqual(['ss: Delivery issue', 'ss: Delivery issue resolved', 'ss: Review request', 'ss: VIP out for delivery']);
    // No event of `Lifecycle Segment Changed` yet: the win-back flow still waits.
    expect(klaviyo().metrics().map((m) => m.name)).not.toContain('Lifecycle Segment Changed');
    expect(klaviyo().validationFailures()).toEqual([]);
    expect(klaviyo().requests().filter((r) => r.status === 429)).toEqual([]);
    const flow = klaviyo().flows().find((f) => f.name === 'ss: Delivery issue');
    expect(await harness.app.context.store.get(provisionedKey('flow', 'ss: Delivery issue'))).toBe(flow?.id);
  }, 120_000);

  test('exactly once across repeated runs; once nothing is due, a run sends nothing at all', async () => {
    const mark = klaviyo().requests().length;
    await tickAt(at('05T18:00'));
    await tickAt(at('05T21:00'));
    await tickAt(at('06T00:00'));
    expect(setupRequestsSince(mark).filter((r) => CREATES.includes(r.operation ?? ''))).toEqual([]);
    expect(klaviyo().flows()).toHaveLength(4);
    expect(new Set(klaviyo().flows().map((f) => f.name)).size).toBe(4);
    expect(klaviyo().segments()).toHaveLength(DECLARED_SEGMENTS);
    // The run after the deliveries looked once more for the win-back flow's metric; with no event since, none did.
    const quiet = klaviyo().requests().length;
    await tickAt(at('06T03:00'));
    expect(setupRequestsSince(quiet)).toEqual([]);
  }, 120_000);

  test('a slow setup run holds up no other job', async () => {
    // A second order makes an event (so a run is due: the win-back flow still waits), and the setup run's first
    // lookup is answered 15 s late; the other jobs run meanwhile.
    const code = 'SSAUTO000000002';
    clock.set(at('06T06:00'));
    harness.stack.easypost?.registerParcel({ trackingCode: code, carrier: 'USPS', service: 'Priority', scans: [scan('06T05:00', 'pre_transit', 'label_created', 'Shipping label created')], weight: 12, estDeliveryDate: at('09T12:00'), origin: ORIGIN, destination: DEST });
    const { legacyId: _id, updatedAt: _updated, ...second } = scriptedOrder({ index: 1, base: 8_000_000, email: 'slow@shipsignal.test', lastName: 'Slow', trackingCode: code, placedAt: at('06T04:00'), labelAt: at('06T05:00') });
    store.addOrder(second);
    klaviyo().faults.schedule({ kind: 'delay', ms: 15_000 }, 1, { operation: 'get_metrics' });
    const finished = () => harness.logs().split('"message":"setup finished"').length - 1;
    const before = finished();
    const events = klaviyo().events().length;
    const jobs = new Map(harness.app.scheduled().map((job) => [job.name, job.run]));
    await jobs.get('orders')?.();
    for (let waited = 0; klaviyo().events().length === events && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(klaviyo().events().length).toBeGreaterThan(events);
    // The drain delivered the new order's event: the setup run is under way, waiting for its slow lookup.
    const started = Date.now();
    for (const name of ['trackers', 'reviews', 'orders', 'drain'] as const) await jobs.get(name)?.();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(finished()).toBe(before);
    await harness.app.whenIdle();
    expect(finished()).toBe(before + 1);
    expect(klaviyo().flows()).toHaveLength(4);
  }, 120_000);
});
