import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { TrackerSnapshot } from '../sources/easypost/snapshot';
import { verifyEasyPostWebhook } from '../sources/easypost/webhook';
import { PermanentError } from '../util/errors';
import type { WebhookHandler } from './http-server';

/** What the receivers hand work to; the App queues it under its job lock so the response goes out at once. */
export interface WebhookTarget {
  readonly easypostSecret: string | null;
  readonly shopifySecret: string | null;
  trackerChanged(snapshot: TrackerSnapshot): void;
  ordersChanged(topic: string): void;
  rejected(source: string, reason: string): void;
}

/** The Shopify topics that can change a parcel; anything else is acknowledged and ignored. */
const SHOPIFY_TOPICS = /^(orders\/(create|updated|fulfilled|partially_fulfilled|cancelled)|fulfillments\/(create|update)|fulfillment_events\/(create|delete))$/;

const reply = (status: number, body: Record<string, unknown>) => ({ status, body: JSON.stringify(body) });

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const single = Array.isArray(value) ? (value.length === 1 ? value[0] : null) : value;
  return typeof single === 'string' && single !== '' ? single : null;
}

/** Shopify signs the raw body: base64 HMAC-SHA256 with the app's secret, compared in constant time. */
export function verifyShopifyWebhook(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string): boolean {
  const given = header(headers, 'x-shopify-hmac-sha256');
  if (given === null) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest('base64');
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `/webhooks/easypost` and `/webhooks/shopify`, each present only when its secret is configured: an unsigned
 * receiver would let anyone write into Klaviyo. Signatures are checked before the body is parsed; a failure is a
 * 401 and changes nothing. A valid delivery is queued and acknowledged at once, well inside the providers' timeouts.
 */
export function webhookHandlers(target: WebhookTarget): Record<string, WebhookHandler> {
  const handlers: Record<string, WebhookHandler> = {};
  const { easypostSecret, shopifySecret } = target;
  if (easypostSecret) {
    handlers['/webhooks/easypost'] = async (rawBody, request) => {
      let snapshot: TrackerSnapshot | null;
      try {
        snapshot = verifyEasyPostWebhook(rawBody, request.headers, easypostSecret);
      } catch (error) {
        if (!(error instanceof PermanentError)) throw error;
        if (error.code === 'webhook_signature_missing' || error.code === 'webhook_signature_invalid') return reply(401, { error: error.message });
        target.rejected('webhook:easypost', error.message);
        return reply(error.code === 'webhook_too_large' ? 413 : 400, { error: error.message });
      }
      if (snapshot) target.trackerChanged(snapshot);
      return reply(200, { received: true, queued: snapshot !== null });
    };
  }
  if (shopifySecret) {
    handlers['/webhooks/shopify'] = async (rawBody, request) => {
      if (!verifyShopifyWebhook(rawBody, request.headers, shopifySecret)) return reply(401, { error: 'missing or wrong X-Shopify-Hmac-Sha256' });
      const topic = header(request.headers, 'x-shopify-topic') ?? '';
      // The payload is not trusted for content: the order poll reads the order through the Admin API.
      const relevant = SHOPIFY_TOPICS.test(topic);
      if (relevant) target.ordersChanged(topic);
      return reply(200, { received: true, queued: relevant });
    };
  }
  return handlers;
}
