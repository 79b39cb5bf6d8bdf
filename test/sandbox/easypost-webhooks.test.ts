import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import EasyPostClient from '@easypost/api';
import { DEFAULT_PRODUCTION_KEY, EasyPostSandbox, synthesizeScanHistory } from '../../src/sandbox/easypost';
import { EasyPostTrackingClient } from '../../src/sources/easypost/client';
import { nextTrackerCursor } from '../../src/sources/easypost/cursor';
import type { TrackerSnapshot } from '../../src/sources/easypost/snapshot';
import { verifyEasyPostWebhook } from '../../src/sources/easypost/webhook';
import { ManualClock } from '../../src/util/clock';

const SECRET = 'sécret-shipsignal';
const DAY = 86_400_000;
const HAND_OFF = new Date('2026-06-01T15:00:00Z');
const DELIVERED = new Date('2026-06-08T16:20:00Z');

interface Received { body: Buffer; headers: IncomingHttpHeaders }

/** A webhook endpoint that records raw bodies; `failFirst` answers 500 to that many requests first. */
async function receiver(failFirst = 0): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  let failures = failFirst;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(500).end();
        return;
      }
      received.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/easypost`, received, server };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scenario(failFirst = 0) {
  const hook = await receiver(failFirst);
  cleanups.push(() => new Promise((resolve) => hook.server.close(() => resolve())));
  // One hour before hand-off: the label scan (2-20 h before) is already visible.
  const clock = new ManualClock(new Date(HAND_OFF.getTime() - 3_600_000));
  const sb = new EasyPostSandbox({ clock, webhooks: [{ url: hook.url, secret: SECRET }], delivery: { retryDelayMs: 10 } });
  const url = await sb.start();
  cleanups.push(() => sb.stop());
  sb.registerParcel({
    trackingCode: '9400111899223197428490',
    carrier: 'USPS',
    service: 'Priority Mail',
    weight: 12,
    signedBy: 'R. Customer',
    estDeliveryDate: new Date('2026-06-08T00:00:00Z'),
    destination: { city: 'PORTLAND', state: 'OR', country: 'US', zip: '97201' },
    scans: synthesizeScanHistory({
      handOffAt: HAND_OFF, deliveredAt: DELIVERED, status: 'delivered', seed: 2026,
      origin: { city: 'AUSTIN', state: 'TX', country: 'US' }, destination: { city: 'PORTLAND', state: 'OR', country: 'US' },
    }),
  });
  // A scripted (real-looking) code: only a production-mode key may track it, as at EasyPost.
  const tracking = new EasyPostTrackingClient({ apiKey: DEFAULT_PRODUCTION_KEY, baseUrl: `${url}/v2/`, clock, listRatePerSecond: 50 });
  const official = new EasyPostClient(DEFAULT_PRODUCTION_KEY, { baseUrl: `${url}/v2/` });
  return { hook, clock, sb, tracking, official };
}

function verified(received: Received[]): TrackerSnapshot[] {
  return received.map((r) => {
    const snapshot = verifyEasyPostWebhook(r.body, r.headers, SECRET);
    if (!snapshot) throw new Error('not a tracker event');
    return snapshot;
  });
}

describe('EasyPost sandbox: a parcel over simulated time', () => {
  test('advancing the clock produces signed tracker.updated webhooks that verify, in status order', async () => {
    const { hook, clock, sb, tracking, official } = await scenario();
    const created = await tracking.ensureTracker('9400111899223197428490', 'USPS');
    expect(created.status).toBe('pre_transit');
    await sb.idle();
    expect(hook.received).toHaveLength(1);

    const statuses: string[] = [created.status];
    while (clock.now() < new Date(DELIVERED.getTime() + DAY)) {
      clock.advance(6 * 3_600_000);
      await sb.tick();
    }
    const snapshots = verified(hook.received);
    for (const s of snapshots.slice(1)) if (s.status !== statuses[statuses.length - 1]) statuses.push(s.status);
    expect(statuses).toEqual(['pre_transit', 'in_transit', 'out_for_delivery', 'delivered']);
    const last = snapshots[snapshots.length - 1];
    expect(last).toMatchObject({ status: 'delivered', signedBy: 'R. Customer', service: 'Priority Mail', deliveredAt: DELIVERED });
    expect(last.scans[last.scans.length - 1].at).toEqual(DELIVERED);

    // Exactly what EasyPost sends, down to the weight written as a float and the header the official client reads.
    for (const r of hook.received) {
      expect(r.headers['x-hmac-signature']).toMatch(/^hmac-sha256-hex=[0-9a-f]{64}$/);
      expect(r.body.toString()).toContain('"weight":12.0');
      expect(() => official.Utils.validateWebhook(r.body, r.headers, SECRET)).not.toThrow();
    }
    const events = hook.received.map((r) => JSON.parse(r.body.toString()) as { id: string; description: string; previous_attributes: { status?: string } });
    expect(events[0].description).toBe('tracker.created');
    expect(events.slice(1).every((e) => e.description === 'tracker.updated')).toBe(true);
    const deliveredEvent = events[events.length - 1];
    expect(deliveredEvent.previous_attributes.status).toBe('out_for_delivery');

    // The API agrees with the webhooks: the event is listed (without result) and completed.
    const retrieved = await official.Event.retrieve(deliveredEvent.id);
    expect(retrieved).toMatchObject({ description: 'tracker.updated', status: 'completed', completed_urls: [hook.url], pending_urls: [] });
    expect(retrieved.result).toBeUndefined();
    // Nothing changes after delivery: a further tick sends nothing.
    clock.advance(3 * DAY);
    expect(await sb.tick()).toEqual([]);
  });

  test('changedTrackers yields only trackers updated since the cursor', async () => {
    const { clock, sb, tracking } = await scenario();
    // A code the carrier has said nothing about yet: its tracker never moves.
    const still = await tracking.ensureTracker('9400111899223197400001', 'USPS');
    clock.advance(60_000);
    const moving = await tracking.ensureTracker('9400111899223197428490', 'USPS');
    let cursor: Date | null = null;
    for await (const s of tracking.changedTrackers(new Date(0))) cursor = nextTrackerCursor(cursor, s);
    expect(cursor).toEqual(moving.updatedAt);
    expect(still.updatedAt.getTime()).toBeLessThan(moving.updatedAt.getTime());

    clock.set(new Date(HAND_OFF.getTime() + 2 * DAY));
    await sb.tick();
    const changed: TrackerSnapshot[] = [];
    for await (const s of tracking.changedTrackers(cursor ?? new Date(0))) changed.push(s);
    expect(changed.map((s) => s.trackerId)).toEqual([moving.trackerId]);
    expect(changed[0].status).toBe('in_transit');
  });

  test('a failing endpoint gets retried until it answers 2xx (at-least-once)', async () => {
    const { hook, clock, sb, tracking } = await scenario(2);
    await tracking.ensureTracker('9400111899223197428490', 'USPS');
    await sb.idle();
    const createdAttempts = sb.deliveries.filter((d) => d.url === hook.url);
    expect(createdAttempts.map((d) => d.status)).toEqual([500, 500, 200]);
    expect(hook.received).toHaveLength(1);
    clock.set(new Date(HAND_OFF.getTime() + DAY));
    const [event] = await sb.tick();
    expect(event.description).toBe('tracker.updated');
    expect(hook.received).toHaveLength(2);
  });

  test('replay: a webhook delivered twice carries the same event id and verifies both times', async () => {
    const { hook, clock, sb, tracking } = await scenario();
    await tracking.ensureTracker('9400111899223197428490', 'USPS');
    await sb.idle();
    sb.setDeliverTwice(true);
    clock.set(new Date(HAND_OFF.getTime() + DAY));
    const [event] = await sb.tick();
    await sb.redeliver(event.id);
    const copies = hook.received.slice(1);
    expect(copies).toHaveLength(4);
    const ids = copies.map((r) => (JSON.parse(r.body.toString()) as { id: string }).id);
    expect(new Set(ids)).toEqual(new Set([event.id]));
    const snapshots = verified(copies);
    expect(new Set(snapshots.map((s) => JSON.stringify(s))).size).toBe(1);
  });
});
