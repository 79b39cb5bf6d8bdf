import type { OrderRecord } from '../record';

/**
 * A small coffee shop whose history makes one product replenishable, for demos and tests of `Replenishment Due`:
 * four regulars re-buy coffee beans (product type Coffee) every 30 days, three bags each, the first with a grinder;
 * a newcomer bought one bag and a mug 10 days before `now`. Coffee is then replenishable at the product level (4
 * repeat customers, 8 gaps of 30 days), so the newcomer is due 20 days after `now` (late after 35), and each regular
 * at their own interval 22-25 days after `now`. Advance a demo's clock past those dates and the review job sends
 * the events. Deterministic: ids and times depend only on `now` and `idBase`.
 */
export const COFFEE_SHOP = {
  coffee: 9_200_001,
  grinder: 9_200_002,
  mug: 9_200_003,
  newcomer: 'newbie@coffee.test',
  regulars: ['ana', 'ben', 'cai', 'dee'].map((name) => `${name}@coffee.test`),
  /** Days after `now` when the newcomer's bag is due. */
  newcomerDueDays: 20,
} as const;

const DAY = 86_400_000;
const TYPES: Record<number, string> = { [COFFEE_SHOP.coffee]: 'Coffee', [COFFEE_SHOP.grinder]: 'Grinders', [COFFEE_SHOP.mug]: 'Mugs' };
export const COFFEE_SHOP_TITLES: Record<number, string> = { [COFFEE_SHOP.coffee]: 'Coffee beans 1 kg', [COFFEE_SHOP.grinder]: 'Burr grinder', [COFFEE_SHOP.mug]: 'Stoneware mug' };
const PRICES: Record<number, string> = { [COFFEE_SHOP.coffee]: '20.00', [COFFEE_SHOP.grinder]: '80.00', [COFFEE_SHOP.mug]: '12.00' };

interface Purchase { readonly email: string; readonly daysAgo: number; readonly products: readonly number[] }

const PURCHASES: readonly Purchase[] = [
  ...COFFEE_SHOP.regulars.flatMap((email, i) => [
    { email, daysAgo: 65 + i, products: [COFFEE_SHOP.coffee, COFFEE_SHOP.grinder] },
    { email, daysAgo: 35 + i, products: [COFFEE_SHOP.coffee] },
    { email, daysAgo: 5 + i, products: [COFFEE_SHOP.coffee] },
  ]),
  { email: COFFEE_SHOP.newcomer, daysAgo: 10, products: [COFFEE_SHOP.coffee, COFFEE_SHOP.mug] },
];

/** The orders, oldest purchases of each regular first; the newcomer's order is the last, legacy id `idBase + 12`. */
export function coffeeShopOrders(now: Date, idBase = 9_000_000): OrderRecord[] {
  let line = 0;
  return PURCHASES.map((p, n) => {
    const at = new Date(now.getTime() - p.daysAgo * DAY).toISOString();
    const total = p.products.reduce((sum, id) => sum + Number(PRICES[id]), 0).toFixed(2);
    return {
      legacyId: idBase + n, name: `#${7000 + n}`, email: p.email, phone: null,
      createdAt: at, updatedAt: at, processedAt: at, cancelledAt: null, cancelReason: null, closedAt: null,
      test: false, tags: [], note: null, currencyCode: 'USD', totalPrice: total, totalRefunded: '0.00',
      displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'UNFULFILLED',
      lineItems: p.products.map((id) => ({
        legacyId: idBase * 10 + ++line, title: COFFEE_SHOP_TITLES[id], variantTitle: null, sku: `SKU-${id}`, vendor: null, quantity: 1,
        unitPrice: PRICES[id], productLegacyId: id, productType: TYPES[id],
      })),
      customer: { legacyId: idBase + 300_000 + n, firstName: null, lastName: null, email: p.email, phone: null, createdAt: at, tags: [] },
      fulfillments: [], shippingAddress: null, customAttributes: [],
    } satisfies OrderRecord;
  });
}
