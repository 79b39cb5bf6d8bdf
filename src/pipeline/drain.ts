import type { SinkRecord } from '../model/klaviyo';
import type { Rejection } from '../state/rejects';
import type { PipelineContext } from './context';

/** What the drain needs from a sink: deliver a batch, and report per-record permanent failures by index. */
export interface RecordSink {
  deliver(records: readonly SinkRecord[]): Promise<{ rejected: ReadonlyArray<{ index: number; reason: string }> }>;
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
  for (;;) {
    if (signal?.aborted) break;
    const batches = await context.outbox.peek(DRAIN_CHUNK);
    if (batches.length === 0) break;
    const records = batches.flatMap((batch) => batch.items);
    const report = await sink.deliver(records);
    const rejectedIndexes = new Set(report.rejected.map((r) => r.index));
    const now = context.clock.now().toISOString();
    const rejections: Rejection[] = report.rejected.map(({ index, reason }) => ({ at: now, source: 'klaviyo', recordId: describe(records[index]), reason }));
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
  context.metrics.profilesPushed.inc(profiles);
  return { profiles, events, rejected };
}

function describe(record: SinkRecord | undefined): string {
  if (!record) return 'unknown';
  const who = record.identity.email ?? record.identity.phoneNumber ?? record.identity.externalId ?? 'no identifier';
  return record.kind === 'event' ? `${record.metric} ${record.uniqueId} (${who})` : `profile ${who}`;
}
