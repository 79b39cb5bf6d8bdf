import type { StoredObject } from '../pipeline/provision';
import type { ObjectSnapshot, ProvisionLine, ProvisionResult } from '../sinks/provisioner';

/**
 * `doctor`'s starter-set lines, one per object kind, from an inspecting dry run of setup (lookups only) and what
 * setup stored when it created each object: which declared objects exist as created, exist but were CHANGED in
 * the destination since (status or definition), exist without a record of ours (found by name: setup left it
 * alone, so it cannot tell), are missing, or wait (for their trigger metric's first event, or a spent daily cap).
 */

type Kind = ProvisionLine['kind'];

/**
 * How an existing object compares with what setup created: null when it is as created; `unrecorded` when setup
 * created it before snapshots were kept (or could not read it back), `foreign` when setup never created it (found
 * by name and left alone): in both it cannot tell.
 */
export function changeOf(stored: StoredObject | undefined, id: string, now: ObjectSnapshot | null): string | null | 'unrecorded' | 'foreign' {
  const created = stored?.snapshot ?? null;
  if (!created || !now) return stored?.id === id ? 'unrecorded' : 'foreign';
  if (created.id !== id) return `replaced: id ${id}, setup created ${created.id}`;
  const changes = [
    ...(created.status !== now.status ? [`status ${created.status ?? 'none'} → ${now.status ?? 'none'}`] : []),
    ...(created.definition !== now.definition ? ['definition edited'] : []),
  ];
  return changes.length > 0 ? changes.join(', ') : null;
}

const quotedNames = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/** One kind's line; throws (doctor marks it failed) when a lookup failed, naming each object and the error. */
export function describeKind(kind: Kind, result: ProvisionResult, stored: ReadonlyMap<string, StoredObject>): string {
  const lines = result.lines.filter((line) => line.kind === kind);
  const failed = lines.flatMap((line) => (line.outcome.status === 'failed' ? [`"${line.name}": ${line.outcome.error}`] : []));
  if (failed.length > 0) throw new Error(failed.join('; '));
  const asCreated: string[] = [];
  const changed: string[] = [];
  const unrecorded: string[] = [];
  const foreign: string[] = [];
  const missing: string[] = [];
  const waiting: string[] = [];
  for (const { name, outcome } of lines) {
    if (outcome.status === 'created') missing.push(name);
    else if (outcome.status === 'waiting') waiting.push(`"${name}" (${outcome.cause === 'metric' ? 'no event of its trigger metric yet' : 'the daily create cap is spent or Klaviyo throttles'})`);
    else if (outcome.status === 'exists') {
      const change = changeOf(stored.get(`${kind}:${name}`), outcome.id, outcome.snapshot);
      if (change === null) asCreated.push(name);
      else if (change === 'unrecorded') unrecorded.push(name);
      else if (change === 'foreign') foreign.push(name);
      else changed.push(`"${name}" (${change})`);
    }
  }
  const exist = asCreated.length + changed.length + unrecorded.length + foreign.length;
  return [
    `${exist} of ${lines.length} exist (${asCreated.length} as setup created them)`,
    ...(changed.length > 0 ? [`CHANGED in Klaviyo since setup created them: ${changed.join(', ')}`] : []),
    ...(unrecorded.length > 0 ? [`created by setup without a snapshot, so changes cannot be told: ${quotedNames(unrecorded)}`] : []),
    ...(foreign.length > 0 ? [`not created by this setup (found by name, left alone): ${quotedNames(foreign)}`] : []),
    ...(missing.length > 0 ? [`missing ${quotedNames(missing)} (run shipsignal setup)`] : []),
    ...(waiting.length > 0 ? [`waiting ${waiting.join(', ')}`] : []),
  ].join('; ');
}
