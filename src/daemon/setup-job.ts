import { provisionStarterSet } from '../pipeline/provision';
import type { ProvisionResult, Provisioner, StarterSet } from '../sinks/provisioner';
import type { StateStore } from '../state/port';
import { runJob, type JobDeps } from './jobs';

export interface SetupJobSummary {
  readonly created: number;
  readonly exists: number;
  readonly waiting: number;
  readonly failed: number;
}

/**
 * `SHIPSIGNAL_SETUP=auto`: the daemon's `setup` job provisions the starter set objects that state holds no id for
 * yet (missing, or waiting for their trigger metric's first event), under its own lease, so a waiting flow is
 * created once its metric exists and nothing is created twice (each object is also looked up by name first).
 *
 * When it runs: at start, right after a drain that delivered events (the events that may have created a waiting
 * flow's metric), and on its tick when the last run left a reason to look again. It never holds up another job:
 * a run already under way makes the next one skip (the deliveries it missed keep it due for the next tick), and
 * once everything exists a run reads only state and sends nothing.
 */
export class AutoSetup {
  /** Events delivered since the last run started. */
  private deliveredSince = 0;
  /** Look again on the next tick (at start; after a run that still waits). */
  private recheck = true;

  constructor(
    private readonly deps: () => JobDeps,
    private readonly store: StateStore,
    private readonly provisioner: Provisioner,
    private readonly set: StarterSet,
  ) {}

  /** After a drain: delivered events make a run due now. */
  async afterDelivery(events: number): Promise<void> {
    if (events <= 0) return;
    this.deliveredSince += events;
    await this.runLogged();
  }

  /** The scheduled tick: runs only when due. */
  async tick(): Promise<void> {
    if (this.deliveredSince > 0 || this.recheck) await this.run();
  }

  private async runLogged(): Promise<void> {
    try {
      await this.run();
    } catch (error) {
      const deps = this.deps();
      if (!deps.signal.aborted) deps.logger.error('setup failed', { error });
    }
  }

  private async run(): Promise<void> {
    const deps = this.deps();
    await runJob(deps, { name: 'setup', component: null, wait: 'skip' }, async () => {
      const afterEvents = this.deliveredSince > 0;
      this.deliveredSince = 0;
      this.recheck = false;
      const result = await provisionStarterSet(this.store, this.provisioner, this.set, { dryRun: false, pendingOnly: true, now: deps.clock.now() });
      // The destination may apply events some time after accepting them (Klaviyo's bulk event jobs): a flow still
      // waiting for its metric after a run the deliveries caused gets one more look on the next tick; a spent
      // daily cap or a long throttle is looked at again on every tick until it passes.
      this.recheck = result.lines.some((line) => line.outcome.status === 'waiting' && (line.outcome.cause === 'limit' || afterEvents));
      report(deps, result);
      return summarize(result);
    });
  }
}

function summarize(result: ProvisionResult): SetupJobSummary {
  const count = (status: string) => result.lines.filter((line) => line.outcome.status === status).length;
  return { created: count('created'), exists: count('exists'), waiting: count('waiting'), failed: count('failed') };
}

/** One log line per object that changed or could not: created, waiting (with the reason), failed (with the error). */
function report(deps: JobDeps, result: ProvisionResult): void {
  for (const { kind, name, outcome } of result.lines) {
    if (outcome.status === 'created') deps.logger.info(`setup created ${kind}`, { name, id: outcome.id });
    else if (outcome.status === 'waiting') deps.logger.info(`setup: ${kind} waiting`, { name, reason: outcome.reason });
    else if (outcome.status === 'failed') deps.logger.warn(`setup: ${kind} failed`, { name, error: outcome.error });
  }
}
