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

/** Reads and validates one YAML file; a missing file means "all defaults". */
export function loadYamlFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  const shown = relative(process.cwd(), path) || path;
  let raw: unknown = {};
  try {
    raw = YAML.parse(readFileSync(path, 'utf8')) ?? {};
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new ConfigError([`${shown}: not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(shown, parsed.error.issues));
  const unknown = unknownKeys(raw, parsed.data, []);
  if (unknown.length > 0) throw new ConfigError(unknown.map((problem) => `${shown}: ${problem}`));
  return parsed.data;
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
