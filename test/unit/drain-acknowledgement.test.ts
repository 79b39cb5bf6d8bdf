import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SinkRecord } from '../../src/model/records';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { createPipelineContext, type PipelineSettings } from '../../src/pipeline/context';
import { drainOutbox, type RecordSink } from '../../src/pipeline/drain';
import { openStateStore } from '../../src/state/store';
import { ManualClock } from '../../src/util/clock';
import { RetryableError } from '../../src/util/errors';

const event = (uniqueId: string): SinkRecord => ({
  kind: 'event', metric: 'M', identity: { email: `${uniqueId}@example.com`, phoneNumber: null, externalId: null },
  time: new Date('2026-01-01T00:00:00Z'), uniqueId, value: null, valueCurrency: null, properties: {}, backfill: false,
});

/**
 * The outbox is acknowledged up to a sequence number. A drain whose oldest chunk fails while a later one is delivered
 * must leave the failed chunk queued: acknowledging the later chunk would delete it (records lost, not retried).
 */
test('a later chunk delivered in full is not acknowledged past an earlier chunk that failed', async () => {
  const store = await openStateStore(`sqlite://${join(mkdtempSync(join(tmpdir(), 'drain-ack-')), 'state.sqlite')}`);
  try {
    const context = createPipelineContext(store, {} as PipelineSettings, new ManualClock(new Date('2026-01-02T00:00:00Z')), createLogger('error'), createMetrics());
    await context.outbox.append([event('first')]);
    await context.outbox.append(Array.from({ length: 10 }, (_, i) => event(`later-${i}`)));
    let deliveries = 0;
    const sink: RecordSink = {
      // One-record requests: the first chunk is the one-record batch, the second the ten-record one, both in flight.
      requestSizes: { events: 1, profiles: 1 },
      deliver: async (records) => {
        deliveries += 1;
        if (records.some((r) => r.kind === 'event' && r.uniqueId === 'first')) {
          await new Promise((resolve) => setTimeout(resolve, 50)); // the later chunk is answered first
          throw new RetryableError('outage', 'unavailable');
        }
        return { delivery: deliveries, rejected: [], jobs: [] };
      },
      settleJobs: async () => ({ rejected: [] }),
      pendingJobs: () => [],
    };
    await expect(drainOutbox(context, sink)).rejects.toThrow('outage');
    expect(deliveries).toBe(2);
    const queued = (await context.outbox.peek('events', 100)).flatMap((batch) => batch.items);
    expect(queued.map((r) => (r.kind === 'event' ? r.uniqueId : ''))).toContain('first');
  } finally {
    await store.close();
  }
});
