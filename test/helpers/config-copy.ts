import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/yaml-file';
import { fromPackageRoot } from '../../src/util/package-root';

/** A copy of the shipped config/ with one file edited. */
export function configWith(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipsignal-config-'));
  cpSync(fromPackageRoot('config'), dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  return dir;
}

/** The ConfigError problems `load` reports for a config directory (none: []); the directory is removed after. */
export function configProblems(dir: string, load: (dir: string) => unknown): string[] {
  try {
    load(dir);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
