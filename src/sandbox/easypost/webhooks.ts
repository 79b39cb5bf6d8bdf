import { sleep } from '../../util/retry';
import { webhookBody, webhookSignature } from './signing';
import type { WebhookEventJson } from './wire';

export interface WebhookEndpoint {
  readonly url: string;
  /** The `webhook_secret`; without one EasyPost sends no signature header. */
  readonly secret: string | null;
}

export interface DeliveryOptions {
  /** Attempts per delivery; EasyPost retries failed deliveries (at-least-once). */
  readonly attempts: number;
  /** Delay before the second attempt, doubled each time after. Real time, so tests stay fast. */
  readonly retryDelayMs: number;
  readonly timeoutMs: number;
}

export interface DeliveryRecord {
  readonly eventId: string;
  readonly url: string;
  readonly attempt: number;
  /** HTTP status, or null when the request failed at the network level. */
  readonly status: number | null;
  readonly error: string | null;
  readonly body: string;
  readonly signature: string | null;
}

async function post(url: string, body: string, signature: string | null, timeoutMs: number): Promise<number> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'EasyPost WebHook Agent 1.0',
  };
  if (signature !== null) headers['X-Hmac-Signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.status;
}

/** Posts one event to one endpoint until a 2xx or the attempts run out; reports whether it landed. */
export async function deliverWebhook(
  endpoint: WebhookEndpoint,
  event: WebhookEventJson,
  options: DeliveryOptions,
  record: (delivery: DeliveryRecord) => void,
): Promise<boolean> {
  const body = webhookBody(event);
  const signature = endpoint.secret === null ? null : webhookSignature(body, endpoint.secret);
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    if (attempt > 1) await sleep(options.retryDelayMs * 2 ** (attempt - 2));
    try {
      const status = await post(endpoint.url, body, signature, options.timeoutMs);
      record({ eventId: event.id, url: endpoint.url, attempt, status, error: null, body, signature });
      if (status >= 200 && status < 300) return true;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      record({ eventId: event.id, url: endpoint.url, attempt, status: null, error, body, signature });
    }
  }
  return false;
}
