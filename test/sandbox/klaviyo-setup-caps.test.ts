import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAILY_CREATES, provisionStarterSet } from '../../src/pipeline/provision';
import { startKlaviyoSandbox, type KlaviyoSandbox } from '../../src/sandbox/klaviyo';
import { KlaviyoProvisioner } from '../../src/sinks/klaviyo/provision/provisioner';
import type { StarterSet } from '../../src/sinks/provisioner';
import { provisionDailyKey, provisionedKey, provisionedSnapshotKey } from '../../src/state/keys';
import { openStateStore, type StateStore } from '../../src/state/store';

/**
 * One run of the starter set as setup and the daemon's setup job make it (pipeline/provision.ts), through the SDK
 * against the Klaviyo sandbox with state in SQLite: the day's creates counted in state against Klaviyo's daily cap,
 * ids and snapshots stored for what it created, and a pending-only run that costs nothing once everything exists.
 */
const DAY1 = new Date('2026-06-01T23:00:00Z');
const DAY2 = new Date('2026-06-02T00:30:00Z');
const set: StarterSet = {
  segments: ['one', 'two', 'three'].map((name) => ({ name, conditions: [{ field: 'ss_segment', equals: name }] })),
  flows: [],
};

let sandbox: KlaviyoSandbox;
let store: StateStore;
let dir: string;
let provisioner: KlaviyoProvisioner;

beforeAll(async () => {
  sandbox = await startKlaviyoSandbox({ rateLimits: 'off' });
  dir = mkdtempSync(join(tmpdir(), 'setup-caps-'));
  store = await openStateStore(`sqlite://${join(dir, 'state.sqlite')}`, 'caps-test');
  provisioner = new KlaviyoProvisioner({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, timeoutMs: 5_000 });
});
afterAll(async () => {
  await store.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const creates = () => sandbox.requests().filter((r) => r.operation === 'create_segment').length;

describe('a starter-set run against the daily cap counted in state', () => {
  it('creates only what is left of the day\'s cap, stores id and snapshot, and reports the rest as waiting', async () => {
    await store.increment(provisionDailyKey('segment', '2026-06-01'), DAILY_CREATES - 1);
    const result = await provisionStarterSet(store, provisioner, set, { dryRun: false, pendingOnly: true, now: DAY1 });
    expect(result.lines.map((l) => [l.name, l.outcome.status])).toEqual([['one', 'created'], ['two', 'waiting'], ['three', 'waiting']]);
    expect(result.lines[1].outcome).toMatchObject({ cause: 'limit', reason: expect.stringContaining('daily cap') });
    expect(creates()).toBe(1);
    expect(await store.get(provisionDailyKey('segment', '2026-06-01'))).toBe(DAILY_CREATES);
    const id = sandbox.segments()[0].id;
    expect(await store.get(provisionedKey('segment', 'one'))).toBe(id);
    expect(await store.get(provisionedSnapshotKey('segment', 'one'))).toEqual({ id, status: 'active', definition: expect.any(String) });
  });

  it('the next UTC day creates the rest; a pending-only run afterwards sends no request at all', async () => {
    const result = await provisionStarterSet(store, provisioner, set, { dryRun: false, pendingOnly: true, now: DAY2 });
    expect(result.lines.map((l) => [l.name, l.outcome.status])).toEqual([['two', 'created'], ['three', 'created']]);
    expect(creates()).toBe(3);
    const mark = sandbox.requests().length;
    expect(await provisionStarterSet(store, provisioner, set, { dryRun: false, pendingOnly: true, now: DAY2 })).toEqual({ lines: [], planned: [] });
    expect(sandbox.requests().length).toBe(mark);
  });
});
