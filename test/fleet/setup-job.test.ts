import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import { declaredStarterSet } from '../../src/cli/setup';
import { parseEnv } from '../../src/config/env';
import type { FleetWorker, JobReport, WorkerEvent } from '../../src/fleet/worker';
import type { StoreRegistry } from '../../src/fleet/registry';
import { addStackStore, obliterateFleet, openRegistry, overlaps, startTestWorker, testFleet } from '../helpers/fleet';

/**
 * Issue 18: the fleet's `setup` job provisions a store's starter set into that store's own Klaviyo account (the
 * sandbox with its documented limits and spec validation), through the official SDK as `shipsignal setup` does.
 * Two setup jobs of one store put on the queue at once (distinct job ids, so BullMQ's deduplication does not keep
 * them apart) and taken by two workers create nothing twice; a later run creates nothing; another store's account
 * and a paused store's get nothing.
 */
const END = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;
const CREATES = new Set(['create_segment', 'create_flow', 'create_template', 'create_tag']);

type Line = { name: string; status: string };

describe('fleet: the setup job', () => {
  const fleet = testFleet();
  const events: Array<WorkerEvent & { at?: number }> = [];
  let stacks: LocalStack[] = [];
  let registry: StoreRegistry;
  let workers: FleetWorker[] = [];
  const [first, other, paused] = ['a', 'b', 'p'].map((suffix) => `${fleet.SHIPSIGNAL_FLEET_NAME}-${suffix}`);

  beforeAll(async () => {
    stacks = await Promise.all([51, 52, 53].map((seed, i) => startLocalStack({
      store: generateStore({ orders: 5, seed, start: new Date(END.getTime() - 30 * DAY), spanDays: 30 }),
      klaviyoRateLimits: 'documented',
      credentials: { klaviyoApiKey: `pk_fleet_setup_${i}_${fleet.SHIPSIGNAL_FLEET_NAME}` },
    })));
    registry = await openRegistry(fleet);
    for (const [i, id] of [first, other, paused].entries()) await addStackStore(registry, id, stacks[i]);
    await registry.setPaused(paused, true);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close(1_000)));
    await obliterateFleet(fleet);
    for (const id of [first, other, paused]) await registry?.remove(id);
    await registry?.close();
    await Promise.all(stacks.map((stack) => stack.close()));
  });

  async function finished(ids: readonly string[]): Promise<JobReport[]> {
    const queue = workers[0].queue;
    const deadline = Date.now() + 150_000;
    for (;;) {
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      const states = await Promise.all(jobs.map((job) => job?.getState()));
      if (states.every((state) => state === 'completed' || state === 'failed')) {
        expect(jobs.map((job) => job?.failedReason ?? null)).toEqual(ids.map(() => null));
        return jobs.map((job) => job?.returnvalue as JobReport);
      }
      if (Date.now() > deadline) throw new Error(`setup jobs not finished: ${states.join(',')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  const createRequests = (stack: LocalStack) => stack.klaviyo.requests().filter((r) => r.operation !== null && CREATES.has(r.operation) && r.status < 300);

  it('provisions the store\'s starter set into its own account once, however many setup jobs run', async () => {
    workers = [await startTestWorker(fleet, events), await startTestWorker(fleet, events)];
    const queue = workers[0].queue;
    const ids: string[] = [];
    for (const [storeId, tag] of [[first, 'a1'], [first, 'a2'], [paused, 'p']] as const) ids.push((await queue.add('setup', { storeId }, { jobId: `setup-${tag}` })).id as string);
    const [one, two, pausedReport] = await finished(ids);

    // The declared set, read as the store's worker reads it (the worker's defaults: the packaged mappings).
    const set = declaredStarterSet(parseEnv({ ...stacks[0].env }));
    const segments = stacks[0].klaviyo.segments().map((segment) => segment.name).sort();
    expect(segments).toEqual(set.segments.map((segment) => segment.name).sort());
    expect(new Set(stacks[0].klaviyo.templates().map((t) => t.name)).size).toBe(stacks[0].klaviyo.templates().length);
    expect(new Set(stacks[0].klaviyo.flows().map((f) => f.name)).size).toBe(stacks[0].klaviyo.flows().length);

    // Both jobs ran (each reports every declared object), one after the other: each object created by one of them.
    const lines = (report: JobReport) => (report.value as Line[]);
    expect(one.outcome).toBe('ok');
    expect(two.outcome).toBe('ok');
    for (const segment of set.segments) {
      const statuses = [one, two].map((report) => lines(report).find((line) => line.name === segment.name)?.status).sort();
      expect(statuses).toEqual(['created', 'exists']);
    }
    // And never side by side: inside the store's setup lease, the runs did not overlap.
    expect(overlaps(events.filter((event) => event.storeId === first), ['start', 'end'])).toEqual([]);
    expect(events.filter((event) => event.storeId === first && event.job === 'setup' && event.phase === 'start').length).toBe(2);

    // A later run: everything is there, nothing is created.
    const before = createRequests(stacks[0]).length;
    const [again] = await finished([(await queue.add('setup', { storeId: first }, { jobId: 'setup-a3' })).id as string]);
    expect(lines(again).filter((line) => line.status === 'created')).toEqual([]);
    expect(createRequests(stacks[0]).length).toBe(before);

    // Nothing reached the other store's account or the paused store's; the paused store's job answered `paused`.
    expect(pausedReport.outcome).toBe('paused');
    for (const stack of [stacks[1], stacks[2]]) {
      expect(createRequests(stack)).toEqual([]);
      expect(stack.klaviyo.segments()).toEqual([]);
    }
  }, 240_000);
});
