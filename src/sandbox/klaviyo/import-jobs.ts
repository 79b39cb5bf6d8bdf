import type { Clock } from '../../util/clock';
import { type JobTimers, type JobTiming, processingMs } from './job-timing';
import { profileViolations } from './limits';
import type { ProfileStore } from './profile-store';
import type { WireProfile } from './wire';

export type JobStatus = 'queued' | 'processing' | 'complete' | 'cancelled';

export interface ImportError {
  readonly id: string;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly pointer: string;
  readonly originalPayload: WireProfile;
}

export interface ImportJob {
  readonly id: string;
  status: JobStatus;
  readonly createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  readonly expiresAt: string;
  readonly totalCount: number;
  completedCount: number;
  failedCount: number;
  readonly profileIds: string[];
  readonly errors: ImportError[];
  readonly listIds: readonly string[];
}

const JOB_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Bulk profile import jobs run like Klaviyo's, asynchronously: queued on creation, processing after the timing's
 * queue time, and complete (the profiles applied, bad ones become import errors) after a processing time that
 * grows with the job's rows and bytes (job-timing.ts).
 */
export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private readonly payloads = new Map<string, readonly WireProfile[]>();
  private counter = 0;
  private errorCounter = 0;

  constructor(
    private readonly profiles: ProfileStore,
    private readonly clock: Clock,
    private readonly timing: JobTiming,
    private readonly timers: JobTimers,
  ) {}

  /** `bytes`: the request body's size, which the processing time depends on. */
  create(profiles: readonly WireProfile[], listIds: readonly string[], bytes: number): ImportJob {
    this.counter += 1;
    const now = this.clock.now();
    const job: ImportJob = {
      id: `01SBXJOB${this.counter.toString(32).toUpperCase().padStart(18, '0')}`,
      status: 'queued',
      createdAt: now.toISOString(),
      startedAt: null,
      completedAt: null,
      expiresAt: new Date(now.getTime() + JOB_TTL_MS).toISOString(),
      totalCount: profiles.length,
      completedCount: 0,
      failedCount: 0,
      profileIds: [],
      errors: [],
      listIds,
    };
    this.jobs.set(job.id, job);
    this.payloads.set(job.id, structuredClone(profiles));
    this.timers.later(this.timing.queuedMs, () => {
      job.status = 'processing';
      job.startedAt = this.clock.now().toISOString();
      this.timers.later(processingMs(this.timing, profiles.length, bytes), () => {
        this.process(job);
        job.status = 'complete';
        job.completedAt = this.clock.now().toISOString();
      });
    });
    return job;
  }

  get(id: string): ImportJob | undefined {
    return this.jobs.get(id);
  }

  all(): ImportJob[] {
    return [...this.jobs.values()];
  }

  clear(): void {
    this.jobs.clear();
    this.payloads.clear();
    this.counter = 0;
    this.errorCounter = 0;
  }

  private process(job: ImportJob): void {
    const now = this.clock.now();
    const payload = this.payloads.get(job.id) ?? [];
    this.payloads.delete(job.id);
    for (const profile of payload) {
      const violation = profileViolations(profile, '/data')[0];
      if (violation) {
        this.fail(job, profile, 'invalid', 'Invalid input.', violation.detail, violation.pointer);
        continue;
      }
      const outcome = this.profiles.upsert(profile, now, 'reject');
      if (outcome.kind === 'conflict') {
        this.fail(job, profile, 'duplicate_profile', 'Conflict.',
          `A profile already exists with one of these identifiers (${outcome.duplicateProfileId}).`, '/data/attributes');
      } else if (outcome.kind === 'not_found') {
        this.fail(job, profile, 'not_found', 'Not found.', `No profile with id '${outcome.id}'.`, '/data/id');
      } else {
        job.completedCount += 1;
        if (!job.profileIds.includes(outcome.profile.id)) job.profileIds.push(outcome.profile.id);
      }
    }
  }

  private fail(job: ImportJob, profile: WireProfile, code: string, title: string, detail: string, pointer: string): void {
    this.errorCounter += 1;
    job.failedCount += 1;
    job.errors.push({
      id: `00000000-0000-4000-8000-${String(this.errorCounter).padStart(12, '0')}`,
      code, title, detail, pointer, originalPayload: profile,
    });
  }
}
