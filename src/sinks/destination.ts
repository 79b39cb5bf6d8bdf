import type { SinkRecord } from '../model/records';

/**
 * The destination port: where the outbox is delivered (Klaviyo today). It says nothing of one provider's batching,
 * pacing or job model: another ESP is one new folder under `src/sinks/` implementing this, wired by the
 * composition root.
 */

/** A record the destination refused for good, by its index in the delivery. */
export interface DeliveryRejection {
  readonly index: number;
  readonly reason: string;
}

export interface DeliveryResult {
  /** Sequence number of this delivery; late rejections from `settleJobs` name it. */
  readonly delivery: number;
  readonly rejected: readonly DeliveryRejection[];
  /** Asynchronous jobs the destination still processes for this delivery (settled later). */
  readonly jobs: readonly string[];
}

export interface Destination {
  readonly name: string;
  /**
   * Delivers records and reports per-record permanent refusals by index. Throws a RetryableError when the
   * destination stayed unavailable past its retry policy: nothing of the delivery may then be acknowledged.
   */
  deliver(records: readonly SinkRecord[]): Promise<DeliveryResult>;
  /** Follows asynchronous jobs to their end; their refusals name the delivery and index they belong to. */
  settleJobs(): Promise<{ rejected: ReadonlyArray<DeliveryRejection & { delivery: number }> }>;
  pendingJobs(): string[];
  /**
   * Records one full request carries, events and profiles (the drain sizes its chunks by them); absent: Klaviyo's
   * maxima, 1,000 and 10,000.
   */
  readonly requestSizes?: { readonly events: number; readonly profiles: number };
  /** One cheap authenticated read, for `doctor` and readiness; throws with a plain reason. */
  check(signal: AbortSignal): Promise<{ readonly detail: string }>;
  close(): Promise<void>;
}
