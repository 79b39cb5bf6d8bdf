import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Shopify app proxy signatures: Shopify forwards a storefront request under the app's proxy path with `shop`,
 * `logged_in_customer_id`, `path_prefix`, `timestamp` and `signature` added to the query. The signature is
 * HMAC-SHA256 (hex) under the app's secret over every other parameter: keys sorted, each written `key=value` with a
 * repeated key's values joined by commas, concatenated with no separator. Compared in constant time.
 */
export function appProxyMessage(query: ReadonlyArray<readonly [string, string]>): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of query) {
    if (key === 'signature') continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  return [...grouped.keys()].sort().map((key) => `${key}=${(grouped.get(key) as string[]).join(',')}`).join('');
}

export function signAppProxy(query: ReadonlyArray<readonly [string, string]>, secret: string): string {
  return createHmac('sha256', secret).update(appProxyMessage(query)).digest('hex');
}

/** Whether a request's query (as received: `?a=1&b=2`) carries a valid signature; a missing one is invalid. */
export function verifyAppProxy(search: string, secret: string): boolean {
  const query = [...new URLSearchParams(search)];
  const presented = query.find(([key]) => key === 'signature')?.[1] ?? '';
  if (!/^[0-9a-f]{64}$/.test(presented)) return false;
  return timingSafeEqual(Buffer.from(presented, 'hex'), Buffer.from(signAppProxy(query, secret), 'hex'));
}
