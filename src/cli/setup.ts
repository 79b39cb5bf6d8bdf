import { join } from 'node:path';
import type { Env } from '../config/env';
import { loadStarterSet } from '../config/starter-set';
import { loadYamlFile } from '../config/yaml-file';
import { composeProvisioner } from '../daemon/compose';
import { resolveStoreId } from '../daemon/store-id';
import { readOnlyState } from './dry-run';
import { mappingConfigSchema } from '../mapping/mapping-config';
import type { ProvisionLine, ProvisionResult, Provisioner } from '../sinks/provisioner';
import { provisionDailyKey, provisionedKey } from '../state/keys';
import { openStateStore, type StateStore } from '../state/store';

/** Klaviyo's documented daily caps on create_flow and create_segment (spec 2026-07-15: 100/d each). */
export const DAILY_CREATES = 100;

export interface SetupDeps {
  readonly provisioner?: Provisioner;
  readonly store?: StateStore;
  readonly now?: () => Date;
}

/**
 * `shipsignal setup [--dry-run]`: loads and validates the starter set (ConfigError with every problem, before any
 * request), provisions it, and stores the id of everything created or found. A dry run sends only lookups and
 * writes no state.
 */
export async function runSetup(env: Env, dryRun: boolean, deps: SetupDeps = {}): Promise<ProvisionResult> {
  const mapping = loadYamlFile(join(env.SHIPSIGNAL_MAPPINGS_DIR, 'klaviyo.yaml'), mappingConfigSchema);
  const set = loadStarterSet(env.SHIPSIGNAL_MAPPINGS_DIR, mapping);
  const provisioner = deps.provisioner ?? composeProvisioner(env);
  const storeId = await resolveStoreId(env);
  const open = () => openStateStore(env.SHIPSIGNAL_STATE_URL, storeId);
  // A dry run reads the day's counts through an overlay and creates no SQLite file before the first run.
  const store = deps.store ?? (dryRun ? await readOnlyState(env.SHIPSIGNAL_STATE_URL, open) : await open());
  try {
    const day = (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
    const [segments, flows] = await store.getMany<number>([provisionDailyKey('segment', day), provisionDailyKey('flow', day)]);
    const budget = { segment: DAILY_CREATES - (segments ?? 0), flow: DAILY_CREATES - (flows ?? 0) };
    const result = await provisioner.provision(set, { dryRun, budget });
    if (!dryRun) await remember(store, result.lines, day);
    return result;
  } finally {
    if (!deps.store) await store.close();
  }
}

async function remember(store: StateStore, lines: readonly ProvisionLine[], day: string): Promise<void> {
  const entries: Array<readonly [string, unknown]> = [];
  for (const line of lines) {
    const { outcome } = line;
    if ((outcome.status === 'created' || outcome.status === 'exists') && outcome.id) entries.push([provisionedKey(line.kind, line.name), outcome.id]);
    if (outcome.status === 'created') await store.increment(provisionDailyKey(line.kind, day));
  }
  if (entries.length > 0) await store.setMany(entries);
}

/** One line per object, then (dry run) every body it would send. */
export function formatSetup(result: ProvisionResult, dryRun: boolean): string[] {
  const out = result.lines.map((line) => {
    const { outcome } = line;
    const what = `${line.kind} "${line.name}"`;
    switch (outcome.status) {
      case 'created': return `${dryRun ? 'would create' : 'created     '} ${what}${outcome.id ? ` (${outcome.id})` : ''}`;
      case 'exists': return `exists       ${what} (${outcome.id}): left as it is`;
      case 'waiting': return `waiting      ${what}: ${outcome.reason}`;
      case 'failed': return `FAILED       ${what}: ${outcome.error}`;
    }
  });
  for (const request of result.planned) out.push(`${request.method} ${request.path}\n${JSON.stringify(request.body, null, 2)}`);
  return out;
}

/**
 * `doctor`'s starter-set line, from a dry run (lookups only): how many declared segments and flows exist in the
 * account, are missing (`shipsignal setup` creates them) or wait for their trigger metric. A failed lookup (a key
 * without the segments/flows read scopes) throws, so doctor marks the line failed.
 */
export function describeStarterSet(result: ProvisionResult): string {
  const failed = result.lines.filter((line) => line.outcome.status === 'failed');
  if (failed.length > 0) {
    throw new Error(failed.map((line) => `${line.kind} "${line.name}": ${line.outcome.status === 'failed' ? line.outcome.error : ''}`).join('; '));
  }
  const part = (kind: 'segment' | 'flow'): string => {
    const lines = result.lines.filter((line) => line.kind === kind);
    const count = (status: string) => lines.filter((line) => line.outcome.status === status).length;
    const missing = lines.filter((line) => line.outcome.status === 'created').map((line) => `"${line.name}"`);
    const waiting = lines.filter((line) => line.outcome.status === 'waiting').map((line) => `"${line.name}"`);
    return [`${kind}s: ${count('exists')} of ${lines.length} exist`,
      ...(missing.length > 0 ? [`missing ${missing.join(', ')} (run shipsignal setup)`] : []),
      ...(waiting.length > 0 ? [`waiting ${waiting.join(', ')} (no event of the trigger metric yet)`] : [])].join(', ');
  };
  return `${part('segment')}; ${part('flow')}`;
}
