import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_NAMESPACE, assertNamespace } from './keys';
import type { OpenOptions, StateStore } from './port';
import { openPostgresStore } from './postgres-store';
import { openRedisStore } from './redis-store';
import { openSqliteStore } from './sqlite-store';

export { mergeUnits, type CommitAppend, type CommitUnit, type OpenOptions, type StateStore } from './port';

/**
 * Opens the store named by `url`: `sqlite://path`, `redis://…`, `postgres://…` (or postgresql://). A string second
 * argument is the namespace (the signature before options existed).
 */
export async function openStateStore(url: string, options: OpenOptions | string = {}): Promise<StateStore> {
  const namespace = assertNamespace(typeof options === 'string' ? options : options.namespace ?? DEFAULT_NAMESPACE);
  if (url.startsWith('sqlite://')) {
    const path = url.slice('sqlite://'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return openSqliteStore(path, namespace);
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    return openRedisStore(url, namespace);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return openPostgresStore(url, namespace);
  }
  throw new Error(`unsupported state URL scheme in ${url.split(':')[0]}:// (allowed: sqlite://, redis://, postgres://)`);
}
