/**
 * Access scopes the sandbox enforces. Shopify gives a token with `read_orders` only the last 60 days of orders
 * (by creation date); older ones need `read_all_orders` as well ("Orders older than 60 days", Admin API access
 * scopes). A token without it is not refused: the older orders are simply not there, in pages, counts, single
 * reads and bulk exports alike.
 */
export const READ_ALL_ORDERS = 'read_all_orders';
export const RECENT_ORDERS_DAYS = 60;
/** `read_returns` for Order.returns and everything under a Return (return-views.ts). */
export const READ_RETURNS = 'read_returns';
export const FULL_ACCESS: readonly string[] = ['read_orders', READ_ALL_ORDERS, READ_RETURNS];

/** The earliest creation time (ms) the token may see, or undefined for the whole history. */
export function visibleFrom(scopes: readonly string[], now: Date): number | undefined {
  return scopes.includes(READ_ALL_ORDERS) ? undefined : now.getTime() - RECENT_ORDERS_DAYS * 86_400_000;
}
