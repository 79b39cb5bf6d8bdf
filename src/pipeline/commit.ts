import type { SinkRecord } from '../model/records';
import type { StoredRejection } from '../state/rejects';
import type { CommitUnit as StateUnit } from '../state/port';
import { mergeUnits } from '../state/store';
import type { PipelineContext } from './context';

/** A cursor a step moves: stored under `key`, never moved back behind what is stored (a stale run's page). */
export interface CursorMove<C = unknown> {
  readonly key: string;
  readonly value: C;
  readonly notBehind: (a: C, b: C) => boolean;
}

/**
 * Everything one step of the pipeline writes: what the destination must hear, when to look at customers and
 * parcels again, the new state, the records refused, and the source cursor. It is written by `commitUnit` alone,
 * the one owner of the durability rule.
 */
export interface CommitUnit {
  readonly records?: readonly SinkRecord[];
  readonly reviews?: ReadonlyArray<{ readonly key: string; readonly at: Date }>;
  readonly shipmentChecks?: ReadonlyArray<{ readonly key: string; readonly at: Date }>;
  /** Customers seen for the first time (the index every full re-assessment walks). */
  readonly newCustomers?: readonly string[];
  readonly entries?: ReadonlyArray<readonly [string, unknown]>;
  readonly rejects?: readonly StoredRejection[];
  readonly cursor?: CursorMove | null;
  /** Further raw writes that must land with the step: the product lessons' journal or its fold (state/products.ts). */
  readonly state?: StateUnit;
}

/**
 * The durability rule, in one place: outbox records, review and re-check schedules, the customer index, rejects,
 * the state entries with the outcome counters they move, and the cursor in ONE atomic `store.commit`. A crash before it replays the step (records are
 * idempotent: deterministic event ids, absolute profile values); after it nothing is lost. Call it inside
 * `context.writer`, after the step's reads, so no other step's (or process's) write lands between them.
 */
export async function commitUnit(context: PipelineContext, unit: CommitUnit): Promise<void> {
  const cursor = unit.cursor ?? null;
  let cursorEntry: Array<readonly [string, unknown]> = [];
  if (cursor) {
    const stored = await context.store.get<unknown>(cursor.key);
    if (stored === undefined || cursor.notBehind(cursor.value, stored)) cursorEntry = [[cursor.key, cursor.value]];
  }
  const entries = unit.entries ?? [];
  // The outcome counters move by exactly what this unit's customers, parcels and holds change, in the same write:
  // a crash before it replays both, after it neither (see state/outcomes.ts).
  const now = context.clock.now();
  const [reviews, checks, outcomes, marks] = await Promise.all([
    context.reviews.scheduleUnit(unit.reviews ?? []),
    context.shipmentChecks.scheduleUnit(unit.shipmentChecks ?? []),
    context.outcomes.entriesFor(entries, now),
    context.outbox.marksFor(unit.records ?? [], now),
  ]);
  await context.store.commit(mergeUnits(
    { appends: context.outbox.appendsFor(unit.records ?? []) },
    { appends: context.customers.indexAppendsFor(unit.newCustomers ?? []) },
    reviews,
    checks,
    unit.rejects && unit.rejects.length > 0 ? { appends: [context.rejects.appendsFor(unit.rejects)] } : null,
    unit.state,
    { entries: [...entries, ...outcomes, ...marks, ...cursorEntry] },
  ));
  if ((unit.records ?? []).length > 0) context.outbox.appended();
}
