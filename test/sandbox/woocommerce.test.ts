import { generateStore } from '../../src/sandbox/shopify';
import { WooOrderBook, type WooSandbox } from '../../src/sandbox/woocommerce';
import { ManualClock } from '../../src/util/clock';
import { expectHostRateLimit, officialClient, startKeyedSandbox } from './woocommerce-client';

/** The sandbox alone, through the official client, against what the WooCommerce REST docs say. */
describe('WooCommerce sandbox (REST v3)', () => {
  const clock = new ManualClock(new Date('2024-06-01T00:00:00Z'));
  let sandbox: WooSandbox;
  let book: WooOrderBook;

  beforeAll(async () => {
    book = new WooOrderBook(generateStore({ orders: 250, seed: 5, clock, start: new Date('2024-01-01T00:00:00Z'), spanDays: 140 }), { utcOffsetMinutes: -180 });
    sandbox = await startKeyedSandbox(book);
  });
  afterAll(() => sandbox.close());

  it('pages with X-WP-Total, X-WP-TotalPages and Link, oldest change first with orderby=modified&order=asc', async () => {
    const api = officialClient(sandbox);
    const first = await api.get('orders', { per_page: 100, orderby: 'modified', order: 'asc', dates_are_gmt: 'true' });
    expect(first.status).toBe(200);
    expect(first.headers['x-wp-total']).toBe('250');
    expect(first.headers['x-wp-totalpages']).toBe('3');
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('page=2');
    expect(first.headers.link).not.toContain('oauth_');
    const modified = (first.data as Array<{ date_modified_gmt: string }>).map((o) => o.date_modified_gmt);
    expect([...modified].sort()).toEqual(modified);
    const last = await api.get('orders', { per_page: 100, page: 3, orderby: 'modified', order: 'asc' });
    expect(last.data).toHaveLength(50);
    expect(last.headers.link).toContain('rel="prev"');
    expect(last.headers.link).not.toContain('rel="next"');
    const beyond = await api.get('orders', { per_page: 100, page: 9 });
    expect(beyond.status).toBe(200);
    expect(beyond.data).toEqual([]);
  });

  it('renders orders with the fields and JSON types of the documented example response', async () => {
    const example = (await import('../../specs/woocommerce/wc-v3-orders-list.example.json')).default as unknown as Array<Record<string, unknown>>;
    const served = (await officialClient(sandbox).get('orders', { per_page: 5 })).data as Array<Record<string, unknown>>;
    const shape = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
    for (const order of served) {
      expect(Object.keys(order).sort()).toEqual(Object.keys(example[0]).sort());
      for (const [key, value] of Object.entries(example[0])) if (value !== null && order[key] !== null) expect([key, shape(order[key])]).toEqual([key, shape(value)]);
      const item = (order.line_items as Array<Record<string, unknown>>)[0];
      const exampleItem = (example[0].line_items as Array<Record<string, unknown>>)[0];
      expect(Object.keys(item).sort()).toEqual(Object.keys(exampleItem).sort());
      for (const [key, value] of Object.entries(exampleItem)) expect([key, shape(item[key])]).toEqual([key, shape(value)]);
      expect(order.date_modified_gmt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      expect((order._links as { self: Array<{ href: string }> }).self[0].href).toBe(`${sandbox.url}/wp-json/wc/v3/orders/${String(order.id)}`);
    }
  });

  it('refuses per_page over 100 with rest_invalid_param, naming the parameter as WordPress does', async () => {
    const response = await officialClient(sandbox).get('orders', { per_page: 101 });
    expect(response.status).toBe(400);
    expect(response.data).toMatchObject({
      code: 'rest_invalid_param',
      message: 'Invalid parameter(s): per_page',
      data: { status: 400, params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' } },
    });
    const several = await officialClient(sandbox).get('orders', { per_page: 0, orderby: 'updated', modified_after: 'yesterday' });
    expect(several.data.message).toBe('Invalid parameter(s): modified_after, orderby, per_page');
  });

  it('answers auth failures with WooCommerce codes: no key, unknown key, wrong secret, a key without Read permission', async () => {
    const plain = await fetch(`${sandbox.url}/wp-json/wc/v3/orders`);
    expect(plain.status).toBe(401);
    expect(await plain.json()).toEqual({ code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.', data: { status: 401 } });
    const unknown = await officialClient(sandbox, 'ck_nobody', 'cs_read').get('orders');
    expect(unknown.status).toBe(401);
    expect(unknown.data).toMatchObject({ code: 'woocommerce_rest_authentication_error', message: 'Consumer key is invalid.' });
    const wrongSecret = await officialClient(sandbox, 'ck_read', 'cs_wrong').get('orders');
    expect(wrongSecret.data).toMatchObject({ code: 'woocommerce_rest_authentication_error', message: 'Invalid signature - provided signature does not match.' });
    const writeOnly = await officialClient(sandbox, 'ck_write', 'cs_write').get('orders');
    expect(writeOnly.status).toBe(401);
    expect(writeOnly.data.message).toBe('The API key provided does not have read permissions.');
    // Basic auth is honoured only over HTTPS; on an http:// site WooCommerce ignores it.
    const basic = await fetch(`${sandbox.url}/wp-json/wc/v3/orders`, { headers: { Authorization: `Basic ${Buffer.from('ck_read:cs_read').toString('base64')}` } });
    expect(basic.status).toBe(401);
  });

  it('filters by modified_after (strictly after; site time unless dates_are_gmt) and by status; any leaves trash out', async () => {
    const api = officialClient(sandbox);
    const all = (await api.get('orders', { per_page: 100, orderby: 'modified', order: 'asc', dates_are_gmt: 'true' })).data as Array<{ id: number; date_modified_gmt: string }>;
    const pivot = all[40].date_modified_gmt;
    const after = await api.get('orders', { per_page: 100, modified_after: pivot, dates_are_gmt: 'true', orderby: 'modified', order: 'asc' });
    expect((after.data as Array<{ date_modified_gmt: string }>).every((o) => o.date_modified_gmt > pivot)).toBe(true);
    // Without dates_are_gmt the same wall time is read in the site's zone (UTC-3): three hours later.
    const local = await api.get('orders', { per_page: 100, modified_after: pivot, orderby: 'modified', order: 'asc' });
    const shifted = new Date(Date.parse(`${pivot}Z`) + 3 * 3_600_000).toISOString().slice(0, 19);
    expect((local.data as Array<{ date_modified_gmt: string }>).every((o) => o.date_modified_gmt > shifted)).toBe(true);

    book.setStatus(all[0].id, 'on-hold');
    book.setStatus(all[1].id, 'trash');
    const onHold = await api.get('orders', { status: 'on-hold' });
    expect((onHold.data as Array<{ id: number }>).map((o) => o.id)).toEqual([all[0].id]);
    const any = await api.get('orders', { per_page: 100, include_trash: 'ignored' });
    expect(Number(any.headers['x-wp-total'])).toBe(249);
    const listed = await api.get('orders', { status: ['trash', 'on-hold'], per_page: 100 });
    expect(Number(listed.headers['x-wp-total'])).toBe(2);
    const bad = await api.get('orders', { status: 'shipped' });
    expect(bad.status).toBe(400);
    expect(bad.data.data.params.status).toMatch(/^status\[0\] is not one of any, trash, pending/);
  });

  it('serves one order, its refunds, and WooCommerce 404 shapes', async () => {
    const api = officialClient(sandbox);
    const id = (await api.get('orders', { per_page: 1 })).data[0].id as number;
    book.refund(id, '1.00', 'damaged box');
    const order = await api.get(`orders/${id}`);
    expect(order.data.refunds).toEqual([expect.objectContaining({ reason: 'damaged box', total: '-1.00' })]);
    const refunds = await api.get(`orders/${id}/refunds`);
    expect(refunds.data).toEqual([expect.objectContaining({ amount: '1.00', reason: 'damaged box' })]);
    const missing = await api.get('orders/1');
    expect(missing.status).toBe(404);
    expect(missing.data).toEqual({ code: 'woocommerce_rest_shop_order_invalid_id', message: 'Invalid ID.', data: { status: 404 } });
    const noRoute = await api.get('products/categories/x');
    expect(noRoute.data.code).toBe('rest_no_route');
  });

  it('rejects a replayed OAuth nonce', async () => {
    const url = new URL(`${sandbox.url}/wp-json/wc/v3/orders`);
    let captured = '';
    const api = officialClient(sandbox, 'ck_read', 'cs_read');
    const first = await api.get('orders', { per_page: 1 });
    expect(first.status).toBe(200);
    captured = String(first.request?.path ?? '');
    const replay = await fetch(`${url.origin}${captured}`);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { message: string }).message).toBe('Invalid nonce - nonce has already been used.');
  });

  it('answers 429 with Retry-After when a host rate limit is configured', async () => {
    await expectHostRateLimit(book, 'orders');
  });
});
