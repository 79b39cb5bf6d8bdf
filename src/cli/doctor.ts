import { ApiKeySession, AccountsApi, RetryWithExponentialBackoff } from 'klaviyo-api';
import type { Env } from '../config/env';
import { loadSettings } from '../config/load';
import { ShopifyGraphqlClient } from '../sources/shopify/client';
import { SHOP_QUERY } from '../sources/shopify/queries';
import { openStateStore } from '../state/store';
import { redactText } from '../observability/logger';
import { checkHoldShare } from './doctor-holds';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Checks configuration and credentials against the configured endpoints; one line per check. */
export async function doctor(env: Env): Promise<Check[]> {
  const checks: Check[] = [];
  const check = async (name: string, probe: () => Promise<string>) => {
    try {
      checks.push({ name, ok: true, detail: await probe() });
    } catch (error) {
      checks.push({ name, ok: false, detail: redactText((error as Error).message.split('\n')[0]) });
    }
  };
  await check('config files', async () => {
    const settings = loadSettings(env);
    return `${Object.keys(settings.mapping.profile.properties).length} profile properties mapped`;
  });
  await check('state store', async () => {
    const store = await openStateStore(env.SHIPSIGNAL_STATE_URL);
    await store.get('cursor:shopify:orders');
    await store.close();
    return env.SHIPSIGNAL_STATE_URL.split('://')[0];
  });
  await check('delivery holds', () => checkHoldShare(env));
  await check('shopify', async () => {
    if (!env.SHOPIFY_STORE_DOMAIN || !env.SHOPIFY_ACCESS_TOKEN) throw new Error('SHOPIFY_STORE_DOMAIN and SHOPIFY_ACCESS_TOKEN must be set');
    const client = new ShopifyGraphqlClient({ storeDomain: env.SHOPIFY_STORE_DOMAIN, accessToken: env.SHOPIFY_ACCESS_TOKEN, baseUrl: env.SHOPIFY_BASE_URL ?? null, timeoutMs: 10_000, backoff: { baseMs: 200, maxMs: 1000, maxAttempts: 2 } });
    const data = await client.query<{ shop: { name: string; currencyCode: string } }>(SHOP_QUERY);
    return `shop "${data.shop.name}" (${data.shop.currencyCode})`;
  });
  await check('klaviyo', async () => {
    if (!env.KLAVIYO_API_KEY) throw new Error('KLAVIYO_API_KEY must be set');
    const accounts = new AccountsApi(new ApiKeySession(env.KLAVIYO_API_KEY, new RetryWithExponentialBackoff({ numRetries: 1 })));
    accounts.basePath = env.KLAVIYO_BASE_URL;
    try {
      const result = await accounts.getAccounts();
      return `account ${result.body.data[0]?.id ?? '(none)'}`;
    } catch (error) {
      const status = (error as { response?: { status?: number } }).response?.status;
      throw new Error(status ? `Klaviyo answered ${status}${status === 401 || status === 403 ? ': check the key and its scopes (events:write, profiles:write, accounts:read)' : ''}` : (error as Error).message);
    }
  });
  return checks;
}
