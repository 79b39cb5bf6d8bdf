import type { Env } from '../config/env';
import { loadSettings } from '../config/load';
import { heldCustomers } from '../enrichment/delivery/holds';
import { readHoldShare } from '../pipeline/hold-share';
import { openStateStore } from '../state/store';

/**
 * `doctor`'s hold section: how many customers are held from promotions and by which rule; throws (the check fails)
 * with the warning when the share is implausible (config `shipments.holdShareWarningPercent`). Reads the two
 * aggregates the pipeline keeps, never the customers.
 */
export async function checkHoldShare(env: Env, namespace: string): Promise<string> {
  const threshold = loadSettings(env).shipments.holdShareWarningPercent;
  const store = await openStateStore(env.SHIPSIGNAL_STATE_URL, namespace);
  try {
    const { counts, customers, warning } = await readHoldShare(store, threshold);
    if (warning) throw new Error(warning.message);
    const rules = Object.entries(counts.byRule).map(([rule, n]) => `${rule} ${n}`).join(', ');
    return `${heldCustomers(counts)} of ${customers} customers held${rules ? ` (${rules})` : ''}; warns above ${threshold}%`;
  } finally {
    await store.close();
  }
}
