import { AxiosError, AxiosHeaders, type AxiosResponse } from 'axios';
import type { ImportErrorResponseObjectResource } from 'klaviyo-api';
import { RetryableError } from '../../src/util/errors';
import { splitRecords } from '../../src/sinks/klaviyo/batching';
import { matchImportError } from '../../src/sinks/klaviyo/jobs';
import { jobProfile } from '../../src/sinks/klaviyo/send-profiles';
import { DOCUMENTED_PAYLOAD_LIMITS } from '../../src/sinks/klaviyo/limits';
import { eventPointer, profilePointer } from '../../src/sinks/klaviyo/pointers';
import { KlaviyoRequestError, classifyFailure } from '../../src/sinks/klaviyo/transport';

function httpError(status: number, body: unknown, headers: Record<string, string> = {}): AxiosError {
  const config = { headers: new AxiosHeaders() };
  const response: AxiosResponse = { status, statusText: '', data: body, headers: new AxiosHeaders(headers), config };
  return new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_RESPONSE', config, {}, response);
}

describe('failure classification', () => {
  test.each([500, 502, 503, 504, 524, 408])('%i is retryable with backoff', (status) => {
    const failure = classifyFailure(httpError(status, '<html>bad gateway</html>'));
    expect(failure).toBeInstanceOf(RetryableError);
    expect((failure as RetryableError).retryAfterMs).toBeNull();
  });

  test('429 carries Retry-After in ms, never rounded down', () => {
    const failure = classifyFailure(httpError(429, { errors: [{ code: 'throttled', detail: 'x' }] }, { 'retry-after': '2' }));
    expect(failure).toMatchObject({ code: 'throttled', retryAfterMs: 2000 });
  });

  test.each([400, 401, 403, 404, 409, 413, 415])('%i is permanent and keeps the error entries', (status) => {
    const failure = classifyFailure(httpError(status, {
      errors: [{ code: 'invalid', detail: 'bad time', source: { pointer: '/data/attributes/time' } }],
    }));
    expect(failure).toBeInstanceOf(KlaviyoRequestError);
    expect(failure).toMatchObject({ status, errors: [{ code: 'invalid', detail: 'bad time', pointer: '/data/attributes/time' }] });
  });

  test('no response (reset, timeout) is a retryable network failure; a non-HTTP error is a client error', () => {
    expect(classifyFailure(new AxiosError('socket hang up', 'ECONNRESET'))).toMatchObject({ code: 'network', retryable: true });
    expect(classifyFailure(httpError(200, '{"data":'))).toMatchObject({ code: 'network', retryable: true });
    expect(classifyFailure(new TypeError('getAttributeTypeMap'))).toMatchObject({ status: 0, retryable: false });
  });
});

describe('pointers', () => {
  test('bulk event pointers name the group and, when given, the event', () => {
    expect(eventPointer('/data/attributes/events-bulk-create/data/3/attributes/events/data/1/attributes/time')).toEqual({ group: 3, event: 1 });
    expect(eventPointer('/data/attributes/events-bulk-create/data/2/attributes/profile/data/attributes/email')).toEqual({ group: 2, event: null });
    expect(eventPointer('/data/attributes/events-bulk-create/data')).toBeNull();
    expect(eventPointer('/data')).toBeNull();
    expect(eventPointer(null)).toBeNull();
  });

  test('bulk profile pointers name the profile', () => {
    expect(profilePointer('/data/attributes/profiles/data/12/attributes/phone_number')).toBe(12);
    expect(profilePointer('/data/attributes/profiles/data/7')).toBe(7);
    expect(profilePointer('/data/attributes')).toBeNull();
  });
});

describe('import errors back to records', () => {
  const profiles = splitRecords([0, 1, 2].map((i) => ({
    kind: 'profile' as const, identity: { email: `c${i}@example.com`, phoneNumber: null, externalId: `x${i}` },
    firstName: null, lastName: null, properties: {},
  })), DOCUMENTED_PAYLOAD_LIMITS).profiles.map(jobProfile);
  const importError = (originalPayload: object | null, pointer?: string): ImportErrorResponseObjectResource => ({
    type: 'import-error', id: 'e1',
    attributes: { code: 'invalid', title: 'Invalid input.', detail: 'x', source: pointer ? { pointer } : {}, originalPayload },
  });

  test('by the identifiers of the original payload, as a resource or flat', () => {
    expect(matchImportError(importError({ type: 'profile', attributes: { email: 'c2@example.com' } }), profiles)).toBe(profiles[2]);
    expect(matchImportError(importError({ external_id: 'x1' }), profiles)).toBe(profiles[1]);
  });

  test('by pointer when the payload says nothing; null when nothing matches', () => {
    expect(matchImportError(importError(null, '/data/attributes/profiles/data/0/attributes/email'), profiles)).toBe(profiles[0]);
    expect(matchImportError(importError({ email: 'stranger@example.com' }, '/data/attributes'), profiles)).toBeNull();
  });
});
