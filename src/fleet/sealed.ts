import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Store secrets at rest: AES-256-GCM under the fleet key (from the environment, never stored), a fresh 96-bit IV
 * per seal, and the row's identity as associated data, so a sealed blob copied onto another store's row fails to
 * open instead of handing that store someone else's credentials.
 */
const VERSION = 'v1';

export function seal(key: Buffer, context: string, plain: Readonly<Record<string, string>>): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

export class SealError extends Error {}

export function open(key: Buffer, context: string, sealed: string): Record<string, string> {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new SealError(`secrets of ${context}: not a ${VERSION} sealed value`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    return JSON.parse(plain) as Record<string, string>;
  } catch {
    // Never the cause: it could quote key material.
    throw new SealError(`secrets of ${context}: cannot be opened with SHIPSIGNAL_FLEET_KEY (wrong key, or the value was altered)`);
  }
}

export const fleetKey = (base64: string): Buffer => Buffer.from(base64, 'base64');
