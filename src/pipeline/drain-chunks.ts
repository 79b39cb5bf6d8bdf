import { patchedFields, profileKeyOf, type SinkRecord } from '../model/records';
import type { LogBatch } from '../state/durable-log';

/**
 * Pure parts of the drain: how many outbox batches make one chunk, and which of a chunk's profile patches must wait
 * for earlier patches still being applied.
 */

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

/** Patches already on their way: the fields they write (`patchedFields`) and what resolves once they are applied. */
export interface FieldsInFlight<T> {
  readonly fields: ReadonlySet<string>;
  readonly applied: T;
}

export interface PatchPartition<T> {
  /** Patches writing no field an earlier delivery is still applying: they may go at once. */
  readonly free: SinkRecord[];
  readonly freeFields: Set<string>;
  /** Patches of profiles with a field still being applied by an earlier delivery: they go once `waitFor` is applied. */
  readonly held: SinkRecord[];
  readonly heldFields: Set<string>;
  readonly waitFor: Array<FieldsInFlight<T>>;
}

/**
 * Splits a chunk's profile patches: a later value of a field must never overtake an earlier one, but only the few
 * profiles whose fields an earlier chunk is still applying need to wait (for a whole import job's processing time),
 * not the whole chunk. A profile's patches stay together, so a held patch's other fields cannot be overtaken either
 * by a free patch of the same profile. Order within each part is the chunk's.
 */
export function partitionPatches<T>(records: readonly SinkRecord[], inFlight: ReadonlyArray<FieldsInFlight<T>>): PatchPartition<T> {
  const byProfile = new Map<string, { fields: Set<string>; waitFor: Set<FieldsInFlight<T>> }>();
  const fieldsOf = records.map((record) => (record.kind === 'profile' ? patchedFields(record) : []));
  records.forEach((record, index) => {
    const key = profileKeyOf(record.identity);
    let profile = byProfile.get(key);
    if (!profile) byProfile.set(key, (profile = { fields: new Set(), waitFor: new Set() }));
    for (const field of fieldsOf[index]) {
      profile.fields.add(field);
      for (const earlier of inFlight) if (earlier.fields.has(field)) profile.waitFor.add(earlier);
    }
  });
  const partition: PatchPartition<T> = { free: [], freeFields: new Set(), held: [], heldFields: new Set(), waitFor: [] };
  const waitFor = new Set<FieldsInFlight<T>>();
  records.forEach((record, index) => {
    const profile = byProfile.get(profileKeyOf(record.identity)) as { waitFor: Set<FieldsInFlight<T>> };
    const held = profile.waitFor.size > 0;
    (held ? partition.held : partition.free).push(record);
    for (const field of fieldsOf[index]) (held ? partition.heldFields : partition.freeFields).add(field);
    for (const earlier of profile.waitFor) waitFor.add(earlier);
  });
  partition.waitFor.push(...waitFor);
  return partition;
}
