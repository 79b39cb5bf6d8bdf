import type { CustomerAggregate } from '../model/customer';
import type { SinkRecord } from '../model/records';
import type { Order } from '../model/order';
import { applyOrder } from '../enrichment/lifecycle/aggregate';
import { applyOrderReturns } from '../enrichment/returns/apply';
import type { ReturnChange } from '../enrichment/returns/ledger';
import { evaluateLifecycle } from '../enrichment/lifecycle/evaluate';
import { updateStoreStats } from '../enrichment/lifecycle/store-stats';
import { learnOrder, type Lesson } from '../enrichment/products/learn';
import { productKeyOf } from '../enrichment/products/lines';
import { NO_PRODUCT_SIGNALS } from '../enrichment/products/types';
import { orderEvents } from '../mapping/order-events';
import { customerEntry } from '../state/customers';
import type { StoredRejection } from '../state/rejects';
import { RecordRejection } from '../util/errors';
import { announce } from './announce';
import { commitUnit, type CursorMove } from './commit';
import { liveSince, type PipelineContext } from './context';
import { returnOrderEntry } from '../state/return-parcels';
import { NO_RETURN_PARCELS, returnRecords, type ReturnParcelsRead } from './returns';
import { heldAmongDue, readProductBook, signalsFor } from './product-signals';

/**
 * More work on the same page (shipments), given the customers as just assessed; it joins the page's commit, so a
 * crash replays both together. It runs under the writer lease: state reads and pure work only, no network.
 */
export type PageAttachment = (
  orders: readonly Order[],
  customers: ReadonlyMap<string, CustomerAggregate>,
  /** Customers whose returns or refunds changed on this page: their holds and trust must be re-derived. */
  returnsChanged: readonly string[],
) => Promise<{
  readonly records: readonly SinkRecord[];
  readonly entries: ReadonlyArray<readonly [string, unknown]>;
  readonly checks: ReadonlyArray<{ readonly key: string; readonly at: Date }>;
  readonly reviews?: ReadonlyArray<{ readonly key: string; readonly at: Date }>;
}>;

export interface OrderPageInput {
  /** The store's name (`shopify`, `woocommerce`): the rejects' and metrics' source. */
  readonly source: string;
  readonly orders: readonly Order[];
  readonly rejections: ReadonlyArray<{ recordId: string; reason: string }>;
  readonly cursor: CursorMove | null;
  /** Return parcels on this page as the tracking source reported them before the lease (pipeline/returns.ts). */
  readonly returnParcels?: ReturnParcelsRead;
}

export interface OrderPageOutcome {
  readonly orders: number;
  readonly customers: number;
  readonly records: number;
  readonly rejected: number;
}

/**
 * Applies one page of orders. In `aggregate-only` mode (the first backfill) customers and store statistics are
 * built but nothing is announced: segments depend on store-wide statistics, so they are assessed once the whole
 * history is in (see reassess.ts) rather than against a half-read store.
 *
 * Otherwise: customers are updated and re-assessed, and the page is one commit unit (records, reviews, customers,
 * statistics, cursor). A crash anywhere replays the page: aggregates are keyed by order id and event ids are
 * deterministic, so nothing doubles. The whole read-compute-commit holds the writer lease.
 */
export function processOrderPage(
  context: PipelineContext,
  page: OrderPageInput,
  mode: 'announce' | 'aggregate-only' = 'announce',
  attach?: PageAttachment,
): Promise<OrderPageOutcome> {
  return context.writer(() => applyOrderPage(context, page, mode, attach));
}

async function applyOrderPage(context: PipelineContext, page: OrderPageInput, mode: 'announce' | 'aggregate-only', attach?: PageAttachment): Promise<OrderPageOutcome> {
  const { orders, rejections: sourceRejections, source } = page;
  const now = context.clock.now();
  const { settings } = context;
  const keys = orders.map((order) => order.email).filter((email): email is string => email !== null);
  const [stored, statsBefore] = await Promise.all([
    context.customers.getMany(keys),
    context.stats.get(),
  ]);

  // The products and categories of the page and of its customers' recent history, read once (product-signals.ts).
  const book = await readProductBook(context, stored.values(), orders, mode === 'announce' ? 'signals' : 'learning');
  const rejections: StoredRejection[] = sourceRejections.map((r) => ({ at: now.toISOString(), source, recordId: r.recordId, reason: r.reason }));
  const records: SinkRecord[] = [];
  const working = new Map(stored);
  const changedAt = new Map<string, Date>();
  let stats = statsBefore;
  const since = liveSince(context);
  const parcels = page.returnParcels ?? NO_RETURN_PARCELS;
  const returnChanges = new Map<string, ReturnChange[]>();
  const returnOrders: Array<readonly [string, unknown]> = [];
  const lessons: Lesson[] = [];

  for (const order of orders) {
    const before = working.get(order.email ?? '') ?? null;
    try {
      const placed = applyOrder(before, order, settings.products.enabled);
      if (!placed) {
        rejections.push({ at: now.toISOString(), source: order.source, recordId: order.id, reason: 'order has no usable email' });
        continue;
      }
      const returned = applyOrderReturns(placed, order, parcels.reports);
      const after = returned.customer;
      if (returned.changes.length > 0 || after.returns !== placed.returns) {
        returnChanges.set(after.key, [...(returnChanges.get(after.key) ?? []), ...returned.changes]);
        returnOrders.push(returnOrderEntry(order.id, after.key));
      }
      if (after === before) continue;
      const previous = before?.orders.find((o) => o.orderId === order.id) ?? null;
      const history = order.createdAt < since;
      if (!(history && settings.backfill === 'skip')) records.push(...orderEvents(order, previous, settings.mapping, history));
      stats = updateStoreStats(stats, before, after);
      // Learnt once per (customer, order): an order already in the customer's history is an update, not a purchase.
      const contribution = previous === null ? after.orders.find((o) => o.orderId === order.id) : undefined;
      const lesson = contribution && settings.products.enabled ? learnOrder(book, before?.orders ?? [], contribution, titlesOf(order), settings.products) : null;
      if (lesson !== null) lessons.push(lesson);
      working.set(after.key, after);
      const at = new Date(Math.max(order.updatedAt.getTime(), changedAt.get(after.key)?.getTime() ?? 0));
      changedAt.set(after.key, at);
    } catch (error) {
      if (!(error instanceof RecordRejection)) throw error;
      rejections.push({ at: now.toISOString(), source: error.source, recordId: error.recordId, reason: error.message });
    }
  }

  const saved: CustomerAggregate[] = [];
  const reviews: Array<{ key: string; at: Date }> = [];
  const assessed = mode === 'announce' ? [...changedAt.keys()].map((key) => working.get(key) as CustomerAggregate) : [];
  const signals = await signalsFor(context.productStats, book, assessed, now, settings.products);
  const held = await heldAmongDue(context, assessed, signals, now);
  for (const [key, at] of changedAt) {
    const customer = working.get(key) as CustomerAggregate;
    if (mode === 'aggregate-only') {
      saved.push(customer);
      continue;
    }
    const lifecycle = evaluateLifecycle(customer, stats, now, settings.lifecycle);
    const announcement = announce(customer, lifecycle, at, 'order', { mapping: settings.mapping, liveSince: since, backfill: settings.backfill }, {
      signals: signals.get(key) ?? NO_PRODUCT_SIGNALS, now, held: held.has(customer.email),
    });
    records.push(...announcement.records);
    saved.push(announcement.customer);
    reviews.push(...announcement.reviewAt.map((reviewAt) => ({ key, at: reviewAt })));
  }
  // Return events after the assessment, so each carries the customer's segment at that moment.
  const assessedByKey = new Map([...working, ...saved.map((c) => [c.key, c] as const)]);
  for (const [key, changes] of returnChanges) {
    const customer = assessedByKey.get(key);
    if (customer) records.push(...returnRecords(context, customer, changes, customer.segment));
  }

  const attached = attach ? await attach(orders, assessedByKey, [...returnChanges.keys()]) : null;
  if (attached) records.push(...attached.records);
  const productWrites = settings.products.enabled ? await context.productStats.stage(book, lessons) : {};
  await commitUnit(context, {
    records,
    newCustomers: [...changedAt.keys()].filter((key) => !stored.has(key)),
    reviews: [...reviews, ...(attached?.reviews ?? [])],
    shipmentChecks: attached?.checks ?? [],
    entries: [...saved.map(customerEntry), ...(attached?.entries ?? []), ...parcels.entries, ...returnOrders, context.stats.entry(stats)],
    state: productWrites,
    rejects: rejections,
    cursor: page.cursor,
  });

  context.metrics.recordsRead.inc({ source }, orders.length + sourceRejections.length);
  if (rejections.length > 0) context.metrics.recordsRejected.inc({ source }, rejections.length);
  return { orders: orders.length, customers: saved.length, records: records.length, rejected: rejections.length };
}

/** Product titles as this order names them (the line's name), for the statistics' `title`. */
function titlesOf(order: Order): Map<string, string> {
  const titles = new Map<string, string>();
  for (const line of order.lineItems) {
    const id = productKeyOf(line);
    if (id !== null && !titles.has(id)) titles.set(id, line.name);
  }
  return titles;
}
