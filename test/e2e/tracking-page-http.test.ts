import { parseTrackingKeys, signToken, verifyToken } from '../../src/pages/tracking/token';
import { TRACKING_SECRET, startTrackingWorld, type TrackingWorld } from '../helpers/tracking-world';

/**
 * The tracking page over HTTP: views and clicks reach the Klaviyo sandbox once per order per hour with the
 * segment, through the outbox and the drain; tampered links are a plain 404; lookups answer alike and are limited.
 */
let world: TrackingWorld;

beforeAll(async () => {
  world = await startTrackingWorld();
}, 120_000);
afterAll(async () => world?.close());

const HOUR = 3_600_000;
const pageEvents = () => world.harness.stack.klaviyo.events().filter((e) => /Tracking Page/.test(e.metric));

/**
 * A view is recorded after the page is answered (the visitor never waits for the outbox), so a drain right after the
 * fetch may run before the view's commit lands: drain until `count` page events are in Klaviyo, or 5 s pass.
 */
async function drainUntil(count: number): Promise<void> {
  const until = Date.now() + 5_000;
  do {
    await world.harness.app.drain();
    if (pageEvents().length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < until);
}

describe('tracking page over HTTP', () => {
  it('records a view once per order per hour, and each block click, in Klaviyo with the segment', async () => {
    for (let i = 0; i < 3; i += 1) expect((await fetch(world.link('#3001'))).status).toBe(200);
    const click = await fetch(`${world.link('#3001')}/go/next-order-discount`, { redirect: 'manual' });
    expect(click.status).toBe(303);
    expect(click.headers.get('location')).toBe('https://casa-aurora.example/?cupom=VOLTE10');
    await fetch(`${world.link('#3001')}/go/next-order-discount`, { redirect: 'manual' });
    await drainUntil(2);
    const views = pageEvents().filter((e) => e.metric === 'Viewed Tracking Page');
    expect(views).toHaveLength(1);
    expect(views[0].profile.email).toBe('ana.souza@example.com');
    expect(views[0].properties).toMatchObject({ OrderNumber: '#3001', Status: 'in_transit', IssueOpen: false, LifecycleSegment: 'first_time', BlocksShown: ['welcome-first-order', 'next-order-discount'] });
    const clicks = pageEvents().filter((e) => e.metric === 'Clicked Tracking Page Block');
    expect(clicks).toHaveLength(1);
    expect(clicks[0].properties).toMatchObject({ BlockId: 'next-order-discount', LifecycleSegment: 'first_time' });

    // The next hour is a new window: one more view; a restart (a new process) in the same hour would add none,
    // since the event id is the order and the hour.
    world.clock.advance(HOUR);
    await fetch(world.link('#3001'));
    await fetch(world.link('#3003'));
    await drainUntil(4);
    const after = pageEvents().filter((e) => e.metric === 'Viewed Tracking Page');
    expect(after.filter((e) => e.properties.OrderNumber === '#3001')).toHaveLength(2);
    expect(after.find((e) => e.properties.OrderNumber === '#3003')?.properties).toMatchObject({ IssueOpen: true, LifecycleSegment: 'first_time' });
  });

  it('puts the page link on shipment events (TrackingUrl; the carrier\'s as CarrierTrackingUrl) and on the profile', async () => {
    const { klaviyo } = world.harness.stack;
    const shipped = klaviyo.events().filter((e) => e.metric.startsWith('Shipment ') && e.profile.email === 'bruno.lima@example.com');
    expect(shipped.length).toBeGreaterThan(0);
    const link = world.link('#3002').replace(world.base, 'https://casa-aurora.example');
    for (const event of shipped) {
      expect(event.properties.TrackingUrl).toBe(link);
      expect(String(event.properties.CarrierTrackingUrl)).toMatch(/^https:\/\/track\.easypost\.com\//);
    }
    const profile = klaviyo.profiles().find((p) => p.email === 'bruno.lima@example.com');
    expect(profile?.properties.ss_tracking_page_url).toBe(link);
    // The link is the customer's latest order; the page it opens is that order's.
    expect((await fetch(link.replace('https://casa-aurora.example', world.base))).status).toBe(200);
  });

  it('answers a tampered, foreign or unknown link with a plain 404', async () => {
    const good = world.link('#3002');
    const token = good.slice(good.lastIndexOf('/') + 1);
    const [id, payload, signature] = token.split('.');
    const flipped = `${id}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'AB' : 'AA'}`;
    const otherKey = signToken(parseTrackingKeys('k1:another-secret-of-at-least-32-characters!'), world.harness.app.storeId, '#3002');
    const otherStore = signToken(parseTrackingKeys(TRACKING_SECRET), 'another-store', '#3002');
    const unknownOrder = signToken(parseTrackingKeys(TRACKING_SECRET), world.harness.app.storeId, '#9999');
    for (const bad of [flipped, otherKey, otherStore, unknownOrder, 'k9.abc.def', 'nonsense']) {
      const response = await fetch(`${world.base}/t/${bad}`);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('Not found');
    }
    expect((await fetch(`${world.base}/t/${token}/go/no-such-block`)).status).toBe(404);
    // A block the order's page does not show cannot be "clicked" through its link.
    expect((await fetch(`${world.base}/t/${token}/go/review-request`, { redirect: 'manual' })).status).toBe(404);
  });

  it('rotates secrets: links signed by the old key still open after a new one signs', () => {
    const old = parseTrackingKeys('k1:the-old-secret-0123456789-0123456789');
    const rotated = parseTrackingKeys('k2:the-new-secret-0123456789-0123456789,k1:the-old-secret-0123456789-0123456789');
    const oldLink = signToken(old, 's', '#1001');
    expect(verifyToken(rotated, 's', oldLink)).toBe('1001');
    expect(signToken(rotated, 's', '#1001')).toMatch(/^k2\./);
    expect(verifyToken(parseTrackingKeys('k2:the-new-secret-0123456789-0123456789'), 's', oldLink)).toBeNull();
  });

  it('gives "no such order" and "wrong email" the same answer in similar time, and limits guessing per order and per address', async () => {
    const lookup = async (order: string, contact: string, from = '203.0.113.1') => {
      const started = process.hrtime.bigint();
      const response = await fetch(`${world.base}/track`, {
        method: 'POST', redirect: 'manual', body: new URLSearchParams({ order, contact }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
      });
      const text = await response.text();
      return { status: response.status, text, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    const wrongEmail = await lookup('#3004', 'not.daniel@example.com');
    const noOrder = await lookup('#7777', 'daniel.rocha@example.com');
    expect(wrongEmail.status).toBe(404);
    expect(noOrder.status).toBe(404);
    expect(noOrder.text.replace(/#7777/g, 'N')).toBe(wrongEmail.text.replace(/#3004/g, 'N'));
    // Both wait out the same floor (60 ms): neither answers faster and reveals which it was.
    expect(wrongEmail.ms).toBeGreaterThanOrEqual(59);
    expect(noOrder.ms).toBeGreaterThanOrEqual(59);
    const right = await lookup('3004', 'Daniel.Rocha@example.com');
    expect(right.status).toBe(303);
    // Guessing one order from many addresses: its 10 lookups an hour (2 above) run out, whoever asks.
    const perOrder: Array<{ status: number; text: string }> = [];
    for (let i = 0; i < 9; i += 1) perOrder.push(await lookup('#3004', `guess${i}@example.com`, `198.51.100.${i + 1}`));
    expect(perOrder.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 429]);
    expect(perOrder[8].text).toContain('Muitas tentativas');
    expect((await lookup('#3001', 'x@example.com', '198.51.100.99')).status).toBe(404);
    // Guessing many orders from one address: 10 lookups a minute (3 above), then 429 for any order.
    const perAddress: number[] = [];
    for (let i = 0; i < 8; i += 1) perAddress.push((await lookup(`#${4000 + i}`, 'guess@example.com')).status);
    expect(perAddress).toEqual([404, 404, 404, 404, 404, 404, 404, 429]);
  });
});
