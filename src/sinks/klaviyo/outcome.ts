import { RetryableError } from '../../util/errors';
import type { DeliveryRejection } from './batching';
import { KlaviyoRequestError } from './transport';

/** What became of the input records (by index) that one plan carried. */
export interface Outcome {
  readonly delivered: number[];
  readonly rejected: DeliveryRejection[];
  /** Not delivered because Klaviyo stayed unavailable: the caller must keep them. */
  readonly pending: number[];
}

export const emptyOutcome = (): Outcome => ({ delivered: [], rejected: [], pending: [] });

export function mergeOutcomes(outcomes: readonly Outcome[]): Outcome {
  const total = emptyOutcome();
  for (const o of outcomes) {
    total.delivered.push(...o.delivered);
    total.rejected.push(...o.rejected);
    total.pending.push(...o.pending);
  }
  return total;
}

/**
 * Statuses that condemn the records sent, not the integration. 401/403/404/405/415 say our key, scopes or
 * client are wrong: rejecting records for that would lose good data, so those abort the delivery instead.
 */
const RECORD_LEVEL = new Set([400, 409, 413, 422]);

export function isRecordLevel(error: unknown): error is KlaviyoRequestError {
  return error instanceof KlaviyoRequestError && (RECORD_LEVEL.has(error.status) || error.status === 0);
}

/** The outcome for records whose request failed as a whole; anything else is rethrown. */
export function wholeFailure(error: unknown, indices: readonly number[]): Outcome {
  if (error instanceof RetryableError) return { delivered: [], rejected: [], pending: [...indices] };
  if (isRecordLevel(error)) {
    return { delivered: [], rejected: indices.map((index) => ({ index, reason: error.message })), pending: [] };
  }
  throw error;
}

export function reasonFor(error: KlaviyoRequestError, pointerDetail: { code: string; detail: string; pointer: string | null }): string {
  return `${error.status} ${pointerDetail.code}: ${pointerDetail.detail}${pointerDetail.pointer ? ` (${pointerDetail.pointer})` : ''}`;
}
