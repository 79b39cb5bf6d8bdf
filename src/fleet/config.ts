import { z } from 'zod';
import { ConfigError, describeIssues } from '../config/yaml-file';

/**
 * The fleet's own variables (`shipsignal worker` and `shipsignal stores`), validated at start-up like the daemon's:
 * one Redis for the queue and the shared rate windows, one PostgreSQL for every store's state and the store registry.
 */
const base64Key = z.string().refine((value) => Buffer.from(value, 'base64').length === 32 && /^[A-Za-z0-9+/]+=*$/.test(value), {
  message: 'expected 32 random bytes in base64 (e.g. `openssl rand -base64 32`)',
});

export const fleetSchema = z.object({
  SHIPSIGNAL_FLEET_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected redis://… or rediss://…').default('redis://127.0.0.1:6379'),
  SHIPSIGNAL_FLEET_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected postgres://…'),
  SHIPSIGNAL_FLEET_KEY: base64Key,
  /** Names this fleet: the queue's Redis prefix and the registry's scope (two fleets can share one Redis and database). */
  SHIPSIGNAL_FLEET_NAME: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'expected 1-40 characters of a-z 0-9 _ -').default('shipsignal'),
  SHIPSIGNAL_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(16),
  /** How long a job's lock lives without renewal: a killed worker's job is picked up again after about this. */
  SHIPSIGNAL_WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  SHIPSIGNAL_WORKER_MAX_BUDGET_WAIT_MS: z.coerce.number().int().min(0).default(5_000),
});

export type FleetConfig = z.output<typeof fleetSchema>;

export function parseFleetEnv(source: NodeJS.ProcessEnv): FleetConfig {
  const relevant = Object.fromEntries(Object.keys(fleetSchema.shape).map((key) => [key, source[key]]).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = fleetSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeIssues(`environment ${String(issue.path[0])}`, [{ ...issue, path: [] }])[0]));
  }
  return parsed.data;
}
