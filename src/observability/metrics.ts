import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JobRunLog, RollingRequests } from './recent';

/** The Prometheus metrics ops watch; one registry per daemon so tests can run several side by side. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shipsignal_' });
  return {
    registry,
    recordsRead: new Counter({ name: 'shipsignal_records_read_total', help: 'Records read from sources', labelNames: ['source'], registers: [registry] }),
    recordsRejected: new Counter({ name: 'shipsignal_records_rejected_total', help: 'Records rejected with a reason', labelNames: ['source'], registers: [registry] }),
    profilesPushed: new Counter({ name: 'shipsignal_profiles_pushed_total', help: 'Profile updates accepted by Klaviyo', registers: [registry] }),
    eventsPushed: new Counter({ name: 'shipsignal_events_pushed_total', help: 'Events accepted by Klaviyo', labelNames: ['metric'], registers: [registry] }),
    klaviyoRequests: new Counter({ name: 'shipsignal_klaviyo_requests_total', help: 'Klaviyo requests by endpoint and status', labelNames: ['endpoint', 'status'], registers: [registry] }),
    klaviyoThrottled: new Counter({ name: 'shipsignal_klaviyo_429_total', help: 'Klaviyo 429 responses by endpoint', labelNames: ['endpoint'], registers: [registry] }),
    klaviyoLatency: new Histogram({ name: 'shipsignal_klaviyo_request_seconds', help: 'Klaviyo request latency', labelNames: ['endpoint'], registers: [registry] }),
    shopifyBulkExport: new Histogram({
      name: 'shipsignal_shopify_bulk_export_seconds', help: 'Time Shopify took to prepare a bulk operation\'s result',
      buckets: [1, 5, 15, 60, 300, 900, 3600], registers: [registry],
    }),
    outboxDepth: new Gauge({ name: 'shipsignal_outbox_batches', help: 'Batches waiting in the outbox', registers: [registry] }),
    lastSuccess: new Gauge({ name: 'shipsignal_last_success_timestamp_seconds', help: 'Last successful run per job', labelNames: ['job'], registers: [registry] }),
    /** For /status: each job's last run, and Klaviyo requests per endpoint over the last 24 hours (recent.ts). */
    jobRuns: new JobRunLog(),
    recentRequests: new RollingRequests(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
