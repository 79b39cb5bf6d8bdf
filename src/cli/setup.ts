import { join } from 'node:path';
import { loadBranding } from '../config/branding';
import type { Env } from '../config/env';
import { loadStarterSet } from '../config/starter-set';
import { loadYamlFile } from '../config/yaml-file';
import { composeProvisioner } from '../daemon/compose';
import { resolveStoreId } from '../daemon/store-id';
import { readOnlyState } from './dry-run';
import { mappingConfigSchema } from '../mapping/mapping-config';
import { provisionStarterSet, storedObjects, type StoredObject } from '../pipeline/provision';
import type { ProvisionResult, Provisioner, StarterSet } from '../sinks/provisioner';
import { openStateStore, type StateStore } from '../state/store';

export interface SetupDeps {
  readonly provisioner?: Provisioner;
  readonly store?: StateStore;
  readonly now?: () => Date;
  /** Snapshot what exists (doctor's changed-object report). */
  readonly inspect?: boolean;
}

/**
 * The starter set as declared in SHIPSIGNAL_MAPPINGS_DIR, its emails branded from SHIPSIGNAL_CONFIG_DIR's
 * tracking-page.yaml; throws ConfigError with every problem found.
 */
export function declaredStarterSet(env: Env): StarterSet {
  const mapping = loadYamlFile(join(env.SHIPSIGNAL_MAPPINGS_DIR, 'klaviyo.yaml'), mappingConfigSchema);
  return loadStarterSet(env.SHIPSIGNAL_MAPPINGS_DIR, mapping, loadBranding(env.SHIPSIGNAL_CONFIG_DIR));
}

/**
 * `shipsignal setup [--dry-run]`: loads and validates the starter set (ConfigError with every problem, before any
 * request), provisions it, and stores the id of everything created or found. A dry run sends only lookups and
 * writes no state. `stored` is state's record of every declared object as it was before the run.
 */
export interface SetupReport extends ProvisionResult {
  readonly stored: Map<string, StoredObject>;
  readonly unwritten: NonNullable<StarterSet['unwritten']>;
}

export async function runSetup(env: Env, dryRun: boolean, deps: SetupDeps = {}): Promise<SetupReport> {
  const set = declaredStarterSet(env);
  const provisioner = deps.provisioner ?? composeProvisioner(env);
  const storeId = await resolveStoreId(env);
  const open = () => openStateStore(env.SHIPSIGNAL_STATE_URL, storeId);
  // A dry run reads the day's counts through an overlay and creates no SQLite file before the first run.
  const store = deps.store ?? (dryRun ? await readOnlyState(env.SHIPSIGNAL_STATE_URL, open) : await open());
  try {
    const stored = await storedObjects(store, set);
    const result = await provisionStarterSet(store, provisioner, set, { dryRun, inspect: deps.inspect ?? false, now: deps.now?.() ?? new Date() });
    return { ...result, stored, unwritten: set.unwritten ?? [] };
  } finally {
    if (!deps.store) await store.close();
  }
}

/** One line per object, a note per property the set uses before shipsignal writes it, then (dry run) every body. */
export function formatSetup(result: ProvisionResult & Partial<Pick<SetupReport, 'unwritten'>>, dryRun: boolean): string[] {
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
  for (const { property, filledBy } of result.unwritten ?? []) {
    out.push(`note         ${property} is not written by mappings/klaviyo.yaml yet (${filledBy}): conditions on it match nobody until it is`);
  }
  for (const request of result.planned) out.push(`${request.method} ${request.path}\n${JSON.stringify(request.body, null, 2)}`);
  return out;
}

