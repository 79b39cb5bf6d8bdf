import type { IncomingHttpHeaders } from 'node:http';
import type { TrackingSource, TrackingUpdate, TrackingWebhookVerdict } from '../tracking-source';
import { PermanentError } from '../../util/errors';
import { EasyPostTrackingClient, type EasyPostTrackingOptions } from './client';
import { nextTrackerCursor } from './cursor';
import type { TrackerSnapshot } from './snapshot';
import { verifyEasyPostWebhook } from './webhook';

const PROVIDER = 'easypost';

const toUpdate = (snapshot: TrackerSnapshot): TrackingUpdate => ({ provider: PROVIDER, ...snapshot });

/** EasyPost's webhook verdicts in the port's terms: an unsigned or wrongly signed delivery is a 401 and changes nothing. */
export function verifyEasyPostDelivery(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string): TrackingWebhookVerdict {
  try {
    const snapshot = verifyEasyPostWebhook(rawBody, headers, secret);
    return snapshot ? { kind: 'updated', update: toUpdate(snapshot) } : { kind: 'ignored' };
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    if (error.code === 'webhook_signature_missing' || error.code === 'webhook_signature_invalid') return { kind: 'rejected', status: 401, reason: error.message };
    return { kind: 'rejected', status: error.code === 'webhook_too_large' ? 413 : 400, reason: error.message };
  }
}

/**
 * EasyPost as the tracking source: the official client's trackers as normalized updates, its `updated_at`
 * watermark as the cursor (ISO text), and its webhook signature.
 */
export function easyPostTrackingSource(options: EasyPostTrackingOptions & { readonly webhookSecret: string | null }): TrackingSource {
  const client = new EasyPostTrackingClient(options);
  const { webhookSecret } = options;
  return {
    name: PROVIDER,
    async *changed(cursor, since) {
      for await (const snapshot of client.changedTrackers(cursor ? new Date(cursor) : since)) yield toUpdate(snapshot);
    },
    cursorAfter: (cursor, update) => nextTrackerCursor(cursor ? new Date(cursor) : null, update).toISOString(),
    notBehind: (a, b) => Date.parse(a) >= Date.parse(b),
    follow: async (code, carrier) => {
      const snapshot = await client.trackerFor(code, carrier);
      return snapshot ? toUpdate(snapshot) : null;
    },
    current: async (trackerId) => toUpdate(await client.retrieve(trackerId)),
    webhook: webhookSecret
      ? { path: '/webhooks/easypost', verify: (rawBody, headers) => verifyEasyPostDelivery(rawBody, headers, webhookSecret) }
      : null,
    check: async () => {
      // One list page is the cheapest authenticated read; it proves the key without creating (billing) a tracker.
      for await (const _update of client.changedTrackers(new Date())) break;
      return { detail: 'trackers readable' };
    },
  };
}
