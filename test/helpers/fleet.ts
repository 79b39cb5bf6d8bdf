import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { FleetConfig } from '../../src/fleet/config';
import { StoreRegistry } from '../../src/fleet/registry';
import { fleetKey } from '../../src/fleet/sealed';
import { splitAssignments } from '../../src/fleet/store-env';
import { FleetWorker, type WorkerEvent } from '../../src/fleet/worker';
import { openQueue } from '../../src/fleet/queue';
import { createLogger } from '../../src/observability/logger';
import type { LocalStack } from '../../src/sandbox/local-stack';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { auditDelivery, NO_PROBLEMS, problems, type DeliveryAudit } from './delivery-audit';

/**
 * A fleet of this test's own: a fleet name (the BullMQ prefix and the registry scope) no other run uses, on the
 * shared PostgreSQL and a Redis (the shared one, or a test's own), with a fresh key.
 */
export const TEST_POSTGRES = process.env.SHIPSIGNAL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS = process.env.SHIPSIGNAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testFleet(overrides: Partial<FleetConfig> = {}): FleetConfig {
  return {
    SHIPSIGNAL_FLEET_REDIS_URL: TEST_REDIS,
    SHIPSIGNAL_FLEET_DATABASE_URL: TEST_POSTGRES,
    SHIPSIGNAL_FLEET_KEY: randomBytes(32).toString('base64'),
    SHIPSIGNAL_FLEET_NAME: `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
    SHIPSIGNAL_WORKER_CONCURRENCY: 4,
    SHIPSIGNAL_WORKER_LOCK_MS: 5_000,
    SHIPSIGNAL_WORKER_MAX_BUDGET_WAIT_MS: 5_000,
    ...overrides,
  };
}

/** The fleet's variables as a child worker's environment. */
export const fleetEnv = (fleet: FleetConfig): Record<string, string> => Object.fromEntries(Object.entries(fleet).map(([key, value]) => [key, String(value)]));

export async function openRegistry(fleet: FleetConfig): Promise<StoreRegistry> {
  return StoreRegistry.open(fleet.SHIPSIGNAL_FLEET_DATABASE_URL, fleet.SHIPSIGNAL_FLEET_NAME, fleetKey(fleet.SHIPSIGNAL_FLEET_KEY));
}

/** A store backed by a local stack, registered as `shipsignal stores add` would (its variables split and sealed). */
export async function addStackStore(registry: StoreRegistry, id: string, stack: LocalStack, extra: Readonly<Record<string, string>> = {}, everyMs = 300_000): Promise<void> {
  const assignments = Object.entries({ ...stack.env, ...extra }).filter(([key]) => !key.startsWith('WOOCOMMERCE_')).map(([key, value]) => `${key}=${value}`);
  await registry.put(id, splitAssignments(assignments), { everyMs, reviewsEveryMs: 3_600_000 });
}

export async function startTestWorker(fleet: FleetConfig, events: WorkerEvent[], defaults: Record<string, string> = {}, syncEveryMs = 600_000): Promise<FleetWorker> {
  return FleetWorker.start({
    config: fleet, defaults: { SHIPSIGNAL_LOG_LEVEL: 'error', ...defaults }, logger: createLogger('error', new PassThrough()),
    syncEveryMs, observer: (event) => events.push({ ...event, at: Date.now() } as WorkerEvent),
  });
}

/** Removes everything the fleet left in Redis (its queue, schedulers) once the test is done. */
export async function obliterateFleet(fleet: FleetConfig): Promise<void> {
  const queue = openQueue(fleet.SHIPSIGNAL_FLEET_REDIS_URL, fleet.SHIPSIGNAL_FLEET_NAME);
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}

/** Work-inside-lease intervals per store and kind that overlap (must be none). */
export function overlaps(events: ReadonlyArray<WorkerEvent & { at?: number }>, phases: readonly ['start', 'end'] | readonly ['taken', 'done']): string[] {
  const open = new Map<string, Array<{ worker: string; at: number }>>();
  const found: string[] = [];
  // Events are in the order the one test process saw them: a start while another is open is an overlap.
  for (const event of events) {
    const key = `${event.storeId}/${event.job}`;
    const list = open.get(key) ?? [];
    if (event.phase === phases[0]) {
      if (list.length > 0) found.push(`${key}: ${event.worker} started while ${list.map((o) => o.worker).join(', ')} ran`);
      list.push({ worker: event.worker, at: event.at ?? 0 });
    } else if (event.phase === phases[1]) {
      const i = list.findIndex((o) => o.worker === event.worker);
      if (i >= 0) list.splice(i, 1);
    }
    open.set(key, list);
  }
  return found;
}

/**
 * Audits every store's account (delivery-audit.ts) until all are clean or `timeoutMs` has passed: the workers run
 * on their own schedule, so "caught up" is observed, not awaited. The last audits are returned either way.
 */
export async function auditUntilClean(stores: readonly SandboxStore[], stacks: readonly LocalStack[], ids: readonly string[], timeoutMs: number): Promise<DeliveryAudit[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const audits: DeliveryAudit[] = [];
    for (const [i, id] of ids.entries()) {
      await stacks[i].klaviyo.idle();
      audits.push(await auditDelivery(stores[i], stacks[i].klaviyo, TEST_POSTGRES, id));
    }
    if (audits.every((audit) => JSON.stringify(problems(audit)) === JSON.stringify(NO_PROBLEMS)) || Date.now() > deadline) return audits;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
