import type { Endpoint, EndpointLimits, RateLimit } from '../sinks/klaviyo/limits';

/**
 * The least time Klaviyo's documented limits allow for `requests` requests to one endpoint: windows aligned with
 * the first request, each 60-second window filled to its steady limit at the burst rate, the last request starting
 * at the returned second. Requests to different endpoints count against separate limits, so they overlap.
 */
export function endpointMinimumSeconds(requests: number, limit: RateLimit): number {
  if (requests <= 0) return 0;
  // A minute holds at most 60 bursts, whatever the steady limit says.
  const perMinute = Math.min(limit.steady, 60 * limit.burst);
  const fullMinutes = Math.floor((requests - 1) / perMinute);
  const rest = requests - 1 - fullMinutes * perMinute;
  return fullMinutes * 60 + Math.floor(rest / limit.burst);
}

export function minimumSeconds(requests: Readonly<Partial<Record<string, number>>>, limits: EndpointLimits): number {
  let longest = 0;
  for (const [endpoint, count] of Object.entries(requests)) {
    const limit = (limits as Readonly<Record<string, RateLimit>>)[endpoint];
    if (limit && count !== undefined) longest = Math.max(longest, endpointMinimumSeconds(count, limit));
  }
  return longest;
}

/** What a sync has to put into Klaviyo, whatever client does it. */
export interface Work {
  readonly events: number;
  /**
   * Distinct profiles written. A customer with two patches in one sync (its lifecycle properties and its parcel's)
   * counts once: Klaviyo merges properties key by key, so both can travel as one row of one import job.
   */
  readonly profiles: number;
}

export const EVENTS_PER_BULK_REQUEST = 1_000;
export const PROFILES_PER_IMPORT_JOB = 10_000;

export interface BulkMaxima {
  readonly events: number;
  readonly profiles: number;
}

/**
 * Klaviyo's bulk maxima divided by `scale` (at least one): what a scaled-down account in bench:fleet enforces and
 * its workers are configured with, so a small store needs as many requests as one `scale` times its size.
 */
export function bulkMaxima(scale: number): BulkMaxima {
  if (!(Number.isInteger(scale) && scale >= 1)) throw new RangeError(`expected a positive integer scale, got ${scale}`);
  return { events: Math.max(1, Math.floor(EVENTS_PER_BULK_REQUEST / scale)), profiles: Math.max(1, Math.floor(PROFILES_PER_IMPORT_JOB / scale)) };
}

/**
 * The requests the work needs at the bulk endpoints' maxima (documented, or an account's smaller ones): ⌈events / 1,000⌉ bulk event requests,
 * ⌈profiles / 10,000⌉ import jobs, and one job-status read per job, since a job's per-profile failures can only be
 * learnt from it once it is complete (no failures, no import-errors pages). Bulk event jobs have no status to read.
 * Requests made beyond these (half-full batches, retries, polls of unfinished jobs) are the client's own cost, so
 * they are not in the bar the client is judged against.
 */
export function neededRequests(work: Work, maxima: BulkMaxima = bulkMaxima(1)): Partial<Record<Endpoint, number>> {
  const jobs = Math.ceil(work.profiles / maxima.profiles);
  return {
    bulkCreateEvents: Math.ceil(work.events / maxima.events),
    bulkImportProfiles: jobs,
    jobStatus: jobs,
  };
}
