import { PassThrough } from 'node:stream';
import { parseEnv, type Env } from '../../src/config/env';
import { doctor } from '../../src/cli/doctor';
import { dryRun } from '../../src/cli/dry-run';
import { App } from '../../src/daemon/app';
import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';

/**
 * Issue 12: two daemons for two stores, one Shopify and one WooCommerce, share one Redis and then one PostgreSQL.
 * Each store's data reaches only its own Klaviyo account, and `rejects`, `dry-run` and `doctor` answer per store.
 * The expected customers come from each sandbox's own seed, not from shipsignal's state.
 */
const END = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;
const REDIS = process.env.SHIPSIGNAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES = process.env.SHIPSIGNAL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface StoreUnderTest {
  readonly stack: LocalStack;
  readonly seed: SandboxStore;
  readonly env: (stateUrl: string) => Env;
}

/** The seed's buying customers: who must reach this store's account and no other. */
function seededEmails(seed: SandboxStore): Set<string> {
  const emails = new Set<string>();
  for (let i = 0; i < seed.size; i++) {
    const email = seed.recordAt(i).email?.trim().toLowerCase();
    if (email) emails.add(email);
  }
  return emails;
}

/** Only one store's variables: a daemon is configured for exactly one store (both is a configuration error). */
function onlyStore(env: Readonly<Record<string, string>>, keep: 'SHOPIFY_' | 'WOOCOMMERCE_'): Record<string, string> {
  const drop = keep === 'SHOPIFY_' ? 'WOOCOMMERCE_' : 'SHOPIFY_';
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith(drop)));
}

describe.each([['redis', REDIS], ['postgres', POSTGRES]])('two stores on one %s', (_name, stateUrl) => {
  const clock = new ManualClock(END);
  let shopify: StoreUnderTest;
  let woo: StoreUnderTest;

  beforeAll(async () => {
    const make = async (seed: number, source: 'shopify' | 'woocommerce'): Promise<StoreUnderTest> => {
      const store = generateStore({ orders: 120, seed, start: new Date(END.getTime() - 200 * DAY), spanDays: 200, clock });
      const stack = await startLocalStack({ store, storeClock: clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', ...(source === 'woocommerce' ? { woocommerce: {} } : {}) });
      // A namespace of this run's own on the shared server: reruns and other suites never see it.
      const storeId = `${source}-${seed}-${Date.now().toString(36)}`;
      return {
        stack, seed: store,
        env: (url) => parseEnv({
          ...onlyStore(stack.env, source === 'shopify' ? 'SHOPIFY_' : 'WOOCOMMERCE_'),
          SHIPSIGNAL_STATE_URL: url, SHIPSIGNAL_STORE_ID: storeId, SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_BACKFILL: 'false',
        }),
      };
    };
    [shopify, woo] = await Promise.all([make(21, 'shopify'), make(22, 'woocommerce')]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([shopify?.stack.close(), woo?.stack.close()]);
  });

  it("each store's data reaches only its own Klaviyo account; rejects, dry-run and doctor are per store", async () => {
    const book = woo.stack.woocommerce?.book;
    if (!book) throw new Error('no WooCommerce sandbox');
    // A bad record in the WooCommerce store only: its rejection must not appear in the Shopify store's log.
    const badId = Number(woo.seed.recordAt(3).legacyId);
    book.corrupt(badId, (order) => ({ ...order, total: 'twelve' }));

    const logs = new PassThrough();
    const apps = await Promise.all([App.create(shopify.env(stateUrl), { clock, logStream: logs }), App.create(woo.env(stateUrl), { clock, logStream: logs })]);
    try {
      // Side by side, as two daemons on one server would run.
      await Promise.all(apps.map((app) => app.syncOnce()));

      const shopifyEmails = seededEmails(shopify.seed);
      const wooEmails = seededEmails(woo.seed);
      expect([...shopifyEmails].filter((email) => wooEmails.has(email))).toEqual([]);
      const inAccount = (stack: LocalStack) => new Set(stack.klaviyo.profiles().map((p) => p.email ?? '(no email)'));
      const shopifyAccount = inAccount(shopify.stack);
      const wooAccount = inAccount(woo.stack);
      expect([...shopifyAccount].filter((email) => !shopifyEmails.has(email))).toEqual([]);
      expect([...wooAccount].filter((email) => !wooEmails.has(email))).toEqual([]);
      expect(shopifyAccount.size).toBe(shopifyEmails.size);
      // The corrupted order's customer may have no other order: at most one fewer.
      expect(wooAccount.size).toBeGreaterThanOrEqual(wooEmails.size - 1);
      const events = (stack: LocalStack) => stack.klaviyo.events().map((e) => e.profile.email ?? '(no email)');
      expect(events(shopify.stack).filter((email) => !shopifyEmails.has(email))).toEqual([]);
      expect(events(woo.stack).filter((email) => !wooEmails.has(email))).toEqual([]);

      const [shopifyRejects, wooRejects] = await Promise.all(apps.map((app) => app.context.rejects.list(100)));
      expect(wooRejects.map((r) => r.recordId)).toContain(String(badId));
      expect(shopifyRejects).toEqual([]);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }

    // One new order in the Shopify store: only its dry run sees it.
    clock.advance(DAY);
    const record = shopify.seed.recordAt(5);
    shopify.seed.addOrder({ email: record.email, phone: record.phone, customer: record.customer, shippingAddress: record.shippingAddress, lineItems: record.lineItems });
    const [shopifyDry, wooDry] = await Promise.all([dryRun(shopify.env(stateUrl), { clock }), dryRun(woo.env(stateUrl), { clock })]);
    expect(shopifyDry.orders).toBe(1);
    expect(wooDry.orders).toBe(0);

    const [shopifyDoctor, wooDoctor] = await Promise.all([doctor(shopify.env(stateUrl)), doctor(woo.env(stateUrl))]);
    const stateLine = (checks: Awaited<ReturnType<typeof doctor>>) => checks.find((check) => check.name === 'state store')?.detail ?? '';
    expect(stateLine(shopifyDoctor)).toContain(shopify.env(stateUrl).SHIPSIGNAL_STORE_ID);
    expect(stateLine(shopifyDoctor)).toContain('orders cursor saved');
    expect(stateLine(wooDoctor)).toContain(woo.env(stateUrl).SHIPSIGNAL_STORE_ID);
    expect(shopifyDoctor.map((check) => check.name)).toContain('shopify');
    expect(wooDoctor.map((check) => check.name)).toContain('woocommerce');
    expect(wooDoctor.filter((check) => !check.ok)).toEqual([]);
  }, 180_000);
});
