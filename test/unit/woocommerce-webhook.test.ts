import { createHmac } from 'node:crypto';
import fc from 'fast-check';

// Spy on the constant-time compare the verifier must use (the module is mocked before the verifier loads it).
const compared: Array<[number, number]> = [];
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return {
    ...actual,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.push([a.byteLength, b.byteLength]);
      return actual.timingSafeEqual(a, b);
    },
  };
});

import { verifyWooWebhook, wooWebhookSignature } from '../../src/sources/woocommerce';

const secret = 'woo-webhook-secret';
const body = Buffer.from(JSON.stringify({ id: 727, status: 'processing', total: '29.35' }));
const headers = (signature: string | undefined, topic = 'order.updated') => ({
  'x-wc-webhook-topic': topic,
  'x-wc-webhook-resource': 'order',
  ...(signature === undefined ? {} : { 'x-wc-webhook-signature': signature }),
});

describe('WooCommerce webhook verification', () => {
  it('matches an independent HMAC: base64 HMAC-SHA256 of the raw body, keyed by the secret', () => {
    expect(wooWebhookSignature(body, secret)).toBe(createHmac('sha256', secret).update(body).digest('base64'));
  });

  it.each(['order.created', 'order.updated', 'order.deleted', 'order.restored'])('accepts a signed %s as orders-changed', (topic) => {
    expect(verifyWooWebhook(body, headers(wooWebhookSignature(body, secret), topic), secret)).toEqual({ kind: 'orders-changed', topic });
  });

  it('ignores other signed topics', () => {
    expect(verifyWooWebhook(body, headers(wooWebhookSignature(body, secret), 'product.updated'), secret)).toEqual({ kind: 'ignored', topic: 'product.updated' });
  });

  it('refuses a missing, wrong or wrongly keyed signature, and a changed body, comparing in constant time', () => {
    expect(verifyWooWebhook(body, headers(undefined), secret)).toMatchObject({ kind: 'rejected', status: 401, reason: expect.stringMatching(/no X-WC-Webhook-Signature/) });
    compared.length = 0;
    const good = wooWebhookSignature(body, secret);
    const flipped = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    expect(verifyWooWebhook(body, headers(flipped), secret)).toMatchObject({ kind: 'rejected', status: 401 });
    expect(compared).toEqual([[good.length, good.length]]);
    expect(verifyWooWebhook(body, headers(wooWebhookSignature(body, 'other')), secret)).toMatchObject({ kind: 'rejected', status: 401 });
    expect(verifyWooWebhook(Buffer.from(`${body.toString()} `), headers(good), secret)).toMatchObject({ kind: 'rejected', status: 401 });
    expect(verifyWooWebhook(body, headers('short'), secret)).toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('checks the signature before parsing: a signed body that is not JSON is a 400, an unsigned one a 401', () => {
    const junk = Buffer.from('{not json');
    expect(verifyWooWebhook(junk, headers(undefined), secret)).toMatchObject({ status: 401 });
    expect(verifyWooWebhook(junk, headers(wooWebhookSignature(junk, secret)), secret)).toMatchObject({ status: 400 });
  });

  it('answers WooCommerce\'s unsigned ping (webhook_id=N) as ignored, and nothing else unsigned', () => {
    expect(verifyWooWebhook(Buffer.from('webhook_id=12'), {}, secret)).toEqual({ kind: 'ignored', topic: 'ping' });
    expect(verifyWooWebhook(Buffer.from('webhook_id=12&x=1'), {}, secret)).toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('refuses a body over the limit before hashing', () => {
    const big = Buffer.alloc(2048, 'a');
    expect(verifyWooWebhook(big, headers(wooWebhookSignature(big, secret)), secret, 1024)).toMatchObject({ kind: 'rejected', status: 413 });
  });

  it('accepts exactly the bodies it was given signatures for', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.string({ minLength: 1 }), (bytes, key) => {
      const raw = Buffer.from(bytes);
      const verdict = verifyWooWebhook(raw, headers(wooWebhookSignature(raw, key)), key);
      expect(verdict.kind === 'rejected' ? verdict.status : 200).not.toBe(401);
      const other = verifyWooWebhook(raw, headers(wooWebhookSignature(Buffer.concat([raw, Buffer.from('x')]), key)), key);
      expect(other).toMatchObject({ kind: 'rejected', status: 401 });
    }), { numRuns: 200 });
  });
});
