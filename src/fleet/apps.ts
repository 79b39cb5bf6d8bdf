import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config/env';
import { loadSettings } from '../config/load';
import { App } from '../daemon/app';
import type { JobName } from '../daemon/jobs';
import type { Logger } from '../observability/logger';
import type { SharedWindowsFor } from '../sinks/pacing';
import type { SharedCostBucketsFor } from '../sources/shared-bucket';
import type { FleetStore, StoreRegistry } from './registry';
import { storeEnv } from './store-env';

/**
 * A worker's assembled stores: a store's App (its adapters, state and leases) is built on its first job, kept while
 * jobs use it, closed after `idleMs` without one, and rebuilt once the store's registry row changes. The App is the
 * same one `shipsignal run` uses, on the fleet's PostgreSQL under the store's own namespace.
 */
export interface StoreAppsOptions {
  readonly registry: StoreRegistry;
  readonly databaseUrl: string;
  readonly defaults: Readonly<Record<string, string>>;
  readonly sharedWindows: SharedWindowsFor;
  readonly sharedCostBuckets: SharedCostBucketsFor;
  readonly logger: Logger;
  readonly idleMs: number;
  readonly observer?: (storeId: string, job: JobName, phase: 'start' | 'end') => void;
}

interface Entry {
  readonly version: string;
  readonly app: Promise<App>;
  users: number;
  stale: boolean;
  idle: NodeJS.Timeout | null;
  /** 429s counted so far by this App's metrics (their growth is reported per job). */
  throttledSeen: number;
}

/** Distinct settings kept per worker; past this the cache starts over (stores rarely differ in their files). */
const SETTINGS_KEPT = 64;

export class StoreApps {
  private readonly entries = new Map<string, Entry>();
  /**
   * Settings by environment and file versions. Reading and validating the YAML files was most of an App's build
   * (profiled: ~85 ms of ~95 ms), paid again by every worker for every store, though a fleet's stores mostly
   * share the same files; a file changed on disk changes the key, so the next build reads it afresh.
   */
  private readonly settings = new Map<string, ReturnType<typeof loadSettings>>();
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly options: StoreAppsOptions) {}

  async use<T>(store: FleetStore, work: (app: App, throttled: () => Promise<number>) => Promise<T>): Promise<T> {
    const entry = this.entry(store);
    entry.users += 1;
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = null;
    try {
      const app = await entry.app;
      return await work(app, () => this.throttledSince(entry, app));
    } finally {
      entry.users -= 1;
      if (entry.users === 0) {
        if (entry.stale) this.retire(store.id, entry);
        else {
          entry.idle = setTimeout(() => this.retire(store.id, entry), this.options.idleMs);
          entry.idle.unref();
        }
      }
    }
  }

  private entry(store: FleetStore): Entry {
    const current = this.entries.get(store.id);
    if (current && current.version === store.version) return current;
    if (current) {
      current.stale = true;
      this.entries.delete(store.id);
      if (current.users === 0) this.retire(store.id, current);
    }
    const entry: Entry = { version: store.version, app: this.build(store.id), users: 0, stale: false, idle: null, throttledSeen: 0 };
    entry.app.catch(() => this.entries.get(store.id) === entry && this.entries.delete(store.id));
    this.entries.set(store.id, entry);
    return entry;
  }

  private async build(storeId: string): Promise<App> {
    const vars = await this.options.registry.variables(storeId);
    if (!vars) throw new Error(`store ${storeId} is not in the registry`);
    const env = storeEnv(storeId, this.options.databaseUrl, this.options.defaults, vars);
    const { observer } = this.options;
    // App.create registers the store's secrets with the logger's redaction before anything can log them.
    return App.create(env, {
      logger: this.options.logger,
      loadSettings: (storeEnv) => this.settingsFor(storeEnv),
      sharedWindows: this.options.sharedWindows,
      sharedCostBuckets: this.options.sharedCostBuckets,
      ...(observer ? { jobObserver: (job: JobName, phase: 'start' | 'end') => observer(storeId, job, phase) } : {}),
    });
  }

  private settingsFor(env: Env): ReturnType<typeof loadSettings> {
    // loadSettings reads shipsignal's own settings and files, never a provider's variables or the store's id: stores
    // differing only in those share one entry.
    const own = Object.entries(env).filter(([name]) => name.startsWith('SHIPSIGNAL_') && name !== 'SHIPSIGNAL_STORE_ID').sort(([a], [b]) => (a < b ? -1 : 1));
    const hash = createHash('sha256').update(JSON.stringify(own));
    for (const dir of [env.SHIPSIGNAL_CONFIG_DIR, env.SHIPSIGNAL_MAPPINGS_DIR]) {
      // A missing directory is loadSettings' error to report: no key part, no cache entry (it throws).
      const names = (() => { try { return readdirSync(dir).sort(); } catch { return []; } })();
      for (const name of names) hash.update(`\n${dir}/${name}:${statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0}`);
    }
    const key = hash.digest('hex');
    const cached = this.settings.get(key);
    if (cached) return cached;
    const loaded = loadSettings(env);
    if (this.settings.size >= SETTINGS_KEPT) this.settings.clear();
    this.settings.set(key, loaded);
    return loaded;
  }

  private async throttledSince(entry: Entry, app: App): Promise<number> {
    const values = (await app.context.metrics.klaviyoThrottled.get()).values;
    const total = values.reduce((sum, value) => sum + value.value, 0);
    const delta = total - entry.throttledSeen;
    entry.throttledSeen = total;
    return delta;
  }

  private retire(storeId: string, entry: Entry): void {
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = null;
    if (this.entries.get(storeId) === entry) this.entries.delete(storeId);
    const closed = entry.app.then((app) => app.close(), () => undefined).catch((error: unknown) => {
      this.options.logger.error('closing a store failed', { storeId, error });
    });
    this.closing.add(closed);
    void closed.finally(() => this.closing.delete(closed));
  }

  /** Closes every store's App (after the jobs using them ended: the worker closes its BullMQ worker first). */
  async close(): Promise<void> {
    for (const [storeId, entry] of [...this.entries]) this.retire(storeId, entry);
    await Promise.all([...this.closing]);
  }
}
