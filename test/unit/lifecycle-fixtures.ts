import type { Order } from '../../src/model/order';

export const DAY = 86_400_000;
export const T0 = Date.parse('2024-01-01T12:00:00Z');

/** A minimal GBP order for lifecycle tests; `day` counts from T0. */
export function order(id: string, day: number, totalMinor: number, extra: Partial<Order> = {}): Order {
  const at = new Date(T0 + day * DAY);
  return {
    source: 'shopify',
    id,
    name: `#${id}`,
    email: 'ann@example.com',
    phone: null,
    firstName: 'Ann',
    lastName: null,
    createdAt: at,
    updatedAt: at,
    cancelledAt: null,
    financialStatus: 'paid',
    total: { minor: totalMinor, currency: 'GBP' },
    currentTotal: { minor: totalMinor, currency: 'GBP' },
    lineItems: [],
    fulfillments: [],
    shippingAddress: null,
    promisedDeliveryAt: null,
    tags: [],
    test: false,
    ...extra,
  };
}
