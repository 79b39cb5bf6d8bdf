import type { SinkRecord } from '../model/klaviyo';
import type { Rejection } from '../state/rejects';
import type { PipelineContext } from './context';

type IndexedRejection = { readonly index: number; readonly reason: string };

/**
 * What the drain needs from a sink: deliver a batch and report per-record permanent failures by index; bulk jobs
 * that Klaviyo processes later are settled afterwards, their failures naming the delivery they belong to.
 */
export interface RecordSink {
  deliver(records: readonly SinkRecord[]): Promise<{ delivery: number; rejected: readonly IndexedRejection[]; jobs: readonly string[] }>;
  settleJobs(): Promise<{ rejected: ReadonlyArray<IndexedRejection & { delivery: number }> }>;
}

export interface DrainOutcome {
  readonly profiles: number;
  readonly events: number;
  readonly rejected: number;
}

/** Records per delivery: ten bulk event requests' worth, so bulk requests go out full. */
const DRAIN_CHUNK = 10_000;

/**
 * Moves the outbox into the sink until it is empty. A batch is acknowledged only once the sink has accepted or
 * permanently rejected every record in it; a retryable failure (an outage) propagates with the batch still queued.
 */
export async function drainOutbox(context: PipelineContext, sink: RecordSink, signal?: AbortSignal): Promise<DrainOutcome> {
  let profiles = 0;
  let events = 0;
  let rejected = 0;
  const awaitingJobs = new Map<number, readonly SinkRecord[]>();
  let ahead = context.outbox.peek(DRAIN_CHUNK);
  for (;;) {
    if (signal?.aborted) break;
    const batches = await ahead;
    if (batches.length === 0) break;
    // The next chunk is read while this one is on the wire, so reading the outbox stays off the Klaviyo-bound path.
    // Deliveries themselves stay one at a time: a later patch of the same profile must not overtake an earlier one.
    ahead = context.outbox.peek(DRAIN_CHUNK, batches[batches.length - 1].seq + 1);
    ahead.catch(() => undefined);
    const records = batches.flatMap((batch) => batch.items);
    const report = await sink.deliver(records);
    const rejectedIndexes = new Set(report.rejected.map((r) => r.index));
    const now = context.clock.now().toISOString();
    if (report.jobs.length > 0) awaitingJobs.set(report.delivery, records);
    const rejections = toRejections(report.rejected, () => records, now);
    if (rejections.length > 0) await context.rejects.add(rejections);
    await context.outbox.ack(batches[batches.length - 1].seq);
    records.forEach((record, index) => {
      if (rejectedIndexes.has(index)) return;
      if (record.kind === 'profile') profiles += 1;
      else {
        events += 1;
        context.metrics.eventsPushed.inc({ metric: record.metric });
      }
    });
    rejected += rejections.length;
    context.metrics.outboxDepth.set((await context.outbox.depth()).batches);
  }
  if (awaitingJobs.size > 0) {
    const settled = await sink.settleJobs();
    const late = toRejections(settled.rejected, (r) => awaitingJobs.get(r.delivery) ?? [], context.clock.now().toISOString());
    if (late.length > 0) await context.rejects.add(late);
    profiles -= late.length;
    rejected += late.length;
  }
  context.metrics.profilesPushed.inc(profiles);
  return { profiles, events, rejected };
}

function toRejections<R extends IndexedRejection>(rejected: readonly R[], recordsOf: (rejection: R) => readonly SinkRecord[], at: string): Rejection[] {
  return rejected.map((rejection) => ({ at, source: 'klaviyo', recordId: describe(recordsOf(rejection)[rejection.index]), reason: rejection.reason }));
}

function describe(record: SinkRecord | undefined): string {
  if (!record) return 'unknown';
  const who = record.identity.email ?? record.identity.phoneNumber ?? record.identity.externalId ?? 'no identifier';
  return record.kind === 'event' ? `${record.metric} ${record.uniqueId} (${who})` : `profile ${who}`;
}
