import type { Clock } from '../util/clock';
import { DEFAULT_PRODUCTION_KEY, EasyPostSandbox } from './easypost';
import { startKlaviyoSandbox, type KlaviyoSandbox, type KlaviyoSandboxOptions } from './klaviyo';
import { startShopifySandbox, type ShopifySandbox } from './shopify/server';
import type { SandboxStore } from './shopify/store';
import { WooOrderBook, startWooSandbox, type WooSandbox } from './woocommerce';

export interface LocalStackOptions {
  readonly store: SandboxStore;
  /** Drives the store's clock (order mutations); Klaviyo keeps real time for its rate windows. */
  readonly storeClock?: Clock;
  readonly klaviyoRateLimits?: KlaviyoSandboxOptions['rateLimits'];
  readonly klaviyoBulkMaxima?: KlaviyoSandboxOptions['bulkMaxima'];
  /**
   * Klaviyo's bulk-job timing. Default: what the e2e tests were written against (profile imports 50 ms queued and
   * 50 ms processing; event jobs applied within their request, since nothing can poll them). The benchmark passes the
   * sandbox's size-based defaults; a test that wants them too must `await stack.klaviyo.idle()` before reading.
   */
  readonly klaviyoJobs?: Pick<KlaviyoSandboxOptions, 'profileJobTiming' | 'eventJobTiming' | 'jobProcessingDelayMs'>;
  readonly shopifyThrottle?: { maximumAvailable: number; restoreRate: number } | 'off';
  /**
   * An EasyPost sandbox too, on the store's clock (its parcels advance with it). Register parcels and, once the
   * daemon listens, its webhook URL on `stack.easypost`; the secret is in `env.EASYPOST_WEBHOOK_SECRET`.
   */
  readonly easypost?: { readonly webhookSecret?: string; readonly listRatePerSecond?: number | false };
  /**
  /**
   * A WooCommerce sandbox too, serving the same store (same customers, orders, amounts) through REST v3; its
   * variables (`WOOCOMMERCE_URL`, key, secret, `WOOCOMMERCE_WEBHOOK_SECRET`) join `env`. Register the daemon's
   * webhook URL on `stack.woocommerce` once it listens.
   */
  readonly woocommerce?: { readonly webhookSecret?: string; readonly utcOffsetMinutes?: number };
  /**
   * The credentials the sandboxes accept, e.g. recognisable canaries for the secrets test. An EasyPost key must be
   * a production-mode one (not `EZTK…`) for scripted parcels: test-mode keys track only EasyPost's test codes.
   */
  readonly credentials?: { readonly shopifyAccessToken?: string; readonly klaviyoApiKey?: string; readonly easypostApiKey?: string };
}

/** The sandboxes side by side, and the environment that points shipsignal at them. Used by the demo, tests and bench. */
export interface LocalStack {
  readonly shopify: ShopifySandbox;
  readonly klaviyo: KlaviyoSandbox;
  readonly easypost: EasyPostSandbox | null;
  readonly woocommerce: WooSandbox | null;
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // The store's clock dates order changes; Shopify's cost bucket refills in real time, as the client waits in it.
  if (options.storeClock) options.store.useClock(options.storeClock);
  const shopify = await startShopifySandbox({
    store: options.store,
    ...(options.shopifyThrottle ? { throttle: options.shopifyThrottle } : {}),
    ...(options.credentials?.shopifyAccessToken ? { accessToken: options.credentials.shopifyAccessToken } : {}),
  });
  const klaviyo = await startKlaviyoSandbox({
    rateLimits: options.klaviyoRateLimits ?? 'documented',
    ...(options.klaviyoBulkMaxima ? { bulkMaxima: options.klaviyoBulkMaxima } : {}),
    ...(options.klaviyoJobs ?? { jobProcessingDelayMs: 50, eventJobTiming: 'immediate' }),
    ...(options.credentials?.klaviyoApiKey ? { apiKey: options.credentials.klaviyoApiKey } : {}),
  });
  const easypostOptions = options.easypost;
  // The daemon's parcels are scripted (real or synthesized codes), which only a production-mode key may track.
  const easypostKey = options.credentials?.easypostApiKey ?? DEFAULT_PRODUCTION_KEY;
  const easypost = easypostOptions
    ? new EasyPostSandbox({
      ...(options.storeClock ? { clock: options.storeClock } : {}),
      apiKeys: [easypostKey],
      listRatePerSecond: easypostOptions.listRatePerSecond ?? 5,
    })
    : null;
  const easypostUrl = easypost ? await easypost.start() : null;
  const webhookSecret = easypostOptions?.webhookSecret ?? 'shipsignal-sandbox-webhook-secret';
  const woo = options.woocommerce
    ? await startWooSandbox({ book: new WooOrderBook(options.store, { utcOffsetMinutes: options.woocommerce.utcOffsetMinutes ?? 0 }) })
    : null;
  return {
    shopify,
    klaviyo,
    easypost,
    woocommerce: woo,
    env: {
      SHOPIFY_STORE_DOMAIN: shopify.shopDomain,
      SHOPIFY_ACCESS_TOKEN: shopify.accessToken,
      SHOPIFY_BASE_URL: shopify.url,
      KLAVIYO_API_KEY: klaviyo.apiKey,
      KLAVIYO_BASE_URL: klaviyo.url,
      ...(easypostUrl ? { EASYPOST_API_KEY: easypostKey, EASYPOST_BASE_URL: `${easypostUrl}/v2/`, EASYPOST_WEBHOOK_SECRET: webhookSecret } : {}),
      ...(woo ? {
        WOOCOMMERCE_URL: woo.url,
        WOOCOMMERCE_CONSUMER_KEY: woo.consumerKey,
        WOOCOMMERCE_CONSUMER_SECRET: woo.consumerSecret,
        WOOCOMMERCE_WEBHOOK_SECRET: options.woocommerce?.webhookSecret ?? 'shipsignal-sandbox-woocommerce-secret',
      } : {}),
    },
    close: async () => {
      await Promise.all([shopify.close(), klaviyo.close(), easypost?.stop(), woo?.close()]);
    },
  };
}
