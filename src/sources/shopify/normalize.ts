import type { FinancialStatus, Fulfillment, LineItem, Order } from '../../model/order';
import { moneyFromDecimal, toDecimalNumber, type Money } from '../../model/money';
import { normalizeEmail, normalizePhone } from '../../model/identity';
import { PROMISED_DATE_KEY, parsePromisedDate } from '../promise-date';
import { normalizeShopifyReturns } from './normalize-returns';
import type { ShopifyLineItemNode, ShopifyOrderNode } from './types';

/** The custom attribute (note attribute) a delivery-date app or checkout writes the promised date into. */
export const PROMISED_DATE_ATTRIBUTE = PROMISED_DATE_KEY;

/** Totals above this (in major units) are treated as data errors, not sales. */
const ABSURD_TOTAL = 10_000_000;
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export type NormalizeResult = { ok: true; order: Order } | { ok: false; recordId: string; reason: string };

/** A pure mapping from Shopify's order node to our Order, or a reason the record cannot be used. */
export function normalizeShopifyOrder(node: ShopifyOrderNode, lineItems: readonly ShopifyLineItemNode[]): NormalizeResult {
  const reject = (reason: string): NormalizeResult => ({ ok: false, recordId: node.id, reason });
  const currency = node.totalPriceSet.shopMoney.currencyCode;
  if (!KNOWN_CURRENCIES.has(currency)) return reject(`unknown currency ${JSON.stringify(currency)}`);

  const email = normalizeEmail(node.customer?.defaultEmailAddress?.emailAddress ?? node.email);
  if (!email) return reject('order has no valid email address: customers are keyed by email');

  const createdAt = parseInstant(node.createdAt);
  const updatedAt = parseInstant(node.updatedAt);
  if (!createdAt || !updatedAt) return reject(`invalid timestamps createdAt=${node.createdAt} updatedAt=${node.updatedAt}`);

  let total: Money;
  let currentTotal: Money;
  let items: LineItem[];
  let returns: ReturnType<typeof normalizeShopifyReturns> | null = null;
  try {
    returns = node.returnsRead ? normalizeShopifyReturns(node.returnsRead, currency) : null;
  } catch (error) {
    return reject(`invalid return or refund: ${(error as Error).message}`);
  }
  try {
    total = moneyFromDecimal(node.totalPriceSet.shopMoney.amount, currency);
    currentTotal = moneyFromDecimal(node.currentTotalPriceSet.shopMoney.amount, currency);
    items = lineItems.map(normalizeLineItem);
  } catch (error) {
    return reject(`invalid amount: ${(error as Error).message}`);
  }
  if (total.minor < 0 || currentTotal.minor < 0) return reject(`negative total ${node.totalPriceSet.shopMoney.amount}`);
  if (toDecimalNumber(total) > ABSURD_TOTAL) return reject(`implausible total ${node.totalPriceSet.shopMoney.amount} ${currency}`);

  const promised = node.customAttributes.find((attribute) => attribute.key === PROMISED_DATE_ATTRIBUTE)?.value;
  const address = node.shippingAddress;
  return {
    ok: true,
    order: {
      source: 'shopify',
      id: node.id,
      name: node.name,
      email,
      // Not the shipping address's phone: it is often someone else's (a gift, an office), and a phone shared by two
      // customers would merge their Klaviyo profiles.
      phone: normalizePhone(node.customer?.defaultPhoneNumber?.phoneNumber ?? node.phone),
      firstName: node.customer?.firstName ?? address?.firstName ?? null,
      lastName: node.customer?.lastName ?? address?.lastName ?? null,
      createdAt,
      updatedAt,
      cancelledAt: node.cancelledAt ? parseInstant(node.cancelledAt) : null,
      financialStatus: financialStatus(node.displayFinancialStatus),
      total,
      currentTotal: node.cancelledAt ? { minor: 0, currency } : currentTotal,
      lineItems: items,
      fulfillments: node.fulfillments.map(normalizeFulfillment),
      shippingAddress: address
        ? { city: address.city, region: address.provinceCode, zip: address.zip, country: address.countryCodeV2 }
        : null,
      promisedDeliveryAt: promised ? parsePromisedDate(promised) : null,
      tags: node.tags,
      test: node.test,
      ...(returns ?? {}),
    },
  };
}

function normalizeLineItem(node: ShopifyLineItemNode): LineItem {
  const price = node.originalUnitPriceSet.shopMoney;
  return {
    id: node.id,
    productId: node.product?.id ?? null,
    sku: node.sku || null,
    name: node.name,
    quantity: node.quantity,
    currentQuantity: node.currentQuantity ?? node.quantity,
    unitPrice: moneyFromDecimal(price.amount, price.currencyCode),
    // The merchant's product type names the store's own categories. (The taxonomy category is an object: one more
    // point per line item, which the follow-up query's 1,000-point budget has no room for.)
    category: node.product?.productType?.trim() || null,
  };
}

function normalizeFulfillment(node: ShopifyOrderNode['fulfillments'][number]): Fulfillment {
  return {
    id: node.id,
    createdAt: parseInstant(node.createdAt) ?? new Date(0),
    displayStatus: node.displayStatus,
    estimatedDeliveryAt: node.estimatedDeliveryAt ? parseInstant(node.estimatedDeliveryAt) : null,
    deliveredAt: node.deliveredAt ? parseInstant(node.deliveredAt) : null,
    tracking: node.trackingInfo
      .filter((info) => info.number)
      .map((info) => ({ code: (info.number ?? '').trim(), carrier: info.company, url: info.url })),
  };
}

const FINANCIAL_STATUSES: ReadonlySet<string> = new Set<FinancialStatus>([
  'pending', 'authorized', 'paid', 'partially_paid', 'partially_refunded', 'refunded', 'voided', 'expired',
]);

function financialStatus(display: string | null): FinancialStatus | null {
  const lower = display?.toLowerCase() ?? '';
  return FINANCIAL_STATUSES.has(lower) ? (lower as FinancialStatus) : null;
}

function parseInstant(text: string): Date | null {
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
}
