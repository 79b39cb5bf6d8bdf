import { toDecimalString } from '../../../model/money';
import type { Clock } from '../../../util/clock';
import { hash32, mulberry32, normal, type Random } from '../../../util/prng';
import { isoInstant, type FulfillmentRecord, type LineItemRecord, type OrderRecord } from '../record';
import { SandboxStore, type OrderSource, type SourceKeys } from '../store';
import { emailAsTyped, syntheticIdentity } from './identity';

/**
 * Synthetic stores for benchmarks, up to millions of orders. Only two numbers per order are held (placement time and
 * customer); everything else is re-derived from (seed, order index) whenever the order is read.
 *
 * Distributions, fitted roughly to the Olist sample: ~90% single-item orders, lognormal order value, carrier
 * hand-off a lognormal ~2 days after purchase, delivery a lognormal with median 7.1 and p90 ≈ 19 days after
 * hand-off, a promise ~23 days out (≈7% arrive late), 1.1% cancelled.
 */
export interface SyntheticStoreOptions {
  readonly orders: number;
  readonly seed?: number;
  /** Share of orders placed by a returning customer. */
  readonly repeatRate?: number;
  readonly start?: Date;
  readonly spanDays?: number;
  readonly currency?: string;
  /** Median order value in major units. */
  readonly medianOrderValue?: number;
  readonly clock?: Clock;
}

const DAY = 86_400_000;
const ORDER_ID_BASE = 7_000_000_000;
const CUSTOMER_ID_BASE = 7_100_000_000;

interface Facts {
  readonly placed: number;
  readonly totalMinor: number;
  readonly items: number;
  readonly cancelled: boolean;
  readonly handOff: number | null;
  readonly delivered: number | null;
  readonly promised: number;
  readonly updated: number;
}

function lognormal(random: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(random));
}

class SyntheticSource implements OrderSource {
  readonly count: number;
  readonly currency: string;
  private readonly placed: Float64Array;
  private readonly customer: Uint32Array;
  /** The first order of each customer, for the customer's createdAt. */
  private readonly firstOrder: Uint32Array;
  private readonly seed: number;
  private readonly end: number;
  private readonly median: number;

  constructor(options: SyntheticStoreOptions) {
    this.count = options.orders;
    this.currency = options.currency ?? 'USD';
    this.seed = options.seed ?? 1;
    this.median = options.medianOrderValue ?? 90;
    const start = (options.start ?? new Date('2025-01-01T00:00:00Z')).getTime();
    const span = (options.spanDays ?? 365) * DAY;
    this.end = start + span;
    this.placed = new Float64Array(this.count);
    this.customer = new Uint32Array(this.count);
    this.firstOrder = new Uint32Array(this.count);
    const random = mulberry32(this.seed);
    const repeatRate = options.repeatRate ?? 0.3;
    let customers = 0;
    for (let i = 0; i < this.count; i++) {
      this.placed[i] = Math.floor(start + ((i + random()) / this.count) * span);
      const returning = customers > 0 && random() < repeatRate;
      this.customer[i] = returning ? Math.floor(random() * customers) : customers++;
      if (!returning) this.firstOrder[this.customer[i]] = i;
    }
  }

  private facts(index: number): Facts {
    const random = mulberry32(hash32(`${this.seed}:${index}`));
    const placed = this.placed[index];
    const totalMinor = Math.max(500, Math.round(lognormal(random, this.median, 0.8) * 100));
    let items = 1;
    while (items < 20 && random() < (items === 1 ? 0.1 : 0.3)) items++;
    const cancelled = random() < 0.011;
    const handOffAt = placed + lognormal(random, 2 * DAY, 0.7);
    const deliveredAt = handOffAt + lognormal(random, 7.1 * DAY, 0.77);
    const promised = placed + Math.max(7, 23 + 6 * normal(random)) * DAY;
    // Events after the end of the store's window have not happened yet.
    const handOff = !cancelled && handOffAt <= this.end ? Math.floor(handOffAt) : null;
    const delivered = handOff !== null && deliveredAt <= this.end ? Math.floor(deliveredAt) : null;
    // A cancellation, like a delivery, cannot lie after the end of the store's window.
    const updated = cancelled ? Math.min(placed + DAY, this.end) : Math.max(placed, handOff ?? 0, delivered ?? 0);
    return { placed, totalMinor, items, cancelled, handOff, delivered, promised, updated };
  }

  keys(index: number): SourceKeys {
    const f = this.facts(index);
    return {
      legacyId: ORDER_ID_BASE + index + 1,
      createdAt: Math.floor(f.placed / 1000) * 1000,
      updatedAt: Math.floor(f.updated / 1000) * 1000,
      processedAt: Math.floor(f.placed / 1000) * 1000,
      cancelled: f.cancelled,
      closed: f.cancelled || f.delivered !== null,
      test: false,
      customerId: CUSTOMER_ID_BASE + this.customer[index] + 1,
      netMinor: f.cancelled ? 0 : f.totalMinor,
    };
  }

  record(index: number): OrderRecord {
    const f = this.facts(index);
    const currency = this.currency;
    const money = (minor: number): string => toDecimalString({ minor, currency });
    const customerNumber = this.customer[index];
    const person = syntheticIdentity(`synthetic:${this.seed}:${customerNumber}`, 'uk');
    const legacyId = ORDER_ID_BASE + index + 1;
    const lineItems: LineItemRecord[] = [];
    const share = Math.floor(f.totalMinor / f.items);
    for (let k = 0; k < f.items; k++) {
      const product = hash32(`${this.seed}:${index}:${k}`) % 5000;
      lineItems.push({
        legacyId: legacyId * 100 + k, title: `Product ${product}`, variantTitle: null, sku: `SKU-${product}`,
        vendor: 'Synthetic Goods', quantity: 1,
        unitPrice: money(k === 0 ? f.totalMinor - share * (f.items - 1) : share), productLegacyId: 7_500_000_000 + product,
        // 70 product types, about Olist's 71 categories: products carry a category as a real catalogue's do.
        productType: `Type ${product % 70}`,
      });
    }
    const fulfillments: FulfillmentRecord[] = f.handOff === null ? [] : [{
      legacyId: legacyId * 10,
      status: 'SUCCESS',
      displayStatus: f.delivered !== null ? 'DELIVERED' : 'IN_TRANSIT',
      createdAt: isoInstant(f.handOff),
      updatedAt: isoInstant(f.delivered ?? f.handOff),
      inTransitAt: isoInstant(f.handOff),
      deliveredAt: f.delivered === null ? null : isoInstant(f.delivered),
      estimatedDeliveryAt: isoInstant(f.promised),
      tracking: [{ number: `9400${String(legacyId).padStart(18, '0')}`, company: 'USPS', url: null }],
    }];
    const keys = this.keys(index);
    return {
      legacyId,
      name: `#${1001 + index}`,
      email: emailAsTyped(person.email, String(legacyId)),
      phone: person.phone,
      createdAt: isoInstant(keys.createdAt),
      updatedAt: isoInstant(keys.updatedAt),
      processedAt: isoInstant(keys.processedAt),
      cancelledAt: f.cancelled ? isoInstant(keys.updatedAt) : null,
      cancelReason: f.cancelled ? 'CUSTOMER' : null,
      closedAt: f.cancelled ? isoInstant(keys.updatedAt) : f.delivered === null ? null : isoInstant(f.delivered),
      test: false,
      tags: ['synthetic'],
      note: null,
      currencyCode: currency,
      totalPrice: money(f.totalMinor),
      totalRefunded: money(f.cancelled ? f.totalMinor : 0),
      displayFinancialStatus: f.cancelled ? 'REFUNDED' : 'PAID',
      displayFulfillmentStatus: f.handOff === null ? 'UNFULFILLED' : 'FULFILLED',
      lineItems,
      customer: {
        legacyId: keys.customerId, firstName: person.firstName, lastName: person.lastName, email: person.email,
        phone: person.phone, createdAt: isoInstant(Math.floor(this.placed[this.firstOrder[customerNumber]] / 1000) * 1000), tags: [],
      },
      fulfillments,
      shippingAddress: {
        firstName: person.firstName, lastName: person.lastName, city: 'London', province: null, provinceCode: null,
        zip: null, country: 'United Kingdom', countryCodeV2: 'GB', phone: person.phone,
      },
      customAttributes: [{ key: 'promised_delivery_date', value: isoInstant(f.promised).slice(0, 10) }],
    };
  }
}

export function generateStore(options: SyntheticStoreOptions): SandboxStore {
  return new SandboxStore(new SyntheticSource(options), { clock: options.clock });
}
