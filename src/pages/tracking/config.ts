import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Liquid, type Template } from 'liquidjs';
import YAML, { isMap, isScalar, isSeq, type Node } from 'yaml';
import { z } from 'zod';
import { loadBranding, type Branding } from '../../config/branding';
import { ConfigError, readYamlFile, validateYaml } from '../../config/yaml-file';
import { SEGMENTS } from '../../model/customer';
import { SHIPMENT_STATUSES } from '../../model/shipment';

/**
 * config/tracking-page.yaml beyond `branding:` (see config/branding.ts): the page's locale and limits, product
 * categories, content blocks (Liquid templates) and the rules that choose them. Every template is parsed at
 * start-up: an error names the file, the block and the line, so it never surfaces on a customer's page.
 */
export const LOCALES = ['en', 'pt-BR'] as const;
export type Locale = (typeof LOCALES)[number];

/** What a block is for: the Reputation Guard hides `promotion` and `review` blocks while a delivery issue is open. */
export const BLOCK_KINDS = ['info', 'promotion', 'review'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected 1-64 characters of a-z 0-9 _ -, starting with a letter or digit');
const url = z.url({ protocol: /^https?$/, message: 'expected an absolute http(s) URL' });

const blockSchema = z.object({
  id,
  kind: z.enum(BLOCK_KINDS),
  /** Liquid, rendered with output escaping; variables: customer, order, store, support, locale. */
  template: z.string().min(1).max(20_000),
  /** A call to action; the page links through /t/<token>/go/<block> so the click is measured, then redirects. */
  link: z.object({ label: z.string().min(1).max(120), url }).optional(),
});

const ruleSchema = z.object({
  block: id,
  when: z.object({
    segments: z.array(z.enum(SEGMENTS)).min(1).optional(),
    statuses: z.array(z.enum(SHIPMENT_STATUSES)).min(1).optional(),
    issueOpen: z.boolean().optional(),
    categories: z.array(id).min(1).optional(),
    /** Every parcel delivered at least this many days ago (a review prompt after the delay). */
    deliveredDaysAtLeast: z.number().int().min(0).max(365).optional(),
  }).prefault({}),
});

const categorySchema = z.object({
  /** Case-insensitive substrings of an item's name. */
  nameContains: z.array(z.string().min(1)).default([]),
  skuPrefixes: z.array(z.string().min(1)).default([]),
});

const pageSchema = z.object({
  locale: z.enum(LOCALES).default('en'),
  lookup: z.object({
    /** Lookups one address may try per minute, and lookups of one order number per hour (from every address). */
    perIpPerMinute: z.number().int().min(1).max(1000).default(10),
    perOrderPerHour: z.number().int().min(1).max(1000).default(10),
  }).prefault({}),
  /** Page views per IP per minute (links and refreshes). */
  viewsPerIpPerMinute: z.number().int().min(1).max(10_000).default(120),
  /** Recommendations shown at most (none while an issue is open). */
  recommendations: z.number().int().min(0).max(12).default(4),
}).prefault({});

const fileSchema = z.object({
  branding: z.unknown(),
  page: pageSchema,
  categories: z.record(id, categorySchema).default({}),
  blocks: z.array(blockSchema).default([]),
  rules: z.array(ruleSchema).default([]),
});

export interface CompiledBlock {
  readonly id: string;
  readonly kind: BlockKind;
  readonly template: Template[];
  readonly link: { readonly label: string; readonly url: string } | null;
}

export interface TrackingPageConfig {
  readonly branding: Branding;
  readonly page: z.output<typeof pageSchema>;
  readonly categories: Readonly<Record<string, { readonly nameContains: readonly string[]; readonly skuPrefixes: readonly string[] }>>;
  readonly blocks: ReadonlyMap<string, CompiledBlock>;
  readonly rules: ReadonlyArray<z.output<typeof ruleSchema>>;
  readonly liquid: Liquid;
  /** The config directory (the logo under assets/ is served from it). */
  readonly dir: string;
}

/** One engine for every block: variables are HTML-escaped on output, and an unknown filter is a start-up error. */
export function createLiquid(): Liquid {
  return new Liquid({ outputEscape: 'escape', strictFilters: true, strictVariables: false, cache: false, ownPropertyOnly: true });
}

/** The line in the file where a block's template text begins (a `|` block scalar starts on the next line). */
function templateLine(source: string, doc: YAML.Document, index: number): number | null {
  const blocks = doc.get('blocks', true) as Node | undefined;
  if (!isSeq(blocks)) return null;
  const block = blocks.items[index];
  if (!isMap(block)) return null;
  const value = block.get('template', true);
  if (!isScalar(value) || !value.range) return null;
  const line = source.slice(0, value.range[0]).split('\n').length;
  return value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED' ? line + 1 : line;
}

/** Reads, validates and compiles config/tracking-page.yaml; throws ConfigError listing every problem. */
export function loadTrackingPage(configDir: string): TrackingPageConfig {
  const path = join(configDir, 'tracking-page.yaml');
  const shown = relative(process.cwd(), path) || path;
  const problems: string[] = [];
  let branding: Branding | null = null;
  try {
    branding = loadBranding(configDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const { raw } = readYamlFile(path);
  let parsed: z.output<typeof fileSchema> | null = null;
  try {
    parsed = validateYaml(shown, raw, fileSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.filter((problem) => !problem.includes(': branding.')));
  }
  if (!parsed || !branding) throw new ConfigError(problems);

  const liquid = createLiquid();
  // The file exists and parses (branding loaded from it); its text gives the blocks' line numbers.
  const source = readFileSync(path, 'utf8');
  const doc = YAML.parseDocument(source);
  const blocks = new Map<string, CompiledBlock>();
  parsed.blocks.forEach((block, index) => {
    if (blocks.has(block.id)) problems.push(`${shown}: blocks.${index}.id: "${block.id}" is used by another block (ids must be unique)`);
    try {
      blocks.set(block.id, { id: block.id, kind: block.kind, template: liquid.parse(block.template), link: block.link ?? null });
    } catch (error) {
      const message = (error as Error).message;
      const inner = /line:(\d+), col:(\d+)/.exec(message);
      const start = templateLine(source, doc, index);
      const where = inner && start !== null ? `line ${start + Number(inner[1]) - 1} (template line ${inner[1]}, column ${inner[2]})` : 'template';
      problems.push(`${shown}: blocks.${index}.template (block "${block.id}"): Liquid error at ${where}: ${message.replace(/, line:\d+, col:\d+$/, '')}`);
    }
  });
  parsed.rules.forEach((rule, index) => {
    if (!parsed?.blocks.some((block) => block.id === rule.block)) {
      problems.push(`${shown}: rules.${index}.block: no block "${rule.block}" (blocks: ${parsed?.blocks.map((b) => b.id).join(', ') || 'none'})`);
    }
    for (const category of rule.when.categories ?? []) {
      if (!parsed?.categories[category]) problems.push(`${shown}: rules.${index}.when.categories: no category "${category}" (categories: ${Object.keys(parsed?.categories ?? {}).join(', ') || 'none'})`);
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return { branding, page: parsed.page, categories: parsed.categories, blocks, rules: parsed.rules, liquid, dir: configDir };
}
