import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { MappingConfig } from '../mapping/mapping-config';
import type { Condition, FlowSpec, FlowStep, SegmentSpec, StarterSet } from '../sinks/provisioner';
import type { Branding } from './branding';
import { LAYOUT_FILE, PLACEHOLDERS, brandingValues, renderEmail } from './email-layout';
import { ConfigError, loadYamlFile } from './yaml-file';

/**
 * The declarative starter set of `shipsignal setup`: `mappings/segments.yaml` and `mappings/flows/*.yaml`. Names
 * are our mapping keys (never Klaviyo's final names), resolved here through mappings/klaviyo.yaml, so a renamed
 * property or metric keeps working. Every problem in every file is reported at once, naming file, key and what is
 * allowed, before anything is sent.
 */
const text = z.string().min(1);

/** A strict object whose unknown-key message lists what is allowed there, like loadYamlFile's own check. */
function strictObject<S extends z.core.$ZodLooseShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((k) => `'${k}'`).join(', ')} (allowed here: ${allowed})` : undefined),
  });
}
const CONDITION_TESTS = {
  equals: z.union([z.string(), z.boolean()]).optional(),
  in: z.array(z.string()).min(1).optional(),
  set: z.boolean().optional(),
};
const oneTest = { message: 'exactly one of equals, in, set' };
const hasOneTest = (c: object): boolean => ['equals', 'in', 'set'].filter((k) => k in c).length === 1;
const propertyCondition = strictObject({ property: text, ...CONDITION_TESTS }).refine(hasOneTest, oneTest);
const fieldCondition = strictObject({ field: text, ...CONDITION_TESTS }).refine(hasOneTest, oneTest);

const conditions = z.array(propertyCondition).min(1).max(100, 'at most 100 conditions (Klaviyo\'s limit)');

const stepSchema = strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and - only'),
    email: strictObject({ template: z.string().regex(/^[\w.-]+\.html$/, 'a file name in mappings/flows/templates/, ending .html'), subject: text, preview: z.string().default('') }).optional(),
    delay: strictObject({ value: z.number().int().min(1, 'at least 1 (leave the delay out for none)'), unit: z.enum(['days', 'hours', 'minutes']) }).optional(),
    split: conditions.optional(),
    next: z.string().optional(),
    then: z.string().optional(),
    else: z.string().optional(),
  })
  .refine((s) => ['email', 'delay', 'split'].filter((k) => k in s).length === 1, { message: 'exactly one of email, delay, split' });

const flowFileSchema = strictObject({
    name: z.string().min(1).max(255),
    trigger: strictObject({ metric: text, filters: z.array(fieldCondition).max(100).default([]) }),
    audience: z.array(propertyCondition).max(100).default([]),
    reentryDays: z.number().int().min(1).nullable().default(null),
    steps: z.array(stepSchema).min(1),
  });

const segmentsFileSchema = strictObject({
  segments: z.array(strictObject({ name: z.string().min(1).max(255), conditions })).default([]),
  /** Property keys the set may use before mappings/klaviyo.yaml writes them, each with what fills it. */
  upcomingProperties: z.record(z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only'), text).default({}),
});

type RawCondition = z.output<typeof propertyCondition> | z.output<typeof fieldCondition>;
type RawStep = z.output<typeof stepSchema>;

/** Every metric key of mappings/klaviyo.yaml `events` with its configured name and switch. */
export function metricKeys(mapping: MappingConfig): Map<string, { metric: string; enabled: boolean }> {
  const { shipments, trackingPage, returns, ...top } = mapping.events;
  return new Map([
    ...Object.entries(top).map(([key, e]) => [key, e] as const),
    ...Object.entries(shipments).map(([key, e]) => [`shipments.${key}`, e] as const),
    ...Object.entries(trackingPage).map(([key, e]) => [`trackingPage.${key}`, e] as const),
    ...Object.entries(returns).map(([key, e]) => [`returns.${key}`, e] as const),
  ]);
}

const propertyKeys = (mapping: MappingConfig): string[] =>
  [...Object.keys(mapping.profile.properties), ...Object.keys(mapping.profile.deliveryProperties)];

/** The mapping and the set's upcoming properties (segments.yaml `upcomingProperties`), and which of those are used. */
interface Names {
  readonly mapping: MappingConfig;
  readonly upcoming: Set<string>;
  readonly used: Set<string>;
  /** The shared email layout (null when missing: reported once) and the branding's placeholder values. */
  readonly layout: string | null;
  readonly branding: ReturnType<typeof brandingValues>;
}

/** Our condition with the mapping name resolved; `problems` collects unknown properties. */
function resolveCondition(raw: RawCondition, subject: 'property' | 'field', names: Names, where: string, problems: string[]): Condition {
  const { mapping } = names;
  const name = 'property' in raw ? raw.property : raw.field;
  let field = name;
  if (subject === 'property') {
    const known = propertyKeys(mapping);
    if (!known.includes(name) && !names.upcoming.has(name)) {
      problems.push(`${where}.property: unknown property '${name}' (allowed: the keys of mappings/klaviyo.yaml profile.properties and profile.deliveryProperties, or of upcomingProperties in segments.yaml: ${[...known, ...names.upcoming].join(', ')})`);
    }
    if (!known.includes(name)) names.used.add(name);
    field = `${mapping.profile.prefix}${name}`;
  }
  if (raw.in !== undefined) return { field, in: raw.in };
  if (raw.set !== undefined) return { field, set: raw.set };
  return { field, equals: raw.equals ?? '' };
}

function resolveStep(raw: RawStep, at: string, ids: ReadonlySet<string>, templates: string, names: Names, problems: string[]): FlowStep {
  const link = (key: 'next' | 'then' | 'else'): string | null => {
    const target = raw[key];
    if (target === undefined) return null;
    if (!ids.has(target)) problems.push(`${at}.${key}: no step with id '${target}' (allowed: ${[...ids].join(', ')})`);
    return target;
  };
  if (raw.email) {
    const path = join(templates, raw.email.template);
    const shown = relative(process.cwd(), path) || path;
    if (!existsSync(path)) problems.push(`${at}.email.template: file ${shown} does not exist`);
    const message = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const { html, unknown } = renderEmail(names.layout ?? '[[content]]', message, raw.email.subject, names.branding);
    for (const name of unknown) problems.push(`${shown} or ${LAYOUT_FILE}: [[${name}]]: unknown placeholder (allowed: ${PLACEHOLDERS.join(', ')})`);
    return { id: raw.id, kind: 'email', subject: raw.email.subject, preview: raw.email.preview, template: { name: raw.email.template, html }, next: link('next') };
  }
  if (raw.delay) return { id: raw.id, kind: 'delay', value: raw.delay.value, unit: raw.delay.unit, next: link('next') };
  const split = (raw.split ?? []).map((c, i) => resolveCondition(c, 'property', names, `${at}.split.${i}`, problems));
  return { id: raw.id, kind: 'split', conditions: split, then: link('then'), else: link('else') };
}

function resolveFlow(file: string, shown: string, names: Names, templates: string, problems: string[]): FlowSpec | null {
  const { mapping } = names;
  let raw: z.output<typeof flowFileSchema>;
  try {
    raw = loadYamlFile(file, flowFileSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return null;
  }
  const before = problems.length;
  const metrics = metricKeys(mapping);
  const metric = metrics.get(raw.trigger.metric);
  if (!metric) problems.push(`${shown}: trigger.metric: unknown metric key '${raw.trigger.metric}' (allowed: the event keys of mappings/klaviyo.yaml: ${[...metrics.keys()].join(', ')})`);
  else if (!metric.enabled) problems.push(`${shown}: trigger.metric: '${raw.trigger.metric}' is disabled in mappings/klaviyo.yaml, so the flow would never start`);
  const ids = new Set<string>();
  raw.steps.forEach((step, i) => {
    if (ids.has(step.id)) problems.push(`${shown}: steps.${i}.id: '${step.id}' is used twice (ids must be unique)`);
    ids.add(step.id);
  });
  const steps = raw.steps.map((step, i) => resolveStep(step, `${shown}: steps.${i}`, ids, templates, names, problems));
  const filters = raw.trigger.filters.map((c, i) => resolveCondition(c, 'field', names, `${shown}: trigger.filters.${i}`, problems));
  const audience = raw.audience.map((c, i) => resolveCondition(c, 'property', names, `${shown}: audience.${i}`, problems));
  if (problems.length > before || !metric) return null;
  // Template names are per flow, so two flows may use the same file with their own copy to edit.
  const named = steps.map((s) => (s.kind === 'email' ? { ...s, template: { ...s.template, name: `${raw.name} · ${s.id}` } } : s));
  return { name: raw.name, file: shown, triggerMetric: metric.metric, triggerFilters: filters, audience, reentryDays: raw.reentryDays, steps: named };
}

/**
 * Reads segments.yaml and every flows/*.yaml under `dir`, each email in flows/templates/layout.html with the store's
 * branding (config/tracking-page.yaml); throws ConfigError with every problem found.
 */
export function loadStarterSet(dir: string, mapping: MappingConfig, branding: Branding): StarterSet {
  const problems: string[] = [];
  let segments: SegmentSpec[] = [];
  const layoutPath = join(dir, 'flows', 'templates', LAYOUT_FILE);
  const layout = existsSync(layoutPath) ? readFileSync(layoutPath, 'utf8') : null;
  const names: Names = { mapping, upcoming: new Set(), used: new Set(), layout, branding: brandingValues(branding) };
  let upcoming: Readonly<Record<string, string>> = {};
  try {
    const raw = loadYamlFile(join(dir, 'segments.yaml'), segmentsFileSchema);
    const shown = relative(process.cwd(), join(dir, 'segments.yaml')) || 'segments.yaml';
    upcoming = raw.upcomingProperties;
    for (const key of Object.keys(upcoming)) names.upcoming.add(key);
    segments = raw.segments.map((s, i) => ({
      name: s.name,
      conditions: s.conditions.map((c, j) => resolveCondition(c, 'property', names, `${shown}: segments.${i}.conditions.${j}`, problems)),
    }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const flowDir = join(dir, 'flows');
  const files = existsSync(flowDir) ? readdirSync(flowDir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort() : [];
  if (files.length > 0 && layout === null) problems.push(`${relative(process.cwd(), layoutPath) || layoutPath}: file does not exist (the layout every starter email shares; [[content]] marks where the message goes)`);
  else if (layout !== null && !layout.includes('[[content]]')) problems.push(`${relative(process.cwd(), layoutPath) || layoutPath}: no [[content]] placeholder (where each message goes)`);
  const flows = files.flatMap((f) => {
    const file = join(flowDir, f);
    const flow = resolveFlow(file, relative(process.cwd(), file) || file, names, join(flowDir, 'templates'), problems);
    return flow ? [flow] : [];
  });
  const counts = new Map<string, number>();
  for (const flow of flows) counts.set(flow.name, (counts.get(flow.name) ?? 0) + 1);
  for (const [name, count] of counts) if (count > 1) problems.push(`${flowDir}: name: '${name}' is declared by ${count} flows (names must be unique: setup finds flows by name)`);
  if (problems.length > 0) throw new ConfigError(problems);
  const unwritten = [...names.used].sort().map((key) => ({ property: `${mapping.profile.prefix}${key}`, filledBy: upcoming[key] ?? '' }));
  return { segments, flows, unwritten };
}
