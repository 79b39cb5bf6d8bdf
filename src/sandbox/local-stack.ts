import type { Clock } from '../util/clock';
import { startKlaviyoSandbox, type KlaviyoSandbox } from './klaviyo';
import { startShopifySandbox, type ShopifySandbox } from './shopify/server';
import type { SandboxStore } from './shopify/store';

export interface LocalStackOptions {
  readonly store: SandboxStore;
  /** Drives the store's clock (order mutations); Klaviyo keeps real time for its rate windows. */
  readonly storeClock?: Clock;
  readonly klaviyoRateLimits?: 'documented' | 'off';
  readonly shopifyThrottle?: { maximumAvailable: number; restoreRate: number } | 'off';
}

/** The sandboxes side by side, and the environment that points shipsignal at them. Used by the demo, tests and bench. */
export interface LocalStack {
  readonly shopify: ShopifySandbox;
  readonly klaviyo: KlaviyoSandbox;
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const shopify = await startShopifySandbox({
    store: options.store,
    ...(options.storeClock ? { clock: options.storeClock } : {}),
    ...(options.shopifyThrottle ? { throttle: options.shopifyThrottle } : {}),
  });
  const klaviyo = await startKlaviyoSandbox({ rateLimits: options.klaviyoRateLimits ?? 'documented' });
  return {
    shopify,
    klaviyo,
    env: {
      SHOPIFY_STORE_DOMAIN: shopify.shopDomain,
      SHOPIFY_ACCESS_TOKEN: shopify.accessToken,
      SHOPIFY_BASE_URL: shopify.url,
      KLAVIYO_API_KEY: klaviyo.apiKey,
      KLAVIYO_BASE_URL: klaviyo.url,
    },
    close: async () => {
      await Promise.all([shopify.close(), klaviyo.close()]);
    },
  };
}
