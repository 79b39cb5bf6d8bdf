import { createHmac } from 'node:crypto';

/**
 * EasyPost serializes weights as floats (`12.0`) and signs those bytes; JSON.stringify writes `12`. The official
 * clients rewrite integer weights before hashing (easypost-node issue 467), so we write them as EasyPost does.
 */
const INTEGER_WEIGHT = /("weight":\s*)(\d+)(\s*)(?=,|\})/g;

export function withFloatWeights(json: string): string {
  return json.replace(INTEGER_WEIGHT, '$1$2.0$3');
}

/** The webhook body exactly as EasyPost would send it. */
export function webhookBody(event: unknown): string {
  return withFloatWeights(JSON.stringify(event));
}

/** The `X-Hmac-Signature` value: HMAC-SHA256 keyed with the NFKD-normalized secret, lowercase hex. */
export function webhookSignature(body: string, secret: string): string {
  const hex = createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8')).update(body, 'utf8').digest('hex');
  return `hmac-sha256-hex=${hex}`;
}
