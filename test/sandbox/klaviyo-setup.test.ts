import { ApiKeySession, EventsApi, FlowsApi, RetryWithExponentialBackoff } from 'klaviyo-api';
import { describeStarterSet, formatSetup, runSetup } from '../../src/cli/setup';
import { parseEnv, type Env } from '../../src/config/env';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { ProvisionResult } from '../../src/sinks/provisioner';
import { provisionedKey } from '../../src/state/keys';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * Issue 16: `shipsignal setup` against the Klaviyo sandbox (documented rate limits, spec validation, metrics that
 * exist only after their first event), through the official SDK, after one real sync of a synthetic store.
 */
const END = new Date('2026-06-01T12:00:00Z');
const CREATES = ['create_segment', 'create_flow', 'create_template', 'create_tag', 'update_flow', 'update_segment'];
const DECLARED_SEGMENTS = 9;
const DECLARED_FLOWS = 5;

let harness: Harness;
let env: Env;

const statusOf = (result: ProvisionResult, name: string) => result.lines.find((l) => l.name === name)?.outcome.status;
const createsSince = (mark: number) => harness.stack.klaviyo.requests().slice(mark).filter((r) => r.operation !== null && CREATES.includes(r.operation));

function sdk<T>(Api: new (session: ApiKeySession) => T & { basePath: string }): T {
  const api = new Api(new ApiKeySession(harness.stack.klaviyo.apiKey, new RetryWithExponentialBackoff({ numRetries: 1 })));
  api.basePath = harness.stack.klaviyo.url;
  return api;
}

/** An event through the SDK, standing in for carrier events a sync with tracking would send. */
async function sendEvent(metric: string): Promise<void> {
  await sdk(EventsApi).createEvent({
    data: { type: 'event', attributes: { metric: { data: { type: 'metric', attributes: { name: metric } } }, profile: { data: { type: 'profile', attributes: { email: 'seed@example.com' } } }, properties: { Status: 'test' } } },
  });
}

beforeAll(async () => {
  const clock = new ManualClock(END);
  const store = generateStore({ orders: 40, seed: 7, start: new Date(END.getTime() - 200 * 86_400_000), spanDays: 200, clock });
  harness = await startHarness({ store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'documented', env: { SHIPSIGNAL_LOG_LEVEL: 'error' } });
  await harness.app.syncOnce();
  await harness.stack.klaviyo.idle();
  env = parseEnv({ ...harness.stack.env, SHIPSIGNAL_STATE_URL: harness.stateUrl });
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('shipsignal setup', () => {
  it('creates every declared segment and every flow whose metric exists, once, with zero validation failures; a flow without its metric waits', async () => {
    // The sync's own events created these metrics (fulfilments with tracking, delivered parcels).
    const metrics = harness.stack.klaviyo.metrics().map((m) => m.name);
    expect(metrics).toEqual(expect.arrayContaining(['Shipment Delivered']));
    for (const metric of ['Delivery Issue Detected', 'Shipment Out for Delivery', 'Lifecycle Segment Changed']) {
      if (!metrics.includes(metric)) await sendEvent(metric);
    }
    const mark = harness.stack.klaviyo.requests().length;

    const result = await runSetup(env, false, { store: harness.app.context.store });

    const klaviyo = harness.stack.klaviyo;
    expect(klaviyo.validationFailures()).toEqual([]);
    expect(klaviyo.earlyRetries()).toEqual([]);
    expect(klaviyo.requests().slice(mark).filter((r) => r.status === 429)).toEqual([]);
    expect(klaviyo.segments().map((s) => s.name).sort()).toHaveLength(DECLARED_SEGMENTS);
    expect(new Set(klaviyo.segments().map((s) => s.name)).size).toBe(DECLARED_SEGMENTS);
    expect(klaviyo.flows().map((f) => f.name).sort()).toEqual(['ss: Delivery issue', 'ss: Review request', 'ss: VIP out for delivery', 'ss: Win-back at risk']);
    expect(klaviyo.flows().every((f) => f.status === 'draft')).toBe(true);
    const waiting = result.lines.find((l) => l.name === 'ss: Delivery issue resolved')?.outcome;
    expect(waiting).toEqual({ status: 'waiting', reason: expect.stringContaining("metric 'Delivery Issue Resolved' does not exist yet") });
    expect(result.lines.filter((l) => l.outcome.status === 'failed')).toEqual([]);
    // Everything created is tagged and its id stored in state.
    const tag = klaviyo.tags().find((t) => t.name === 'shipsignal');
    expect(tag?.flows.size).toBe(4);
    expect(tag?.segments.size).toBe(DECLARED_SEGMENTS);
    const flow = klaviyo.flows().find((f) => f.name === 'ss: Delivery issue');
    expect(await harness.app.context.store.get(provisionedKey('flow', 'ss: Delivery issue'))).toBe(flow?.id);
    // The delivery-issue flow: one metric trigger, three draft emails on their own templates.
    const definition = flow?.definition as { triggers: Array<{ id: string }>; actions: Array<{ type: string }> };
    expect(definition.triggers).toEqual([{ type: 'metric', id: klaviyo.metrics().find((m) => m.name === 'Delivery Issue Detected')?.id }]);
    expect(definition.actions.filter((a) => a.type === 'send-email')).toHaveLength(3);
    expect(klaviyo.templates().filter((t) => t.name.startsWith('ss: Delivery issue · '))).toHaveLength(3);
  }, 120_000);

  it('a second run sends no create request and reports everything as existing', async () => {
    const mark = harness.stack.klaviyo.requests().length;
    const result = await runSetup(env, false, { store: harness.app.context.store });
    expect(createsSince(mark)).toEqual([]);
    expect(result.lines.filter((l) => l.outcome.status === 'exists')).toHaveLength(DECLARED_SEGMENTS + 4);
    expect(statusOf(result, 'ss: Delivery issue resolved')).toBe('waiting');
    // doctor's line: what exists and what waits, from lookups alone.
    const line = describeStarterSet(await runSetup(env, true, { store: harness.app.context.store }));
    expect(line).toBe(`segments: ${DECLARED_SEGMENTS} of ${DECLARED_SEGMENTS} exist; flows: 4 of 5 exist, waiting "ss: Delivery issue resolved" (no event of the trigger metric yet)`);
    expect(createsSince(mark)).toEqual([]);
  }, 60_000);

  it('leaves a flow the merchant edited alone', async () => {
    const flow = harness.stack.klaviyo.flows().find((f) => f.name === 'ss: Review request');
    if (!flow) throw new Error('no review flow');
    await sdk(FlowsApi).updateFlow(flow.id, { data: { type: 'flow', id: flow.id, attributes: { status: 'live' } } });
    const mark = harness.stack.klaviyo.requests().length;
    const result = await runSetup(env, false, { store: harness.app.context.store });
    expect(createsSince(mark)).toEqual([]);
    expect(harness.stack.klaviyo.flows().find((f) => f.id === flow.id)?.status).toBe('live');
    expect(result.lines.find((l) => l.name === 'ss: Review request')?.outcome).toEqual({ status: 'exists', id: flow.id });
  }, 60_000);

  it('creates the waiting flow after the first event of its metric', async () => {
    await sendEvent('Delivery Issue Resolved');
    const mark = harness.stack.klaviyo.requests().length;
    const result = await runSetup(env, false, { store: harness.app.context.store });
    expect(statusOf(result, 'ss: Delivery issue resolved')).toBe('created');
    expect(createsSince(mark).map((r) => r.operation)).toEqual(['create_template', 'create_flow']);
    expect(harness.stack.klaviyo.flows()).toHaveLength(DECLARED_FLOWS);
    expect(harness.stack.klaviyo.validationFailures()).toEqual([]);
  }, 60_000);

  it('--dry-run prints every body it would send and sends nothing', async () => {
    harness.stack.klaviyo.reset();
    await sendEvent('Delivery Issue Detected');
    const mark = harness.stack.klaviyo.requests().length;
    const result = await runSetup(env, true, { store: harness.app.context.store });
    expect(harness.stack.klaviyo.requests().slice(mark).every((r) => r.method === 'GET')).toBe(true);
    expect(harness.stack.klaviyo.segments()).toEqual([]);
    const paths = result.planned.map((p) => p.path);
    expect(paths.filter((p) => p === '/api/segments')).toHaveLength(DECLARED_SEGMENTS);
    expect(paths.filter((p) => p === '/api/flows')).toHaveLength(1);
    const printed = formatSetup(result, true).join('\n');
    expect(printed).toContain('"entry_action_id": "split-vip"');
    expect(printed).toContain("\"property\": \"properties['ss_segment']\"");
  }, 60_000);
});
