import { moneyFromDecimal, toDecimalString } from '../../model/money';
import type { ShipmentTrackingItemJson, WooOrderJson, WooStatus } from '../../sources/woocommerce/types';
import { hash32 } from '../../util/prng';
import type { OrderRecord } from '../shopify/record';
import type { NewOrder, OrderSortKey, SandboxStore } from '../shopify/store';
import { refundRows, renderOrder, seedStatus, type SiteTime, type WooOverlay, type WooRefundRow } from './render';

export type WooTopicEvent = 'created' | 'updated' | 'deleted' | 'restored';

export interface WooOrderChange {
  readonly event: WooTopicEvent;
  readonly id: number;
  /** The order as the webhook carries it; `{id}` alone for a permanent delete. */
  readonly body: WooOrderJson | { readonly id: number };
}

export interface ListRequest {
  readonly modifiedAfter: number | null;
  readonly modifiedBefore: number | null;
  readonly after: number | null;
  readonly before: number | null;
  readonly statuses: ReadonlySet<string> | 'any';
  readonly orderby: 'date' | 'id' | 'include' | 'title' | 'slug' | 'modified';
  readonly order: 'asc' | 'desc';
  readonly offset: number;
  readonly perPage: number;
}

/** Every status `seedStatus` can return. */
const SEED_STATUSES: readonly WooStatus[] = ['cancelled', 'refunded', 'pending', 'completed', 'processing'];

const SORT_KEYS: Readonly<Record<ListRequest['orderby'], OrderSortKey>> = {
  date: 'CREATED_AT', id: 'ID', include: 'ID', title: 'CREATED_AT', slug: 'CREATED_AT', modified: 'UPDATED_AT',
};

/**
 * The WooCommerce sandbox's orders: the Shopify sandbox's order book (the same seed: customers, orders, amounts,
 * dates) seen through WooCommerce's REST shape, plus what only WooCommerce has (statuses such as on-hold, failed
 * and trash, refund rows, Shipment Tracking items, permanent deletes). Every mutation stamps the modified date
 * through the shared store, as WooCommerce does, and is announced to `onChange` (webhooks).
 */
export class WooOrderBook {
  private readonly overlays = new Map<number, WooOverlay>();
  private readonly deleted = new Set<number>();
  private readonly listeners: Array<(change: WooOrderChange) => void> = [];

  private siteUrl: string | undefined;

  constructor(readonly store: SandboxStore, readonly site: SiteTime = { utcOffsetMinutes: 0 }) {}

  /** The URL the sandbox serves the orders at, for their `_links`. */
  serveAt(url: string): void {
    this.siteUrl = url;
  }

  onChange(listener: (change: WooOrderChange) => void): void {
    this.listeners.push(listener);
  }

  get currency(): string {
    return this.store.currency;
  }

  /** The order as `GET /orders/<id>` renders it; null when unknown or deleted. */
  order(id: number): WooOrderJson | null {
    const record = this.deleted.has(id) ? null : this.store.order(id);
    return record ? this.render(record) : null;
  }

  status(record: OrderRecord): WooStatus {
    return this.overlays.get(record.legacyId)?.status ?? seedStatus(record);
  }

  refunds(id: number): readonly WooRefundRow[] {
    const record = this.deleted.has(id) ? null : this.store.order(id);
    return record ? refundRows(record, this.overlays.get(id)) : [];
  }

  /** One page of a list request, and the count of every match (for X-WP-Total). */
  list(request: ListRequest): { orders: WooOrderJson[]; total: number } {
    const clauses: string[] = [];
    const at = (ms: number): string => `'${new Date(ms).toISOString()}'`;
    if (request.modifiedAfter !== null) clauses.push(`updated_at:>${at(request.modifiedAfter)}`);
    if (request.modifiedBefore !== null) clauses.push(`updated_at:<${at(request.modifiedBefore)}`);
    if (request.after !== null) clauses.push(`created_at:>${at(request.after)}`);
    if (request.before !== null) clauses.push(`created_at:<${at(request.before)}`);
    const sortKey = SORT_KEYS[request.orderby];
    const picked: OrderRecord[] = [];
    let total = 0;
    const wanted = request.statuses;
    // A seeded order's status is derived from its record; when every status a seed can give is asked for (a sync's
    // read), only the overlay's can exclude an order, and 10,000 derivations per page are skipped.
    const anySeedStatus = wanted === 'any' || SEED_STATUSES.every((status) => wanted.has(status));
    for (const index of this.store.scan(clauses.join(' ') || null, sortKey, request.order === 'desc')) {
      const record = this.store.recordAt(index);
      if (this.deleted.has(record.legacyId)) continue;
      const set = this.overlays.get(record.legacyId)?.status;
      if (set !== undefined || !anySeedStatus) {
        const status = set ?? seedStatus(record);
        // `any` is every status but trash, as WordPress leaves trashed posts out of `any`.
        if (wanted === 'any' ? status === 'trash' : !wanted.has(status)) continue;
      }
      if (total >= request.offset && picked.length < request.perPage) picked.push(record);
      total += 1;
    }
    return { orders: picked.map((record) => this.render(record)), total };
  }

  // ---- mutations (tests, demo) ----

  addOrder(input: NewOrder, status?: WooStatus): WooOrderJson {
    const record = this.store.addOrder(input);
    if (status) this.overlays.set(record.legacyId, { status });
    return this.announce('created', record);
  }

  /** A change to the shared record (an email, a note): the modified date moves. */
  updateOrder(id: number, change: Parameters<SandboxStore['updateOrder']>[1] = {}): WooOrderJson {
    return this.announce('updated', this.store.updateOrder(id, change));
  }

  setStatus(id: number, status: WooStatus): WooOrderJson {
    this.overlay(id, { status });
    return this.announce(status === 'trash' ? 'deleted' : 'updated', this.store.updateOrder(id, {}));
  }

  /** Restores a trashed order to the status it had before (WooCommerce keeps it in `_wp_trash_meta_status`). */
  untrash(id: number, status: WooStatus): WooOrderJson {
    this.overlay(id, { status });
    return this.announce('restored', this.store.updateOrder(id, {}));
  }

  /** A refund of `amount` (decimal string) or of the rest; a full refund moves the order to `refunded`. */
  refund(id: number, amount?: string, reason = ''): WooOrderJson {
    const before = this.requireRecord(id);
    const rows = refundRows(before, this.overlays.get(id));
    const record = this.store.refundOrder(id, amount);
    const currency = record.currencyCode;
    const refunded = moneyFromDecimal(record.totalRefunded, currency).minor - moneyFromDecimal(before.totalRefunded, currency).minor;
    const row: WooRefundRow = { id: id * 10 + rows.length + 1, createdAt: record.updatedAt, amount: toDecimalString({ minor: refunded, currency }), reason };
    const full = record.totalRefunded === record.totalPrice;
    this.overlay(id, { refunds: [...rows, row], ...(full && this.status(before) !== 'cancelled' ? { status: 'refunded' as const } : {}) });
    return this.announce('updated', record);
  }

  /** What the Shipment Tracking extension does when the merchant adds a tracking number. */
  addTracking(id: number, item: { provider: string; number: string; shippedAt?: Date; link?: string }): WooOrderJson {
    const record = this.requireRecord(id);
    const current = renderOrder(record, this.overlays.get(id), this.site).meta_data.find((m) => m.key === '_wc_shipment_tracking_items');
    const existing = Array.isArray(current?.value) ? (current.value as ShipmentTrackingItemJson[]) : [];
    const added: ShipmentTrackingItemJson = {
      tracking_provider: item.link ? '' : item.provider,
      custom_tracking_provider: item.link ? item.provider : '',
      custom_tracking_link: item.link ?? '',
      tracking_number: item.number,
      date_shipped: String(Math.floor((item.shippedAt ?? this.store.now()).getTime() / 1000)),
      tracking_id: hash32(`${id}:${item.number}`).toString(16).padStart(8, '0'),
    };
    this.overlay(id, { trackingItems: [...existing, added] });
    return this.announce('updated', this.store.updateOrder(id, {}));
  }

  /** Test-only: the order is served as `rewrite` makes it (a price that is not a number, a missing email...). */
  corrupt(id: number, rewrite: (order: WooOrderJson) => Record<string, unknown>): WooOrderJson {
    this.overlay(id, { corrupt: rewrite });
    return this.announce('updated', this.store.updateOrder(id, {}));
  }

  /** `DELETE /orders/<id>?force=true`: gone for good; only the `order.deleted` webhook tells. */
  deletePermanently(id: number): void {
    this.requireRecord(id);
    this.deleted.add(id);
    for (const listener of this.listeners) listener({ event: 'deleted', id, body: { id } });
  }

  private overlay(id: number, change: WooOverlay): void {
    this.overlays.set(id, { ...this.overlays.get(id), ...change });
  }

  private requireRecord(id: number): OrderRecord {
    const record = this.deleted.has(id) ? null : this.store.order(id);
    if (!record) throw new RangeError(`no order ${id} in the WooCommerce sandbox`);
    return record;
  }

  private render(record: OrderRecord): WooOrderJson {
    const overlay = this.overlays.get(record.legacyId);
    const json = renderOrder(record, overlay, { ...this.site, url: this.siteUrl ?? this.site.url });
    return overlay?.corrupt ? (overlay.corrupt(json) as unknown as WooOrderJson) : json;
  }

  /** WooCommerce's `deleted` payload is `{id}` alone (WC_Webhook::build_payload), a trashed order's included. */
  private announce(event: WooTopicEvent, record: OrderRecord): WooOrderJson {
    const body = this.render(record);
    for (const listener of this.listeners) listener({ event, id: record.legacyId, body: event === 'deleted' ? { id: record.legacyId } : body });
    return body;
  }
}
