import { randomUUID } from 'crypto';

/** One entry of Klaviyo's JSON:API `errors[]`. */
export interface ApiError {
  readonly id: string;
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly source?: { readonly pointer?: string; readonly parameter?: string };
  readonly links?: { readonly type: string };
  readonly meta: Readonly<Record<string, unknown>>;
}

/** A problem found in a request before anything is applied: where it is and what is wrong. */
export interface Violation {
  readonly pointer: string;
  readonly detail: string;
}

export function apiError(
  status: number,
  code: string,
  title: string,
  detail: string,
  extra: Pick<ApiError, 'source' | 'links'> & { meta?: Record<string, unknown> } = {},
): ApiError {
  return { id: randomUUID(), status, code, title, detail, ...extra, meta: extra.meta ?? {} };
}

export const invalid = (violation: Violation): ApiError =>
  apiError(400, 'invalid', 'Invalid input.', violation.detail, { source: { pointer: violation.pointer } });

export const invalidParameter = (parameter: string, detail: string): ApiError =>
  apiError(400, 'invalid', 'Invalid input.', detail, { source: { parameter } });

export const throttled = (retryAfterSeconds: number): ApiError =>
  apiError(429, 'throttled', 'Request was throttled.',
    `Request was throttled. Expected available in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`, {
      source: { pointer: '/data' },
      links: { type: 'https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling#rate-limits' },
    });

export const notAuthenticated = (keyGiven: boolean): ApiError => keyGiven
  ? apiError(401, 'authentication_failed', 'Incorrect authentication credentials.', 'Missing or invalid private key.',
    { source: { pointer: '/data/' } })
  : apiError(401, 'not_authenticated', 'Authentication credentials were not provided.', 'Missing or invalid private key.',
    { source: { pointer: '/data/' } });

/**
 * A valid key without a scope the endpoint needs. Klaviyo's API answers auth problems with Django REST framework's
 * codes (`not_authenticated`, `authentication_failed`), and a missing permission with its `permission_denied`.
 */
export const permissionDenied = (missing: readonly string[]): ApiError =>
  apiError(403, 'permission_denied', 'You do not have permission to perform this action.',
    `This API key is missing required scopes: ${missing.join(', ')}.`, { source: { pointer: '/data/' } });

export const notFound = (detail = 'Not found.'): ApiError => apiError(404, 'not_found', 'Not found.', detail);

export const methodNotAllowed = (method: string): ApiError =>
  apiError(405, 'method_not_allowed', 'Method not allowed.', `Method "${method}" not allowed.`);

export const unsupportedMediaType = (detail: string): ApiError =>
  apiError(415, 'unsupported_media_type', 'Unsupported media type.', detail);

export const payloadTooLarge = (limitBytes: number): ApiError =>
  apiError(413, 'payload_too_large', 'Payload too large.', `The request payload exceeds the ${limitBytes} byte limit.`);

export const parseError = (detail: string): ApiError =>
  apiError(400, 'parse_error', 'Malformed request.', `JSON parse error - ${detail}`);

export const duplicateProfile = (duplicateProfileId: string): ApiError =>
  apiError(409, 'duplicate_profile', 'Conflict.', 'A profile already exists with one of these identifiers.', {
    source: { pointer: '/data/attributes' },
    meta: { duplicate_profile_id: duplicateProfileId },
  });

export const serverError = (status: number): ApiError =>
  apiError(status, 'error', 'A server error occurred.', `The server responded with ${status}.`);
