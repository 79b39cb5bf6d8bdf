import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import EasyPostClient from '@easypost/api';
import { dryRun, type DryRunSummary } from '../../src/cli/dry-run';
import { parseEnv } from '../../src/config/env';
import { App } from '../../src/daemon/app';
import { registerDemoParcels } from '../../src/sandbox/demo-parcels';
import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { isoInstant, type OrderRecord } from '../../src/sandbox/shopify/record';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy';

/**
 * Issue 11 item 3: `dry-run` computes a sync and changes nothing anywhere. Every request to the three sandboxes goes
 * through a recording proxy that classifies it on the wire (POST/PUT/PATCH/DELETE, a GraphQL mutation); a dry run
 * must make none, and every file of the SQLite state (its WAL and shared-memory files included) must keep its bytes,
 * or not come into existence when there was no state yet.
 */
const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');

/** Every file in the state's directory, by name, with a digest of its bytes. */
function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]));
}

function fulfilledOrder(store: SandboxStore, code: string, at: Date): Omit<OrderRecord, 'legacyId' | 'updatedAt'> {
  const source = store.recordAt(0);
  const when = isoInstant(at.getTime());
  return {
    ...source,
    name: `#DRY-${code}`, createdAt: when, processedAt: when, cancelledAt: null, cancelReason: null, closedAt: null,
    displayFulfillmentStatus: 'FULFILLED',
    fulfillments: [{
      legacyId: Number(code.slice(-6)), status: 'SUCCESS', displayStatus: 'IN_TRANSIT', createdAt: when, updatedAt: when,
      inTransitAt: when, deliveredAt: null, estimatedDeliveryAt: null, tracking: [{ number: code, company: 'USPS', url: null }],
    }],
  };
}

describe('dry-run touches nothing', () => {
  const clock = new ManualClock(NOW);
  let store: SandboxStore;
  let stack: LocalStack;
  let proxies: { shopify: RecordingProxy; klaviyo: RecordingProxy; easypost: RecordingProxy };
  let dir: string;
  let env: ReturnType<typeof parseEnv>;
  const logs = new PassThrough().resume();

  const mutating = () => ({
    shopify: proxies.shopify.mutating().map((r) => `${r.method} ${r.path} ${r.operations.join(',')}`),
    klaviyo: proxies.klaviyo.mutating().map((r) => `${r.method} ${r.path}`),
    easypost: proxies.easypost.mutating().map((r) => `${r.method} ${r.path}`),
  });
  const clearRecords = () => Object.values(proxies).forEach((p) => p.requests.splice(0));
  const lookups = () => proxies.easypost.requests.filter((r) => r.method === 'GET' && /[?&]tracking_code=/.test(r.path)).length;
  const dry = (): Promise<DryRunSummary> => dryRun(env, { clock, logStream: logs });

  beforeAll(async () => {
    store = generateStore({ orders: 120, seed: 17, clock, start: new Date(NOW.getTime() - 40 * DAY), spanDays: 40 });
    stack = await startLocalStack({ store, storeClock: clock, klaviyoRateLimits: 'off', shopifyThrottle: 'off', easypost: { listRatePerSecond: false } });
    if (!stack.easypost) throw new Error('no EasyPost sandbox');
    expect(registerDemoParcels(store, stack.easypost, new Date(NOW.getTime() - 3 * DAY))).toBeGreaterThan(0);
    proxies = {
      shopify: await startRecordingProxy(stack.env.SHOPIFY_BASE_URL),
      klaviyo: await startRecordingProxy(stack.env.KLAVIYO_BASE_URL),
      easypost: await startRecordingProxy(stack.env.EASYPOST_BASE_URL.replace(/\/v2\/$/, '')),
    };
    dir = mkdtempSync(join(tmpdir(), 'shipsignal-dry-run-'));
    env = parseEnv({
      ...stack.env,
      SHOPIFY_BASE_URL: proxies.shopify.url,
      KLAVIYO_BASE_URL: proxies.klaviyo.url,
      EASYPOST_BASE_URL: `${proxies.easypost.url}/v2/`,
      SHIPSIGNAL_STATE_URL: `sqlite://${join(dir, 'state.sqlite')}`,
      SHIPSIGNAL_LOG_LEVEL: 'warn',
    });
    // The defaults that make a real first sync mutate: a bulk backfill, trackers created for live parcels.
    expect(env.SHOPIFY_BULK_BACKFILL).toBe(true);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(proxies ?? {}).map((p) => p.close()));
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('before any sync: no mutating request, and no state file is created', async () => {
    const summary = await dry();
    expect(mutating()).toEqual({ shopify: [], klaviyo: [], easypost: [] });
    expect(readdirSync(dir)).toEqual([]);
    // It did compute the sync: every order was read (paged), parcels looked up by code at EasyPost.
    expect(summary.orders).toBe(store.size);
    expect(summary.profiles).toBeGreaterThan(0);
    expect(proxies.shopify.requests.length).toBeGreaterThan(1);
    expect(lookups()).toBeGreaterThan(0);
    expect(stack.easypost?.trackerCount).toBe(0);
    // The real first sync then does mutate (a bulk operation, trackers): what the proxies would have caught.
    const app = await App.create(env, { clock, logStream: logs });
    try {
      await app.syncOnce();
    } finally {
      await app.close();
    }
    expect(mutating().shopify.some((line) => line.includes('mutation'))).toBe(true);
    expect(mutating().easypost.length).toBeGreaterThan(0);
    expect(mutating().klaviyo.length).toBeGreaterThan(0);
  }, 120_000);

  it('after a sync, with new orders and parcels waiting: no mutating request, and every state file keeps its bytes', async () => {
    const easypost = stack.easypost;
    if (!easypost) throw new Error('no EasyPost sandbox');
    clock.advance(DAY);
    // Two new parcels: one EasyPost already tracks (created by another system), one it has never seen.
    const known = '9400199990000000000001';
    const unknown = '9400199990000000000002';
    for (const code of [known, unknown]) {
      easypost.registerParcel({ trackingCode: code, carrier: 'USPS', scans: [{ at: new Date(clock.now().getTime() - 3_600_000), status: 'in_transit', statusDetail: 'arrived_at_facility', message: 'Arrived' }] });
      store.addOrder(fulfilledOrder(store, code, new Date(clock.now().getTime() - 2 * 3_600_000)));
    }
    await new EasyPostClient(stack.env.EASYPOST_API_KEY, { baseUrl: stack.env.EASYPOST_BASE_URL }).Tracker.create({ tracking_code: known, carrier: 'USPS' });
    store.refundOrder(store.recordAt(5).legacyId, '1.00');
    const trackersBefore = easypost.trackerCount;
    const before = filesOf(dir);
    expect(Object.keys(before)).toContain('state.sqlite');
    clearRecords();

    const summary = await dry();
    expect(mutating()).toEqual({ shopify: [], klaviyo: [], easypost: [] });
    expect(filesOf(dir)).toEqual(before);
    expect(easypost.trackerCount).toBe(trackersBefore);
    expect(summary.orders).toBeGreaterThanOrEqual(3);
    expect(lookups()).toBe(2);

    // Nothing moved: a real sync afterwards reads the same changes the dry run saw.
    const app = await App.create(env, { clock, logStream: logs });
    try {
      const report = await app.syncOnce();
      expect(report.orders).toBe(summary.orders);
    } finally {
      await app.close();
    }
    expect(easypost.trackerCount).toBe(trackersBefore + 1);
  }, 120_000);
});
