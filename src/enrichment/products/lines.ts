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
  const kept = order.lineItems.map((line) => Math.max(0, Math.min(line.quantity, line.currentQuantity)));
  const values = order.lineItems.map((line, i) => Math.max(0, line.unitPrice.minor) * kept[i]);
  const sum = values.reduce((a, b) => a + b, 0);
  const byProduct = new Map<string, { category: string | null; quantity: number; netMinor: number }>();
  order.lineItems.forEach((line, i) => {
    const productId = productKeyOf(line);
    if (productId === null) return;
    const share = sum > 0 ? Math.round((net * values[i]) / sum) : 0;
    const seen = byProduct.get(productId);
    if (seen) byProduct.set(productId, { category: seen.category ?? line.category, quantity: seen.quantity + kept[i], netMinor: seen.netMinor + share });
    else byProduct.set(productId, { category: line.category, quantity: kept[i], netMinor: share });
  });
  return [...byProduct].map(([productId, item]) => ({
    productId,
    category: item.category,
    quantity: item.quantity,
    netMinor: item.netMinor,
    returned: cancelled || net === 0 || item.quantity === 0,
  }));
}
