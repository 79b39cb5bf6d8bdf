import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore, type StateStore } from '../../src/state/store';

/**
 * The state backends every contract test runs against. Redis and PostgreSQL on their standard local ports (as in
 * CI); elsewhere point SHIPSIGNAL_TEST_REDIS_URL / SHIPSIGNAL_TEST_POSTGRES_URL at yours. Each call of `url()` for
 * SQLite is a fresh file; open it several times for several connections to the same file.
 */
export const BACKENDS: Array<[string, () => string]> = [
  ['sqlite', () => `sqlite://${join(mkdtempSync(join(tmpdir(), 'shipsignal-state-')), 'state.sqlite')}`],
  ['redis', () => process.env.SHIPSIGNAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'],
  ['postgres', () => process.env.SHIPSIGNAL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'],
];

/** A namespace no other run shares. */
export const freshNamespace = (): string => `test-${randomUUID()}`;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Per test: a fresh URL (a new SQLite file) and namespace, and `open` for as many stores (connections) on them as the
 * test wants, all closed after it. Call inside a describe block.
 */
export function storesPerTest(urlOf: () => string): { open: (namespace?: string) => Promise<StateStore> } {
  let url = '';
  let namespace = '';
  const opened: StateStore[] = [];
  beforeEach(() => {
    url = urlOf();
    namespace = freshNamespace();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  return {
    open: async (ns = namespace) => {
      const store = await openStateStore(url, { namespace: ns });
      opened.push(store);
      return store;
    },
  };
}
