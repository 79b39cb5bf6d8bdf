import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { FleetWorker, WorkerEvent } from '../../src/fleet/worker';
import type { StoreRegistry } from '../../src/fleet/registry';
import { addStackStore, obliterateFleet, openRegistry, overlaps, startTestWorker, testFleet } from '../helpers/fleet';

/**
 * Issue 18: two workers on one queue never run one store's job of one kind at the same time (the store's leases in
 * PostgreSQL, shared by every worker), though both take that store's jobs side by side; a paused store runs nothing.
 * Two stores, each with its own sandboxes and its own Klaviyo account; many orders jobs of the active store are put
 * on the queue at once (distinct job ids, so BullMQ's own deduplication does not keep them apart: only the leases do;
 * a job that finds its kind running is put back and runs after it).
 */
const END = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

describe('fleet: one job per store and kind at a time; paused stores run nothing', () => {
  const fleet = testFleet();
  const events: Array<WorkerEvent & { at?: number }> = [];
  let stacks: LocalStack[] = [];
  let registry: StoreRegistry;
  let workers: FleetWorker[] = [];
  const active = `${fleet.SHIPSIGNAL_FLEET_NAME}-active`;
  const paused = `${fleet.SHIPSIGNAL_FLEET_NAME}-paused`;

  beforeAll(async () => {
    stacks = await Promise.all([31, 32].map((seed, i) => startLocalStack({
      store: generateStore({ orders: 150, seed, start: new Date(END.getTime() - 200 * DAY), spanDays: 200 }),
      // A small cost bucket: each orders job takes long enough for the other worker to try the same store.
      shopifyThrottle: { maximumAvailable: 400, restoreRate: 400 },
      klaviyoRateLimits: 'off',
      credentials: { klaviyoApiKey: `pk_fleet_exclusion_${i}_${fleet.SHIPSIGNAL_FLEET_NAME}` },
    })));
    registry = await openRegistry(fleet);
    await addStackStore(registry, active, stacks[0], { SHOPIFY_BULK_BACKFILL: 'false', SHOPIFY_PAGE_SIZE: '5' });
    await addStackStore(registry, paused, stacks[1], { SHOPIFY_BULK_BACKFILL: 'false' });
    await registry.setPaused(paused, true);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close(1_000)));
    await obliterateFleet(fleet);
    for (const id of [active, paused]) await registry?.remove(id);
    await registry?.close();
    await Promise.all(stacks.map((stack) => stack.close()));
  });

  it('keeps each store kind to one run at a time across workers, and runs nothing of a paused store', async () => {
    workers = [await startTestWorker(fleet, events), await startTestWorker(fleet, events)];
    const queue = workers[0].queue;
    const ids: string[] = [];
    // Waves of jobs until the store's orders job ran again after the first run (the backfill) ended.
    const ordersRuns = () => events.filter((e) => e.storeId === active && e.job === 'orders' && e.phase === 'start').length;
    for (let wave = 0; wave < 4 || (ordersRuns() < 2 && wave < 60); wave++) {
      for (let i = 0; i < 2; i++) {
        for (const [storeId, kind] of [[active, 'orders'], [active, 'drain'], [paused, 'orders'], [paused, 'drain']] as const) {
          const job = await queue.add(kind, { storeId }, { jobId: `w${wave}-${i}-${kind}-${storeId === active ? 'a' : 'p'}` });
          ids.push(job.id as string);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const deadline = Date.now() + 180_000;
    for (;;) {
      const states = await Promise.all(ids.map(async (id) => (await queue.getJob(id))?.getState()));
      if (states.every((state) => state === 'completed' || state === 'failed')) {
        expect(states.filter((state) => state === 'failed')).toEqual([]);
        break;
      }
      if (Date.now() > deadline) throw new Error(`jobs not finished: ${states.filter((s) => s !== 'completed').join(',')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const pausedResults = await Promise.all(ids.filter((id) => id.endsWith('-p')).map(async (id) => (await queue.getJob(id))?.returnvalue));
    // The fleet view (shared by the workers through Redis): the active store ran, its outbox is empty; the other is paused.
    const view = await workers[1].status.view(await registry.list());
    expect(view.find((store) => store.id === active)).toMatchObject({ paused: false, outboxBatches: 0, failures: 0 });
    expect(view.find((store) => store.id === active)?.lagSeconds).not.toBeNull();
    expect(view.find((store) => store.id === paused)).toMatchObject({ paused: true, lagSeconds: null });
    expect((await Promise.all(workers.map((worker) => worker.metrics.registry.metrics()))).join('\n')).toContain(`shipsignal_fleet_jobs_total{store_id="${paused}",kind="orders",outcome="paused"}`);
    await Promise.all(workers.map((worker) => worker.close(5_000)));

    const activeEvents = events.filter((event) => event.storeId === active);
    // The contention was real: the two workers held jobs of the same store and kind at the same time...
    expect(overlaps(activeEvents, ['taken', 'done']).length).toBeGreaterThan(0);
    expect(activeEvents.filter((e) => e.phase === 'start' && e.job === 'orders').length).toBeGreaterThan(1);
    // ...yet the work itself (inside the store's lease of its kind) never overlapped.
    expect(overlaps(activeEvents, ['start', 'end'])).toEqual([]);
    expect(stacks[0].klaviyo.profiles().length).toBeGreaterThan(0);

    // The paused store: its jobs were taken and answered `paused`; nothing of it ran, nothing reached its account.
    expect(events.filter((event) => event.storeId === paused && event.phase === 'start')).toEqual([]);
    expect(pausedResults.length).toBeGreaterThan(0);
    expect(pausedResults.every((result) => result?.outcome === 'paused')).toBe(true);
    expect(stacks[1].klaviyo.profiles()).toEqual([]);
    expect(stacks[1].klaviyo.events()).toEqual([]);
  }, 300_000);
});
