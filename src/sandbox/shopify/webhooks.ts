import { createHmac, randomUUID } from 'node:crypto';
import type { Clock } from '../../util/clock';
import { SANDBOX_API_VERSION } from './schema';

/** One webhook delivery as the sandbox sent it; a redelivery repeats the body and X-Shopify-Webhook-Id. */
export interface ShopifyWebhookDelivery {
  readonly webhookId: string;
  readonly topic: string;
  readonly url: string;
  readonly body: string;
  readonly hmac: string;
  status: number | null;
}

/**
 * Shopify's webhook sender as documented: a JSON POST per subscription with X-Shopify-Topic, X-Shopify-Hmac-Sha256
 * (base64 HMAC-SHA256 of the raw body with the app's secret), X-Shopify-Shop-Domain, X-Shopify-API-Version,
 * X-Shopify-Webhook-Id (the same on a retry: at-least-once) and X-Shopify-Triggered-At.
 */
export class ShopifyWebhookSender {
  private readonly subscriptions: Array<{ readonly url: string; readonly secret: string; readonly topics: ReadonlySet<string> | null }> = [];
  readonly deliveries: ShopifyWebhookDelivery[] = [];

  constructor(private readonly shopDomain: string, private readonly clock: Clock) {}

  /** Subscribes `url` to `topics` (all when omitted). */
  subscribe(url: string, secret: string, topics?: readonly string[]): void {
    this.subscriptions.push({ url, secret, topics: topics ? new Set(topics) : null });
  }

  async emit(topic: string, payload: unknown): Promise<void> {
    const body = JSON.stringify(payload);
    for (const subscription of this.subscriptions) {
      if (subscription.topics && !subscription.topics.has(topic)) continue;
      const delivery: ShopifyWebhookDelivery = {
        webhookId: randomUUID(), topic, url: subscription.url, body,
        hmac: createHmac('sha256', subscription.secret).update(body).digest('base64'), status: null,
      };
      this.deliveries.push(delivery);
      await this.send(delivery);
    }
  }

  /** Sends a delivery again, unchanged (Shopify retries until a 2xx, and may deliver twice). */
  async redeliver(delivery: ShopifyWebhookDelivery): Promise<number | null> {
    return this.send(delivery);
  }

  private async send(delivery: ShopifyWebhookDelivery): Promise<number | null> {
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': delivery.topic,
          'x-shopify-hmac-sha256': delivery.hmac,
          'x-shopify-shop-domain': this.shopDomain,
          'x-shopify-api-version': SANDBOX_API_VERSION,
          'x-shopify-webhook-id': delivery.webhookId,
          'x-shopify-triggered-at': this.clock.now().toISOString(),
        },
        body: delivery.body,
      });
      await response.arrayBuffer();
      delivery.status = response.status;
    } catch {
      delivery.status = null;
    }
    return delivery.status;
  }
}
