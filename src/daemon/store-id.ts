import { existsSync } from 'node:fs';
import type { Env } from '../config/env';
import { DEFAULT_NAMESPACE } from '../state/keys';
import { holdsState } from '../state/repositories';
import { openStateStore } from '../state/store';
import { storeIdOf } from './compose';

/**
 * The namespace this daemon's state lives under. `SHIPSIGNAL_STORE_ID` when set; otherwise the id derived from the
 * configured store (its domain or host), except for a deployment that already keeps state under the namespace every
 * version before store ids used (`shipsignal`): switching it would make its state look empty (a second full
 * backfill, an outbox never drained). Such a deployment stays where it is until SHIPSIGNAL_STORE_ID is set.
 */
export async function resolveStoreId(env: Env): Promise<string> {
  if (env.SHIPSIGNAL_STORE_ID) return env.SHIPSIGNAL_STORE_ID;
  const derived = storeIdOf(env);
  if (derived === DEFAULT_NAMESPACE) return derived;
  const url = env.SHIPSIGNAL_STATE_URL;
  // A SQLite file that does not exist holds no old state; opening it would create it (a dry run must not).
  if (url.startsWith('sqlite://') && !existsSync(url.slice('sqlite://'.length))) return derived;
  const legacy = await openStateStore(url, DEFAULT_NAMESPACE);
  try {
    return (await holdsState(legacy)) ? DEFAULT_NAMESPACE : derived;
  } finally {
    await legacy.close();
  }
}
