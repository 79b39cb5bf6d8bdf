import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { OrderWebhookVerdict } from '../order-source';

export const MAX_WEBHOOK_BYTES = 1_048_576;
export const WOO_WEBHOOK_PATH = '/webhooks/woocommerce';
/** Topics after which the orders are polled; `order.deleted` too, since a trashed order is read as cancelled. */
const ORDER_TOPICS: ReadonlySet<string> = new Set(['order.created', 'order.updated', 'order.deleted', 'order.restored']);
/** WooCommerce's test delivery when a webhook is saved: an unsigned form body, answered 2xx or the webhook fails. */
const PING_BODY = /^webhook_id=\d+$/;

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const single = Array.isArray(value) ? (value.length === 1 ? value[0] : null) : value;
  return typeof single === 'string' && single !== '' ? single : null;
}

/** What WooCommerce sends in `X-WC-Webhook-Signature`: base64 HMAC-SHA256 of the raw body, keyed by the secret. */
export function wooWebhookSignature(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * Verifies a WooCommerce delivery over the raw bytes, constant-time, before anything is parsed. The ping is the one
 * unsigned body accepted (as `ignored`): it carries nothing and triggers nothing, and refusing it would stop the
 * merchant from saving the webhook.
 */
export function verifyWooWebhook(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string, maxBytes: number = MAX_WEBHOOK_BYTES): OrderWebhookVerdict {
  if (rawBody.length > maxBytes) return { kind: 'rejected', status: 413, reason: `webhook body over ${maxBytes} bytes` };
  const signature = header(headers, 'x-wc-webhook-signature');
  if (signature === null) {
    if (PING_BODY.test(rawBody.toString('utf8'))) return { kind: 'ignored', topic: 'ping' };
    return { kind: 'rejected', status: 401, reason: 'webhook has no X-WC-Webhook-Signature header' };
  }
  const given = Buffer.from(signature, 'utf8');
  const wanted = Buffer.from(wooWebhookSignature(rawBody, secret), 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return { kind: 'rejected', status: 401, reason: 'webhook signature does not match' };
  }
  const topic = header(headers, 'x-wc-webhook-topic') ?? '';
  if (!ORDER_TOPICS.has(topic)) return { kind: 'ignored', topic: topic || '(no topic)' };
  try {
    const body: unknown = JSON.parse(rawBody.toString('utf8'));
    if (typeof body !== 'object' || body === null || !('id' in body)) return { kind: 'rejected', status: 400, reason: `signed ${topic} body has no order id` };
  } catch {
    return { kind: 'rejected', status: 400, reason: `signed ${topic} body is not JSON` };
  }
  return { kind: 'orders-changed', topic };
}
