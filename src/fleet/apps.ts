import { loadSettings } from '../config/load';
import { App } from '../daemon/app';
import type { JobName } from '../daemon/jobs';
import type { Logger } from '../observability/logger';
import type { SharedWindowsFor } from '../sinks/pacing';
import type { SharedCostBucketsFor } from '../sources/shared-bucket';
import type { FleetStore, StoreRegistry } from './registry';
import { SettingsCache } from './settings-cache';
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

export class StoreApps {
  private readonly entries = new Map<string, Entry>();
  /** Settings files parsed once per worker for all stores sharing them (settings-cache.ts). */
  private readonly settings = new SettingsCache(loadSettings);
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
      loadSettings: (storeEnv) => this.settings.get(storeEnv),
      sharedWindows: this.options.sharedWindows,
      sharedCostBuckets: this.options.sharedCostBuckets,
      ...(observer ? { jobObserver: (job: JobName, phase: 'start' | 'end') => observer(storeId, job, phase) } : {}),
    });
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
