/**
 * Pacing through an account's windows shared by every worker of a fleet (Redis): the same rule as the in-process
 * Pacer (earliestStart), applied to a snapshot of the shared state, and a take that succeeds only if nothing changed
 * since that snapshot (optimistic, so the rule stays in TypeScript and Redis only keeps the state). A wait longer
 * than `maxWaitMs` is not waited out here: the job gets OutOfBudgetError and is put back until then, unless the
 * request belongs to a delivery already under way (`patient`): the outbox acknowledges whole batches only, so a
 * delivery cut short is sent again from its start, and one longer than the account's minute would be cut short
 * every time and never end (measured in bench:fleet with scaled-down accounts: the same 30 requests each minute).
 */
import { randomBytes } from 'node:crypto';
import { sleep } from '../../util/retry';
import { OutOfBudgetError, type SharedWindows } from '../pacing';
import type { RateLimit } from './limits';
import { STEADY_WINDOW_MS, earliestStart, type RequestPacer } from './pacer';

/** How often to look again while the account's in-flight cap is full (another worker's answer frees a slot). */
const IN_FLIGHT_POLL_MS = 25;

export interface SharedPacerOptions {
  readonly endpoint: string;
  readonly limit: RateLimit;
  readonly marginMs: number;
  readonly windows: SharedWindows;
  /** Longer waits throw OutOfBudgetError. */
  readonly maxWaitMs: number;
  /** A slot never finished (its worker died) counts as in flight this long, then as answered. */
  readonly slotTtlMs: number;
}

export class SharedPacer implements RequestPacer {
  private readonly slots = new Map<number, string>();
  private nextId = 0;
  /** Acquisitions of this process run one after another (as in Pacer); other processes contend through `take`. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Finishes and pauses not yet written: an acquisition waits for them, so it never reads a stale window. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SharedPacerOptions) {}

  acquire(signal?: AbortSignal, patient: () => boolean = () => false): Promise<number | null> {
    const next = this.turn.then(() => this.take(signal, patient));
    this.turn = next.catch(() => undefined);
    return next;
  }

  finish(id: number): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    this.write(() => this.options.windows.finish(this.options.endpoint, slot));
  }

  pause(ms: number): void {
    this.write(() => this.options.windows.pause(this.options.endpoint, ms));
  }

  /** A failed write only makes the window look busier (an unfinished slot expires after slotTtlMs). */
  private write(run: () => Promise<void>): void {
    this.writes = this.writes.then(run).catch(() => undefined);
  }

  private async take(signal: AbortSignal | undefined, patient: () => boolean): Promise<number | null> {
    const { endpoint, limit, marginMs, windows, maxWaitMs, slotTtlMs } = this.options;
    await this.writes;
    for (;;) {
      if (signal?.aborted) return null;
      const snapshot = await windows.snapshot(endpoint);
      const earliest = earliestStart(limit, marginMs, snapshot);
      const wait = 'waitForAnswer' in earliest ? IN_FLIGHT_POLL_MS : earliest.at - snapshot.now;
      if (wait <= 0) {
        const slot = randomBytes(8).toString('hex');
        if (await windows.take(endpoint, snapshot.version, slot, slotTtlMs)) {
          const id = this.nextId++;
          this.slots.set(id, slot);
          return id;
        }
        continue; // another worker took or finished one in between: decide again on a fresh snapshot
      }
      if (wait > maxWaitMs && !patient()) throw new OutOfBudgetError(Date.now() + Math.min(wait, STEADY_WINDOW_MS + marginMs), endpoint);
      await sleep(wait, signal);
    }
  }
}
