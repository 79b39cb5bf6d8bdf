import { moneyFromDecimal, toDecimalString } from '../../model/money';
import { gid, isoInstant, type OrderRecord, type RefundRecord, type ReturnRecord } from './record';
import type { SandboxStore } from './store';
import type { ShopifyWebhookSender } from './webhooks';

/**
 * Returns and refunds in the sandbox, driven the way a merchant's admin or a returns app drives them (Shopify's
 * returnRequest, returnApproveRequest, returnDeclineRequest, reverseDeliveryCreateWithShipping, reverse fulfillment
 * order disposal, refundCreate, returnClose, returnCancel). Each step stamps the order's updatedAt (so an
 * `updated_at` poll sees it) and sends its webhook topic, as Shopify does.
 */
export interface ReturnLineInput {
  readonly lineItemLegacyId: number;
  readonly quantity: number;
  readonly reasonHandle?: string | null;
  readonly customerNote?: string | null;
}

/** The sandbox's return reason definitions (Shopify's standard reasons by handle). */
export const RETURN_REASON_NAMES: Readonly<Record<string, string>> = {
  'arrived-late': 'Arrived late', defective: 'Damaged or defective', 'not-as-described': 'Not as described',
  'wrong-item': 'Received the wrong item', 'size-too-small': 'Size too small', 'size-too-large': 'Size too large',
  unwanted: 'No longer needed', style: 'Style', color: 'Color', other: 'Other', unknown: 'Unknown',
};

export class SandboxReturns {
  private nextId = 9_100_000_000;

  constructor(private readonly store: SandboxStore, private readonly webhooks: ShopifyWebhookSender | null) {}

  private id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  private now(): string {
    return isoInstant(this.store.now());
  }

  /** The order holding return `legacyId`, and the return. */
  find(returnLegacyId: number): { order: OrderRecord; ret: ReturnRecord } | null {
    for (let i = 0; i < this.store.size; i++) {
      const order = this.store.recordAt(i);
      const ret = order.returns?.find((r) => r.legacyId === returnLegacyId);
      if (ret) return { order, ret };
    }
    return null;
  }

  private require(returnLegacyId: number): { order: OrderRecord; ret: ReturnRecord } {
    const found = this.find(returnLegacyId);
    if (!found) throw new RangeError(`no return ${returnLegacyId}`);
    return found;
  }

  private save(order: OrderRecord, ret: ReturnRecord): OrderRecord {
    const returns = (order.returns ?? []).map((r) => (r.legacyId === ret.legacyId ? ret : r));
    return this.store.updateOrder(order.legacyId, { returns });
  }

  /** A customer's return request (status REQUESTED): `returns/request`. */
  async request(orderLegacyId: number, lines: readonly ReturnLineInput[]): Promise<ReturnRecord> {
    const order = this.store.order(orderLegacyId);
    if (!order) throw new RangeError(`no order ${orderLegacyId}`);
    for (const line of lines) {
      const item = order.lineItems.find((l) => l.legacyId === line.lineItemLegacyId);
      if (!item || line.quantity < 1 || line.quantity > item.quantity) throw new RangeError(`line ${line.lineItemLegacyId} x${line.quantity} cannot be returned from ${order.name}`);
    }
    const ret: ReturnRecord = {
      legacyId: this.id(), name: `${order.name}-R${(order.returns?.length ?? 0) + 1}`, status: 'REQUESTED', createdAt: this.now(),
      requestApprovedAt: null, closedAt: null, decline: null, reverseFulfillmentOrder: null,
      lines: lines.map((l) => ({ legacyId: this.id(), lineItemLegacyId: l.lineItemLegacyId, quantity: l.quantity, reasonHandle: l.reasonHandle ?? null, customerNote: l.customerNote ?? null })),
    };
    const saved = this.store.updateOrder(orderLegacyId, { returns: [...(order.returns ?? []), ret] });
    await this.emit('returns/request', saved, ret);
    return ret;
  }

  /** Approved (status OPEN) with a reverse fulfillment order to receive the items: `returns/approve`. */
  async approve(returnLegacyId: number): Promise<ReturnRecord> {
    const { order, ret } = this.require(returnLegacyId);
    if (ret.status !== 'REQUESTED') throw new RangeError(`return ${ret.name} is ${ret.status}, not REQUESTED`);
    const next: ReturnRecord = { ...ret, status: 'OPEN', requestApprovedAt: this.now(), reverseFulfillmentOrder: { legacyId: this.id(), status: 'OPEN', deliveries: [] } };
    await this.emit('returns/approve', this.save(order, next), next);
    return next;
  }

  async decline(returnLegacyId: number, reason: 'FINAL_SALE' | 'RETURN_PERIOD_ENDED' | 'OTHER', note: string | null = null): Promise<ReturnRecord> {
    const { order, ret } = this.require(returnLegacyId);
    if (ret.status !== 'REQUESTED') throw new RangeError(`return ${ret.name} is ${ret.status}, not REQUESTED`);
    const next: ReturnRecord = { ...ret, status: 'DECLINED', decline: { reason, note } };
    await this.emit('returns/decline', this.save(order, next), next);
    return next;
  }

  /** A return label with tracking attached to the return's reverse fulfillment order: `reverse_deliveries/attach_deliverable`. */
  async attachTracking(returnLegacyId: number, tracking: { number: string; carrierName: string | null; url?: string | null }): Promise<ReturnRecord> {
    const { order, ret } = this.require(returnLegacyId);
    const rfo = ret.reverseFulfillmentOrder;
    if (ret.status !== 'OPEN' || !rfo) throw new RangeError(`return ${ret.name} is not open`);
    const delivery = { legacyId: this.id(), tracking: { number: tracking.number, carrierName: tracking.carrierName, url: tracking.url ?? null } };
    const next: ReturnRecord = { ...ret, reverseFulfillmentOrder: { ...rfo, deliveries: [...rfo.deliveries, delivery] } };
    this.save(order, next);
    await this.webhooks?.emit('reverse_deliveries/attach_deliverable', {
      id: delivery.legacyId, admin_graphql_api_id: gid('ReverseDelivery', delivery.legacyId),
      return: { id: ret.legacyId, admin_graphql_api_id: gid('Return', ret.legacyId) },
      shipping_deliverable: { tracking: { carrier_name: tracking.carrierName, tracking_number: tracking.number, tracking_url: tracking.url ?? null }, label: null },
    });
    return next;
  }

  /** The items are back and disposed of: the reverse fulfillment order closes. */
  async receive(returnLegacyId: number): Promise<ReturnRecord> {
    const { order, ret } = this.require(returnLegacyId);
    const rfo = ret.reverseFulfillmentOrder;
    if (!rfo) throw new RangeError(`return ${ret.name} has no reverse fulfillment order`);
    const next: ReturnRecord = { ...ret, reverseFulfillmentOrder: { ...rfo, status: 'CLOSED' } };
    this.save(order, next);
    return next;
  }

  /** A refund for the return (items' prices, plus `shipping` if given): `refunds/create`. */
  async refund(returnLegacyId: number | null, orderLegacyId: number, options: { shipping?: string; note?: string | null; amount?: string } = {}): Promise<RefundRecord> {
    const order = this.store.order(orderLegacyId);
    if (!order) throw new RangeError(`no order ${orderLegacyId}`);
    const currency = order.currencyCode;
    const ret = returnLegacyId === null ? null : order.returns?.find((r) => r.legacyId === returnLegacyId) ?? null;
    const lines = (ret?.lines ?? []).map((l) => ({ lineItemLegacyId: l.lineItemLegacyId, quantity: l.quantity }));
    const itemsMinor = lines.reduce((sum, l) => {
      const item = order.lineItems.find((i) => i.legacyId === l.lineItemLegacyId);
      return sum + (item ? moneyFromDecimal(item.unitPrice, currency).minor * l.quantity : 0);
    }, 0);
    const shippingMinor = options.shipping ? moneyFromDecimal(options.shipping, currency).minor : 0;
    const amountMinor = options.amount ? moneyFromDecimal(options.amount, currency).minor : itemsMinor + shippingMinor;
    const refunded = moneyFromDecimal(order.totalRefunded, currency).minor + amountMinor;
    const total = moneyFromDecimal(order.totalPrice, currency).minor;
    if (amountMinor <= 0 || refunded > total) throw new RangeError(`cannot refund ${amountMinor} minor units of ${order.name}`);
    const refund: RefundRecord = {
      legacyId: this.id(), createdAt: this.now(), note: options.note ?? null, returnLegacyId: ret?.legacyId ?? null,
      amount: toDecimalString({ minor: amountMinor, currency }), shipping: toDecimalString({ minor: shippingMinor, currency }), lines,
    };
    this.store.updateOrder(orderLegacyId, {
      refunds: [...(order.refunds ?? []), refund],
      totalRefunded: toDecimalString({ minor: refunded, currency }),
      displayFinancialStatus: refunded === total ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
    });
    await this.webhooks?.emit('refunds/create', {
      id: refund.legacyId, admin_graphql_api_id: gid('Refund', refund.legacyId), order_id: order.legacyId, created_at: refund.createdAt,
      note: refund.note, restock: false, return: ret ? { id: ret.legacyId, admin_graphql_api_id: gid('Return', ret.legacyId) } : null,
      refund_line_items: lines.map((l) => ({ line_item_id: l.lineItemLegacyId, quantity: l.quantity })),
    });
    return refund;
  }

  async close(returnLegacyId: number): Promise<ReturnRecord> {
    const { order, ret } = this.require(returnLegacyId);
    if (ret.status !== 'OPEN') throw new RangeError(`return ${ret.name} is ${ret.status}, not OPEN`);
    const next: ReturnRecord = { ...ret, status: 'CLOSED', closedAt: this.now() };
    await this.emit('returns/close', this.save(order, next), next);
    return next;
  }

  async cancel(returnLegacyId: number): Promise<ReturnRecord> {
    const { order, ret } = this.require(returnLegacyId);
    if (ret.status !== 'REQUESTED' && ret.status !== 'OPEN') throw new RangeError(`return ${ret.name} is ${ret.status}`);
    const next: ReturnRecord = { ...ret, status: 'CANCELED', reverseFulfillmentOrder: ret.reverseFulfillmentOrder && { ...ret.reverseFulfillmentOrder, status: 'CANCELED' } };
    await this.emit('returns/cancel', this.save(order, next), next);
    return next;
  }

  /** The returns webhook body (REST shape, snake_case, as Shopify sends it). */
  private async emit(topic: string, order: OrderRecord, ret: ReturnRecord): Promise<void> {
    await this.webhooks?.emit(topic, {
      id: ret.legacyId, admin_graphql_api_id: gid('Return', ret.legacyId), name: ret.name, status: ret.status.toLowerCase(),
      order: { id: order.legacyId, admin_graphql_api_id: gid('Order', order.legacyId) },
      total_return_line_items: ret.lines.length,
      return_line_items: ret.lines.map((l) => ({
        id: l.legacyId, admin_graphql_api_id: gid('ReturnLineItem', l.legacyId),
        fulfillment_line_item: { id: l.lineItemLegacyId, admin_graphql_api_id: gid('FulfillmentLineItem', l.lineItemLegacyId),
          line_item: { id: l.lineItemLegacyId, admin_graphql_api_id: gid('LineItem', l.lineItemLegacyId) } },
        quantity: l.quantity, return_reason_note: null, customer_note: l.customerNote,
      })),
      decline: ret.decline ? { reason: ret.decline.reason.toLowerCase(), note: ret.decline.note } : null,
    });
  }
}
