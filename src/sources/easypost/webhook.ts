import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PermanentError } from '../../util/errors';
import { normalizeTracker, type TrackerSnapshot } from './snapshot';

export const MAX_WEBHOOK_BYTES = 1_048_576;
const SIGNATURE_PREFIX = 'hmac-sha256-hex=';

/** The official clients' fix-up before hashing: EasyPost signed `"weight": 12.0`, a JS re-serialization wrote `12`. */
function withFloatWeights(body: string): string {
  return body.replace(/("weight":\s*)(\d+)(\s*)(?=,|\})/g, '$1$2.0');
}

function signatureHeader(headers: IncomingHttpHeaders): string | null {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'x-hmac-signature') continue;
    const single = Array.isArray(value) ? (value.length === 1 ? value[0] : null) : value;
    return typeof single === 'string' && single !== '' ? single : null;
  }
  return null;
}

/**
 * Verifies an EasyPost webhook exactly as the official client does (HMAC-SHA256 over the raw body with integer
 * weights written `N.0`, key = NFKD secret, constant-time compare) and only then parses it. Returns the tracker of a
 * `tracker.created`/`tracker.updated` event, null for other event types; throws PermanentError when the body is too
 * large, unsigned, wrongly signed or not an event.
 */
export function verifyEasyPostWebhook(
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
  secret: string,
  maxBytes: number = MAX_WEBHOOK_BYTES,
): TrackerSnapshot | null {
  if (rawBody.length > maxBytes) throw new PermanentError(`webhook body over ${maxBytes} bytes`, 'webhook_too_large');
  const signature = signatureHeader(headers);
  if (signature === null) throw new PermanentError('webhook has no X-Hmac-Signature header', 'webhook_signature_missing');
  const body = withFloatWeights(rawBody.toString('utf8'));
  const expected = SIGNATURE_PREFIX
    + createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8')).update(body, 'utf8').digest('hex');
  const given = Buffer.from(signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new PermanentError('webhook signature does not match', 'webhook_signature_invalid');
  }
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    throw new PermanentError('signed webhook body is not JSON', 'webhook_malformed');
  }
  if (typeof event !== 'object' || event === null || !('object' in event) || event.object !== 'Event') {
    throw new PermanentError('signed webhook body is not an EasyPost Event', 'webhook_malformed');
  }
  const description = 'description' in event ? event.description : null;
  if (description !== 'tracker.created' && description !== 'tracker.updated') return null;
  return normalizeTracker('result' in event ? event.result : null);
}
