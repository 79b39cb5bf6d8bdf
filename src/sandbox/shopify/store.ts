import { moneyFromDecimal, toDecimalString } from '../../model/money';
import { systemClock, type Clock } from '../../util/clock';
import { decodeCursor, encodeCursor, type CursorPosition } from './cursor';
import { isoInstant, parseGid, type CancelReason, type OrderRecord } from './record';
import { parseSearchQuery, type OrderKeys, type OrderPredicate } from './search-query';
import { CANCELLED, CLOSED, TEST, flagsOf, keysOfRecord, type OrderSource, type SourceKeys } from './order-keys';

/** Defined beside the record keys; re-exported for the seeds and tests that import them from here. */
export { keysOfRecord, recordSource, type OrderSource, type SourceKeys } from './order-keys';


export const ORDER_SORT_KEYS = ['UPDATED_AT', 'CREATED_AT', 'ID', 'PROCESSED_AT'] as const;
export type OrderSortKey = (typeof ORDER_SORT_KEYS)[number];

export interface PageRequest {
  readonly first?: number | null;
  readonly last?: number | null;
  readonly after?: string | null;
  readonly before?: string | null;
  readonly query?: string | null;
  readonly sortKey?: OrderSortKey;
  readonly reverse?: boolean;
  /** Orders created before this instant (ms) are invisible: a token without `read_all_orders` (see scopes.ts). */
  readonly visibleFrom?: number;
}

export interface PageEntry {
  readonly index: number;
  readonly cursor: string;
}

export interface Page {
  readonly entries: readonly PageEntry[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly warnings: readonly { readonly field: string; readonly message: string }[];
}

export type OrderChange = Partial<Omit<OrderRecord, 'legacyId' | 'updatedAt'>>;
export type NewOrder = Partial<Omit<OrderRecord, 'legacyId' | 'updatedAt'>>;

/**
 * The sandbox's order book: indexes for paging by any supported sort key, Shopify-style search, per-customer
 * aggregates, and the test-facing mutations (each stamps updatedAt with the clock's now, as Shopify does).
 */
export class SandboxStore {
  private readonly legacyIds: number[] = [];
  private readonly createdAt: number[] = [];
  private readonly updatedAt: number[] = [];
  private readonly processedAt: number[] = [];
  private readonly flags: number[] = [];
  private readonly customerIds: number[] = [];
  private readonly netMinor: number[] = [];
  private readonly overrides = new Map<number, OrderRecord>();
  private readonly sorted = new Map<OrderSortKey, number[]>();
  private customerTotals: Map<number, { count: number; netMinor: number }> | null = null;
  private clock: Clock;

  constructor(private readonly source: OrderSource, options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
    for (let i = 0; i < source.count; i++) {
      const keys = source.keys(i);
      if (i > 0 && keys.legacyId <= this.legacyIds[i - 1]) throw new Error('order sources must list orders by ascending legacy id');
      this.pushKeys(keys);
    }
  }

  get size(): number {
    return this.legacyIds.length;
  }

  get currency(): string {
    return this.source.currency;
  }

  useClock(clock: Clock): void {
    this.clock = clock;
  }

  now(): Date {
    return this.clock.now();
  }

  recordAt(index: number): OrderRecord {
    return this.overrides.get(index) ?? this.source.record(index);
  }

  /** Position of an order given its GID or numeric id; -1 when unknown. */
  indexOf(id: string | number): number {
    const legacyId = typeof id === 'number' ? id : parseGid(id)?.type === 'Order' ? parseGid(id)?.legacyId : Number(id);
    if (legacyId === undefined || !Number.isFinite(legacyId)) return -1;
    let lo = 0;
    let hi = this.legacyIds.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = this.legacyIds[mid];
      if (value === legacyId) return mid;
      if (value < legacyId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  order(id: string | number): OrderRecord | null {
    const index = this.indexOf(id);
    return index < 0 ? null : this.recordAt(index);
  }

  customerStats(customerId: number): { count: number; netMinor: number } {
    if (!this.customerTotals) {
      const totals = new Map<number, { count: number; netMinor: number }>();
      for (let i = 0; i < this.customerIds.length; i++) {
        const id = this.customerIds[i];
        if (id === 0) continue;
        const entry = totals.get(id) ?? { count: 0, netMinor: 0 };
        entry.count += 1;
        entry.netMinor += this.netMinor[i];
        totals.set(id, entry);
      }
      this.customerTotals = totals;
    }
    return this.customerTotals.get(customerId) ?? { count: 0, netMinor: 0 };
  }

  page(request: PageRequest): Page {
    const sortKey = request.sortKey ?? 'PROCESSED_AT';
    const reverse = request.reverse ?? false;
    const { predicate, warnings } = this.search(request.query ?? null, request.visibleFrom);
    const order = this.sortedIndex(sortKey);
    const values = this.values(sortKey);
    const n = order.length;
    const at = (p: number): number => (reverse ? order[n - 1 - p] : order[p]);
    const sign = reverse ? -1 : 1;
    const compareTo = (index: number, c: CursorPosition): number =>
      sign * (values[index] - c.lastValue || this.legacyIds[index] - c.lastId);
    const firstPosition = (test: (index: number) => boolean): number => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (test(at(mid))) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const after = request.after ? this.cursorOrThrow(request.after) : null;
    const before = request.before ? this.cursorOrThrow(request.before) : null;
    const start = after ? firstPosition((i) => compareTo(i, after) > 0) : 0;
    const end = before ? firstPosition((i) => compareTo(i, before) >= 0) : n;
    const matches = (p: number): boolean => predicate(this.keysAt(at(p)));
    const anyMatch = (from: number, to: number): boolean => {
      for (let p = from; p < to; p++) if (matches(p)) return true;
      return false;
    };
    const picked: number[] = [];
    let hasNextPage: boolean;
    let hasPreviousPage: boolean;
    if (request.last != null && request.first == null) {
      for (let p = end - 1; p >= start && picked.length <= request.last; p--) if (matches(p)) picked.push(p);
      hasPreviousPage = picked.length > request.last;
      picked.length = Math.min(picked.length, request.last);
      picked.reverse();
      hasNextPage = before !== null && anyMatch(end, n);
    } else {
      const limit = request.first ?? Number.POSITIVE_INFINITY;
      for (let p = start; p < end && picked.length <= limit; p++) if (matches(p)) picked.push(p);
      hasNextPage = picked.length > limit;
      if (hasNextPage) picked.length = limit;
      hasPreviousPage = after !== null && start > 0 && this.anyMatchBackward(start, matches);
    }
    const entries = picked.map((p) => {
      const index = at(p);
      return { index, cursor: encodeCursor({ lastId: this.legacyIds[index], lastValue: values[index] }) };
    });
    return { entries, hasNextPage, hasPreviousPage, warnings };
  }

  /** Matching orders, counted no further than `limit` + 1 so a caller can tell "more than the limit". */
  count(query: string | null, limit: number, visibleFrom?: number): { count: number; warnings: Page['warnings'] } {
    const { predicate, warnings } = this.search(query, visibleFrom);
    let count = 0;
    for (let index = 0; index < this.legacyIds.length && count <= limit; index++) if (predicate(this.keysAt(index))) count += 1;
    return { count, warnings };
  }

  /** Every matching order in sort order, lazily: bulk operations stream through this. */
  *scan(query: string | null, sortKey: OrderSortKey = 'ID', reverse = false, visibleFrom?: number): Generator<number> {
    const predicate: OrderPredicate = this.search(query, visibleFrom).predicate;
    const order = this.sortedIndex(sortKey);
    for (let p = 0; p < order.length; p++) {
      const index = reverse ? order[order.length - 1 - p] : order[p];
      if (predicate(this.keysAt(index))) yield index;
    }
  }

  private search(query: string | null, visibleFrom: number | undefined): { predicate: OrderPredicate; warnings: Page['warnings'] } {
    const parsed = parseSearchQuery(query, this.clock.now().getTime());
    if (visibleFrom === undefined) return parsed;
    return { predicate: (keys) => keys.createdAt >= visibleFrom && parsed.predicate(keys), warnings: parsed.warnings };
  }

  updateOrder(id: string | number, change: OrderChange): OrderRecord {
    const index = this.requireIndex(id);
    return this.replace(index, { ...this.recordAt(index), ...change, updatedAt: isoInstant(this.clock.now()) });
  }

  addOrder(input: NewOrder): OrderRecord {
    const now = isoInstant(this.clock.now());
    const legacyId = (this.legacyIds[this.legacyIds.length - 1] ?? 1_000_000_000) + 1;
    const lineItems = input.lineItems ?? [];
    const currency = input.currencyCode ?? this.source.currency;
    const itemsTotal = lineItems.reduce((sum, item) => sum + moneyFromDecimal(item.unitPrice, currency).minor * item.quantity, 0);
    const record: OrderRecord = {
      name: `#${this.size + 1001}`,
      email: null, phone: null,
      createdAt: now, processedAt: input.createdAt ?? now,
      cancelledAt: null, cancelReason: null, closedAt: null,
      test: false, tags: [], note: null,
      currencyCode: currency,
      totalPrice: toDecimalString({ minor: itemsTotal, currency }),
      totalRefunded: toDecimalString({ minor: 0, currency }),
      displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'UNFULFILLED',
      customer: null, fulfillments: [], shippingAddress: null, customAttributes: [],
      ...input,
      lineItems,
      legacyId,
      updatedAt: now,
    };
    const index = this.size;
    this.overrides.set(index, record);
    this.pushKeys(keysOfRecord(record));
    for (const [sortKey, order] of this.sorted) order.splice(this.insertPosition(sortKey, order, index), 0, index);
    this.customerTotals = null;
    return record;
  }

  cancelOrder(id: string | number, options: { reason?: CancelReason; refund?: boolean } = {}): OrderRecord {
    const current = this.recordAt(this.requireIndex(id));
    const now = isoInstant(this.clock.now());
    const refund = options.refund ?? true;
    return this.updateOrder(id, {
      cancelledAt: now,
      cancelReason: options.reason ?? 'CUSTOMER',
      closedAt: now,
      ...(refund ? { totalRefunded: current.totalPrice, displayFinancialStatus: 'REFUNDED' as const } : {}),
    });
  }

  /** Refunds `amount` (decimal string), or everything not yet refunded. */
  refundOrder(id: string | number, amount?: string): OrderRecord {
    const current = this.recordAt(this.requireIndex(id));
    const currency = current.currencyCode;
    const total = moneyFromDecimal(current.totalPrice, currency).minor;
    const already = moneyFromDecimal(current.totalRefunded, currency).minor;
    const refund = amount === undefined ? total - already : moneyFromDecimal(amount, currency).minor;
    if (refund <= 0 || already + refund > total) throw new RangeError(`cannot refund ${amount ?? 'the rest'} of ${current.name}`);
    const refunded = already + refund;
    return this.updateOrder(id, {
      totalRefunded: toDecimalString({ minor: refunded, currency }),
      displayFinancialStatus: refunded === total ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
    });
  }

  private replace(index: number, record: OrderRecord): OrderRecord {
    const built = [...this.sorted.entries()].map(([sortKey, order]) => {
      order.splice(this.positionOf(sortKey, order, index), 1);
      return [sortKey, order] as const;
    });
    this.overrides.set(index, record);
    this.setKeys(index, keysOfRecord(record));
    for (const [sortKey, order] of built) order.splice(this.insertPosition(sortKey, order, index), 0, index);
    this.customerTotals = null;
    return record;
  }

  private requireIndex(id: string | number): number {
    const index = this.indexOf(id);
    if (index < 0) throw new RangeError(`no order ${id} in the sandbox store`);
    return index;
  }

  private cursorOrThrow(cursor: string): CursorPosition {
    const position = decodeCursor(cursor);
    if (!position) throw new InvalidCursorError(cursor);
    return position;
  }

  private anyMatchBackward(start: number, matches: (p: number) => boolean): boolean {
    for (let p = start - 1; p >= 0; p--) if (matches(p)) return true;
    return false;
  }

  private keysAt(index: number): OrderKeys {
    const flags = this.flags[index];
    return {
      legacyId: this.legacyIds[index],
      createdAt: this.createdAt[index],
      updatedAt: this.updatedAt[index],
      processedAt: this.processedAt[index],
      cancelled: (flags & CANCELLED) !== 0,
      closed: (flags & CLOSED) !== 0,
      test: (flags & TEST) !== 0,
    };
  }

  private pushKeys(keys: SourceKeys): void {
    this.legacyIds.push(keys.legacyId);
    this.createdAt.push(keys.createdAt);
    this.updatedAt.push(keys.updatedAt);
    this.processedAt.push(keys.processedAt);
    this.flags.push(flagsOf(keys));
    this.customerIds.push(keys.customerId);
    this.netMinor.push(keys.netMinor);
  }

  private setKeys(index: number, keys: SourceKeys): void {
    this.legacyIds[index] = keys.legacyId;
    this.createdAt[index] = keys.createdAt;
    this.updatedAt[index] = keys.updatedAt;
    this.processedAt[index] = keys.processedAt;
    this.flags[index] = flagsOf(keys);
    this.customerIds[index] = keys.customerId;
    this.netMinor[index] = keys.netMinor;
  }

  private values(sortKey: OrderSortKey): number[] {
    switch (sortKey) {
      case 'UPDATED_AT': return this.updatedAt;
      case 'CREATED_AT': return this.createdAt;
      case 'PROCESSED_AT': return this.processedAt;
      case 'ID': return this.legacyIds;
    }
  }

  private sortedIndex(sortKey: OrderSortKey): number[] {
    let order = this.sorted.get(sortKey);
    if (!order) {
      const values = this.values(sortKey);
      order = Array.from({ length: this.size }, (_, i) => i);
      if (sortKey !== 'ID') order.sort((a, b) => values[a] - values[b] || this.legacyIds[a] - this.legacyIds[b]);
      this.sorted.set(sortKey, order);
    }
    return order;
  }

  /** First position in `order` whose (value, id) is not below the index's own; the index is compared by its current keys. */
  private insertPosition(sortKey: OrderSortKey, order: number[], index: number): number {
    const values = this.values(sortKey);
    const value = values[index];
    const id = this.legacyIds[index];
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = order[mid];
      if ((values[other] - value || this.legacyIds[other] - id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private positionOf(sortKey: OrderSortKey, order: number[], index: number): number {
    const position = this.insertPosition(sortKey, order, index);
    if (order[position] !== index) throw new Error(`sandbox index for ${sortKey} is out of step`);
    return position;
  }
}

export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`Invalid cursor for current pagination sort: ${cursor}`);
  }
}
