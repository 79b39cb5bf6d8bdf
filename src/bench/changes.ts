import { moneyFromDecimal, toDecimalString } from '../model/money';
import type { SandboxStore } from '../sandbox/shopify/store';
import { mulberry32 } from '../util/prng';
import type { ChangeSummary } from './protocol';

/**
 * A day's worth of store activity on `share` of the orders, chosen by a seeded PRNG: half are edits that matter to
 * no profile (a tag), three in ten are partial refunds (a profile's spend changes, a Refunded Order event), two in
 * ten are new orders by existing customers (a Placed Order event, the profile's counts change).
 */
export function changeOrders(store: SandboxStore, share: number, seed: number): ChangeSummary {
  const random = mulberry32(seed);
  const existing = store.size;
  const count = Math.max(1, Math.round(existing * share));
  const touched = new Set<number>();
  const summary = { updated: 0, refunded: 0, added: 0 };
  for (let n = 0; n < count; n++) {
    let index = Math.floor(random() * existing);
    while (touched.has(index)) index = (index + 1) % existing;
    touched.add(index);
    const record = store.recordAt(index);
    const roll = random();
    const refundable = record.cancelledAt === null && record.totalRefunded === toDecimalString({ minor: 0, currency: record.currencyCode });
    if (roll < 0.2) {
      store.addOrder({
        email: record.email, phone: record.phone, customer: record.customer, shippingAddress: record.shippingAddress,
        currencyCode: record.currencyCode, tags: ['synthetic'],
        lineItems: [{ ...record.lineItems[0], legacyId: 9_000_000_000_000 + n, quantity: 1 }],
      });
      summary.added += 1;
    } else if (roll < 0.5 && refundable) {
      const total = moneyFromDecimal(record.totalPrice, record.currencyCode);
      const part = Math.max(1, Math.round(total.minor * 0.2));
      store.refundOrder(record.legacyId, toDecimalString({ minor: part, currency: total.currency }));
      summary.refunded += 1;
    } else {
      store.updateOrder(record.legacyId, { tags: [...record.tags, 'bench-touched'] });
      summary.updated += 1;
    }
  }
  return summary;
}
