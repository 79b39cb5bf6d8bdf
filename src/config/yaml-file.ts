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
  return parsed.data;
}
