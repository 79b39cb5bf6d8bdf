/**
 * Follow-up of bulk profile imports: Klaviyo accepts them with a 202 and reports bad profiles only later, on the
 * job. We poll the job (paced like any call) until it ends, then read its import errors and map each one back
 * to the records it came from, by the identifiers in its original payload or, failing that, its pointer.
 */
import type { ProfilesApi } from 'klaviyo-api';
import type { ImportErrorResponseObjectResource } from 'klaviyo-api';
import { sleep } from '../../util/retry';
import type { Dispatcher } from './dispatcher';
import { profilePointer } from './pointers';
import type { AcceptedJob, JobProfile } from './send-profiles';

export interface JobRejection {
  /** The `delivery` number of the report whose records these are. */
  readonly delivery: number;
  readonly index: number;
  readonly reason: string;
}

export interface SettledJobs {
  readonly rejected: JobRejection[];
  /** Import errors we could not tie to a record, as Klaviyo worded them. */
  readonly unmatched: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function identifiersOf(payload: unknown): string[] {
  if (!isRecord(payload)) return [];
  const attributes = isRecord(payload.attributes) ? payload.attributes : payload;
  const keys: string[] = [];
  for (const [field, prefix] of [['email', 'e'], ['external_id', 'x'], ['phone_number', 'p']] as const) {
    const value = attributes[field];
    if (typeof value === 'string') keys.push(`${prefix}:${value}`);
  }
  return keys;
}

/** Ties one import error to the profile it is about. */
export function matchImportError(error: ImportErrorResponseObjectResource, profiles: readonly JobProfile[]): JobProfile | null {
  const wanted = identifiersOf(error.attributes.originalPayload);
  if (wanted.length > 0) {
    const found = profiles.find((p) => p.keys.some((k) => wanted.includes(k)));
    if (found) return found;
  }
  const at = profilePointer(error.attributes.source?.pointer ?? null);
  return at === null ? null : profiles[at] ?? null;
}

function cursorOf(next: string | undefined): string | null {
  if (!next) return null;
  return new URL(next, 'http://localhost').searchParams.get('page[cursor]');
}

export interface TrackedJob extends AcceptedJob {
  readonly delivery: number;
}

/** Null when aborted before the job ended: it stays to be settled later. */
export async function settleJob(
  dispatcher: Dispatcher,
  api: ProfilesApi,
  job: TrackedJob,
  pollMs: number,
  signal?: AbortSignal,
): Promise<SettledJobs | null> {
  for (let polls = 0; ; polls += 1) {
    const { body } = await dispatcher.call('jobStatus', () => api.getBulkImportProfilesJob(job.id));
    const { status, failedCount } = body.data.attributes;
    if (status === 'cancelled') {
      const reason = `bulk import job ${job.id} was cancelled`;
      return { rejected: job.profiles.flatMap((p) => p.indices.map((index) => ({ delivery: job.delivery, index, reason }))), unmatched: [] };
    }
    if (status === 'complete') {
      if (!failedCount) return { rejected: [], unmatched: [] };
      break;
    }
    // Small jobs often end within a fraction of the interval: the first wait is shorter, so the end of a drain
    // does not idle a whole interval for its last job, at the cost of at most one more status call per job.
    await sleep(polls === 0 ? pollMs / 4 : pollMs, signal);
    if (signal?.aborted) return null;
  }
  const rejected: JobRejection[] = [];
  const unmatched: string[] = [];
  let cursor: string | null = null;
  do {
    const options: { pageCursor?: string } = cursor === null ? {} : { pageCursor: cursor };
    const { body } = await dispatcher.call('jobStatus', () => api.getErrorsForBulkImportProfilesJob(job.id, options));
    for (const error of body.data) {
      const { code, detail, source } = error.attributes;
      const reason = `import error ${code}: ${detail}${source?.pointer ? ` (${source.pointer})` : ''}`;
      const item = matchImportError(error, job.profiles);
      if (item) rejected.push(...item.indices.map((index) => ({ delivery: job.delivery, index, reason })));
      else unmatched.push(reason);
    }
    cursor = cursorOf(body.links?.next);
  } while (cursor !== null);
  return { rejected, unmatched };
}
