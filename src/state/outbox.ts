import type { MetricEvent, SinkRecord } from '../model/klaviyo';
import { DurableLog, type LogBatch } from './durable-log';
import type { StateStore } from './store';

/**
 * Records waiting for Klaviyo. Sources append here before their cursors move; the sink acknowledges a batch only
 * after Klaviyo accepted or permanently rejected every record in it. At-least-once on both sides, and every record
 * is idempotent (absolute profile values, deterministic event unique ids), so replays are harmless.
 */
type StoredEvent = Omit<MetricEvent, 'time'> & { readonly time: string };
type StoredRecord = Exclude<SinkRecord, MetricEvent> | StoredEvent;

export class Outbox {
  private readonly log: DurableLog<StoredRecord>;

  constructor(store: StateStore) {
    this.log = new DurableLog<StoredRecord>(store, 'outbox');
  }

  append(records: readonly SinkRecord[]): Promise<void> {
    return this.log.append(records.map(toStored));
  }

  nextAppend(): Promise<void> {
    return this.log.nextAppend();
  }

  /** From the oldest unacknowledged batch, or from `fromSeq` to read ahead of what is being delivered. */
  async peek(maxRecords: number, fromSeq?: number): Promise<Array<LogBatch<SinkRecord>>> {
    const batches = await this.log.peek(maxRecords, fromSeq);
    return batches.map((batch) => ({ seq: batch.seq, items: batch.items.map(fromStored) }));
  }

  ack(seq: number): Promise<void> {
    return this.log.ack(seq);
  }

  depth(): Promise<{ batches: number }> {
    return this.log.depth();
  }

  refresh(): Promise<void> {
    return this.log.refresh();
  }
}

function toStored(record: SinkRecord): StoredRecord {
  return record.kind === 'event' ? { ...record, time: record.time.toISOString() } : record;
}

function fromStored(record: StoredRecord): SinkRecord {
  return record.kind === 'event' ? { ...record, time: new Date(record.time) } : record;
}

