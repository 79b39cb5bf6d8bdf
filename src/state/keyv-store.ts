import Keyv from 'keyv';
import { decodeKeyv, encodeKeyv } from './keyv-codec';
import type { CommitUnit, StateStore } from './port';

/**
 * The plain key-value half of every backend, through keyv. Keys are prefixed here rather than by keyv's namespace
 * option, whose handling differs between adapters (the PostgreSQL adapter's bulk reads ignore it): one daemon's
 * state never sees another's on a shared server. The atomic half (commit, counters, leases) is each backend's own.
 */
export abstract class KeyvStateStore implements StateStore {
  protected readonly keyv: Keyv;

  constructor(adapter: Keyv['store'], protected readonly namespace: string) {
    // throwOnErrors: a failed write must fail the step (so the cursor stays put), never pass silently.
    this.keyv = new Keyv({ store: adapter, useKeyPrefix: false, throwOnErrors: true, serialize: encodeKeyv, deserialize: decodeKeyv });
    this.keyv.on('error', () => undefined); // surfaced through the rejected promises of each call instead
  }

  /** The key as stored by this backend's table or keyspace (before any adapter-level prefix). */
  protected key(key: string): string {
    return `${this.namespace}:${key}`;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.keyv.get<T>(this.key(key))) ?? undefined;
  }

  async getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>> {
    if (keys.length === 0) return [];
    const values = await this.keyv.getMany<T>(keys.map((key) => this.key(key)));
    return values.map((value) => value ?? undefined);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.keyv.set(this.key(key), value);
  }

  async setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    if (entries.length === 0) return;
    await this.keyv.setMany(entries.map(([key, value]) => ({ key: this.key(key), value })));
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.keyv.deleteMany(keys.map((key) => this.key(key)));
  }

  abstract commit(unit: CommitUnit): Promise<void>;
  abstract increment(key: string, by?: number): Promise<number>;
  abstract acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  abstract releaseLease(name: string, holder: string): Promise<void>;

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

/** Lease arguments every backend checks the same way. */
export function assertLease(name: string, holder: string, ttlMs: number): void {
  if (name.length === 0 || holder.length === 0) throw new Error('a lease needs a name and a holder');
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new Error(`lease "${name}": ttl ${ttlMs} ms is not a positive integer`);
}
