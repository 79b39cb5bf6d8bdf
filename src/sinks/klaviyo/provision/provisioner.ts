/**
 * Klaviyo provisioning through the official SDK: find by name before creating anything, leave what exists alone,
 * pace every endpoint to its documented limits, and report each object on its own line (one failure never stops
 * the others). A flow whose trigger metric has no event yet waits: Klaviyo creates a metric on its first event.
 */
import { FlowsApi, MetricsApi, ObjectSerializer, SegmentsApi, TagsApi, TemplatesApi } from 'klaviyo-api';
import { RetryableError } from '../../../util/errors';
import { sleep } from '../../../util/retry';
import { Pacer } from '../pacer';
import type { RateLimit } from '../limits';
import { SinkSession, classifyFailure } from '../transport';
import type {
  FlowSpec, ObjectSnapshot, PlannedRequest, ProvisionLine, ProvisionOptions, ProvisionResult, Provisioner, SegmentSpec, StarterSet,
} from '../../provisioner';
import { flowBody, segmentBody, templateBody } from './bodies';
import { flowSnapshot, rawData, segmentSnapshot } from './snapshot';

/** Documented limits (spec 2026-07-15 `x-klaviyo-ratelimit`); creates of flows and segments also cap at 100 a day. */
export const PROVISION_LIMITS = {
  getMetrics: { burst: 10, steady: 150 },
  getFlows: { burst: 3, steady: 60 },
  getFlow: { burst: 3, steady: 60 },
  createFlow: { burst: 1, steady: 15 },
  getSegments: { burst: 75, steady: 750 },
  createSegment: { burst: 1, steady: 15 },
  getTemplates: { burst: 75, steady: 750 },
  createTemplate: { burst: 75, steady: 750 },
  tags: { burst: 3, steady: 60 },
} as const satisfies Record<string, RateLimit>;
type ProvisionEndpoint = keyof typeof PROVISION_LIMITS;

export const SHIPSIGNAL_TAG = 'shipsignal';
/** A Retry-After longer than this (a spent daily cap) is reported, not waited out. */
const MAX_WAIT_MS = 60_000;
const MAX_THROTTLED_ATTEMPTS = 4;

export interface KlaviyoProvisionerConfig {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Klaviyo filter syntax: a quoted string with `"` and `\` escaped. */
const quoted = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const byName = (name: string): string => `equals(name,${quoted(name)})`;

const isResource = (value: unknown, id: string): boolean => typeof value === 'object' && value !== null && (value as { id?: unknown }).id === id;

function nextCursor(next: string | undefined): string | null {
  if (!next) return null;
  return new URL(next, 'http://x').searchParams.get('page[cursor]');
}

export class KlaviyoProvisioner implements Provisioner {
  private readonly flows: FlowsApi;
  private readonly segments: SegmentsApi;
  private readonly templates: TemplatesApi;
  private readonly metrics: MetricsApi;
  private readonly tags: TagsApi;
  private readonly pacers = new Map<ProvisionEndpoint, Pacer>();

  constructor(private readonly config: KlaviyoProvisionerConfig) {
    const session = new SinkSession(config.apiKey, config.baseUrl, config.timeoutMs, config.signal);
    this.flows = new FlowsApi(session);
    this.segments = new SegmentsApi(session);
    this.templates = new TemplatesApi(session);
    this.metrics = new MetricsApi(session);
    this.tags = new TagsApi(session);
  }

  /** One paced call; a 429 waits its Retry-After (when short) and tries again, anything else is thrown classified. */
  private async call<T>(endpoint: ProvisionEndpoint, run: () => Promise<T>): Promise<T> {
    const pacer = this.pacers.get(endpoint) ?? new Pacer(PROVISION_LIMITS[endpoint], 50);
    this.pacers.set(endpoint, pacer);
    for (let attempt = 1; ; attempt += 1) {
      const id = await pacer.acquire(this.config.signal);
      if (id === null) throw new Error('aborted');
      let failure: RetryableError | Error;
      try {
        return await run();
      } catch (error) {
        failure = classifyFailure(error);
      } finally {
        pacer.finish(id);
      }
      const wait = failure instanceof RetryableError ? failure.retryAfterMs ?? 1_000 : null;
      if (wait === null || wait > MAX_WAIT_MS || attempt >= MAX_THROTTLED_ATTEMPTS) throw failure;
      pacer.pause(wait);
      await sleep(wait, this.config.signal);
    }
  }

  /** GET /api/metrics has no name filter: every page is read and matched by name. */
  private async metricIds(): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    let cursor: string | null = null;
    do {
      const page = await this.call('getMetrics', () => this.metrics.getMetrics({ fieldsMetric: ['name'], ...(cursor ? { pageCursor: cursor } : {}) }));
      for (const metric of page.body.data) if (metric.attributes.name) ids.set(metric.attributes.name, metric.id);
      cursor = nextCursor(page.body.links?.next);
    } while (cursor);
    return ids;
  }

  private async tagId(): Promise<string> {
    const found = await this.call('tags', () => this.tags.getTags({ filter: byName(SHIPSIGNAL_TAG) }));
    const existing = found.body.data[0];
    if (existing) return existing.id;
    const created = await this.call('tags', () => this.tags.createTag({ data: { type: 'tag', attributes: { name: SHIPSIGNAL_TAG } } }));
    return created.body.data.id;
  }

  async provision(set: StarterSet, options: ProvisionOptions): Promise<ProvisionResult> {
    const planned: PlannedRequest[] = [];
    const lines: ProvisionLine[] = [];
    const budget = { ...options.budget };
    // Metrics are listed page by page (no name filter): only when a flow needs its trigger's id.
    const metricIds = set.flows.length > 0 ? await this.metricIds() : new Map<string, string>();
    let tag: string | null = null;
    const tagged = async (kind: 'flow' | 'segment', id: string): Promise<void> => {
      tag ??= await this.tagId();
      const tagIdNow = tag;
      if (kind === 'flow') await this.call('tags', () => this.tags.tagFlows(tagIdNow, { data: [{ type: 'flow', id }] }));
      else await this.call('tags', () => this.tags.tagSegments(tagIdNow, { data: [{ type: 'segment', id }] }));
    };
    const context = { options, planned, budget, tagged };
    for (const segment of set.segments) lines.push(await this.settle('segment', segment.name, () => this.segment(segment, context)));
    for (const flow of set.flows) lines.push(await this.settle('flow', flow.name, () => this.flow(flow, metricIds, context)));
    return { lines, planned };
  }

  private async settle(kind: ProvisionLine['kind'], name: string, run: () => Promise<ProvisionLine['outcome']>): Promise<ProvisionLine> {
    try {
      return { kind, name, outcome: await run() };
    } catch (error) {
      // Still throttled after the short waits, or told to wait longer than a run should (a spent daily cap).
      if (error instanceof RetryableError && error.code === 'throttled') {
        const after = error.retryAfterMs === null ? '' : ` for ${Math.ceil(error.retryAfterMs / 1000)} s`;
        return { kind, name, outcome: { status: 'waiting', cause: 'limit', reason: `Klaviyo throttles this endpoint${after} (its daily cap may be spent); a later run creates it` } };
      }
      return { kind, name, outcome: { status: 'failed', error: error instanceof Error ? error.message : String(error) } };
    }
  }

  private async segment(spec: SegmentSpec, ctx: Context): Promise<ProvisionLine['outcome']> {
    const existing = await this.segmentNamed(spec.name);
    if (existing) return { status: 'exists', id: existing.id, snapshot: ctx.options.inspect ? existing.snapshot : null };
    if (ctx.budget.segment <= 0) return { status: 'waiting', cause: 'limit', reason: 'the daily cap of 100 segment creates is spent; the next run creates it' };
    const body = segmentBody(spec.name, spec.conditions);
    if (ctx.options.dryRun) {
      ctx.planned.push({ method: 'POST', path: '/api/segments', body: ObjectSerializer.serialize(body, 'SegmentCreateQuery') });
      return { status: 'created', id: null, snapshot: null };
    }
    ctx.budget.segment -= 1;
    const created = await this.call('createSegment', () => this.segments.createSegment(body));
    const id = created.body.data.id;
    await ctx.tagged('segment', id);
    // Snapshot as doctor reads it later (the listing), not as the create answer shows it; should that read fail,
    // doctor says it cannot tell whether the segment changed.
    const read = await this.segmentNamed(spec.name).catch(() => null);
    return { status: 'created', id, snapshot: read?.id === id ? read.snapshot : null };
  }

  /** The segment of this name, if any, with its snapshot from the same (raw) listing. */
  private async segmentNamed(name: string): Promise<{ id: string; snapshot: ObjectSnapshot } | null> {
    const found = await this.call('getSegments', () => this.segments.getSegments({ filter: byName(name) }));
    const existing = found.body.data.find((s) => s.attributes.name === name);
    if (!existing) return null;
    const raw = rawData(found.response);
    return { id: existing.id, snapshot: segmentSnapshot(Array.isArray(raw) ? raw.find((r) => isResource(r, existing.id)) : undefined) };
  }

  /** The flow as `get_flow` with its definition returns it (get_flows lists no definitions). */
  private async flowSnapshotOf(id: string): Promise<ObjectSnapshot> {
    const read = await this.call('getFlow', () => this.flows.getFlow(id, { additionalFieldsFlow: ['definition'] }));
    return flowSnapshot(rawData(read.response));
  }

  private async flow(spec: FlowSpec, metricIds: ReadonlyMap<string, string>, ctx: Context): Promise<ProvisionLine['outcome']> {
    const found = await this.call('getFlows', () => this.flows.getFlows({ filter: byName(spec.name) }));
    const existing = found.body.data.find((f) => f.attributes.name === spec.name);
    if (existing) return { status: 'exists', id: existing.id, snapshot: ctx.options.inspect ? await this.flowSnapshotOf(existing.id) : null };
    const metricId = metricIds.get(spec.triggerMetric);
    if (!metricId) return { status: 'waiting', cause: 'metric', reason: `metric '${spec.triggerMetric}' does not exist yet (Klaviyo creates it with its first event); a later run creates the flow` };
    if (ctx.budget.flow <= 0) return { status: 'waiting', cause: 'limit', reason: 'the daily cap of 100 flow creates is spent; the next run creates it' };
    const templateIds = new Map<string, string>();
    for (const step of spec.steps) {
      if (step.kind !== 'email' || templateIds.has(step.template.name)) continue;
      templateIds.set(step.template.name, await this.template(step.template.name, step.template.html, ctx));
    }
    const body = flowBody(spec, metricId, templateIds);
    if (ctx.options.dryRun) {
      ctx.planned.push({ method: 'POST', path: '/api/flows', body: ObjectSerializer.serialize(body, 'FlowCreateQuery') });
      return { status: 'created', id: null, snapshot: null };
    }
    ctx.budget.flow -= 1;
    const created = await this.call('createFlow', () => this.flows.createFlow(body));
    const id = created.body.data.id;
    await ctx.tagged('flow', id);
    return { status: 'created', id, snapshot: await this.flowSnapshotOf(id).catch(() => null) };
  }

  /** An existing template of this name is reused (the merchant may have edited it); dry runs plan a placeholder. */
  private async template(name: string, html: string, ctx: Context): Promise<string> {
    const found = await this.call('getTemplates', () => this.templates.getTemplates({ filter: byName(name) }));
    const existing = found.body.data.find((t) => t.attributes.name === name);
    if (existing) return existing.id;
    const body = templateBody(name, html);
    if (ctx.options.dryRun) {
      ctx.planned.push({ method: 'POST', path: '/api/templates', body: ObjectSerializer.serialize(body, 'TemplateCreateHtmlOrDndQuery') });
      return `<template id of '${name}'>`;
    }
    const created = await this.call('createTemplate', () => this.templates.createTemplate(body));
    return created.body.data.id;
  }
}

interface Context {
  readonly options: ProvisionOptions;
  readonly planned: PlannedRequest[];
  readonly budget: Record<'segment' | 'flow', number>;
  tagged(kind: 'flow' | 'segment', id: string): Promise<void>;
}
