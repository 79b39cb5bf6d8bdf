/**
 * Pure builders from the declared starter set to the SDK's request models (camelCase: the SDK serializer drops
 * names it does not know). Bodies follow the research's validated minimal bodies (next-capabilities.md §2.4):
 * custom properties as `properties['name']`, one trigger, temporary ids, messages as drafts.
 */
import type { FlowCreateQuery, SegmentCreateQuery, TemplateCreateHtmlOrDndQuery } from 'klaviyo-api';
import type { Condition, FlowSpec, FlowStep } from '../../provisioner';

/** The JSON filter of one condition, as Klaviyo's filter objects take it. */
export function filterOf(condition: Condition) {
  if ('in' in condition) return { type: 'string' as const, operator: 'in' as const, value: [...condition.in] };
  if ('set' in condition) return { type: 'existence' as const, operator: condition.set ? 'is-set' as const : 'not-set' as const };
  return typeof condition.equals === 'boolean'
    ? { type: 'boolean' as const, operator: 'equals' as const, value: condition.equals }
    : { type: 'string' as const, operator: 'equals' as const, value: condition.equals };
}

/** Groups are AND-ed and the conditions within one OR-ed, so each of ours gets its own group. */
export function profileFilter(conditions: readonly Condition[]) {
  return {
    conditionGroups: conditions.map((c) => ({
      conditions: [{ type: 'profile-property' as const, property: `properties['${c.field}']`, filter: filterOf(c) }],
    })),
  };
}

export function segmentBody(name: string, conditions: readonly Condition[]): SegmentCreateQuery {
  return { data: { type: 'segment', attributes: { name, definition: profileFilter(conditions) } } } as SegmentCreateQuery;
}

export function templateBody(name: string, html: string): TemplateCreateHtmlOrDndQuery {
  return { data: { type: 'template', attributes: { name, editorType: 'CODE', html } } } as TemplateCreateHtmlOrDndQuery;
}

function actionOf(step: FlowStep, templateIds: ReadonlyMap<string, string>) {
  switch (step.kind) {
    case 'delay':
      return { temporaryId: step.id, type: 'time-delay', data: { unit: step.unit, value: step.value, timezone: 'profile' }, links: { next: step.next } };
    case 'split':
      return { temporaryId: step.id, type: 'conditional-split', data: { profileFilter: profileFilter(step.conditions) }, links: { nextIfTrue: step.then, nextIfFalse: step.else } };
    case 'email': {
      const templateId = templateIds.get(step.template.name);
      if (!templateId) throw new Error(`no template id for ${step.template.name}`);
      // cc/bcc as null, not "": reported to be refused otherwise (next-capabilities.md §2.2).
      const message = {
        name: step.template.name, templateId, subjectLine: step.subject, previewText: step.preview, ccEmail: null, bccEmail: null,
        smartSendingEnabled: true, transactional: false,
      };
      return { temporaryId: step.id, type: 'send-email', data: { status: 'draft', message }, links: { next: step.next } };
    }
  }
}

/** The flow, created as a draft; `templateIds` by template name. */
export function flowBody(flow: FlowSpec, metricId: string, templateIds: ReadonlyMap<string, string>): FlowCreateQuery {
  const triggerFilter = flow.triggerFilters.length === 0 ? undefined : {
    conditionGroups: flow.triggerFilters.map((c) => ({ conditions: [{ type: 'metric-property', metricId, field: c.field, filter: filterOf(c) }] })),
  };
  const definition = {
    triggers: [{ type: 'metric', id: metricId, ...(triggerFilter ? { triggerFilter } : {}) }],
    profileFilter: flow.audience.length === 0 ? null : profileFilter(flow.audience),
    entryActionId: flow.steps[0].id,
    ...(flow.reentryDays !== null ? { reentryCriteria: { duration: flow.reentryDays, unit: 'day' } } : {}),
    actions: flow.steps.map((step) => actionOf(step, templateIds)),
  };
  // The SDK models the 20 action types as a oneOf its TypeScript types cannot narrow from literals; the shape is
  // checked where it counts, by the sandbox's spec validation of the serialized body.
  return { data: { type: 'flow', attributes: { name: flow.name, definition } } } as unknown as FlowCreateQuery;
}
