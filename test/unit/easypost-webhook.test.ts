import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import EasyPostClient from '@easypost/api';
import fc from 'fast-check';
import { webhookBody, webhookSignature } from '../../src/sandbox/easypost/signing';
import { verifyEasyPostWebhook } from '../../src/sources/easypost/webhook';
import { PermanentError } from '../../src/util/errors';

const specs = join(__dirname, '../../specs/easypost');
const fixtureBody = readFileSync(join(specs, 'event-body.json'));
// EasyPost's test vector signs the file without its trailing newline.
const vectorBody = fixtureBody.subarray(0, fixtureBody.length - 1);
const vector = JSON.parse(readFileSync(join(specs, 'client-library-fixtures.webhooks-subset.json'), 'utf8')) as {
  webhooks: { secret: string; hmac_signature: string };
};
const SECRET = vector.webhooks.secret;
const SIGNATURE = vector.webhooks.hmac_signature;
const official = new EasyPostClient('EZTK_unused', { baseUrl: 'http://127.0.0.1:9/v2/' });

function errorCode(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof PermanentError) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('verifyEasyPostWebhook', () => {
  test('accepts EasyPost\'s official test vector and normalizes its tracker', () => {
    expect(SECRET).toBe('sécret');
    const snapshot = verifyEasyPostWebhook(vectorBody, { 'x-hmac-signature': SIGNATURE }, SECRET);
    expect(snapshot).not.toBeNull();
    expect(snapshot?.trackerId).toBe('trk_1');
    expect(snapshot?.carrier).toBe('FedEx');
    expect(snapshot?.status).toBe('in_transit');
    expect(snapshot?.service).toBe('FEDEX_GROUND');
    expect(snapshot?.scans).toHaveLength(7);
    expect(snapshot?.destinationCountry).toBe('US');
    expect(snapshot?.carrierEstimatedDeliveryAt?.toISOString()).toBe('2024-08-05T00:00:00.000Z');
    // The official client agrees, so the vector is read the same way.
    expect(() => official.Utils.validateWebhook(vectorBody, { 'x-hmac-signature': SIGNATURE }, SECRET)).not.toThrow();
  });

  test('rejects the vector with its trailing newline, a wrong secret, no header, or an oversized body', () => {
    expect(errorCode(() => verifyEasyPostWebhook(fixtureBody, { 'x-hmac-signature': SIGNATURE }, SECRET))).toBe('webhook_signature_invalid');
    expect(errorCode(() => verifyEasyPostWebhook(vectorBody, { 'x-hmac-signature': SIGNATURE }, 'secret'))).toBe('webhook_signature_invalid');
    expect(errorCode(() => verifyEasyPostWebhook(vectorBody, {}, SECRET))).toBe('webhook_signature_missing');
    expect(errorCode(() => verifyEasyPostWebhook(vectorBody, { 'x-hmac-signature': SIGNATURE }, SECRET, 100))).toBe('webhook_too_large');
  });

  test('the secret is NFKD-normalized: a precomposed and a decomposed é sign alike', () => {
    const decomposed = 'se\u0301cret';
    expect(verifyEasyPostWebhook(vectorBody, { 'x-hmac-signature': SIGNATURE }, decomposed)?.trackerId).toBe('trk_1');
  });

  test('reproduces the weight quirk: a body re-serialized with "weight":12 still verifies against EasyPost\'s 12.0', () => {
    const event = { object: 'Event', description: 'tracker.updated', result: { ...JSON.parse(vectorBody.toString()).result, weight: 12 } };
    const sent = webhookBody(event);
    expect(sent).toContain('"weight":12.0');
    const signature = webhookSignature(sent, SECRET);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(sent)));
    expect(reserialized.toString()).toContain('"weight":12,');
    for (const body of [Buffer.from(sent), reserialized]) {
      expect(verifyEasyPostWebhook(body, { 'x-hmac-signature': signature }, SECRET)?.trackerId).toBe('trk_1');
      expect(() => official.Utils.validateWebhook(body, { 'x-hmac-signature': signature }, SECRET)).not.toThrow();
    }
    // Signing the integer form (what a naive fake would do) fails in both, as at EasyPost.
    const naive = webhookSignature(reserialized.toString(), SECRET);
    expect(errorCode(() => verifyEasyPostWebhook(reserialized, { 'x-hmac-signature': naive }, SECRET))).toBe('webhook_signature_invalid');
    expect(() => official.Utils.validateWebhook(reserialized, { 'x-hmac-signature': naive }, SECRET)).toThrow();
  });

  test('returns null for signed events that are not about trackers', () => {
    const body = webhookBody({ object: 'Event', description: 'batch.updated', result: { id: 'batch_1' } });
    expect(verifyEasyPostWebhook(Buffer.from(body), { 'x-hmac-signature': webhookSignature(body, 'k') }, 'k')).toBeNull();
  });

  test('random bodies and random signatures never verify', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (bytes, signature, secret) => {
      expect(errorCode(() => verifyEasyPostWebhook(Buffer.from(bytes), { 'x-hmac-signature': signature }, secret)))
        .toBe('webhook_signature_invalid');
    }), { numRuns: 300 });
  });

  test('a random hex digest never verifies the official body', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), (hex) => {
      fc.pre(`hmac-sha256-hex=${hex}` !== SIGNATURE);
      expect(errorCode(() => verifyEasyPostWebhook(vectorBody, { 'x-hmac-signature': `hmac-sha256-hex=${hex}` }, SECRET)))
        .toBe('webhook_signature_invalid');
    }), { numRuns: 300 });
  });

  test('any single-byte change to a signed body makes it fail', () => {
    fc.assert(fc.property(fc.nat({ max: vectorBody.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, delta) => {
      const mutated = Buffer.from(vectorBody);
      mutated[index] = (mutated[index] + delta) % 256;
      expect(errorCode(() => verifyEasyPostWebhook(mutated, { 'x-hmac-signature': SIGNATURE }, SECRET)))
        .toBe('webhook_signature_invalid');
    }), { numRuns: 500 });
  });
});
