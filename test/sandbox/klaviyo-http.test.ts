import path from 'path';
import zlib from 'zlib';
import { type KlaviyoSandbox, startKlaviyoSandbox } from '../../src/sandbox/klaviyo';
import { toJsonSchema } from '../../src/sandbox/klaviyo/schema';
import { packageRoot } from '../../src/util/package-root';

/** Header-level rules the SDK always satisfies, so these go over plain fetch. */
let sandbox: KlaviyoSandbox;
beforeAll(async () => {
  sandbox = await startKlaviyoSandbox({ rateLimits: 'off' });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const validEvent = JSON.stringify({
  data: {
    type: 'event',
    attributes: {
      properties: {},
      metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } },
      profile: { data: { type: 'profile', attributes: { email: 'h@example.com' } } },
    },
  },
});

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    body,
    headers: { Authorization: `Klaviyo-API-Key ${sandbox.apiKey}`, revision: '2026-07-15', 'Content-Type': 'application/json', ...headers },
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as { errors?: { code: string; source?: { parameter?: string } }[] }) : null };
}

describe('Klaviyo sandbox: HTTP-level rules', () => {
  it('accepts the plain request the others vary', async () => {
    expect((await post('/api/events', validEvent)).status).toBe(202);
    expect(sandbox.events()).toHaveLength(1);
  });

  it('requires the revision header (400) and a JSON media type (415)', async () => {
    const noRevision = await post('/api/events', validEvent, { revision: '' });
    expect(noRevision.status).toBe(400);
    expect(noRevision.json?.errors?.[0].source?.parameter).toBe('revision');
    expect((await post('/api/events', validEvent, { revision: '2031-01-01' })).status).toBe(400);
    expect((await post('/api/events', validEvent, { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect(sandbox.events()).toHaveLength(0);
  });

  it('answers 401 not_authenticated without a key', async () => {
    const result = await post('/api/events', validEvent, { Authorization: '' });
    expect(result.status).toBe(401);
    expect(result.json?.errors?.[0].code).toBe('not_authenticated');
  });

  it('refuses bodies over 5 MB with 413 and malformed JSON with 400 parse_error', async () => {
    expect((await post('/api/events', Buffer.alloc(5 * 1024 * 1024 + 1, 0x20))).status).toBe(413);
    const broken = await post('/api/events', '{"data":');
    expect(broken.status).toBe(400);
    expect(broken.json?.errors?.[0].code).toBe('parse_error');
  });

  it('accepts a gzip-encoded body', async () => {
    expect((await post('/api/events', zlib.gzipSync(validEvent), { 'Content-Encoding': 'gzip' })).status).toBe(202);
    expect((await post('/api/events', validEvent, { 'Content-Encoding': 'br' })).status).toBe(415);
  });

  it('answers unknown routes with a JSON:API 404 and wrong methods with 405', async () => {
    const unknown = await post('/api/nope', validEvent);
    expect(unknown.status).toBe(404);
    expect(unknown.json?.errors?.[0].code).toBe('not_found');
    expect((await post('/api/accounts', validEvent)).status).toBe(405);
    expect(sandbox.stats().requests.unrouted).toEqual({ 404: 1, 405: 1 });
  });
});

describe('Klaviyo sandbox: OpenAPI 3.0 → JSON Schema', () => {
  it('turns nullable into explicit null alternatives and drops documentation noise', () => {
    expect(toJsonSchema({ type: 'string', nullable: true, example: 'x', description: 'd' }, 'c#/')).toEqual({ type: ['string', 'null'] });
    expect(toJsonSchema({ $ref: '#/components/schemas/A', nullable: true }, 'c#/')).toEqual({ anyOf: [{ $ref: 'c#/A' }, { type: 'null' }] });
    expect(toJsonSchema({ oneOf: [{ type: 'string' }], nullable: true }, 'c#/')).toEqual({ oneOf: [{ type: 'string' }, { type: 'null' }] });
    expect(toJsonSchema({ type: 'string', enum: ['a'], nullable: true }, 'c#/')).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    // A property named like a keyword is a field, not noise.
    expect(toJsonSchema({ type: 'object', properties: { title: { type: 'string' } } }, 'c#/'))
      .toEqual({ type: 'object', properties: { title: { type: 'string' } } });
  });

  it('finds the package root (where the spec copy lives)', () => {
    const root = path.resolve(__dirname, '../..');
    expect(packageRoot()).toBe(root);
  });
});
