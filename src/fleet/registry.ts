import { Pool } from 'pg';
import { open, seal } from './sealed';
import type { SplitVariables } from './store-env';

/**
 * The fleet's stores in PostgreSQL: per store its settings (plain), its secrets (sealed, see sealed.ts), its
 * schedule and whether it is paused. Every worker reads it; `shipsignal stores` writes it.
 */
const CREATE = `CREATE TABLE IF NOT EXISTS public.shipsignal_fleet_stores(
  fleet TEXT NOT NULL, id TEXT NOT NULL, settings JSONB NOT NULL, secrets TEXT NOT NULL,
  every_ms INTEGER NOT NULL, reviews_every_ms INTEGER NOT NULL, paused BOOLEAN NOT NULL DEFAULT false,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (fleet, id))`;
const ALREADY_THERE = new Set(['23505', '42P07']);

export interface StoreSchedule {
  /** Orders, trackers and drain, ms. */
  readonly everyMs: number;
  readonly reviewsEveryMs: number;
}

export interface FleetStore extends StoreSchedule {
  readonly id: string;
  readonly paused: boolean;
  /** Changes with every write: a worker rebuilds a store's adapters when it moves. */
  readonly version: string;
  readonly settings: Readonly<Record<string, string>>;
  /** Names only: the values stay sealed until `variables` opens them. */
  readonly secretNames: readonly string[];
}

interface Row {
  id: string; settings: Record<string, string>; secrets: string; every_ms: number; reviews_every_ms: number; paused: boolean; version: string;
}

export class StoreRegistry {
  private constructor(private readonly pool: Pool, private readonly fleet: string, private readonly key: Buffer) {}

  static async open(databaseUrl: string, fleet: string, key: Buffer): Promise<StoreRegistry> {
    const pool = new Pool({ connectionString: databaseUrl, max: 3 });
    pool.on('error', () => undefined); // an idle client's error; the next query reports it
    await pool.query(CREATE).catch((error: unknown) => {
      if (!ALREADY_THERE.has(String((error as { code?: unknown }).code))) throw error;
    });
    return new StoreRegistry(pool, fleet, key);
  }

  private context(id: string): string {
    return `${this.fleet}/${id}`;
  }

  /** Adds the store, or replaces its configuration (settings and secrets are replaced whole). Keeps `paused`. */
  async put(id: string, vars: SplitVariables, schedule: StoreSchedule): Promise<void> {
    await this.pool.query(
      `INSERT INTO public.shipsignal_fleet_stores (fleet, id, settings, secrets, every_ms, reviews_every_ms) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (fleet, id) DO UPDATE SET settings = excluded.settings, secrets = excluded.secrets, every_ms = excluded.every_ms,
         reviews_every_ms = excluded.reviews_every_ms, updated_at = clock_timestamp()`,
      [this.fleet, id, JSON.stringify(vars.settings), seal(this.key, this.context(id), vars.secrets), schedule.everyMs, schedule.reviewsEveryMs],
    );
  }

  async setPaused(id: string, paused: boolean): Promise<boolean> {
    const result = await this.pool.query('UPDATE public.shipsignal_fleet_stores SET paused = $3, updated_at = clock_timestamp() WHERE fleet = $1 AND id = $2', [this.fleet, id, paused]);
    return (result.rowCount ?? 0) > 0;
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM public.shipsignal_fleet_stores WHERE fleet = $1 AND id = $2', [this.fleet, id]);
    return (result.rowCount ?? 0) > 0;
  }

  async list(): Promise<FleetStore[]> {
    const result = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM public.shipsignal_fleet_stores WHERE fleet = $1 ORDER BY id`, [this.fleet]);
    return result.rows.map((row) => this.store(row));
  }

  async get(id: string): Promise<FleetStore | null> {
    const row = await this.row(id);
    return row ? this.store(row) : null;
  }

  /** The store's settings and opened secrets (for its jobs only; never logged, see the worker's registerSecrets). */
  async variables(id: string): Promise<SplitVariables | null> {
    const row = await this.row(id);
    return row ? { settings: row.settings, secrets: open(this.key, this.context(id), row.secrets) } : null;
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async row(id: string): Promise<Row | null> {
    const result = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM public.shipsignal_fleet_stores WHERE fleet = $1 AND id = $2`, [this.fleet, id]);
    return result.rows[0] ?? null;
  }

  private store(row: Row): FleetStore {
    return {
      id: row.id, paused: row.paused, version: row.version, settings: row.settings, everyMs: row.every_ms, reviewsEveryMs: row.reviews_every_ms,
      secretNames: Object.keys(open(this.key, this.context(row.id), row.secrets)).sort(),
    };
  }
}

const COLUMNS = "id, settings, secrets, every_ms, reviews_every_ms, paused, to_char(updated_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS version";
