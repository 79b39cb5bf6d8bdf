import type { MetricEvent, SinkRecord } from '../model/records';
import { DurableLog, type LogBatch } from './durable-log';
import { LOGS, logHeadKey, logMarksKey, logTailKey } from './keys';
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

const LANE_LOGS: Readonly<Record<OutboxLane, string>> = { events: LOGS.outboxEvents, profiles: LOGS.outboxProfiles };

/** Batches from `seq` on were appended at or after `at` (ISO). */
export interface AppendMark {
  readonly seq: number;
  readonly at: string;
}

/** A new mark is written at most this often per lane, so a long backfill keeps a handful, not one per page. */
const MARK_EVERY_MS = 60_000;

/** The marks still needed once the head is at `head` (the last at or before it, and all after), plus `next`. */
export function nextMarks(marks: readonly AppendMark[], head: number, next: AppendMark | null): AppendMark[] {
  const lastCovering = marks.reduce((found, mark, i) => (mark.seq <= head ? i : found), -1);
  const kept = marks.slice(Math.max(0, lastCovering));
  const last = kept[kept.length - 1];
  if (next && (!last || Date.parse(next.at) - Date.parse(last.at) >= MARK_EVERY_MS)) kept.push(next);
  return kept;
}

/** When the oldest batch waiting (at `head`) was appended, at the latest: the last mark at or before it. */
export function oldestWaitingSince(marks: readonly AppendMark[], head: number): string | null {
  return marks.filter((mark) => mark.seq <= head).at(-1)?.at ?? null;
}

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

  /**
   * The append marks of the lanes these records go to, for the same commit. Read under the writer lease, the tail
   * is the sequence number the commit's batch will take (an append outside the lease makes the mark earlier, never
   * later, so an age read from it is never too young).
   */
  async marksFor(records: readonly SinkRecord[], now: Date): Promise<Array<readonly [string, AppendMark[]]>> {
    const lanes = OUTBOX_LANES.filter((lane) => records.some((r) => (lane === 'events') === (r.kind === 'event')));
    return Promise.all(lanes.map(async (lane) => {
      const log = LANE_LOGS[lane];
      const [head, tail, marks] = await this.store.getMany<unknown>([logHeadKey(log), logTailKey(log), logMarksKey(log)]);
      return [logMarksKey(log), nextMarks((marks as AppendMark[] | undefined) ?? [], (head as number | undefined) ?? 0, { seq: (tail as number | undefined) ?? 0, at: now.toISOString() })] as const;
    }));
  }

  /** Per lane: batches waiting and when the oldest was appended (null: empty, or appended before marks existed). */
  async lanes(): Promise<Array<{ lane: OutboxLane; batches: number; oldestSince: string | null }>> {
    return Promise.all(OUTBOX_LANES.map(async (lane) => {
      const log = LANE_LOGS[lane];
      const [head, tail, marks] = await this.store.getMany<unknown>([logHeadKey(log), logTailKey(log), logMarksKey(log)]);
      const batches = Math.max(0, ((tail as number | undefined) ?? 0) - ((head as number | undefined) ?? 0));
      return { lane, batches, oldestSince: batches > 0 ? oldestWaitingSince((marks as AppendMark[] | undefined) ?? [], (head as number | undefined) ?? 0) : null };
    }));
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
