import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | null = null;

/** The folder holding package.json, found from this file, so paths work from `src/` (ts-jest) and `dist/` alike. */
export function packageRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

export function fromPackageRoot(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
