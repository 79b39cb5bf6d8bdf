import WooCommerceRestApi from '@woocommerce/woocommerce-rest-api';
import { createWooCommerceSource, type WooOrdersCursor } from '../../src/sources/woocommerce';
import type { OrderPage, OrderSource } from '../../src/sources/order-source';
import type { Order } from '../../src/model/order';
import { startWooSandbox, type WooOrderBook, type WooSandbox } from '../../src/sandbox/woocommerce';

/** The official client pointed at a sandbox: over http:// it signs every request with OAuth 1.0a, as in production over http. */
export function officialClient(sandbox: WooSandbox, key = sandbox.consumerKey, secret = sandbox.consumerSecret): WooCommerceRestApi {
  return new WooCommerceRestApi({ url: sandbox.url, consumerKey: key, consumerSecret: secret, version: 'wc/v3', axiosConfig: { validateStatus: () => true } });
}

export function sandboxSource(sandbox: WooSandbox, overrides: Partial<Parameters<typeof createWooCommerceSource>[0]> = {}): OrderSource<WooOrdersCursor> {
  return createWooCommerceSource({
    url: sandbox.url,
    consumerKey: sandbox.consumerKey,
    consumerSecret: sandbox.consumerSecret,
    webhookSecret: 'woo-secret',
    timeoutMs: 5000,
    backoff: { baseMs: 5, maxMs: 50, maxAttempts: 6 },
    ...overrides,
  });
}

export interface ReadResult {
  readonly pages: ReadonlyArray<OrderPage<WooOrdersCursor>>;
  readonly orders: readonly Order[];
  readonly cursor: WooOrdersCursor | null;
}

/** Reads every page; `between` runs after each page (changes during the read). */
export async function readAll(source: OrderSource<WooOrdersCursor>, cursor: WooOrdersCursor | null, between?: (pageIndex: number, page: OrderPage<WooOrdersCursor>) => void): Promise<ReadResult> {
  const pages: Array<OrderPage<WooOrdersCursor>> = [];
  let last = cursor;
  for await (const page of source.read(cursor, { signal: new AbortController().signal, resumeBackfill: false })) {
    pages.push(page);
    if (page.cursor) last = page.cursor;
    between?.(pages.length - 1, page);
  }
  return { pages, orders: pages.flatMap((page) => page.orders), cursor: last };
}

/** A sandbox over `book` knowing a Read key (`ck_read`/`cs_read`) and a Write-only key (`ck_write`/`cs_write`). */
export function startKeyedSandbox(book: WooOrderBook): Promise<WooSandbox> {
  return startWooSandbox({
    book,
    keys: [
      { consumerKey: 'ck_read', consumerSecret: 'cs_read', permissions: 'read' },
      { consumerKey: 'ck_write', consumerSecret: 'cs_write', permissions: 'write' },
    ],
  });
}

/** Under a host limit of two requests a window, `endpoint` answers twice, then 429 with a Retry-After of 1 s or more. */
export async function expectHostRateLimit(book: WooOrderBook, endpoint: string): Promise<void> {
  const limited = await startWooSandbox({ book, hostRateLimit: { requests: 2, windowMs: 10_000 } });
  try {
    const api = officialClient(limited);
    expect((await api.get(endpoint)).status).toBe(200);
    expect((await api.get(endpoint)).status).toBe(200);
    const third = await api.get(endpoint);
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  } finally {
    await limited.close();
  }
}
