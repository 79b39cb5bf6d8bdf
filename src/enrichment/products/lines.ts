import type { PurchasedItem } from '../../model/customer';
import type { Order } from '../../model/order';

/** A line's product key: the store's product id, else its SKU; a custom line with neither has no product. */
export function productKeyOf(line: Order['lineItems'][number]): string | null {
  return line.productId ?? (line.sku ? `sku:${line.sku}` : null);
}

/**
 * The products of one order as its customer keeps them. Each line's net is its share of the order's net total (the
 * total after refunds, so discounts, shipping and refunds are spread by line value): the customer's category spend
 * then adds up to their net spend. A cancelled order, a fully refunded one (net 0) or a line with no unit kept is
 * `returned`. Lines of one product are merged. Pure.
 */
export function purchasedItems(order: Order): PurchasedItem[] {
  const cancelled = order.cancelledAt !== null;
  const net = cancelled ? 0 : Math.max(0, order.currentTotal.minor);
  const lines = order.lineItems;
  let sum = 0;
  for (const line of lines) sum += valueOf(line);
  // Built in place (this runs for every order read): lines of one product merge into the item already made.
  const items: Array<{ productId: string; category: string | null; quantity: number; netMinor: number; returned: boolean }> = [];
  const index = lines.length > 16 ? new Map<string, number>() : null; // a wholesale basket: no quadratic search
  for (const line of lines) {
    const productId = productKeyOf(line);
    if (productId === null) continue;
    const share = sum > 0 ? Math.round((net * valueOf(line)) / sum) : 0;
    const at = index ? index.get(productId) ?? -1 : items.findIndex((item) => item.productId === productId);
    if (at >= 0) {
      const seen = items[at];
      seen.category = seen.category ?? line.category;
      seen.quantity += keptOf(line);
      seen.netMinor += share;
    } else {
      index?.set(productId, items.length);
      items.push({ productId, category: line.category, quantity: keptOf(line), netMinor: share, returned: false });
    }
  }
  for (const item of items) item.returned = cancelled || net === 0 || item.quantity === 0;
  return items;
}

/** Units of a line the customer kept (refunded and removed units excluded). */
const keptOf = (line: Order['lineItems'][number]): number => Math.max(0, Math.min(line.quantity, line.currentQuantity));
const valueOf = (line: Order['lineItems'][number]): number => Math.max(0, line.unitPrice.minor) * keptOf(line);
