/**
 * A promised delivery date as stores carry it: the value a delivery-date app or checkout writes under this key
 * (a Shopify note attribute, a WooCommerce order meta entry).
 */
export const PROMISED_DATE_KEY = 'promised_delivery_date';

/**
 * A promise names a day ("2026-06-04"), not an instant. Read as midday UTC, it stays on that calendar day in every
 * zone from UTC-11 to UTC+11, so the risk rules' "end of the local day" lands on the day the customer was told.
 */
export function parsePromisedDate(text: string): Date | null {
  const trimmed = text.trim();
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T12:00:00Z` : trimmed);
  return Number.isNaN(time) ? null : new Date(time);
}
