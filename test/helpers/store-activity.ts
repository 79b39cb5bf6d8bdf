import { moneyFromDecimal, toDecimalString } from '../../src/model/money';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import type { Random } from '../../src/util/prng';

/** Line item ids are unique store-wide; new ones start far above the seeds' own. */
let nextLineItemId = 9_000_000_000_000;

/**
 * A day of store activity: refunds, cancellations and new orders, mostly on a small pool of returning customers so
 * the same people change segment several times over the run (by order and by time).
 */
export function storeActivity(store: SandboxStore, random: Random, regulars: readonly number[], tag: string): string[] {
  const done: string[] = [];
  const changes = 1 + Math.floor(random() * 8);
  for (let n = 0; n < changes; n++) {
    const pick = random() < 0.6 ? regulars[Math.floor(random() * regulars.length)] : Math.floor(random() * store.size);
    const record = store.recordAt(pick);
    const roll = random();
    const zero = toDecimalString({ minor: 0, currency: record.currencyCode });
    if (roll < 0.45) {
      const newcomer = random() < 0.2;
      store.addOrder({
        email: newcomer ? `new-${tag}-${n}@example.com` : record.email,
        phone: newcomer ? null : record.phone,
        customer: newcomer ? null : record.customer,
        // A newcomer gets no copy of the address: its phone would make Klaviyo merge the two people (identity
        // clashes are the bad-input tests' subject).
        shippingAddress: newcomer ? null : record.shippingAddress,
        currencyCode: record.currencyCode,
        lineItems: record.lineItems.map((item) => ({ ...item, legacyId: nextLineItemId++ })),
      });
      done.push(newcomer ? 'new customer' : 'repeat order');
    } else if (roll < 0.8 && record.cancelledAt === null && record.totalRefunded === zero) {
      const total = moneyFromDecimal(record.totalPrice, record.currencyCode);
      store.refundOrder(record.legacyId, toDecimalString({ minor: Math.max(1, Math.round(total.minor * 0.3)), currency: total.currency }));
      done.push('refund');
    } else if (record.cancelledAt === null) {
      store.cancelOrder(record.legacyId);
      done.push('cancel');
    }
  }
  return done;
}
