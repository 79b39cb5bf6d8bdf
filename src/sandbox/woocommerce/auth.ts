import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WooErrorJson } from '../../sources/woocommerce/types';

/**
 * WooCommerce's REST authentication as `WC_REST_Authentication` does it. Over plain HTTP (this sandbox) only OAuth
 * 1.0a one-legged signing is accepted: HMAC-SHA1 or HMAC-SHA256 over `METHOD&url&sorted params`, keyed by
 * `consumer_secret&`, a timestamp within 15 minutes and a nonce used once. HTTP Basic auth is honoured only over
 * HTTPS, so here it is ignored, as WooCommerce ignores it on an http:// site.
 */
export interface ApiKey {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly permissions: 'read' | 'write' | 'read_write';
}

export type AuthOutcome = { readonly ok: true; readonly key: ApiKey } | { readonly ok: false; readonly status: number; readonly error: WooErrorJson };

const TIMESTAMP_WINDOW_S = 15 * 60;

function refuse(code: string, message: string, status = 401): AuthOutcome {
  return { ok: false, status, error: { code, message, data: { status } } };
}

/** RFC 3986 encoding, as OAuth 1.0a (and the official client's oauth-1.0a) uses. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Query pairs in order, decoded; a repeated key keeps its first value (the official client sends each twice). */
export function queryPairs(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const at = part.indexOf('=');
    const decode = (text: string): string => {
      try {
        return decodeURIComponent(text.replace(/\+/g, ' '));
      } catch {
        return text;
      }
    };
    const key = decode(at < 0 ? part : part.slice(0, at));
    if (!out.has(key)) out.set(key, decode(at < 0 ? '' : part.slice(at + 1)));
  }
  return out;
}

export class NonceBook {
  private readonly used = new Map<string, number>();
  /** False when the nonce was already used with this key; forgets nonces older than the timestamp window. */
  take(consumerKey: string, nonce: string, timestamp: number): boolean {
    for (const [entry, at] of this.used) if (at < timestamp - TIMESTAMP_WINDOW_S * 2) this.used.delete(entry);
    const entry = `${consumerKey}:${nonce}`;
    if (this.used.has(entry)) return false;
    this.used.set(entry, timestamp);
    return true;
  }
}

export function authenticate(
  method: string,
  baseUrl: string,
  params: ReadonlyMap<string, string>,
  keys: readonly ApiKey[],
  nonces: NonceBook,
  nowSeconds: number,
): AuthOutcome {
  const consumerKey = params.get('oauth_consumer_key');
  if (consumerKey === undefined) return refuse('woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
  for (const name of ['oauth_consumer_key', 'oauth_signature', 'oauth_signature_method', 'oauth_nonce', 'oauth_timestamp']) {
    if (!params.get(name)) return refuse('woocommerce_rest_authentication_error', `Missing OAuth parameter ${name}`);
  }
  const key = keys.find((candidate) => candidate.consumerKey === consumerKey);
  if (!key) return refuse('woocommerce_rest_authentication_error', 'Consumer key is invalid.');
  const signatureMethod = params.get('oauth_signature_method');
  const algorithm = signatureMethod === 'HMAC-SHA256' ? 'sha256' : signatureMethod === 'HMAC-SHA1' ? 'sha1' : null;
  if (!algorithm) return refuse('woocommerce_rest_authentication_error', 'Invalid signature - signature method is invalid.');
  const given = Buffer.from(params.get('oauth_signature') ?? '', 'utf8');
  const wanted = Buffer.from(signature(method, baseUrl, params, key.consumerSecret, algorithm), 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return refuse('woocommerce_rest_authentication_error', 'Invalid signature - provided signature does not match.');
  }
  const timestamp = Number(params.get('oauth_timestamp'));
  if (!Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > TIMESTAMP_WINDOW_S) {
    return refuse('woocommerce_rest_authentication_error', 'Invalid timestamp.');
  }
  if (!nonces.take(key.consumerKey, params.get('oauth_nonce') ?? '', timestamp)) {
    return refuse('woocommerce_rest_authentication_error', 'Invalid nonce - nonce has already been used.');
  }
  if (method === 'GET' && key.permissions === 'write') {
    return refuse('woocommerce_rest_authentication_error', 'The API key provided does not have read permissions.');
  }
  if (method !== 'GET' && key.permissions === 'read') {
    return refuse('woocommerce_rest_authentication_error', 'The API key provided does not have write permissions.');
  }
  return { ok: true, key };
}

export function signature(method: string, baseUrl: string, params: ReadonlyMap<string, string>, secret: string, algorithm: 'sha1' | 'sha256'): string {
  const pairs = [...params].filter(([name]) => name !== 'oauth_signature').map(([name, value]) => [percentEncode(name), percentEncode(value)] as const);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const base = [method.toUpperCase(), percentEncode(baseUrl), percentEncode(pairs.map(([name, value]) => `${name}=${value}`).join('&'))].join('&');
  return createHmac(algorithm, `${percentEncode(secret)}&`).update(base).digest('base64');
}
