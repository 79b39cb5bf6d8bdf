import type { OrderSource } from '../sources/order-source';
import type { TrackingSource, TrackingUpdate } from '../sources/tracking-source';
import type { WebhookHandler } from './http-server';

/** What the receivers hand work to; the App runs it in the background so the response goes out at once. */
export interface WebhookTarget {
  readonly orders: OrderSource;
  readonly tracking: TrackingSource | null;
  trackerChanged(update: TrackingUpdate): void;
  /** `orderId`: the order a return or refund delivery names (checked once the poll has run). */
  ordersChanged(topic: string, orderId?: string): void;
  rejected(source: string, reason: string): void;
}

const reply = (status: number, body: Record<string, unknown>) => ({ status, body: JSON.stringify(body) });

/**
 * One route per source that has a webhook secret configured (an unsigned receiver would let anyone write into the
 * destination). Each source verifies its own signature before anything is parsed; a failure is a 401 and changes
 * nothing. A valid delivery is queued and acknowledged at once, well inside the providers' timeouts.
 */
export function webhookHandlers(target: WebhookTarget): Record<string, WebhookHandler> {
  const handlers: Record<string, WebhookHandler> = {};
  const tracking = target.tracking?.webhook ?? null;
  if (tracking && target.tracking) {
    const name = target.tracking.name;
    handlers[tracking.path] = async (rawBody, request) => {
      const verdict = tracking.verify(rawBody, request.headers);
      if (verdict.kind === 'rejected') {
        if (verdict.status !== 401) target.rejected(`webhook:${name}`, verdict.reason);
        return reply(verdict.status, { error: verdict.reason });
      }
      if (verdict.kind === 'updated') target.trackerChanged(verdict.update);
      return reply(200, { received: true, queued: verdict.kind === 'updated' });
    };
  }
  const orders = target.orders.webhook;
  if (orders) {
    const name = target.orders.name;
    handlers[orders.path] = async (rawBody, request) => {
      const verdict = orders.verify(rawBody, request.headers);
      if (verdict.kind === 'rejected') {
        if (verdict.status !== 401) target.rejected(`webhook:${name}`, verdict.reason);
        return reply(verdict.status, { error: verdict.reason });
      }
      // The payload is not trusted for content: the order poll reads the order through the store's API.
      if (verdict.kind === 'orders-changed') target.ordersChanged(verdict.topic, verdict.orderId);
      return reply(200, { received: true, queued: verdict.kind === 'orders-changed' });
    };
  }
  return handlers;
}
