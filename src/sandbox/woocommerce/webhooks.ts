import { createHmac } from 'node:crypto';
import type { WooOrderChange } from './book';

/**
 * Webhooks as WooCommerce delivers them: a JSON body of the resource, `X-WC-Webhook-Signature` = base64
 * HMAC-SHA256 of that body keyed by the webhook's secret, the topic/resource/event/id headers, and on creation an
 * unsigned ping (`webhook_id=<id>`, form-encoded) that must be answered 2xx.
 */
export interface WebhookRegistration {
  readonly topic: 'order.created' | 'order.updated' | 'order.deleted' | 'order.restored';
  readonly deliveryUrl: string;
  readonly secret: string;
}

export interface WooDelivery {
  readonly webhookId: number;
  readonly deliveryId: number;
  readonly topic: string;
  readonly url: string;
  readonly status: number | null;
  readonly error: string | null;
  readonly body: string;
  readonly signature: string | null;
}

const USER_AGENT = 'WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)';

export class WooWebhooks {
  private readonly hooks = new Map<number, WebhookRegistration>();
  private readonly log: WooDelivery[] = [];
  private pending: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private nextDelivery = 1;

  constructor(private readonly sourceUrl: () => string) {}

  /** Saves a webhook and sends WooCommerce's ping; resolves with the webhook id and the ping's HTTP status. */
  async add(registration: WebhookRegistration): Promise<{ id: number; pingStatus: number | null }> {
    const id = this.nextId++;
    this.hooks.set(id, registration);
    const body = `webhook_id=${id}`;
    const status = await this.post(registration.deliveryUrl, body, { 'Content-Type': 'application/x-www-form-urlencoded' });
    this.log.push({ webhookId: id, deliveryId: 0, topic: 'ping', url: registration.deliveryUrl, status: status.status, error: status.error, body, signature: null });
    return { id, pingStatus: status.status };
  }

  deliveries(): readonly WooDelivery[] {
    return this.log;
  }

  /** Settles once every delivery queued so far has been answered. */
  idle(): Promise<void> {
    return this.pending.then(() => undefined);
  }

  dispatch(change: WooOrderChange): void {
    const topic = `order.${change.event}`;
    for (const [id, hook] of this.hooks) {
      if (hook.topic !== topic) continue;
      const body = JSON.stringify(change.body);
      // Signed here, not with the source's verifier code, so a mistake there cannot be mirrored and go unseen.
      const signature = createHmac('sha256', hook.secret).update(body, 'utf8').digest('base64');
      const deliveryId = this.nextDelivery++;
      const headers = {
        'Content-Type': 'application/json',
        'X-WC-Webhook-Source': `${this.sourceUrl()}/`,
        'X-WC-Webhook-Topic': topic,
        'X-WC-Webhook-Resource': 'order',
        'X-WC-Webhook-Event': change.event,
        'X-WC-Webhook-Signature': signature,
        'X-WC-Webhook-ID': String(id),
        'X-WC-Webhook-Delivery-ID': String(deliveryId),
      };
      this.pending = this.pending.then(async () => {
        const outcome = await this.post(hook.deliveryUrl, body, headers);
        this.log.push({ webhookId: id, deliveryId, topic, url: hook.deliveryUrl, status: outcome.status, error: outcome.error, body, signature });
      });
    }
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number | null; error: string | null }> {
    try {
      const response = await fetch(url, { method: 'POST', headers: { ...headers, 'User-Agent': USER_AGENT }, body, signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      return { status: response.status, error: null };
    } catch (error) {
      return { status: null, error: (error as Error).message };
    }
  }
}
