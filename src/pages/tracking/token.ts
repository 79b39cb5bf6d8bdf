import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Env } from '../../config/env';
import { ConfigError } from '../../config/yaml-file';
import { normalizeOrderNumber } from '../../state/keys';

/**
 * Signed page links: `/t/<token>`, where the token is `<key id>.<payload>.<signature>`. The payload names the store
 * and the order number (never an email, a name or an address); the signature is HMAC-SHA256 under the secret of
 * that key id, cut to 128 bits. Secrets rotate: SHIPSIGNAL_TRACKING_SECRET holds `id:secret` pairs, comma-separated,
 * the first signing new links and every one still verifying old links, until it is dropped.
 */
export interface TrackingKeys {
  readonly signing: { readonly id: string; readonly secret: Buffer };
  readonly verifying: ReadonlyMap<string, Buffer>;
}

/** Problems with the variable's value, one per line (empty when valid). */
export function trackingKeyProblems(value: string): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const pair of value.split(',')) {
    const match = /^([A-Za-z0-9]{1,16}):(.+)$/.exec(pair.trim());
    if (!match) {
      problems.push('environment SHIPSIGNAL_TRACKING_SECRET: expected id:secret pairs, comma-separated (e.g. k2:<32+ random characters>,k1:<old secret>); an id is 1-16 letters or digits');
      continue;
    }
    if (match[2].length < 32) problems.push(`environment SHIPSIGNAL_TRACKING_SECRET: the secret of key ${match[1]} is shorter than 32 characters`);
    if (ids.has(match[1])) problems.push(`environment SHIPSIGNAL_TRACKING_SECRET: key id ${match[1]} appears twice`);
    ids.add(match[1]);
  }
  return problems;
}

export function parseTrackingKeys(value: string): TrackingKeys {
  const pairs = value.split(',').map((pair) => {
    const at = pair.trim().indexOf(':');
    return [pair.trim().slice(0, at), Buffer.from(pair.trim().slice(at + 1), 'utf8')] as const;
  });
  return { signing: { id: pairs[0][0], secret: pairs[0][1] }, verifying: new Map(pairs) };
}

const mac = (secret: Buffer, signed: string): Buffer => createHmac('sha256', secret).update(signed).digest().subarray(0, 16);

/** The token for one order of one store. Deterministic: the same order always gets the same link. */
export function signToken(keys: TrackingKeys, storeId: string, orderName: string): string {
  const payload = Buffer.from(`${storeId}\n${normalizeOrderNumber(orderName)}`, 'utf8').toString('base64url');
  const signed = `${keys.signing.id}.${payload}`;
  return `${signed}.${mac(keys.signing.secret, signed).toString('base64url')}`;
}

/**
 * The order number a token names, or null when it is malformed, signed by an unknown key, tampered with, or for
 * another store. Signatures are compared in constant time.
 */
export function verifyToken(keys: TrackingKeys, storeId: string, token: string): string | null {
  if (token.length > 400) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [id, payload, signature] = parts;
  const secret = keys.verifying.get(id);
  if (!secret) return null;
  const expected = mac(secret, `${id}.${payload}`);
  const presented = Buffer.from(signature, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return null;
  const [store, order, extra] = Buffer.from(payload, 'base64url').toString('utf8').split('\n');
  if (extra !== undefined || store !== storeId || !order) return null;
  return order;
}

/** The page's link settings from the environment, or null when the page is off (either variable unset). */
export function trackingLinks(env: Pick<Env, 'SHIPSIGNAL_PUBLIC_URL' | 'SHIPSIGNAL_TRACKING_SECRET'>): { keys: TrackingKeys; publicUrl: URL } | null {
  if (!env.SHIPSIGNAL_PUBLIC_URL || !env.SHIPSIGNAL_TRACKING_SECRET) return null;
  const problems = trackingKeyProblems(env.SHIPSIGNAL_TRACKING_SECRET);
  if (problems.length > 0) throw new ConfigError(problems);
  return { keys: parseTrackingKeys(env.SHIPSIGNAL_TRACKING_SECRET), publicUrl: new URL(env.SHIPSIGNAL_PUBLIC_URL) };
}

/** `https://<public url>/t/<token>` for an order number of this store, or null when the page is off. */
export function pageLinkFor(env: Pick<Env, 'SHIPSIGNAL_PUBLIC_URL' | 'SHIPSIGNAL_TRACKING_SECRET'>, storeId: string): ((orderName: string) => string) | null {
  const links = trackingLinks(env);
  if (!links) return null;
  const base = links.publicUrl.href.replace(/\/+$/, '');
  return (orderName) => `${base}/t/${signToken(links.keys, storeId, orderName)}`;
}
