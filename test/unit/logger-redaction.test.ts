import { PassThrough } from 'node:stream';
import { createLogger, redactText, redactValue, registerSecrets } from '../../src/observability/logger';

/**
 * The redaction itself, line by line: what a JSON log line may never contain whatever shape a secret arrives in,
 * and what it must keep (redaction that blanks everything would pass every leak test and help nobody).
 */
const KEY = 'EZAK_canary_EASYPOST_3d9b1f';
const TOKEN = 'shpat_canary+SHOPIFY/7c1e9f';
const SHORT = 'abc12';

registerSecrets([KEY, TOKEN, SHORT, null, undefined, '']);

function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  write(createLogger('debug', stream));
  return Buffer.concat(chunks).toString('utf8');
}

describe('log redaction', () => {
  test('a registered value is replaced in messages and fields, however deep, in arrays and in errors', () => {
    const text = logged((logger) => {
      logger.warn(`request to https://api.example/v2?key=${KEY} failed`, {
        detail: `upstream said: bad key ${KEY}`,
        nested: { list: [`x ${TOKEN} y`, { inner: TOKEN }] },
        error: new Error(`401 for ${KEY}`),
      });
    });
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(TOKEN);
    const line = JSON.parse(text) as Record<string, unknown>;
    expect(line.message).toBe('request to https://api.example/v2?key=[REDACTED] failed');
    expect(line.nested).toEqual({ list: ['x [REDACTED] y', { inner: '[REDACTED]' }] });
    expect(line.error).toEqual({ name: 'Error', message: '401 for [REDACTED]' });
  });

  test('the forms a secret travels in: URL-encoded, and the HTTP Basic credential (base64 of "KEY:")', () => {
    const basic = Buffer.from(`${KEY}:`).toString('base64');
    const encoded = encodeURIComponent(TOKEN);
    expect(encoded).not.toBe(TOKEN);
    const text = logged((logger) => logger.error('request failed', { request: `GET /v2/trackers (Basic ${basic})`, url: `https://shop/x?t=${encoded}` }));
    expect(text).not.toContain(basic);
    expect(text).not.toContain(encoded);
    expect(JSON.parse(text)).toMatchObject({ request: 'GET /v2/trackers (Basic [REDACTED])', url: 'https://shop/x?t=[REDACTED]' });
  });

  test('a secret-named key is masked whatever its value; empty and null values stay visible as such', () => {
    expect(redactValue('', { apiKey: 'anything', Authorization: 'Bearer x', 'x-shopify-access-token': 'y', webhook_secret: 7, password: '' }))
      .toEqual({ apiKey: '[REDACTED]', Authorization: '[REDACTED]', 'x-shopify-access-token': '[REDACTED]', webhook_secret: '[REDACTED]', password: '' });
    expect(redactValue('token', null)).toBeNull();
  });

  test('past the walking depth a field is replaced, not passed through unread', () => {
    const deep = { a: { b: { c: { d: { e: { token: 'unregistered-secret-value' } } } } } };
    const text = logged((logger) => logger.info('deep', { deep }));
    expect(text).not.toContain('unregistered-secret-value');
    expect(JSON.parse(text)).toMatchObject({ deep: { a: { b: { c: { d: '[TRUNCATED]' } } } } });
  });

  test('keeps what is not secret: ordinary text, numbers, short values that were not registered', () => {
    expect(redactText(`order #1001 for ${SHORT} shipped`)).toBe(`order #1001 for ${SHORT} shipped`);
    expect(redactValue('', { orders: 3, endpoint: 'events', at: '2026-01-01' })).toEqual({ orders: 3, endpoint: 'events', at: '2026-01-01' });
    // A secret containing another is replaced whole, not left half-visible.
    registerSecrets([`${KEY}_long`]);
    expect(redactText(`${KEY}_long`)).toBe('[REDACTED]');
  });
});
