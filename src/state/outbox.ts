import type { MetricEvent, SinkRecord } from '../model/records';
import { DurableLog, type LogBatch } from './durable-log';
import { LOGS } from './keys';
import type { CommitAppend, StateStore } from './port';

/**
 * Records waiting for Klaviyo. Sources append here before their cursors move; the sink acknowledges a batch only
 * after Klaviyo accepted or permanently rejected every record in it. At-least-once on both sides, and every record
 * is idempotent (absolute profile values, deterministic event unique ids), so replays are harmless.
 *
 * Events and profile patches wait in separate lanes: they go to different Klaviyo endpoints under separate rate
 * limits, so each is delivered at its own pace and profile imports never queue behind events held back by the
 * events endpoint's per-minute limit. (The events lane keeps the log's original name, so an outbox written before
 * the split, holding both kinds, is delivered from there as it stands.)
 */
type StoredEvent = Omit<MetricEvent, 'time'> & { readonly time: string };
type StoredRecord = Exclude<SinkRecord, MetricEvent> | StoredEvent;

export const OUTBOX_LANES = ['events', 'profiles'] as const;
export type OutboxLane = (typeof OUTBOX_LANES)[number];

export class Outbox {
  private readonly logs: Readonly<Record<OutboxLane, DurableLog<StoredRecord>>>;
  private appendWaiters: Array<() => void> = [];

  constructor(private readonly store: StateStore) {
    this.logs = { events: new DurableLog<StoredRecord>(store, LOGS.outboxEvents), profiles: new DurableLog<StoredRecord>(store, LOGS.outboxProfiles) };
  }

  /** The appends of these records (one per lane that gets any), for a caller that commits them with other state. */
  appendsFor(records: readonly SinkRecord[]): CommitAppend[] {
    const events: StoredRecord[] = [];
    const profiles: StoredRecord[] = [];
    for (const record of records) {
      if (record.kind === 'event') events.push({ ...record, time: record.time.toISOString() });
      else profiles.push(record);
    }
    const appends: CommitAppend[] = [];
    if (events.length > 0) appends.push(this.logs.events.appendsFor(events));
    if (profiles.length > 0) appends.push(this.logs.profiles.appendsFor(profiles));
    return appends;
  }

  /** Durable in both lanes at once (one commit) when it resolves. */
  async append(records: readonly SinkRecord[]): Promise<void> {
    const appends = this.appendsFor(records);
    if (appends.length > 0) await this.store.commit({ appends });
    this.appended();
  }

  /** Wakes `nextAppend` waiters; a caller that committed `appendsFor(...)` itself calls it after the commit. */
  appended(): void {
    const waiters = this.appendWaiters;
    this.appendWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once the next append (by this process) is durable in both lanes. */
  nextAppend(): Promise<void> {
    return new Promise((resolve) => this.appendWaiters.push(resolve));
  }

  /** From the lane's oldest unacknowledged batch, or from `fromSeq` to read ahead of what is being delivered. */
  async peek(lane: OutboxLane, maxRecords: number, fromSeq?: number): Promise<Array<LogBatch<SinkRecord>>> {
    const batches = await this.logs[lane].peek(maxRecords, fromSeq);
    return batches.map((batch) => ({ seq: batch.seq, items: batch.items.map(fromStored) }));
  }

  /** Every record waiting, both lanes, in memory at once: for a dry run, not for delivery. */
  async waiting(): Promise<SinkRecord[]> {
    const lanes = await Promise.all(OUTBOX_LANES.map((lane) => this.peek(lane, Number.MAX_SAFE_INTEGER)));
    return lanes.flat().flatMap((batch) => batch.items);
  }

  ack(lane: OutboxLane, seq: number): Promise<void> {
    return this.logs[lane].ack(seq);
  }

  async depth(): Promise<{ batches: number }> {
    const depths = await Promise.all(OUTBOX_LANES.map((lane) => this.logs[lane].depth()));
    return { batches: depths.reduce((sum, depth) => sum + depth.batches, 0) };
  }

  /** Drops what each lane read ahead (head and tail are re-read on every peek anyway). */
  async refresh(): Promise<void> {
    await Promise.all(OUTBOX_LANES.map((lane) => this.logs[lane].refresh()));
  }
}

function fromStored(record: StoredRecord): SinkRecord {
  return record.kind === 'event' ? { ...record, time: new Date(record.time) } : record;
}
