import { type ApiError, invalid, invalidParameter, notFound } from './errors';
import type { Reply, Stores } from './handlers';
import type {
  FlowActionUpdateBody, FlowCreateBody, FlowUpdateBody, Json, RelationshipBody, SegmentCreateBody, SegmentUpdateBody, StoredFlow, StoredSegment,
  TagCreateBody, TemplateCreateBody,
} from './provision-store';

/**
 * Handlers of the provisioning endpoints: listings with Klaviyo's filter syntax (only the fields and operators the
 * spec allows per endpoint) and cursor paging, creates after the documented rules, and tag relationships.
 */
const failed = (errors: readonly ApiError[]): Reply => ({ status: errors[0]?.status ?? 400, errors });

type Operator = 'equals' | 'contains' | 'starts-with' | 'ends-with' | 'any';
interface Filter {
  readonly operator: Operator;
  readonly field: string;
  readonly values: readonly string[];
}

/** `equals(name,"x")`, `any(name,["a","b"])`...; the spec lists what each endpoint allows. */
function parseFilter(text: string | null, allowed: Readonly<Record<string, readonly Operator[]>>): Filter | null | ApiError {
  if (text === null) return null;
  const match = /^([a-z-]+)\(([\w.]+),(.*)\)$/.exec(text.trim());
  const allowedText = Object.entries(allowed).map(([f, ops]) => `${f}: ${ops.join(', ')}`).join('; ') || 'none';
  if (!match) return invalidParameter('filter', `Invalid filter provided. Allowed field(s)/operator(s): ${allowedText}.`);
  const [, operator, field, rawValue] = match;
  if (!(allowed[field] ?? []).includes(operator as Operator)) {
    return invalidParameter('filter', `'${operator}' operator for field '${field}' is not supported. Allowed field(s)/operator(s): ${allowedText}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(rawValue);
  } catch {
    return invalidParameter('filter', `Invalid filter value '${rawValue}'.`);
  }
  const values = Array.isArray(value) ? value.map(String) : [String(value)];
  return { operator: operator as Operator, field, values };
}

function matches(filter: Filter | null, value: string): boolean {
  if (!filter) return true;
  const [first] = filter.values;
  switch (filter.operator) {
    case 'equals': return value === first;
    case 'any': return filter.values.includes(value);
    case 'contains': return value.includes(first);
    case 'starts-with': return value.startsWith(first);
    case 'ends-with': return value.endsWith(first);
  }
}

/** One page by an opaque offset cursor; `page[size]` 1..max (default max), as the spec documents per endpoint. */
function page<T>(items: readonly T[], query: URLSearchParams, max: number, self: string, sizeParam: boolean): { data: readonly T[]; links: Json } | ApiError {
  const sizeText = sizeParam ? query.get('page[size]') : null;
  const size = sizeText === null ? max : Number(sizeText);
  if (!Number.isInteger(size) || size < 1 || size > max) return invalidParameter('page[size]', `page[size] must be an integer between 1 and ${max}.`);
  const cursor = query.get('page[cursor]');
  const offset = cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) return invalidParameter('page[cursor]', 'Invalid page cursor.');
  const next = offset + size < items.length ? Buffer.from(String(offset + size)).toString('base64url') : null;
  const rest = [...query.entries()].filter(([k]) => k !== 'page[cursor]').map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return {
    data: items.slice(offset, offset + size),
    links: { self, ...(next === null ? {} : { next: `${self}?${rest ? `${rest}&` : ''}page[cursor]=${next}` }) },
  };
}

function listing<T>(items: readonly T[], nameOf: (item: T) => string, resource: (item: T) => Json, query: URLSearchParams, options: {
  readonly allowed: Readonly<Record<string, readonly Operator[]>>; readonly max: number; readonly self: string; readonly sizeParam: boolean;
}): Reply {
  const filter = parseFilter(query.get('filter'), options.allowed);
  if (filter && 'status' in filter) return failed([filter]);
  const chosen = items.filter((item) => filter === null || matches(filter, filter.field === 'id' ? String(resource(item).id) : nameOf(item)));
  const paged = page(chosen, query, options.max, options.self, options.sizeParam);
  if ('status' in paged) return failed([paged]);
  return { status: 200, body: { data: paged.data.map(resource), links: paged.links } };
}

/** Klaviyo's page size for get_metrics (it takes no page[size]); a sandbox option, so paging is testable. */
export function getMetrics(stores: Stores, query: URLSearchParams, pageSize: number): Reply {
  // The spec allows only integration.name / integration.category: there is no way to look a metric up by name.
  const filter = parseFilter(query.get('filter'), { 'integration.name': ['equals'], 'integration.category': ['equals'] });
  if (filter && 'status' in filter) return failed([filter]);
  // Every metric here comes from the API, which belongs to no integration.
  const metrics = filter ? [] : stores.events.metrics();
  const paged = page(metrics, query, pageSize, `${stores.base}/api/metrics/`, false);
  if ('status' in paged) return failed([paged]);
  return {
    status: 200,
    body: { data: paged.data.map((m) => ({ type: 'metric', id: m.id, attributes: { name: m.name, created: m.created, updated: m.created, integration: null }, links: { self: `${stores.base}/api/metrics/${m.id}/` } })), links: paged.links },
  };
}

const flowResource = (base: string, flow: StoredFlow, withDefinition: boolean): Json => ({
  type: 'flow', id: flow.id,
  attributes: {
    name: flow.name, status: flow.status, archived: flow.archived, created: flow.created, updated: flow.updated, trigger_type: 'Metric',
    ...(withDefinition ? { definition: flow.definition } : {}),
  },
  links: { self: `${base}/api/flows/${flow.id}/` },
});

export function getFlows(stores: Stores, query: URLSearchParams): Reply {
  return listing([...stores.provision.flows.values()], (f) => f.name, (f) => flowResource(stores.base, f, false), query, {
    allowed: { id: ['any'], name: ['contains', 'ends-with', 'equals', 'starts-with'] }, max: 50, self: `${stores.base}/api/flows/`, sizeParam: true,
  });
}

export function getFlow(stores: Stores, id: string, query: URLSearchParams): Reply {
  const flow = stores.provision.flows.get(id);
  if (!flow) return failed([notFound(`A flow with id '${id}' does not exist.`)]);
  return { status: 200, body: { data: flowResource(stores.base, flow, query.get('additional-fields[flow]') === 'definition'), links: { self: `${stores.base}/api/flows/${id}/` } } };
}

export function createFlow(stores: Stores, body: FlowCreateBody): Reply {
  const { name, definition } = body.data.attributes;
  const metricIds = new Set(stores.events.metrics().map((m) => m.id));
  const violations = stores.provision.flowViolations(definition, metricIds);
  if (violations.length > 0) return { status: 400, errors: violations.map(invalid) };
  const flow = stores.provision.createFlow(name, definition, stores.clock.now().toISOString());
  return { status: 201, body: { data: flowResource(stores.base, flow, true), links: { self: `${stores.base}/api/flows/${flow.id}/` } } };
}

/** Only the status can change; "live" applies to every action too (next-capabilities.md §2.2). */
export function updateFlow(stores: Stores, id: string, body: FlowUpdateBody): Reply {
  const flow = stores.provision.flows.get(id);
  if (!flow) return failed([notFound(`A flow with id '${id}' does not exist.`)]);
  if (body.data.id !== id) return failed([invalid({ pointer: '/data/id', detail: `data.id '${body.data.id}' does not match the URL's '${id}'.` })]);
  if (body.data.attributes.status !== undefined) flow.status = body.data.attributes.status;
  flow.updated = stores.clock.now().toISOString();
  return { status: 200, body: { data: flowResource(stores.base, flow, false), links: { self: `${stores.base}/api/flows/${id}/` } } };
}

const segmentResource = (base: string, s: StoredSegment, processing: boolean): Json => ({
  type: 'segment', id: s.id,
  attributes: { name: s.name, definition: s.definition, created: s.created, updated: s.updated, is_active: s.isActive, is_processing: processing, is_starred: s.isStarred },
  links: { self: `${base}/api/segments/${s.id}/` },
});

export function getSegments(stores: Stores, query: URLSearchParams): Reply {
  return listing([...stores.provision.segments.values()], (s) => s.name, (s) => segmentResource(stores.base, s, false), query, {
    allowed: { name: ['any', 'equals'], id: ['any', 'equals'] }, max: 10, self: `${stores.base}/api/segments/`, sizeParam: true,
  });
}

export function createSegment(stores: Stores, body: SegmentCreateBody): Reply {
  const { name, definition } = body.data.attributes;
  const violations = stores.provision.segmentViolations(definition);
  if (violations.length > 0) return { status: 400, errors: violations.map(invalid) };
  const s = stores.provision.createSegment(name, definition, stores.clock.now().toISOString());
  return { status: 201, body: { data: segmentResource(stores.base, s, true) } };
}

/**
 * A partial update (name, definition, starred, active); deactivating must be the only attribute of its request,
 * as the spec's `is_active` documents.
 */
export function updateSegment(stores: Stores, id: string, body: SegmentUpdateBody): Reply {
  const segment = stores.provision.segments.get(id);
  if (!segment) return failed([notFound(`A segment with id '${id}' does not exist.`)]);
  if (body.data.id !== id) return failed([invalid({ pointer: '/data/id', detail: `data.id '${body.data.id}' does not match the URL's '${id}'.` })]);
  const { name, definition, is_starred: starred, is_active: active } = body.data.attributes;
  const given = Object.entries(body.data.attributes).filter(([, value]) => value != null).map(([key]) => key);
  if (active === false && given.length > 1) return failed([invalid({ pointer: '/data/attributes/is_active', detail: 'Deactivating a segment cannot be combined with other updates.' })]);
  if (definition) {
    const violations = stores.provision.segmentViolations(definition);
    if (violations.length > 0) return { status: 400, errors: violations.map(invalid) };
    segment.definition = structuredClone(definition);
  }
  if (name) segment.name = name;
  if (starred != null) segment.isStarred = starred;
  if (active != null) segment.isActive = active;
  segment.updated = stores.clock.now().toISOString();
  return { status: 200, body: { data: segmentResource(stores.base, segment, definition != null) } };
}

/**
 * Replaces one action of a flow (kept under its id, with its links when the new definition gives none); the type
 * stays: the sandbox refuses a change of type (an assumption: Klaviyo documents none either way).
 */
export function updateFlowAction(stores: Stores, id: string, body: FlowActionUpdateBody): Reply {
  if (body.data.id !== id) return failed([invalid({ pointer: '/data/id', detail: `data.id '${body.data.id}' does not match the URL's '${id}'.` })]);
  for (const flow of stores.provision.flows.values()) {
    const actions = Array.isArray(flow.definition.actions) ? (flow.definition.actions as Json[]) : [];
    const index = actions.findIndex((action) => action.id === id);
    if (index < 0) continue;
    const next = body.data.attributes.definition;
    if (next.type !== actions[index].type) return failed([invalid({ pointer: '/data/attributes/definition/type', detail: `An action's type cannot change (is '${String(actions[index].type)}').` })]);
    const { temporary_id: _temporary, ...kept } = structuredClone(next);
    actions[index] = { ...kept, id, links: kept.links ?? actions[index].links };
    flow.definition = { ...flow.definition, actions };
    flow.updated = stores.clock.now().toISOString();
    return { status: 200, body: { data: { type: 'flow-action', id, attributes: { definition: actions[index], created: flow.created, updated: flow.updated }, links: { self: `${stores.base}/api/flow-actions/${id}/` } } } };
  }
  return failed([notFound(`A flow action with id '${id}' does not exist.`)]);
}

export function getTemplates(stores: Stores, query: URLSearchParams): Reply {
  return listing([...stores.provision.templates.values()], (t) => t.name, (t) => ({
    type: 'template', id: t.id, attributes: { name: t.name, editor_type: t.editorType, html: t.html, created: t.created, updated: t.created },
    links: { self: `${stores.base}/api/templates/${t.id}/` },
  }), query, { allowed: { id: ['any', 'equals'], name: ['any', 'contains', 'equals'] }, max: 10, self: `${stores.base}/api/templates/`, sizeParam: true });
}

/** `html` is required for CODE and USER_DRAGGABLE and not allowed for SYSTEM_DRAGGABLE (§2.3). */
export function createTemplate(stores: Stores, body: TemplateCreateBody): Reply {
  const { name, editor_type: editorType, html } = body.data.attributes;
  if (editorType !== 'SYSTEM_DRAGGABLE' && !html) return failed([invalid({ pointer: '/data/attributes/html', detail: `'html' is required for editor_type ${editorType}.` })]);
  if (editorType === 'SYSTEM_DRAGGABLE' && html) return failed([invalid({ pointer: '/data/attributes/html', detail: "'html' is not allowed for editor_type SYSTEM_DRAGGABLE." })]);
  const t = stores.provision.createTemplate(name, editorType, html ?? '', stores.clock.now().toISOString());
  return { status: 201, body: { data: { type: 'template', id: t.id, attributes: { name: t.name, editor_type: t.editorType, html: t.html, created: t.created, updated: t.created }, links: { self: `${stores.base}/api/templates/${t.id}/` } } } };
}

const tagResource = (base: string, tag: { id: string; name: string }): Json => ({ type: 'tag', id: tag.id, attributes: { name: tag.name }, links: { self: `${base}/api/tags/${tag.id}/` } });

export function getTags(stores: Stores, query: URLSearchParams): Reply {
  return listing([...stores.provision.tags.values()], (t) => t.name, (t) => tagResource(stores.base, t), query, {
    allowed: { name: ['contains', 'ends-with', 'equals', 'starts-with'] }, max: 50, self: `${stores.base}/api/tags/`, sizeParam: true,
  });
}

export function createTag(stores: Stores, body: TagCreateBody): Reply {
  const tag = stores.provision.createTag(body.data.attributes.name);
  return { status: 201, body: { data: tagResource(stores.base, tag), links: { self: `${stores.base}/api/tags/${tag.id}/` } } };
}

export function tagObjects(stores: Stores, tagId: string, kind: 'flows' | 'segments', body: RelationshipBody): Reply {
  const tag = stores.provision.tags.get(tagId);
  if (!tag) return failed([notFound(`A tag with id '${tagId}' does not exist.`)]);
  const known = kind === 'flows' ? stores.provision.flows : stores.provision.segments;
  const missing = body.data.map((item, i) => [item, i] as const).filter(([item]) => !known.has(item.id));
  if (missing.length > 0) return failed(missing.map(([item, i]) => invalid({ pointer: `/data/${i}/id`, detail: `No ${kind.slice(0, -1)} with id '${item.id}'.` })));
  for (const item of body.data) tag[kind].add(item.id);
  return { status: 204, body: null };
}
