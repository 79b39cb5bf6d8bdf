import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateStore } from '../../src/sandbox/shopify';
import { WooOrderBook, startWooSandbox, type WooSandbox } from '../../src/sandbox/woocommerce';
import { PermanentError } from '../../src/util/errors';
import { ManualClock } from '../../src/util/clock';
import { readAll, sandboxSource } from './woocommerce-client';

/** The WooCommerce order source (official client, OrderSource port) against the sandbox. */
describe('WooCommerce order source', () => {
  const clock = new ManualClock(new Date('2024-06-01T00:00:00Z'));
  let sandbox: WooSandbox;
  let book: WooOrderBook;
  const ids = () => book.list({ modifiedAfter: null, modifiedBefore: null, after: null, before: null, statuses: new Set(['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'trash']), orderby: 'id', order: 'asc', offset: 0, perPage: 100_000 }).orders.map((o) => String(o.id));

  beforeEach(async () => {
    clock.set(new Date('2024-06-01T00:00:00Z'));
    book = new WooOrderBook(generateStore({ orders: 1_050, seed: 21, clock, start: new Date('2024-01-01T00:00:00Z'), spanDays: 140 }));
    sandbox = await startWooSandbox({ book });
  });
  afterEach(() => sandbox.close());

  it('reads every order over many pages while orders change during the read, each final version included', async () => {
    const all = ids();
    const source = sandboxSource(sandbox);
    const changed = new Map<string, string>();
    const touch = (id: string) => {
      clock.advance(1000);
      book.updateOrder(Number(id), { note: `edited ${clock.now().toISOString()}` });
      changed.set(id, clock.now().toISOString());
    };
    const seenOrder: string[] = [];
    const result = await readAll(source, null, (page, read) => {
      seenOrder.push(...read.orders.map((o) => o.id));
      if (page % 2 === 1) {
        // One order already read and one not yet read move to the end of the modified list: with page-number paging
        // every later order shifts one place forward and one would be skipped.
        touch(seenOrder[seenOrder.length - 5]);
        touch(all[all.length - 1 - page]);
      }
    });
    expect(result.pages.length).toBeGreaterThan(10);
    expect(new Set(result.orders.map((o) => o.id))).toEqual(new Set(all));
    const lastVersion = new Map(result.orders.map((o) => [o.id, o.updatedAt.toISOString()]));
    for (const [id, at] of changed) expect(lastVersion.get(id)).toBe(at);
    const versions = result.orders.map((o) => `${o.id}@${o.updatedAt.toISOString()}`);
    expect(new Set(versions).size).toBe(versions.length);
    expect(sandbox.requests().every((r) => Number(r.params.per_page) <= 100)).toBe(true);
  });

  it('replays from a stored cursor without repeating orders, and picks up only what changed since', async () => {
    const source = sandboxSource(sandbox);
    const first = await readAll(source, null);
    expect(first.orders).toHaveLength(1_050);
    const again = await readAll(source, first.cursor);
    expect(again.orders).toEqual([]);
    clock.set(new Date('2024-06-02T00:00:00Z'));
    const picked = ids().slice(10, 13);
    for (const id of picked) book.updateOrder(Number(id), { note: 'changed' });
    const next = await readAll(source, first.cursor);
    expect(next.orders.map((o) => o.id).sort()).toEqual([...picked].sort());
    // The same read replayed (a crash before its cursor was stored) gives the same orders, once each.
    const replay = await readAll(source, first.cursor);
    expect(replay.orders.map((o) => o.id).sort()).toEqual([...picked].sort());
    expect((await readAll(source, next.cursor)).orders).toEqual([]);
  });

  it('maps refunds to currentTotal, statuses to cancellation, and Shipment Tracking items to fulfillments', async () => {
    const source = sandboxSource(sandbox);
    const base = await readAll(source, null);
    const byId = new Map(base.orders.map((o) => [o.id, o]));
    const [a, b, c, d] = ids().filter((id) => byId.get(id)?.cancelledAt === null && (byId.get(id)?.total.minor ?? 0) > 1000);
    clock.set(new Date('2024-06-03T00:00:00Z'));
    book.refund(Number(a), '5.00');
    book.refund(Number(b));
    book.setStatus(Number(c), 'failed');
    book.addTracking(Number(d), { provider: 'USPS', number: '9400111899223197428490', shippedAt: new Date('2024-06-02T15:00:00Z') });
    const after = new Map((await readAll(source, base.cursor)).orders.map((o) => [o.id, o]));
    expect(after.get(a)?.currentTotal.minor).toBe((byId.get(a)?.total.minor ?? 0) - 500);
    expect(after.get(a)?.financialStatus).toBe('partially_refunded');
    expect(after.get(b)).toMatchObject({ currentTotal: { minor: 0 }, financialStatus: 'refunded', cancelledAt: null });
    expect(after.get(c)).toMatchObject({ currentTotal: { minor: 0 }, financialStatus: 'voided' });
    expect(after.get(c)?.cancelledAt).not.toBeNull();
    const tracking = after.get(d)?.fulfillments.flatMap((f) => f.tracking);
    expect(tracking).toContainEqual({ code: '9400111899223197428490', carrier: 'USPS', url: null });
  });

  it('rejects bad records one by one with a reason and reads the rest of their page', async () => {
    const all = ids();
    clock.set(new Date('2024-06-04T00:00:00Z'));
    const [p, q, r] = all.slice(100, 103).map(Number);
    book.corrupt(p, (o) => ({ ...o, total: 'twelve' }));
    book.corrupt(q, (o) => ({ ...o, billing: { ...o.billing, email: '' } }));
    book.corrupt(r, (o) => ({ ...o, date_created_gmt: '2024-13-01 10:00' }));
    const result = await readAll(sandboxSource(sandbox), null);
    const rejections = result.pages.flatMap((page) => page.rejections);
    expect(rejections).toEqual([
      { recordId: String(p), reason: 'total is not a number: "twelve"' },
      { recordId: String(q), reason: 'order has no valid billing email address: customers are keyed by email' },
      { recordId: String(r), reason: 'malformed date_created_gmt "2024-13-01 10:00"' },
    ]);
    expect(result.orders).toHaveLength(1_047);
    const lastPage = result.pages[result.pages.length - 1];
    expect(lastPage.orders.length).toBeGreaterThan(0);
  });

  it('waits out 429s (Retry-After) and 5xx, and stops at once on a refused key with a plain reason', async () => {
    const limited = await startWooSandbox({ book, hostRateLimit: { requests: 4, windowMs: 1_000 } });
    try {
      const started = Date.now();
      const result = await readAll(sandboxSource(limited, { backoff: { baseMs: 5, maxMs: 50, maxAttempts: 20 } }), null);
      expect(result.orders).toHaveLength(1_050);
      const limitedCount = limited.requests().filter((r) => r.status === 429).length;
      const answered = limited.requests().filter((r) => r.status === 200).length;
      expect(limitedCount).toBeGreaterThan(0);
      // Eleven order pages and their product reads at four requests a second: Retry-After was honoured, not
      // hammered through. This policy caps a wait at 10 × maxMs = 500 ms, so a one-second window sees two 429s at most.
      const windows = Math.ceil(answered / 4);
      expect(Date.now() - started).toBeGreaterThanOrEqual((windows - 1) * 1_000);
      expect(limitedCount).toBeLessThanOrEqual(2 * windows);
    } finally {
      await limited.close();
    }
    sandbox.faults.configure({ serverError: 0.3, reset: 0.1 }, 4);
    expect((await readAll(sandboxSource(sandbox, { backoff: { baseMs: 5, maxMs: 20, maxAttempts: 30 } }), null)).orders).toHaveLength(1_050);
    expect(sandbox.faults.injected().server_error).toBeGreaterThan(0);
    sandbox.faults.clear();

    const before = sandbox.requests().length;
    const refused = readAll(sandboxSource(sandbox, { consumerSecret: 'cs_wrong' }), null);
    await expect(refused).rejects.toThrow(PermanentError);
    await expect(readAll(sandboxSource(sandbox, { consumerSecret: 'cs_wrong' }), null)).rejects.toThrow(
      /WooCommerce refused the API key \(401 woocommerce_rest_authentication_error: Invalid signature - provided signature does not match\.\): check WOOCOMMERCE_CONSUMER_KEY/,
    );
    expect(sandbox.requests().length - before).toBe(2);
  });

  it('check() proves the key can read orders', async () => {
    await expect(sandboxSource(sandbox).check(new AbortController().signal)).resolves.toEqual({ detail: `WooCommerce REST v3 at ${sandbox.url}: 1050 orders readable` });
    await expect(sandboxSource(sandbox, { consumerKey: 'ck_other' }).check(new AbortController().signal)).rejects.toThrow(/Consumer key is invalid/);
  });

  it('verifies the sandbox\'s signed webhooks and its ping through the source\'s verifier', async () => {
    const source = sandboxSource(sandbox, { webhookSecret: 'hook-secret' });
    const verdicts: unknown[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const verdict = source.webhook?.verify(Buffer.concat(chunks), req.headers);
        verdicts.push(verdict);
        res.writeHead(verdict?.kind === 'rejected' ? verdict.status : 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/woocommerce`;
      expect(source.webhook?.path).toBe('/webhooks/woocommerce');
      await expect(sandbox.addWebhook({ topic: 'order.updated', deliveryUrl: url, secret: 'hook-secret' })).resolves.toMatchObject({ pingStatus: 200 });
      await sandbox.addWebhook({ topic: 'order.deleted', deliveryUrl: url, secret: 'wrong-secret' });
      const id = Number(ids()[0]);
      book.updateOrder(id, { note: 'x' });
      book.setStatus(id, 'trash');
      await sandbox.webhooksIdle();
      expect(verdicts).toEqual([
        { kind: 'ignored', topic: 'ping' },
        { kind: 'ignored', topic: 'ping' },
        { kind: 'orders-changed', topic: 'order.updated' },
        { kind: 'rejected', status: 401, reason: 'webhook signature does not match' },
      ]);
      expect(sandbox.deliveries().map((d) => d.status)).toEqual([200, 200, 200, 401]);
      // A deleted (or trashed) order's payload is its id alone.
      expect(sandbox.deliveries()[3]).toMatchObject({ topic: 'order.deleted', body: JSON.stringify({ id }) });
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
  });
});
