import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config/env';
import type { loadSettings } from '../config/load';

type Settings = ReturnType<typeof loadSettings>;

/** Distinct settings kept; past this the cache starts over (a fleet's stores rarely differ in their files). */
const KEPT = 64;

/**
 * A worker's settings by shipsignal's own variables and the settings files' versions. Reading and validating the
 * YAML files was ~90% of building a store's App (profiled with bench:fleet --cpu-prof), paid again for every store
 * on every worker though a fleet's stores mostly share the files. A file changed on disk changes its modification
 * time and so the key: the next store built reads it afresh.
 */
export class SettingsCache {
  private readonly entries = new Map<string, Settings>();

  constructor(private readonly load: (env: Env) => Settings) {}

  get(env: Env): Settings {
    const key = SettingsCache.key(env);
    const cached = this.entries.get(key);
    if (cached) return cached;
    const loaded = this.load(env);
    if (this.entries.size >= KEPT) this.entries.clear();
    this.entries.set(key, loaded);
    return loaded;
  }

  /**
   * loadSettings reads shipsignal's own settings and files, never a provider's variables or the store's id: stores
   * differing only in those share one entry.
   */
  static key(env: Env): string {
    const own = Object.entries(env).filter(([name]) => name.startsWith('SHIPSIGNAL_') && name !== 'SHIPSIGNAL_STORE_ID').sort(([a], [b]) => (a < b ? -1 : 1));
    const hash = createHash('sha256').update(JSON.stringify(own));
    for (const dir of [env.SHIPSIGNAL_CONFIG_DIR, env.SHIPSIGNAL_MAPPINGS_DIR]) {
      // A missing directory adds nothing to the key: loadSettings reports it (and a throw is never cached).
      let names: string[] = [];
      try {
        names = readdirSync(dir).sort();
      } catch {
        names = [];
      }
      for (const name of names) hash.update(`\n${dir}/${name}:${statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0}`);
    }
    return hash.digest('hex');
  }
}
