import { createAdminApiClient } from '@shopify/admin-api-client';
import type { ShopifySandbox } from '../../src/sandbox/shopify';

/** The official Admin API client, pointed at a sandbox the way the research notes verified (customFetchApi). */
export function sandboxClient(sandbox: ShopifySandbox, accessToken: string = sandbox.accessToken) {
  return createAdminApiClient({
    storeDomain: sandbox.shopDomain,
    apiVersion: '2026-10',
    accessToken,
    retries: 0,
    logger: () => undefined,
    customFetchApi: (url, init) => sandbox.fetchApi(url, init as RequestInit),
  });
}
