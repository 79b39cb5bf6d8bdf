import { patchedFields, profileKeyOf, type SinkRecord } from '../model/records';
import type { LogBatch } from '../state/durable-log';

/**
 * Pure parts of the drain: how many outbox batches make one chunk, and which of a chunk's profile patches must wait
 * for earlier patches still being applied.
 */

/** A full request's records when the destination does not say (Klaviyo's maxima: 10,000 records a chunk, as before). */
const DEFAULT_REQUEST_SIZES = { events: 1_000, profiles: 10_000 } as const;
/**
 * Records per outbox chunk: ten full bulk event requests, or one full bulk profile import, of the destination's
 * own request sizes. A chunk is acknowledged only once all of it is delivered, so it must fit in what the account
 * allows before a job is put back for budget: counted in records at a smaller request size (an account configured
 * with KLAVIYO_MAX_EVENTS_PER_BULK), a fixed 10,000 would be hundreds of requests, cut off by the minute's window
 * and sent again from its start every time (measured: a fleet backfill that never ended).
 *
 * While a producer is still appending, a lane's first chunk goes as soon as it fills one bulk event request: the
 * events endpoint's per-minute window starts with the first request, so starting it seconds earlier ends the
 * whole backfill seconds earlier, for at most one part-full request. Later chunks wait to be full.
 */
export function chunkSizes(requestSizes: { readonly events: number; readonly profiles: number } = DEFAULT_REQUEST_SIZES): { chunk: number; first: number; maxProfiles: number } {
  return { chunk: Math.max(10 * requestSizes.events, requestSizes.profiles), first: requestSizes.events, maxProfiles: requestSizes.profiles };
}

export interface ChunkFill {
  /** Batches (from the first) the chunk takes. */
  readonly take: number;
  /** The chunk holds `wanted` records, or its next batch would overflow one bulk profile import. */
  readonly full: boolean;
}

/**
 * Profile patches count once per profile, since the destination sends a profile's patches in one chunk as one row:
 * a chunk stops before the batch that would take it past `maxProfiles` distinct profiles, so it is one full bulk
 * import and not a full one plus a few hundred rows in a second job (which also costs its own status reads). Events
 * count one each and may overshoot `wanted` by the last batch, as before: the planner fills their requests anyway.
 * A chunk always takes at least one batch.
 */
export function chunkFill(batches: ReadonlyArray<LogBatch<SinkRecord>>, wanted: number, maxProfiles: number): ChunkFill {
  // Fewer records than either bound can neither fill the chunk nor overflow it: no need to hash a profile key (the
  // drain asks again after every append while it waits for a full chunk).
  const records = batches.reduce((sum, batch) => sum + batch.items.length, 0);
  if (records < wanted && records <= maxProfiles) return { take: batches.length, full: false };
  const profiles = new Set<string>();
  let events = 0;
  for (let at = 0; at < batches.length; at += 1) {
    const added = new Set<string>();
    let addedEvents = 0;
    for (const record of batches[at].items) {
      if (record.kind === 'event') addedEvents += 1;
      else {
        const key = profileKeyOf(record.identity);
        if (!profiles.has(key)) added.add(key);
      }
    }
    if (at > 0 && profiles.size + added.size > maxProfiles) return { take: at, full: true };
    for (const key of added) profiles.add(key);
    events += addedEvents;
    if (events + profiles.size >= wanted) return { take: at + 1, full: true };
  }
  return { take: batches.length, full: false };
}

/** Fields by profile (`profileKeyOf` → `patchedFields`). */
export type ProfileFields = Map<string, string[]>;

/** Patches already on their way: the fields they write and what resolves once they are applied. */
export interface FieldsInFlight<T> {
  readonly fields: ReadonlyMap<string, readonly string[]>;
  readonly applied: T;
}

export interface PatchPartition<T> {
  /** Patches writing no field an earlier delivery is still applying: they may go at once. */
  readonly free: SinkRecord[];
  readonly freeFields: ProfileFields;
  /** Patches of profiles with a field still being applied by an earlier delivery: they go once `waitFor` is applied. */
  readonly held: SinkRecord[];
  readonly heldFields: ProfileFields;
  readonly waitFor: Array<FieldsInFlight<T>>;
}

/**
 * Splits a chunk's profile patches: a later value of a field must never overtake an earlier one, but only the few
 * profiles whose fields an earlier chunk is still applying need to wait (for a whole import job's processing time),
 * not the whole chunk. A profile's patches stay together, so a held patch's other fields cannot be overtaken either
 * by a free patch of the same profile. Order within each part is the chunk's.
 */
export function partitionPatches<T>(records: readonly SinkRecord[], inFlight: ReadonlyArray<FieldsInFlight<T>>): PatchPartition<T> {
  const keys = records.map((record) => profileKeyOf(record.identity));
  const fields: ProfileFields = new Map();
  records.forEach((record, index) => {
    if (record.kind !== 'profile') return;
    const known = fields.get(keys[index]);
    const added = patchedFields(record);
    if (!known) fields.set(keys[index], added);
    else for (const field of added) if (!known.includes(field)) known.push(field);
  });
  const waits = new Map<string, Array<FieldsInFlight<T>>>();
  for (const [key, written] of fields) {
    const earlier = inFlight.filter((patches) => patches.fields.get(key)?.some((field) => written.includes(field)));
    if (earlier.length > 0) waits.set(key, earlier);
  }
  const partition: PatchPartition<T> = { free: [], freeFields: new Map(), held: [], heldFields: new Map(), waitFor: [] };
  records.forEach((record, index) => (waits.has(keys[index]) ? partition.held : partition.free).push(record));
  for (const [key, written] of fields) (waits.has(key) ? partition.heldFields : partition.freeFields).set(key, written);
  partition.waitFor.push(...new Set([...waits.values()].flat()));
  return partition;
}
