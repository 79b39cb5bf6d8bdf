import type { Command } from 'commander';
import { parseEnv } from '../config/env';
import { ConfigError } from '../config/yaml-file';
import { parseFleetEnv } from '../fleet/config';
import { startFleetHttp } from '../fleet/http';
import { enqueue, isJobKind, openQueue, syncSchedulers } from '../fleet/queue';
import { StoreRegistry } from '../fleet/registry';
import { fleetKey } from '../fleet/sealed';
import { splitAssignments, storeEnv, workerDefaults } from '../fleet/store-env';
import { FleetStatus } from '../fleet/status';
import { FleetWorker } from '../fleet/worker';
import { createLogger, registerSecrets } from '../observability/logger';
import { untilStopped } from '../daemon/shutdown';
import { Redis } from 'ioredis';

/**
 * `shipsignal worker` and `shipsignal stores …`: the fleet's commands (README, "Many stores on many workers").
 * Both read the fleet's variables (fleet/config.ts); the store commands also upsert or drop the store's schedulers,
 * so a change takes effect without waiting for a worker's next registry round.
 */
const print = (line: string) => process.stdout.write(`${line}\n`);
const collect = (value: string, previous: string[]) => [...previous, value];

async function withRegistry<T>(work: (registry: StoreRegistry, fleet: ReturnType<typeof parseFleetEnv>) => Promise<T>): Promise<T> {
  const fleet = parseFleetEnv(process.env);
  registerSecrets([fleet.SHIPSIGNAL_FLEET_KEY]);
  const registry = await StoreRegistry.open(fleet.SHIPSIGNAL_FLEET_DATABASE_URL, fleet.SHIPSIGNAL_FLEET_NAME, fleetKey(fleet.SHIPSIGNAL_FLEET_KEY));
  try {
    return await work(registry, fleet);
  } finally {
    await registry.close();
  }
}

async function resync(registry: StoreRegistry, fleet: ReturnType<typeof parseFleetEnv>, then?: (queue: ReturnType<typeof openQueue>) => Promise<void>): Promise<void> {
  const queue = openQueue(fleet.SHIPSIGNAL_FLEET_REDIS_URL, fleet.SHIPSIGNAL_FLEET_NAME);
  try {
    await syncSchedulers(queue, await registry.list());
    await then?.(queue);
  } finally {
    await queue.close();
  }
}

const positive = (name: string, value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1000) throw new ConfigError([`${name}: expected milliseconds ≥ 1000, got ${value}`]);
  return parsed;
};

export function registerFleetCommands(program: Command): void {
  program.command('worker').description('fleet worker: runs any store\'s jobs from the fleet queue (Redis) on the fleet database (PostgreSQL)').action(async () => {
    const fleet = parseFleetEnv(process.env);
    const env = parseEnv(process.env);
    const logger = createLogger(env.SHIPSIGNAL_LOG_LEVEL);
    registerSecrets([env.SHIPSIGNAL_HTTP_TOKEN]);
    const worker = await FleetWorker.start({ config: fleet, defaults: workerDefaults(process.env), logger });
    const http = await startFleetHttp(worker, { port: env.SHIPSIGNAL_HTTP_PORT, token: env.SHIPSIGNAL_HTTP_TOKEN ?? null });
    logger.info('shipsignal worker started', { worker: worker.id, fleet: fleet.SHIPSIGNAL_FLEET_NAME, concurrency: fleet.SHIPSIGNAL_WORKER_CONCURRENCY, port: env.SHIPSIGNAL_HTTP_PORT });
    await untilStopped(logger, 'shipsignal worker', env.SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS, 'shutdown timed out; running jobs are retried by other workers', async () => {
      await http.close();
      await worker.close(Math.max(0, env.SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS - 5_000));
    });
  });

  const stores = program.command('stores').description('the fleet\'s stores: credentials, schedule and settings per store (PostgreSQL, secrets sealed)');
  stores
    .command('add <id>')
    .description('add a store, or replace its configuration: --set KEY=value per variable (secrets are sealed)')
    .option('--set <KEY=value>', 'a shipsignal variable for this store (repeatable)', collect, [])
    .option('--every <ms>', 'orders, trackers and drain schedule', '300000')
    .option('--reviews-every <ms>', 'reviews schedule', '3600000')
    .option('--setup', 'queue a one-time `setup` job (starter segments and flows) for this store', false)
    .action(async (id: string, options: { set: string[]; every: string; reviewsEvery: string; setup: boolean }) => {
      const vars = splitAssignments(options.set);
      const schedule = { everyMs: positive('--every', options.every), reviewsEveryMs: positive('--reviews-every', options.reviewsEvery) };
      registerSecrets(Object.values(vars.secrets));
      await withRegistry(async (registry, fleet) => {
        // The same validation a single-store daemon runs at start, before anything is stored.
        storeEnv(id, fleet.SHIPSIGNAL_FLEET_DATABASE_URL, workerDefaults(process.env), vars);
        await registry.put(id, vars, schedule);
        await resync(registry, fleet, options.setup ? (queue) => enqueue(queue, id, 'setup') : undefined);
        print(`store ${id} saved: ${Object.keys(vars.settings).length} setting(s), ${Object.keys(vars.secrets).length} secret(s) sealed; every ${schedule.everyMs} ms`);
      });
    });
  stores.command('list').description('every store with its schedule, state and last outcomes').action(async () => {
    await withRegistry(async (registry, fleet) => {
      const list = await registry.list();
      const redis = new Redis(fleet.SHIPSIGNAL_FLEET_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        const view = await new FleetStatus(redis, fleet.SHIPSIGNAL_FLEET_NAME).view(list);
        for (const [i, store] of list.entries()) {
          const status = view[i];
          print([
            store.id, store.paused ? 'paused' : 'active', `every=${store.everyMs}ms`, `secrets=${store.secretNames.join(',') || '-'}`,
            `lag=${status.lagSeconds === null ? 'never' : `${status.lagSeconds}s`}`, `outbox=${status.outboxBatches ?? '?'}`,
            `429s=${status.throttled}`, `failures=${status.failures}`,
          ].join('  '));
        }
        if (list.length === 0) print('no stores');
      } finally {
        redis.disconnect();
      }
    });
  });
  for (const [name, paused] of [['pause', true], ['resume', false]] as const) {
    stores.command(`${name} <id>`).description(paused ? 'stop running the store\'s jobs (its state and outbox are kept)' : 'run a paused store again').action(async (id: string) => {
      await withRegistry(async (registry, fleet) => {
        if (!(await registry.setPaused(id, paused))) throw new ConfigError([`store ${id}: not in the registry`]);
        await resync(registry, fleet);
        print(`store ${id} ${paused ? 'paused' : 'resumed'}`);
      });
    });
  }
  stores.command('remove <id>').description('remove the store and its schedules (its state stays in the database under its namespace)').action(async (id: string) => {
    await withRegistry(async (registry, fleet) => {
      if (!(await registry.remove(id))) throw new ConfigError([`store ${id}: not in the registry`]);
      await resync(registry, fleet);
      print(`store ${id} removed`);
    });
  });
  stores.command('run <id> <kind>').description('queue one job of a store now (sync, orders, trackers, reviews, drain, setup)').action(async (id: string, kind: string) => {
    if (!isJobKind(kind)) throw new ConfigError([`kind: expected sync, orders, trackers, reviews, drain or setup, got ${kind}`]);
    await withRegistry(async (registry, fleet) => {
      if (!(await registry.get(id))) throw new ConfigError([`store ${id}: not in the registry`]);
      await resync(registry, fleet, (queue) => enqueue(queue, id, kind));
      print(`queued ${kind} for ${id}`);
    });
  });
}
