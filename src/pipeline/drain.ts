import type { SinkRecord } from '../model/records';
import type { StoredRejection } from '../state/rejects';
import type { LogBatch } from '../state/durable-log';
import { OUTBOX_LANES, type OutboxLane } from '../state/outbox';
import type { DeliveryResult, Destination } from '../sinks/destination';
import type { PipelineContext } from './context';
import { chunkFill, chunkSizes, partitionPatches, type FieldsInFlight } from './drain-chunks';

/** What the drain needs of a destination: deliver, settle asynchronous jobs (closing is the composition root's). */
export type RecordSink = Pick<Destination, 'deliver' | 'settleJobs' | 'pendingJobs'> & Partial<Pick<Destination, 'requestSizes'>>;

export interface DrainOutcome {
  readonly profiles: number;
  readonly events: number;
  readonly rejected: number;
}

/**
 * Chunks on the wire at once, per lane. Enough that each endpoint always has full requests waiting for its pacer
 * while earlier chunks' answers are outstanding; few enough that memory stays a handful of chunks whatever the
 * outbox holds.
 */
const CHUNKS_IN_FLIGHT = 4;

/**
 * A job still appending to the outbox while the drain runs (a backfill): the drain keeps its chunks full by waiting
 * for more records instead of sending part-empty requests, and ends only once the job is done and the outbox empty.
 */
export interface Producer {
  readonly done: boolean;
  /** Resolves at the next append or when the job ends, whichever comes first. */
  progress(): Promise<void>;
}

/** Records delivered together, and the destination's report on them (null when there were none). */
interface Part {
  readonly records: readonly SinkRecord[];
  readonly report: DeliveryResult | null;
}

/** One outbox chunk: its events, and its profile patches in up to two deliveries (free, and held for earlier ones). */
interface Chunk {
  readonly lane: OutboxLane;
  readonly lastSeq: number;
  readonly delivered: Promise<Part[]>;
}

/**
 * Moves the outbox into the sink until it is empty, each lane (events, profiles) at its own pace. A batch is
 * acknowledged only once the sink has accepted or permanently rejected every record in it, and only after every
 * earlier batch of its lane; a retryable failure (an outage) stops both lanes and propagates with the batch still
 * queued.
 *
 * Several chunks are delivered at once so the Klaviyo endpoints stay busy at their limits: events in any order
 * (Klaviyo keys them by unique id); a profile's patches only once every earlier delivery in flight that writes one
 * of the same fields of that profile is applied, so a later value of a field never overtakes an earlier one, and once
 * those fail the later ones are not sent. Only those profiles wait: the rest of the chunk goes at once. Bulk import
 * jobs are settled in the background as they are accepted, off the delivery path.
 */
export async function drainOutbox(context: PipelineContext, sink: RecordSink, signal?: AbortSignal, producer?: Producer): Promise<DrainOutcome> {
  let profiles = 0;
  let events = 0;
  let rejected = 0;
  /** Per delivery with bulk jobs still running: what each record was, in words, for the failures the jobs report. */
  const awaitingJobs = new Map<number, { described: readonly string[]; jobs: readonly string[] }>();
  /** Fields patched by deliveries not yet applied (`patchedFields`): a later patch of one of them waits for them. */
  let patchesInFlight: Array<FieldsInFlight<Promise<unknown>>> = [];
  let settling: Promise<void> = Promise.resolve();
  /** Deliveries whose import jobs are still running, woken after each settle pass once none of their jobs is pending. */
  let jobWaiters: Array<{ readonly jobs: readonly string[]; readonly resolve: () => void }> = [];
  const wakeSettled = (): void => {
    const pending = new Set(sink.pendingJobs());
    const [done, waiting] = [jobWaiters.filter((w) => !w.jobs.some((job) => pending.has(job))), jobWaiters.filter((w) => w.jobs.some((job) => pending.has(job)))];
    jobWaiters = waiting;
    for (const waiter of done) waiter.resolve();
  };

  /** Delivers once `after` resolves; asynchronous jobs are registered for settling as soon as they are accepted. */
  const deliverPart = async (records: readonly SinkRecord[], after: Promise<unknown> = Promise.resolve()): Promise<Part> => {
    if (records.length === 0) return { records, report: null };
    await after;
    const report = await sink.deliver(records);
    if (report.jobs.length > 0) {
      awaitingJobs.set(report.delivery, { described: records.map(describe), jobs: report.jobs });
      settling = settling.then(settleLate);
    }
    return { records, report };
  };

  /**
   * Profile patches, delivered once `waitFor` is applied, and registered as in flight until they are applied
   * themselves (their jobs settled), not only accepted: the destination may apply two accepted import jobs in either
   * order. They are woken by the first settle pass that finds their jobs done; the chain of passes still bounds the
   * wait, so an abort or a failed pass never leaves it hanging.
   */
  const deliverPatches = (records: readonly SinkRecord[], fields: ReadonlyMap<string, readonly string[]>, waitFor: ReadonlyArray<FieldsInFlight<Promise<unknown>>>): Promise<Part> => {
    const part = deliverPart(records, Promise.all(waitFor.map((earlier) => earlier.applied)));
    part.catch(() => undefined);
    if (records.length === 0) return part;
    const applied = part.then(({ report }) => {
      if (!report || report.jobs.length === 0) return undefined;
      const own = new Promise<void>((resolve) => jobWaiters.push({ jobs: report.jobs, resolve }));
      return Promise.race([settling, own]);
    });
    const entry = { fields, applied: applied as Promise<unknown> };
    patchesInFlight.push(entry);
    const forget = () => {
      patchesInFlight = patchesInFlight.filter((patches) => patches !== entry);
    };
    applied.then(forget, forget);
    return part;
  };

  const startChunk = (lane: OutboxLane, batches: ReadonlyArray<LogBatch<SinkRecord>>): Chunk => {
    const chunkEvents: SinkRecord[] = [];
    const chunkProfiles: SinkRecord[] = [];
    for (const batch of batches) for (const record of batch.items) (record.kind === 'profile' ? chunkProfiles : chunkEvents).push(record);
    // By field, not by profile: a backfill's parcel patches and its later lifecycle patches of the same customers
    // write different properties and may be applied in either order; only a shared field must wait (for a whole
    // import job's processing time, seconds), and only the profiles that share one.
    const split = partitionPatches(chunkProfiles, patchesInFlight);
    const parts = [
      deliverPart(chunkEvents),
      deliverPatches(split.free, split.freeFields, []),
      deliverPatches(split.held, split.heldFields, split.waitFor),
    ];
    const delivered = Promise.all(parts);
    delivered.catch(() => undefined);
    return { lane, lastSeq: batches[batches.length - 1].seq, delivered };
  };

  const settleLate = async (): Promise<void> => {
    const settled = await sink.settleJobs();
    const at = context.clock.now().toISOString();
    const late = settled.rejected.map((r) => rejection(at, awaitingJobs.get(r.delivery)?.described[r.index] ?? 'unknown', r.reason));
    if (late.length > 0) await context.rejects.add(late);
    profiles -= late.length;
    rejected += late.length;
    const pending = new Set(sink.pendingJobs());
    for (const [delivery, awaiting] of awaitingJobs) {
      if (!awaiting.jobs.some((job) => pending.has(job))) awaitingJobs.delete(delivery);
    }
    wakeSettled();
  };

  const complete = async (chunk: Chunk): Promise<void> => {
    const parts = await chunk.delivered;
    const now = context.clock.now().toISOString();
    const rejections: StoredRejection[] = [];
    for (const { report, records } of parts) {
      if (report === null) continue;
      rejections.push(...report.rejected.map((r) => rejection(now, describe(records[r.index]), r.reason)));
      const rejectedIndexes = new Set(report.rejected.map((r) => r.index));
      // Counted per metric first: one labelled counter update per metric and chunk, not per event.
      const perMetric = new Map<string, number>();
      records.forEach((record, index) => {
        if (rejectedIndexes.has(index)) return;
        if (record.kind === 'profile') profiles += 1;
        else perMetric.set(record.metric, (perMetric.get(record.metric) ?? 0) + 1);
      });
      for (const [metric, count] of perMetric) {
        events += count;
        context.metrics.eventsPushed.inc({ metric }, count);
      }
    }
    if (rejections.length > 0) await context.rejects.add(rejections);
    await context.outbox.ack(chunk.lane, chunk.lastSeq);
    rejected += rejections.length;
    context.metrics.outboxDepth.set((await context.outbox.depth()).batches);
  };

  let failed = false;
  const drainLane = async (lane: OutboxLane): Promise<void> => {
    const inFlight: Chunk[] = [];
    let started = 0;
    /** The oldest chunk is being acknowledged: it leaves `inFlight` only once that is done. */
    let completing = false;
    const completeOldest = async (): Promise<void> => {
      completing = true;
      await complete(inFlight[0]);
      inFlight.shift();
      completing = false;
    };
    try {
      const sizes = chunkSizes(sink.requestSizes);
      let ahead = context.outbox.peek(lane, sizes.chunk);
      /** Batches read but left for the next chunk (they would have overflowed this one's import). */
      let rest: Array<LogBatch<SinkRecord>> = [];
      const more = (batches: ReadonlyArray<LogBatch<SinkRecord>>) => Math.max(sizes.chunk - itemsIn(batches), sizes.first);
      for (;;) {
        if (signal?.aborted || failed) break;
        let batches = [...rest, ...(await ahead)];
        const wanted = started === 0 ? sizes.first : sizes.chunk;
        let fill = chunkFill(batches, wanted, sizes.maxProfiles);
        while (producer && !signal?.aborted && !failed && !fill.full) {
          // The read ahead may predate the producer's last appends: once it is done, one more look takes them all.
          const finished = producer.done;
          if (!finished) await producer.progress();
          const from = batches.length > 0 ? batches[batches.length - 1].seq + 1 : inFlight.length > 0 ? inFlight[inFlight.length - 1].lastSeq + 1 : undefined;
          batches = [...batches, ...(await context.outbox.peek(lane, more(batches), from))];
          fill = chunkFill(batches, wanted, sizes.maxProfiles);
          if (finished) break;
        }
        if (batches.length === 0 || failed) break;
        const chunk = startChunk(lane, batches.slice(0, fill.take));
        rest = batches.slice(fill.take);
        started += 1;
        inFlight.push(chunk);
        ahead = context.outbox.peek(lane, more(rest), (rest.length > 0 ? rest[rest.length - 1].seq : chunk.lastSeq) + 1);
        ahead.catch(() => undefined);
        while (inFlight.length >= CHUNKS_IN_FLIGHT) await completeOldest();
      }
      while (inFlight.length > 0) await completeOldest();
    } catch (error) {
      failed = true;
      // Later chunks may still be on the wire: let them end before the caller retries (their records stay queued).
      const ended = await Promise.allSettled(inFlight.map((chunk) => chunk.delivered));
      // The outbox is acknowledged up to a sequence number, so only an unbroken run of the oldest chunks may be. When
      // the oldest failed (its delivery or its acknowledgement), nothing after it is: acknowledging a later chunk
      // would delete the failed one's batches. Otherwise (a read failed), the delivered run is not sent again.
      for (let i = 0; !completing && i < inFlight.length && ended[i].status === 'fulfilled'; i += 1) {
        try {
          await complete(inFlight[i]);
        } catch {
          break; // the state store failed: the retry sends them again, as before
        }
      }
      throw error;
    }
  };

  const lanes = await Promise.allSettled(OUTBOX_LANES.map(drainLane));
  const failure = lanes.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
  if (failure) {
    await settling.catch(() => undefined);
    throw failure.reason;
  }
  await settling;
  if (awaitingJobs.size > 0) await settleLate();
  context.metrics.profilesPushed.inc(profiles);
  return { profiles, events, rejected };
}

const itemsIn = (batches: ReadonlyArray<LogBatch<SinkRecord>>) => batches.reduce((sum, batch) => sum + batch.items.length, 0);

const rejection = (at: string, recordId: string, reason: string): StoredRejection => ({ at, source: 'klaviyo', recordId, reason });

function describe(record: SinkRecord | undefined): string {
  if (!record) return 'unknown';
  const who = record.identity.email ?? record.identity.phoneNumber ?? record.identity.externalId ?? 'no identifier';
  return record.kind === 'event' ? `${record.metric} ${record.uniqueId} (${who})` : `profile ${who}`;
}
