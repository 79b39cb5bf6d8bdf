import { liveSince, type PipelineContext } from '../pipeline/context';
import { commitUnit } from '../pipeline/commit';
import { processOrderPage } from '../pipeline/order-sync';
import { reassessAllCustomers, refitChurnModelIfDue } from '../pipeline/reassess';
import { followReturnParcels } from '../pipeline/returns';
import { shipmentsForOrders } from '../pipeline/shipment-jobs';
import { planShipments } from '../pipeline/shipment-sync';
import type { OrderSource } from '../sources/order-source';
import type { TrackingSource } from '../sources/tracking-source';
import { orderCursorKey } from '../state/keys';
import { BackfillFlag, CursorRepository } from '../state/repositories';

export interface OrdersPolled {
  readonly orders: number;
  readonly rejected: number;
  readonly customers: number;
  readonly queued: number;
  readonly bulkExportSeconds: number;
}

/**
 * Reads every order changed since the cursor into the outbox, page by page. The source is read (and its parcels'
 * trackers looked up) outside the writer lease; only each page's read-compute-commit holds it, so a store outage
 * retried inside the source never blocks trackers, webhooks, reviews or delivery.
 */
export async function pollOrders(context: PipelineContext, source: OrderSource, tracking: TrackingSource | null, signal: AbortSignal): Promise<OrdersPolled> {
  // One cursor per source name, so a second store type never reads another's.
  const cursorKey = orderCursorKey(source.name);
  const cursor = await new CursorRepository<unknown>(context.store, source.name).get();
  const flag = new BackfillFlag(context.store);
  const totals = { orders: 0, rejected: 0, customers: 0, queued: 0, bulkExportSeconds: 0 };
  // The first backfill only builds aggregates; everyone is assessed once the whole history is in. The flag
  // survives a crash mid-backfill, so the resumed run finishes the job the same way.
  let backfilling = await flag.pending();
  if (cursor === null && !backfilling) {
    backfilling = true;
    await flag.set(true);
  }
  for await (const page of source.read(cursor, {
    signal,
    resumeBackfill: backfilling,
    liveSince: liveSince(context),
    onBulkReady: (waitedMs) => {
      totals.bulkExportSeconds += waitedMs / 1000;
      context.metrics.shopifyBulkExport.observe(waitedMs / 1000);
    },
  })) {
    const inputs = await shipmentsForOrders(context, page.orders, tracking);
    const returnParcels = await followReturnParcels(context, page.orders, tracking);
    const outcome = await processOrderPage(
      context,
      {
        source: source.name,
        orders: page.orders,
        rejections: page.rejections,
        cursor: page.cursor === null ? null : { key: cursorKey, value: page.cursor, notBehind: (a, b) => source.notBehind(a, b) },
        returnParcels,
      },
      backfilling ? 'aggregate-only' : 'announce',
      async (_orders, customers, returnsChanged) => planShipments(context, inputs, customers, { emails: returnsChanged, customers }),
    );
    totals.orders += outcome.orders;
    totals.rejected += outcome.rejected;
    totals.customers += outcome.customers;
    totals.queued += outcome.records;
  }
  // Every lesson the poll journalled folded into the statistics rows, for readers of the rows (the tracking page).
  if (!signal.aborted) {
    await context.writer(async () => {
      const folded = await context.productStats.fold();
      if (folded !== null) await commitUnit(context, { state: folded });
    });
  }
  const refitted = !signal.aborted && (await refitChurnModelIfDue(context));
  if ((backfilling || refitted) && !signal.aborted) {
    const reassessed = await reassessAllCustomers(context, backfilling ? 'backfill' : 'refit');
    totals.queued += reassessed.records;
    await flag.set(false);
  }
  return totals;
}
