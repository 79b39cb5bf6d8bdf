import { PermanentError, RetryableError, ShipsignalError } from '../../util/errors';

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null && name in err ? (err as Record<string, unknown>)[name] : undefined;
}

/**
 * The official client's error classes are minified and not exported, so we branch on `statusCode` (set on every
 * API error) and on Node's network error codes. The client never surfaces Retry-After; EasyPost does not send one.
 */
export function toTypedError(err: unknown, operation: string): ShipsignalError {
  if (err instanceof ShipsignalError) return err;
  const message = `EasyPost ${operation}: ${err instanceof Error ? err.message : String(err)}`;
  const statusCode = field(err, 'statusCode');
  if (typeof statusCode === 'number') {
    if (statusCode === 429) return new RetryableError(message, 'easypost_rate_limited', null, { cause: err });
    if (statusCode === 408 || statusCode >= 500) return new RetryableError(message, 'easypost_unavailable', null, { cause: err });
    const code = field(err, 'code');
    return new PermanentError(message, typeof code === 'string' ? code : `easypost_http_${statusCode}`, { cause: err });
  }
  const code = field(err, 'code');
  if ((typeof code === 'string' && NETWORK_CODES.has(code)) || field(err, 'timeout') !== undefined) {
    return new RetryableError(message, 'easypost_network', null, { cause: err });
  }
  // Anything else is a response the client could not read (a proxy's HTML 502 page, a cut body): try again later.
  return new RetryableError(message, 'easypost_bad_response', null, { cause: err });
}
