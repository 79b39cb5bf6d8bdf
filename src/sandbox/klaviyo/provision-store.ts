import type { Violation } from './errors';

/**
 * Segments, flows (with their actions), templates and tags of the sandbox account, as Klaviyo keeps them, and the
 * documented rules the OpenAPI schema cannot express (next-capabilities.md §2.2, §2.3): one trigger, a metric
 * trigger naming an existing metric, `id` not allowed on create, unique temporary ids, an entry action and links
 * that name existing actions, an email's template must exist, at most 100 conditions in a filter.
 */
export type Json = Record<string, unknown>;

export interface StoredFlow {
  readonly id: string;
  name: string;
  status: string;
  archived: boolean;
  readonly created: string;
  updated: string;
  /** Definition with temporary ids replaced by server ids, as Klaviyo returns it. */
  definition: Json;
}

export interface StoredSegment {
  readonly id: string;
  name: string;
  definition: Json;
  isActive: boolean;
  isStarred: boolean;
  readonly created: string;
  updated: string;
}

export interface StoredTemplate {
  readonly id: string;
  readonly name: string;
  readonly editorType: string;
  readonly html: string;
  readonly created: string;
}

export interface StoredTag {
  readonly id: string;
  readonly name: string;
  readonly flows: Set<string>;
  readonly segments: Set<string>;
}

export const MAX_CONDITIONS = 100;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Counts conditions in every `condition_groups` below `value`, reporting each filter past the limit. */
function conditionViolations(value: unknown, pointer: string): Violation[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => conditionViolations(item, `${pointer}/${i}`));
  if (!isObject(value)) return [];
  const out: Violation[] = [];
  if (Array.isArray(value.condition_groups)) {
    const count = value.condition_groups.reduce((sum: number, group: unknown) =>
      sum + (isObject(group) && Array.isArray(group.conditions) ? group.conditions.length : 0), 0);
    if (count > MAX_CONDITIONS) out.push({ pointer: `${pointer}/condition_groups`, detail: `A definition may hold at most ${MAX_CONDITIONS} conditions; this one has ${count}.` });
  }
  for (const [key, sub] of Object.entries(value)) out.push(...conditionViolations(sub, `${pointer}/${key}`));
  return out;
}

let counter = 0;
const nextId = (prefix: string): string => `${prefix}${String(++counter).padStart(6, '0')}`;

export class ProvisionStore {
  readonly flows = new Map<string, StoredFlow>();
  readonly segments = new Map<string, StoredSegment>();
  readonly templates = new Map<string, StoredTemplate>();
  readonly tags = new Map<string, StoredTag>();

  /** Rules for a flow create body already valid against the schema; `metricIds`: metrics that exist. */
  flowViolations(definition: Json, metricIds: ReadonlySet<string>): Violation[] {
    const base = '/data/attributes/definition';
    const out: Violation[] = [];
    const triggers = Array.isArray(definition.triggers) ? definition.triggers : [];
    if (triggers.length !== 1) out.push({ pointer: `${base}/triggers`, detail: `Only one trigger is supported; got ${triggers.length}.` });
    triggers.forEach((trigger, i) => {
      if (isObject(trigger) && trigger.type === 'metric' && !metricIds.has(String(trigger.id))) {
        out.push({ pointer: `${base}/triggers/${i}/id`, detail: `Metric '${String(trigger.id)}' does not exist.` });
      }
    });
    const actions = (Array.isArray(definition.actions) ? definition.actions : []).filter(isObject);
    const ids = new Set<string>();
    actions.forEach((action, i) => {
      if (action.id != null) out.push({ pointer: `${base}/actions/${i}/id`, detail: '`id` is not allowed on create; use `temporary_id`.' });
      const temporary = action.temporary_id;
      if (typeof temporary !== 'string' || temporary === '') out.push({ pointer: `${base}/actions/${i}/temporary_id`, detail: 'Every new action needs a `temporary_id`.' });
      else if (ids.has(temporary)) out.push({ pointer: `${base}/actions/${i}/temporary_id`, detail: `Duplicate temporary_id '${temporary}'.` });
      else ids.add(temporary);
    });
    if (typeof definition.entry_action_id !== 'string' || !ids.has(definition.entry_action_id)) {
      out.push({ pointer: `${base}/entry_action_id`, detail: `entry_action_id '${String(definition.entry_action_id)}' is not the temporary_id of an action.` });
    }
    actions.forEach((action, i) => {
      const links = isObject(action.links) ? action.links : {};
      for (const [key, target] of Object.entries(links)) {
        if (target != null && !ids.has(String(target))) out.push({ pointer: `${base}/actions/${i}/links/${key}`, detail: `Link '${String(target)}' does not name an action of this flow.` });
      }
      const data = isObject(action.data) ? action.data : {};
      const message = isObject(data.message) ? data.message : null;
      if (action.type === 'send-email' && message?.template_id != null && !this.templates.has(String(message.template_id))) {
        out.push({ pointer: `${base}/actions/${i}/data/message/template_id`, detail: `Template '${String(message.template_id)}' does not exist.` });
      }
    });
    return [...out, ...conditionViolations(definition, base)];
  }

  segmentViolations(definition: Json): Violation[] {
    return conditionViolations(definition, '/data/attributes/definition');
  }

  createFlow(name: string, definition: Json, now: string): StoredFlow {
    const mapping = new Map<string, string>();
    const actions = (Array.isArray(definition.actions) ? definition.actions : []).filter(isObject);
    for (const action of actions) mapping.set(String(action.temporary_id), nextId('ACT'));
    const rename = (id: unknown): unknown => (id == null ? id : mapping.get(String(id)) ?? id);
    const stored: Json = {
      ...structuredClone(definition),
      entry_action_id: rename(definition.entry_action_id),
      actions: actions.map((action) => {
        const { temporary_id: temporary, ...rest } = structuredClone(action);
        const links = isObject(rest.links) ? Object.fromEntries(Object.entries(rest.links).map(([k, v]) => [k, rename(v)])) : rest.links;
        return { ...rest, id: mapping.get(String(temporary)), links };
      }),
    };
    const flow: StoredFlow = { id: nextId('FLW'), name, status: 'draft', archived: false, created: now, updated: now, definition: stored };
    this.flows.set(flow.id, flow);
    return flow;
  }

  createSegment(name: string, definition: Json, now: string): StoredSegment {
    const segment: StoredSegment = { id: nextId('SEG'), name, definition: structuredClone(definition), isActive: true, isStarred: false, created: now, updated: now };
    this.segments.set(segment.id, segment);
    return segment;
  }

  createTemplate(name: string, editorType: string, html: string, now: string): StoredTemplate {
    const template: StoredTemplate = { id: nextId('TPL'), name, editorType, html, created: now };
    this.templates.set(template.id, template);
    return template;
  }

  createTag(name: string): StoredTag {
    const tag: StoredTag = { id: `${nextId('tag-')}`, name, flows: new Set(), segments: new Set() };
    this.tags.set(tag.id, tag);
    return tag;
  }

  clear(): void {
    this.flows.clear();
    this.segments.clear();
    this.templates.clear();
    this.tags.clear();
  }
}

/** The request bodies, as far as the handlers read them once the spec's schema has accepted them. */
export interface SegmentCreateBody { readonly data: { readonly attributes: { readonly name: string; readonly definition: Json } } }
export interface TemplateCreateBody { readonly data: { readonly attributes: { readonly name: string; readonly editor_type: string; readonly html?: string } } }
export interface FlowCreateBody { readonly data: { readonly attributes: { readonly name: string; readonly definition: Json } } }
export interface SegmentUpdateBody {
  readonly data: { readonly id: string; readonly attributes: { readonly name?: string | null; readonly definition?: Json | null; readonly is_starred?: boolean | null; readonly is_active?: boolean | null } };
}
export interface FlowActionUpdateBody { readonly data: { readonly id: string; readonly attributes: { readonly definition: Json } } }
export interface FlowUpdateBody { readonly data: { readonly id: string; readonly attributes: { readonly status?: string } } }
export interface TagCreateBody { readonly data: { readonly attributes: { readonly name: string } } }
export interface RelationshipBody { readonly data: ReadonlyArray<{ readonly type: string; readonly id: string }> }
