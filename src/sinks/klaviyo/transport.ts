/**
 * The SDK's transport, made fit for a daemon: one attempt per call (our retry decides), a timeout (the SDK has
 * none), a configurable base URL, and every failure mapped to a typed error that says whether retrying can help.
 */
import { ApiKeySession, RetryWithExponentialBackoff } from 'klaviyo-api';
import { isAxiosError } from 'axios';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { PermanentError, RetryableError } from '../../util/errors';
import { parseRetryAfter } from '../../util/retry';

export class SinkSession extends ApiKeySession {
  constructor(
    apiKey: string,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {
    // numRetries counts attempts, so 1 means the SDK never retries on its own.
    super(apiKey, new RetryWithExponentialBackoff({ numRetries: 1 }));
  }

  override requestWithRetry(config: AxiosRequestConfig): Promise<AxiosResponse> {
    const url = new URL(config.url ?? '/', this.baseUrl);
    const rebased = new URL(url.pathname + url.search, this.baseUrl).toString();
    return super.requestWithRetry({
      ...config,
      // A body already written as JSON text (wire.ts) goes as bytes labelled JSON: axios would label a string as a
      // form, and a string labelled JSON it parses again to check it (a whole 5 MB body, per request).
      ...(typeof config.data === 'string' ? { data: Buffer.from(config.data, 'utf8'), headers: { ...config.headers, 'Content-Type': 'application/json' } } : {}),
      url: rebased,
      timeout: this.timeoutMs,
      ...(this.signal ? { signal: this.signal } : {}),
    });
  }
}

/** One entry of Klaviyo's JSON:API `errors[]`, reduced to what we act on. */
export interface ApiErrorEntry {
  readonly code: string;
  readonly detail: string;
  readonly pointer: string | null;
}

/** Klaviyo refused the request as it stands: retrying it unchanged cannot succeed. */
export class KlaviyoRequestError extends PermanentError {
  constructor(readonly status: number, readonly errors: readonly ApiErrorEntry[], message: string) {
    super(message, status === 0 ? 'client_error' : `http_${status}`);
  }
}

export type IncidentKind = 'throttled' | 'server_error' | 'network';

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504, 524]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function readErrors(body: unknown): ApiErrorEntry[] {
  if (!isRecord(body) || !Array.isArray(body.errors)) return [];
  return body.errors.filter(isRecord).map((e) => ({
    code: typeof e.code === 'string' ? e.code : 'unknown',
    detail: typeof e.detail === 'string' ? e.detail : '',
    pointer: isRecord(e.source) && typeof e.source.pointer === 'string' ? e.source.pointer : null,
  }));
}

function headerValue(headers: unknown, name: string): string | null {
  if (!isRecord(headers)) return null;
  const value = headers[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

/** The incident class of a retryable failure, for the observer. */
export function incidentKind(error: RetryableError): IncidentKind {
  return error.code === 'throttled' || error.code === 'network' ? error.code : 'server_error';
}

/** Maps whatever an SDK call threw to RetryableError (try again later) or KlaviyoRequestError (never). */
export function classifyFailure(error: unknown, now: number = Date.now()): RetryableError | KlaviyoRequestError {
  if (!isAxiosError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new KlaviyoRequestError(0, [], `request could not be built: ${message}`);
  }
  const response = error.response;
  // A success status on an error means the body broke off mid-way (reset, truncation): a transport failure.
  if (!response || response.status < 400) {
    return new RetryableError(`network: ${error.code ?? 'no response'} ${error.message}`, 'network', null, { cause: error });
  }
  const errors = readErrors(response.data);
  const summary = errors.map((e) => `${e.code}: ${e.detail}`).join('; ') || error.message;
  if (response.status === 429) {
    const retryAfter = parseRetryAfter(headerValue(response.headers, 'retry-after'), now);
    return new RetryableError(`429 ${summary}`, 'throttled', retryAfter, { cause: error });
  }
  if (RETRYABLE_STATUSES.has(response.status)) {
    return new RetryableError(`${response.status} ${summary}`, 'server_error', null, { cause: error });
  }
  return new KlaviyoRequestError(response.status, errors, `${response.status} ${summary}`);
}
