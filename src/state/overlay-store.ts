import type { StateStore } from './store';

/**
 * Reads through to a real store, keeps every write in memory. `dry-run` computes exactly what a sync would queue,
 * from the real cursors and aggregates, without changing them.
 */
export class OverlayStore implements StateStore {
  private readonly written = new Map<string, unknown>();
  private readonly deleted = new Set<string>();

  constructor(private readonly base: StateStore) {}

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.getMany<T>([key]))[0];
  }

  async getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>> {
    const missing = keys.filter((key) => !this.written.has(key) && !this.deleted.has(key));
    const fromBase = await this.base.getMany<T>(missing);
    const baseValues = new Map(missing.map((key, i) => [key, fromBase[i]]));
    return keys.map((key) => (this.deleted.has(key) ? undefined : this.written.has(key) ? (this.written.get(key) as T) : baseValues.get(key)));
  }

  async set(key: string, value: unknown): Promise<void> {
    this.deleted.delete(key);
    this.written.set(key, structuredClone(value));
  }

  async setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    for (const [key, value] of entries) await this.set(key, value);
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.written.delete(key);
      this.deleted.add(key);
    }
  }

  async close(): Promise<void> {
    await this.base.close();
  }
}
