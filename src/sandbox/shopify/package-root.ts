import fs from 'node:fs';
import path from 'node:path';

let cached: string | null = null;

/** The directory holding package.json: the same from src/ under ts-jest and from dist/src/ after a build. */
export function packageRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (cached = dir);
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

export function fromPackageRoot(...parts: string[]): string {
  return path.join(packageRoot(), ...parts);
}
