import type { ObjectSnapshot, ProvisionLine, ProvisionResult, Provisioner, StarterSet } from '../sinks/provisioner';
import { provisionDailyKey, provisionedKey, provisionedSnapshotKey } from '../state/keys';
import type { StateStore } from '../state/port';

/**
 * One run of the starter set against the destination, for `shipsignal setup` and the daemon's `setup` job alike:
 * the day's create budget from state (the destination caps flow and segment creates daily), the provisioner's
 * run, and what it created (ids, snapshots, the day's count) back into state.
 */

/** Klaviyo's documented daily caps on create_flow and create_segment (spec 2026-07-15: 100/d each). */
export const DAILY_CREATES = 100;

type Kind = 'segment' | 'flow';

/** What setup stored of one object it created: its id and its snapshot right after creation. */
export interface StoredSnapshot extends ObjectSnapshot {
  readonly id: string;
}

export interface StoredObject {
  readonly id: string | null;
  readonly snapshot: StoredSnapshot | null;
}

export interface StarterSetRun {
  readonly dryRun: boolean;
  /** Snapshot every object that exists (doctor). */
  readonly inspect?: boolean;
  /**
   * Only the declared objects with no id in state yet (missing or waiting): the daemon's automatic runs, which then
   * cost no request at all once everything exists. An object deleted in the destination after setup stored its id
   * is left deleted; `shipsignal setup` looks everything up again.
   */
  readonly pendingOnly?: boolean;
  readonly now: Date;
}

const objectsOf = (set: StarterSet): Array<{ kind: Kind; name: string }> => [
  ...set.segments.map((s) => ({ kind: 'segment' as const, name: s.name })),
  ...set.flows.map((f) => ({ kind: 'flow' as const, name: f.name })),
];

/** State's record of every declared object, keyed `<kind>:<name>`. */
export async function storedObjects(store: StateStore, set: StarterSet): Promise<Map<string, StoredObject>> {
  const objects = objectsOf(set);
  const ids = await store.getMany<string>(objects.map((o) => provisionedKey(o.kind, o.name)));
  const snapshots = await store.getMany<StoredSnapshot>(objects.map((o) => provisionedSnapshotKey(o.kind, o.name)));
  return new Map(objects.map((o, i) => [`${o.kind}:${o.name}`, { id: ids[i] ?? null, snapshot: snapshots[i] ?? null }]));
}

/** The part of the set whose objects state holds no id for. */
async function pendingPart(store: StateStore, set: StarterSet): Promise<StarterSet> {
  const stored = await storedObjects(store, set);
  const pending = (kind: Kind, name: string): boolean => stored.get(`${kind}:${name}`)?.id == null;
  return { segments: set.segments.filter((s) => pending('segment', s.name)), flows: set.flows.filter((f) => pending('flow', f.name)) };
}

export async function provisionStarterSet(store: StateStore, provisioner: Provisioner, declared: StarterSet, run: StarterSetRun): Promise<ProvisionResult> {
  const set = run.pendingOnly ? await pendingPart(store, declared) : declared;
  if (set.segments.length === 0 && set.flows.length === 0) return { lines: [], planned: [] };
  const day = run.now.toISOString().slice(0, 10);
  const [segments, flows] = await store.getMany<number>([provisionDailyKey('segment', day), provisionDailyKey('flow', day)]);
  const budget = { segment: DAILY_CREATES - (segments ?? 0), flow: DAILY_CREATES - (flows ?? 0) };
  const result = await provisioner.provision(set, { dryRun: run.dryRun, budget, inspect: run.inspect ?? false });
  if (!run.dryRun) await remember(store, result.lines, day);
  return result;
}

async function remember(store: StateStore, lines: readonly ProvisionLine[], day: string): Promise<void> {
  const entries: Array<readonly [string, unknown]> = [];
  for (const line of lines) {
    const { outcome } = line;
    if ((outcome.status === 'created' || outcome.status === 'exists') && outcome.id) entries.push([provisionedKey(line.kind, line.name), outcome.id]);
    if (outcome.status !== 'created') continue;
    // Only what setup itself created gets a snapshot: an object found under our name may already have been edited.
    if (outcome.id && outcome.snapshot) entries.push([provisionedSnapshotKey(line.kind, line.name), { id: outcome.id, ...outcome.snapshot } satisfies StoredSnapshot]);
    await store.increment(provisionDailyKey(line.kind, day));
  }
  if (entries.length > 0) await store.setMany(entries);
}
