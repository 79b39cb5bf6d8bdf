import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';

/** A configuration problem, reported as one line that names the file or variable, the key, and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Formats zod issues as `where: key.path: message`, the same for files and environment variables. */
export function describeIssues(where: string, issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${where}${path ? `: ${path}` : ''}: ${issue.message}`;
  });
}

/** Reads one YAML file as plain data; a missing file reads as `{}` (`exists: false`). */
export function readYamlFile(path: string): { shown: string; raw: unknown; exists: boolean } {
  const shown = relative(process.cwd(), path) || path;
  try {
    return { shown, raw: YAML.parse(readFileSync(path, 'utf8')) ?? {}, exists: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new ConfigError([`${shown}: not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
    return { shown, raw: {}, exists: false };
  }
}

/**
 * Validates parsed YAML against a schema: every zod issue and every unknown key at once, each named
 * `file: key.path: problem`. `at` is where `raw` sits in the file (a section such as `branding`).
 */
export function validateYaml<S extends z.ZodType>(shown: string, raw: unknown, schema: S, at: readonly string[] = []): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(shown, parsed.error.issues.map((issue) => ({ ...issue, path: [...at, ...issue.path] }))));
  const unknown = unknownKeys(raw, parsed.data, at);
  if (unknown.length > 0) throw new ConfigError(unknown.map((problem) => `${shown}: ${problem}`));
  return parsed.data;
}

/** Reads and validates one YAML file; a missing file means "all defaults". */
export function loadYamlFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  const { shown, raw } = readYamlFile(path);
  return validateYaml(shown, raw, schema);
}

/**
 * Reads one top-level section of a YAML file that several modules share (tracking-page.yaml's `branding:` is read by
 * the page and by the email templates), validating only that section; the other sections are their owners' affair.
 */
export function loadYamlSection<S extends z.ZodType>(path: string, key: string, schema: S): z.output<S> {
  const { shown, raw, exists } = readYamlFile(path);
  if (!exists) throw new ConfigError([`${shown}: file not found (its \`${key}:\` section is required here)`]);
  const section = isPlainObject(raw) ? raw[key] : undefined;
  if (section === undefined || section === null) throw new ConfigError([`${shown}: ${key}: required (a top-level \`${key}:\` section)`]);
  return validateYaml(shown, section, schema, [key]);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/**
 * Keys the schema dropped: a typo such as `vip: { minOrder: 5 }` would otherwise leave the default in force
 * without a word. Zod strips unknown keys, so they are the keys present in the file but absent after parsing.
 */
function unknownKeys(raw: unknown, parsed: unknown, path: readonly string[]): string[] {
  if (Array.isArray(raw) && Array.isArray(parsed)) return raw.flatMap((item, i) => unknownKeys(item, parsed[i], [...path, String(i)]));
  if (!isPlainObject(raw) || !isPlainObject(parsed)) return [];
  return Object.keys(raw).flatMap((key) =>
    key in parsed
      ? unknownKeys(raw[key], parsed[key], [...path, key])
      : [`${[...path, key].join('.')}: unknown key (allowed here: ${Object.keys(parsed).join(', ')})`],
  );
}
