import type { ParcelScript, ScriptedScan } from './easypost';
import { isoInstant, type FulfillmentRecord, type OrderRecord } from './shopify/record';

/**
 * The tracking page's scripted cases, shared by its browser tests, its benchmark and `demo --serve`: real pipeline
 * input (Shopify orders, EasyPost scan histories) for a first-time buyer in transit, a VIP out for delivery, a
 * stalled parcel (an issue open), an order delivered ten days ago (the review block's delay passed) and a split
 * order, all to Brazilian addresses (the demo store's country), seen at `TRACKING_NOW`.
 */
export const TRACKING_NOW = new Date('2026-06-10T15:00:00Z');
const HOUR = 3_600_000;
const ago = (hours: number): Date => new Date(TRACKING_NOW.getTime() - hours * HOUR);

const ORIGIN = { city: 'SAO PAULO', state: 'SP', country: 'BR' };
const HUB = { city: 'CAJAMAR', state: 'SP', country: 'BR' };

export interface TrackingCase {
  readonly name: 'first-time' | 'vip' | 'stalled' | 'delivered' | 'split' | 'three-parcels';
  readonly orderName: string;
  readonly email: string;
  readonly firstName: string;
  readonly city: string;
  readonly zip: string;
}

interface CaseScript extends TrackingCase {
  readonly items: ReadonlyArray<{ title: string; sku: string; price: string; product: number }>;
  readonly placedHoursAgo: number;
  readonly parcels: ReadonlyArray<{ code: string; scans: ScriptedScan[]; estHoursFromNow: number }>;
  /** Earlier orders (hours ago), fulfilled long before without tracking: they make the customer's history. */
  readonly earlierOrders?: readonly number[];
}

const scan = (hoursAgo: number, status: ScriptedScan['status'], statusDetail: string, message: string, location = HUB): ScriptedScan =>
  ({ at: ago(hoursAgo), status, statusDetail, message, location });

const transit = (from: number) => [
  scan(from, 'pre_transit', 'label_created', 'Etiqueta criada', ORIGIN),
  scan(from - 20, 'in_transit', 'received_at_origin_facility', 'Objeto postado', ORIGIN),
  scan(from - 30, 'in_transit', 'arrived_at_facility', 'Objeto em trânsito: centro de distribuição'),
];

const CASES: readonly CaseScript[] = [
  {
    name: 'first-time', orderName: '#3001', email: 'ana.souza@example.com', firstName: 'Ana', city: 'Campinas', zip: '13010-000',
    items: [{ title: 'Luminária articulada', sku: 'LUM-01', price: '149.90', product: 9101 }], placedHoursAgo: 60,
    parcels: [{ code: 'SSPAGE000000001', scans: transit(50), estHoursFromNow: 40 }],
  },
  {
    name: 'vip', orderName: '#3002', email: 'bruno.lima@example.com', firstName: 'Bruno', city: 'Santos', zip: '11010-000',
    items: [{ title: 'Cadeira de escritório', sku: 'FUR-CAD-1', price: '899.00', product: 9102 }], placedHoursAgo: 70,
    parcels: [{ code: 'SSPAGE000000002', scans: [...transit(60), scan(4, 'out_for_delivery', 'out_for_delivery', 'Saiu para entrega ao destinatário')], estHoursFromNow: 4 }],
    earlierOrders: [4000, 3600, 3200, 2800, 2400, 2000, 1600, 1300, 1000, 700],
  },
  {
    name: 'stalled', orderName: '#3003', email: 'carla.dias@example.com', firstName: 'Carla', city: 'Sorocaba', zip: '18010-000',
    items: [{ title: 'Jogo de cama casal', sku: 'CAMA-02', price: '259.90', product: 9103 }], placedHoursAgo: 240,
    parcels: [{ code: 'SSPAGE000000003', scans: transit(230), estHoursFromNow: -96 }],
  },
  {
    name: 'delivered', orderName: '#3004', email: 'daniel.rocha@example.com', firstName: 'Daniel', city: 'Jundiaí', zip: '13201-000',
    items: [{ title: 'Panela de ferro', sku: 'PAN-03', price: '189.00', product: 9104 }], placedHoursAgo: 340,
    parcels: [{
      code: 'SSPAGE000000004',
      scans: [...transit(330), scan(250, 'out_for_delivery', 'out_for_delivery', 'Saiu para entrega ao destinatário'), scan(244, 'delivered', 'arrived_at_destination', 'Objeto entregue ao destinatário')],
      estHoursFromNow: -250,
    }],
  },
  {
    name: 'split', orderName: '#3005', email: 'elisa.prado@example.com', firstName: 'Elisa', city: 'Campinas', zip: '13015-000',
    items: [
      { title: 'Mesa lateral', sku: 'FUR-MES-4', price: '399.00', product: 9105 },
      { title: 'Vaso de cerâmica', sku: 'VAS-05', price: '89.90', product: 9106 },
    ],
    placedHoursAgo: 80,
    parcels: [
      { code: 'SSPAGE000000005', scans: [...transit(70), scan(30, 'out_for_delivery', 'out_for_delivery', 'Saiu para entrega ao destinatário'), scan(26, 'delivered', 'arrived_at_destination', 'Objeto entregue ao destinatário')], estHoursFromNow: -30 },
      { code: 'SSPAGE000000006', scans: transit(45), estHoursFromNow: 30 },
    ],
  },
  { // the benchmark's order: three parcels with full histories
    name: 'three-parcels', orderName: '#3006', email: 'fabio.reis@example.com', firstName: 'Fábio', city: 'Piracicaba', zip: '13400-000',
    items: [
      { title: 'Sofá de dois lugares', sku: 'FUR-SOF-6', price: '2199.00', product: 9107 },
      { title: 'Almofada de linho', sku: 'ALM-07', price: '79.90', product: 9108 },
      { title: 'Tapete de algodão', sku: 'TAP-08', price: '349.00', product: 9109 },
    ],
    placedHoursAgo: 90,
    parcels: [
      { code: 'SSPAGE000000007', scans: [...transit(80), scan(40, 'out_for_delivery', 'out_for_delivery', 'Saiu para entrega ao destinatário'), scan(36, 'delivered', 'arrived_at_destination', 'Objeto entregue ao destinatário')], estHoursFromNow: -40 },
      { code: 'SSPAGE000000008', scans: [...transit(70), scan(5, 'out_for_delivery', 'out_for_delivery', 'Saiu para entrega ao destinatário')], estHoursFromNow: 5 },
      { code: 'SSPAGE000000009', scans: transit(60), estHoursFromNow: 48 },
    ],
  },
];

export const TRACKING_CASES: readonly TrackingCase[] = CASES.map(({ name, orderName, email, firstName, city, zip }) => ({ name, orderName, email, firstName, city, zip }));

function order(c: CaseScript, i: number, name: string, placedHoursAgo: number, items: CaseScript['items'], fulfillments: OrderRecord['fulfillments']): OrderRecord {
  const placed = isoInstant(ago(placedHoursAgo));
  const total = items.reduce((sum, item) => sum + Number(item.price), 0).toFixed(2);
  const lastName = 'Cliente';
  return {
    legacyId: 8_000_000 + i, name, email: c.email, phone: null,
    createdAt: placed, updatedAt: fulfillments[0]?.updatedAt ?? placed, processedAt: placed, cancelledAt: null, cancelReason: null, closedAt: null,
    test: false, tags: [], note: null, currencyCode: 'BRL', totalPrice: total, totalRefunded: '0.00',
    displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'FULFILLED',
    lineItems: items.map((item, n) => ({ legacyId: 8_100_000 + i * 10 + n, title: item.title, variantTitle: null, sku: item.sku, vendor: null, quantity: 1, unitPrice: item.price, productLegacyId: item.product })),
    customer: { legacyId: 8_300_000 + CASES.indexOf(c), firstName: c.firstName, lastName, email: c.email, phone: null, createdAt: isoInstant(ago(5000)), tags: [] },
    fulfillments,
    shippingAddress: { firstName: c.firstName, lastName, city: c.city, province: 'São Paulo', provinceCode: 'SP', zip: c.zip, country: 'Brazil', countryCodeV2: 'BR', phone: null },
    customAttributes: [],
  };
}

/** The Shopify orders and EasyPost parcels of every case. */
export function trackingCaseInput(): { orders: OrderRecord[]; parcels: ParcelScript[] } {
  const orders: OrderRecord[] = [];
  const parcels: ParcelScript[] = [];
  let i = 0;
  for (const c of CASES) {
    for (const [n, hours] of (c.earlierOrders ?? []).entries()) {
      const fulfilledAt = isoInstant(ago(hours - 24));
      orders.push(order(c, (i += 1), `#${2000 + i}`, hours, [{ title: 'Caneca esmaltada', sku: `CAN-${n}`, price: '59.90', product: 9200 + n }], [{
        legacyId: 8_400_000 + i, status: 'SUCCESS', displayStatus: 'DELIVERED', createdAt: fulfilledAt, updatedAt: fulfilledAt,
        inTransitAt: null, deliveredAt: fulfilledAt, estimatedDeliveryAt: null, tracking: [],
      }]));
    }
    const fulfillments = c.parcels.map((parcel, n): FulfillmentRecord => {
      const fulfilledAt = isoInstant(parcel.scans[0].at);
      return {
        legacyId: 8_500_000 + CASES.indexOf(c) * 10 + n, status: 'SUCCESS', displayStatus: 'LABEL_PRINTED', createdAt: fulfilledAt, updatedAt: fulfilledAt,
        inTransitAt: null, deliveredAt: null, estimatedDeliveryAt: null, tracking: [{ number: parcel.code, company: 'Correios', url: null }],
      };
    });
    orders.push(order(c, (i += 1), c.orderName, c.placedHoursAgo, c.items, fulfillments));
    for (const parcel of c.parcels) {
      parcels.push({
        trackingCode: parcel.code, carrier: 'Correios', service: 'SEDEX', scans: parcel.scans, weight: 40,
        estDeliveryDate: new Date(TRACKING_NOW.getTime() + parcel.estHoursFromNow * HOUR), origin: ORIGIN,
        destination: { city: c.city.toUpperCase(), state: 'SP', country: 'BR' },
      });
    }
  }
  return { orders, parcels };
}
