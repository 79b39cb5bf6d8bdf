import { generateStore } from '../../src/sandbox/shopify';
import { UNCATEGORIZED, WooOrderBook, type WooSandbox } from '../../src/sandbox/woocommerce';
import { ManualClock } from '../../src/util/clock';
import { expectHostRateLimit, officialClient, startKeyedSandbox, readAll, sandboxSource } from './woocommerce-client';

interface ProductBody { id: number; name: string; slug: string; type: string; sku: string; date_modified_gmt: string; categories: Array<{ id: number; name: string; slug: string }> }

/** `GET /products` (the category source REST v3 line items lack), and the source's use of it, through the official client. */
describe('WooCommerce sandbox: products', () => {
  const clock = new ManualClock(new Date('2024-06-01T00:00:00Z'));
  let sandbox: WooSandbox;
  let book: WooOrderBook;
  /** Product id → the seed's product type, from the seed itself. */
  const seedTypes = new Map<number, string>();

  beforeAll(async () => {
    const store = generateStore({ orders: 150, seed: 9, clock, start: new Date('2024-01-01T00:00:00Z'), spanDays: 140 });
    for (let i = 0; i < store.size; i += 1) {
      for (const item of store.recordAt(i).lineItems) if (item.productLegacyId !== null) seedTypes.set(item.productLegacyId, item.productType ?? '');
    }
    book = new WooOrderBook(store);
    sandbox = await startKeyedSandbox(book);
  });
  afterAll(() => sandbox.close());

  it('lists the products named by include, with their categories, and pages with X-WP-Total, X-WP-TotalPages and Link', async () => {
    const api = officialClient(sandbox, 'ck_read', 'cs_read');
    const ids = [...seedTypes.keys()].sort((a, b) => a - b);
    expect(ids.length).toBeGreaterThan(3);
    const [a, b, c] = ids;
    const picked = await api.get('products', { include: `${c},${a},${b},999999`, per_page: 2 });
    expect(picked.status).toBe(200);
    expect(picked.headers['x-wp-total']).toBe('3');
    expect(picked.headers['x-wp-totalpages']).toBe('2');
    expect(picked.headers.link).toContain('rel="next"');
    expect(picked.headers.link).not.toContain('oauth_');
    const body = picked.data as ProductBody[];
    expect(body).toHaveLength(2);
    // WooCommerce's default order: newest first (orderby=date, order=desc).
    expect(body[0].date_modified_gmt >= body[1].date_modified_gmt).toBe(true);
    for (const product of body) expect(product).toMatchObject({ type: 'simple', categories: [{ name: seedTypes.get(product.id) }] });
    expect(body[0].categories[0].id).toEqual(expect.any(Number));
    expect(body[0].categories[0].slug).toMatch(/^[a-z0-9-]+$/);
    expect(body[0].date_modified_gmt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    const second = await api.get('products', { include: `${c},${a},${b}`, per_page: 2, page: 2 });
    expect([...body, ...(second.data as ProductBody[])].map((p) => p.id).sort((x, y) => x - y)).toEqual([a, b, c]);
    expect(second.headers.link).toContain('rel="prev"');
    const all = await api.get('products', { per_page: 100 });
    expect(all.headers['x-wp-total']).toBe(String(ids.length));
  });

  it('files a product without a type under Uncategorized, as WooCommerce does', async () => {
    const added = book.addOrder({
      email: 'no.type@example.com',
      lineItems: [{ legacyId: 88001, title: 'Loose tea', variantTitle: null, vendor: null, quantity: 1, unitPrice: '12.00', productLegacyId: 4242, sku: 'TEA-1' }],
    });
    expect(added.line_items[0].product_id).toBe(4242);
    const answer = await officialClient(sandbox, 'ck_read', 'cs_read').get('products', { include: '4242' });
    expect((answer.data as ProductBody[])[0]).toMatchObject({ id: 4242, name: 'Loose tea', sku: 'TEA-1', categories: [UNCATEGORIZED] });
  });

  it('refuses per_page over 100 and a non-integer include with rest_invalid_param', async () => {
    const api = officialClient(sandbox, 'ck_read', 'cs_read');
    const tooMany = await api.get('products', { per_page: 101 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.data).toMatchObject({ code: 'rest_invalid_param', data: { status: 400, params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' } } });
    const bad = await api.get('products', { include: '1,abc' });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ code: 'rest_invalid_param', data: { params: { include: 'include[1] is not of type integer.' } } });
  });

  it('authenticates as /orders does: no key, a wrong secret and a key without Read permission are refused', async () => {
    const plain = await fetch(`${sandbox.url}/wp-json/wc/v3/products`);
    expect(plain.status).toBe(401);
    expect((await officialClient(sandbox, 'ck_read', 'cs_wrong').get('products')).status).toBe(401);
    expect((await officialClient(sandbox, 'ck_write', 'cs_write').get('products')).status).toBe(401);
  });

  it('answers 429 with Retry-After under a host rate limit, as /orders', async () => {
    await expectHostRateLimit(book, 'products');
  });

  it('the source sets every line item category from the products, asks for each product once per process, and loses no order to failing product reads', async () => {
    const source = sandboxSource(sandbox, { perPage: 40 });
    const before = sandbox.requests().length;
    sandbox.faults.configure({ serverError: 0.3 }, 3);
    const first = await readAll(source, null);
    sandbox.faults.clear();
    const log = sandbox.requests().slice(before);
    const productReads = log.filter((r) => r.path.endsWith('/products'));
    // Product reads were failed and retried; every order still came through, each line with its seed category.
    expect(productReads.some((r) => r.fault === 'server_error')).toBe(true);
    expect(first.orders).toHaveLength(book.store.size);
    for (const order of first.orders) {
      for (const item of order.lineItems) {
        const type = seedTypes.get(Number(item.productId));
        expect(item.category).toBe(type === undefined || type === '' ? null : type);
      }
    }
    const asked = productReads.filter((r) => r.status === 200).flatMap((r) => (r.params.include ?? '').split(','));
    expect(new Set(asked).size).toBe(asked.length);
    expect(productReads.every((r) => r.params.per_page === '100')).toBe(true);
    // A second read of the same orders asks for no product again.
    const mark = sandbox.requests().length;
    await readAll(source, null);
    expect(sandbox.requests().slice(mark).filter((r) => r.path.endsWith('/products'))).toHaveLength(0);
  });

  it('bounds the category cache: a source remembering 5 products asks again for those it forgot', async () => {
    const source = sandboxSource(sandbox, { perPage: 40, categoryCacheSize: 5 });
    await readAll(source, null);
    const mark = sandbox.requests().length;
    const again = await readAll(source, null);
    const asked = sandbox.requests().slice(mark).filter((r) => r.path.endsWith('/products') && r.status === 200);
    expect(asked.length).toBeGreaterThan(0);
    expect(again.orders.flatMap((o) => o.lineItems).filter((item) => item.category !== null).length).toBeGreaterThan(0);
  });
});
