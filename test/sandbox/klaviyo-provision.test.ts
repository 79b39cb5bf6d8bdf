import { ApiKeySession, EventsApi, FlowsApi, MetricsApi, RetryWithExponentialBackoff, SegmentsApi } from 'klaviyo-api';
import type { FlowActionUpdateQuery, FlowCreateQuery, SegmentCreateQuery } from 'klaviyo-api';
import { startKlaviyoSandbox, type KlaviyoSandbox } from '../../src/sandbox/klaviyo';
import { KlaviyoProvisioner } from '../../src/sinks/klaviyo/provision/provisioner';
import type { Condition, StarterSet } from '../../src/sinks/provisioner';
import { ManualClock } from '../../src/util/clock';
import { failure } from './klaviyo-client';

/** The sandbox's provisioning endpoints and rules, and the provisioner's failure isolation, through the SDK. */
let sandbox: KlaviyoSandbox;

function apis(target: KlaviyoSandbox) {
  const session = new ApiKeySession(target.apiKey, new RetryWithExponentialBackoff({ numRetries: 1 }));
  const flows = new FlowsApi(session);
  const segments = new SegmentsApi(session);
  const metrics = new MetricsApi(session);
  const events = new EventsApi(session);
  for (const api of [flows, segments, metrics, events]) api.basePath = target.url;
  return { flows, segments, metrics, events };
}

async function seedMetric(target: KlaviyoSandbox, name: string): Promise<string> {
  await apis(target).events.createEvent({
    data: { type: 'event', attributes: { metric: { data: { type: 'metric', attributes: { name } } }, profile: { data: { type: 'profile', attributes: { email: 'p@example.com' } } }, properties: {} } },
  });
  const metric = target.metrics().find((m) => m.name === name);
  if (!metric) throw new Error(`metric ${name} was not created`);
  return metric.id;
}

const email = { temporaryId: 'e', type: 'send-email', data: { status: 'draft', message: { name: 'm' } }, links: { next: null } };
const flowQuery = (definition: object): FlowCreateQuery =>
  ({ data: { type: 'flow', attributes: { name: 'f', definition } } }) as unknown as FlowCreateQuery;

beforeAll(async () => {
  sandbox = await startKlaviyoSandbox({ rateLimits: 'off', metricsPageSize: 2 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

describe('Klaviyo sandbox: metrics', () => {
  it('creates a metric only with its first event, lists them without a name filter, and pages', async () => {
    const { metrics } = apis(sandbox);
    expect((await metrics.getMetrics()).body.data).toEqual([]);
    for (const name of ['A', 'B', 'C']) await seedMetric(sandbox, name);
    const first = await metrics.getMetrics();
    expect(first.body.data.map((m) => m.attributes.name)).toEqual(['A', 'B']);
    const cursor = new URL(first.body.links?.next ?? '').searchParams.get('page[cursor]') ?? '';
    expect((await metrics.getMetrics({ pageCursor: cursor })).body.data.map((m) => m.attributes.name)).toEqual(['C']);
    const refused = await failure(metrics.getMetrics({ filter: 'equals(name,"A")' }));
    expect(refused.status).toBe(400);
    expect(refused.errors[0].detail).toContain('integration.name');
  });
});

describe('Klaviyo sandbox: flow rules the schema cannot express', () => {
  it('refuses two triggers, an unknown metric, a missing entry action and a dangling link', async () => {
    const { flows } = apis(sandbox);
    const metric = await seedMetric(sandbox, 'M');
    const cases: Array<[object, string]> = [
      [{ triggers: [{ type: 'metric', id: metric }, { type: 'metric', id: metric }], entryActionId: 'e', actions: [email] }, 'Only one trigger'],
      [{ triggers: [{ type: 'metric', id: 'NOPE' }], entryActionId: 'e', actions: [email] }, "Metric 'NOPE' does not exist"],
      [{ triggers: [{ type: 'metric', id: metric }], entryActionId: 'x', actions: [email] }, 'entry_action_id'],
      [{ triggers: [{ type: 'metric', id: metric }], entryActionId: 'e', actions: [{ ...email, links: { next: 'gone' } }] }, "Link 'gone'"],
    ];
    for (const [definition, detail] of cases) {
      const refused = await failure(flows.createFlow(flowQuery(definition)));
      expect(refused.status).toBe(400);
      expect(refused.errors.map((e) => e.detail).join(' ')).toContain(detail);
    }
    expect(sandbox.flows()).toEqual([]);
    expect(sandbox.validationFailures()).toHaveLength(cases.length);
    const created = await flows.createFlow(flowQuery({ triggers: [{ type: 'metric', id: metric }], entryActionId: 'e', actions: [email] }));
    expect(created.response.status).toBe(201);
    expect(sandbox.flows()[0].status).toBe('draft');
  });

  it('refuses a schema violation (an unknown action type) and counts it as a validation failure', async () => {
    const metric = await seedMetric(sandbox, 'M');
    const refused = await failure(apis(sandbox).flows.createFlow(flowQuery({ triggers: [{ type: 'metric', id: metric }], entryActionId: 'e', actions: [{ ...email, type: 'send-pigeon' }] })));
    expect(refused.status).toBe(400);
    expect(sandbox.validationFailures()).toHaveLength(1);
  });
});

describe('Klaviyo sandbox: edits (update_segment, update_flow_action)', () => {
  const condition = (value: boolean) => ({ type: 'profile-property', property: "properties['x']", filter: { type: 'boolean', operator: 'equals', value } });
  it('updates a segment\'s definition, refuses deactivation combined with another change', async () => {
    const { segments } = apis(sandbox);
    const created = await segments.createSegment({ data: { type: 'segment', attributes: { name: 's', definition: { conditionGroups: [{ conditions: [condition(true)] }] } } } } as SegmentCreateQuery);
    const id = created.body.data.id;
    type Update = Parameters<SegmentsApi['updateSegment']>[1];
    const refused = await failure(segments.updateSegment(id, { data: { type: 'segment', id, attributes: { isActive: false, name: 't' } } } as Update));
    expect(refused.errors[0].detail).toContain('cannot be combined');
    await segments.updateSegment(id, { data: { type: 'segment', id, attributes: { definition: { conditionGroups: [{ conditions: [condition(false)] }] } } } } as Update);
    expect(sandbox.segments()[0].definition).toEqual({ condition_groups: [{ conditions: [condition(false)] }] });
    expect(sandbox.validationFailures()).toEqual([]);
  });

  it('replaces one flow action under its id and refuses a change of its type', async () => {
    const metric = await seedMetric(sandbox, 'M');
    const delay = { temporaryId: 'd', type: 'time-delay', data: { unit: 'days', value: 1, timezone: 'profile' }, links: { next: 'e' } };
    await apis(sandbox).flows.createFlow(flowQuery({ triggers: [{ type: 'metric', id: metric }], entryActionId: 'd', actions: [delay, email] }));
    const [action] = (sandbox.flows()[0].definition as { actions: Array<{ id: string; links: unknown }> }).actions;
    const update = (definition: object) => apis(sandbox).flows.updateFlowAction(action.id, { data: { type: 'flow-action', id: action.id, attributes: { definition } } } as unknown as FlowActionUpdateQuery);
    await update({ type: 'time-delay', data: { unit: 'days', value: 4, timezone: 'profile' } });
    const actions = (sandbox.flows()[0].definition as { actions: Array<{ id: string; data: { value?: number }; links: unknown }> }).actions;
    expect(actions[0]).toEqual({ id: action.id, type: 'time-delay', data: { unit: 'days', value: 4, timezone: 'profile' }, links: action.links });
    const refused = await failure(update({ type: 'send-email', data: { status: 'draft', message: { name: 'x' } } }));
    expect(refused.errors[0].detail).toContain("type cannot change");
  });
});

describe('Klaviyo sandbox: daily caps', () => {
  it('answers the 101st segment create of a UTC day with 429 until midnight', async () => {
    const clock = new ManualClock(new Date('2026-06-01T08:00:00Z'));
    const capped = await startKlaviyoSandbox({ clock });
    try {
      const { segments } = apis(capped);
      const body = (i: number): SegmentCreateQuery => ({ data: { type: 'segment', attributes: { name: `s${i}`, definition: { conditionGroups: [{ conditions: [{ type: 'profile-property', property: "properties['x']", filter: { type: 'boolean', operator: 'equals', value: true } }] }] } } } }) as SegmentCreateQuery;
      for (let i = 0; i < 100; i += 1) {
        await segments.createSegment(body(i));
        clock.advance(4_100); // 15/m
      }
      const refused = await failure(segments.createSegment(body(100)));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(14 * 3600);
      clock.set(new Date('2026-06-02T00:00:01Z'));
      expect((await segments.createSegment(body(100))).response.status).toBe(201);
    } finally {
      await capped.close();
    }
  }, 60_000);
});

describe('provisioner', () => {
  const vip: Condition = { field: 'ss_segment', equals: 'vip' };
  it('reports one refused object with its name and Klaviyo\'s error, and creates the others', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i): Condition => ({ field: `p${i}`, set: true }));
    const set: StarterSet = { segments: [{ name: 'ok 1', conditions: [vip] }, { name: 'too many', conditions: tooMany }, { name: 'ok 2', conditions: [vip] }], flows: [] };
    const provisioner = new KlaviyoProvisioner({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, timeoutMs: 5_000 });
    const result = await provisioner.provision(set, { dryRun: false, budget: { segment: 100, flow: 100 } });
    expect(result.lines.map((l) => [l.name, l.outcome.status])).toEqual([['ok 1', 'created'], ['too many', 'failed'], ['ok 2', 'created']]);
    const failed = result.lines[1].outcome;
    expect(failed.status === 'failed' && failed.error).toMatch(/400 invalid: A definition may hold at most 100 conditions/);
    expect(sandbox.segments().map((s) => s.name)).toEqual(['ok 1', 'ok 2']);
  });

  it('finds a trigger metric on a later page of get_metrics (no name filter exists)', async () => {
    for (const name of ['A', 'B', 'C', 'D']) await seedMetric(sandbox, name);
    const provisioner = new KlaviyoProvisioner({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, timeoutMs: 5_000 });
    const flow = { name: 'on D', file: 'x.yaml', triggerMetric: 'D', triggerFilters: [], audience: [], reentryDays: null, steps: [{ id: 'wait', kind: 'delay' as const, value: 1, unit: 'days' as const, next: null }] };
    const result = await provisioner.provision({ segments: [], flows: [flow] }, { dryRun: false, budget: { segment: 100, flow: 100 } });
    expect(result.lines[0].outcome.status).toBe('created');
    expect(sandbox.requests().filter((r) => r.operation === 'get_metrics')).toHaveLength(2);
    expect((sandbox.flows()[0].definition as { triggers: unknown[] }).triggers).toEqual([{ type: 'metric', id: sandbox.metrics()[3].id }]);
  });

  it('waits out a short 429 and a 5xx, and reports a long Retry-After (a spent daily cap) as waiting', async () => {
    sandbox.faults.schedule({ kind: 'throttle', retryAfterSeconds: 1 }, 1, { operation: 'create_segment' });
    sandbox.faults.schedule({ kind: 'status', status: 503 }, 1, { operation: 'get_segments' });
    const provisioner = new KlaviyoProvisioner({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, timeoutMs: 5_000 });
    const first = await provisioner.provision({ segments: [{ name: 'retried', conditions: [vip] }], flows: [] }, { dryRun: false, budget: { segment: 100, flow: 100 } });
    expect(first.lines[0].outcome.status).toBe('created');
    expect(sandbox.earlyRetries()).toEqual([]);
    sandbox.faults.schedule({ kind: 'throttle', retryAfterSeconds: 3_600 }, 1, { operation: 'create_segment' });
    const second = await provisioner.provision({ segments: [{ name: 'capped', conditions: [vip] }], flows: [] }, { dryRun: false, budget: { segment: 100, flow: 100 } });
    expect(second.lines[0].outcome).toEqual({ status: 'waiting', cause: 'limit', reason: expect.stringContaining('throttles this endpoint for 3600 s') });
    expect(sandbox.segments().map((s) => s.name)).toEqual(['retried']);
  }, 30_000);

  it('reports a spent daily budget as waiting and sends no create', async () => {
    const provisioner = new KlaviyoProvisioner({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, timeoutMs: 5_000 });
    const result = await provisioner.provision({ segments: [{ name: 'later', conditions: [vip] }], flows: [] }, { dryRun: false, budget: { segment: 0, flow: 0 } });
    expect(result.lines[0].outcome).toEqual({ status: 'waiting', cause: 'limit', reason: expect.stringContaining('daily cap') });
    expect(sandbox.requests().filter((r) => r.operation === 'create_segment')).toEqual([]);
  });
});
