import type { CustomerAggregate } from '../model/customer';
import { DurableLog } from './durable-log';
import { LOGS, customerKey } from './keys';
import type { CommitAppend, StateStore } from './port';

/** The key-value entry for a customer, for callers that save it together with other state in one write. */
export function customerEntry(customer: CustomerAggregate): readonly [string, CustomerAggregate] {
  return [customerKey(customer.key), customer];
}

/**
 * Customer aggregates, read and written a page at a time, plus an append-only index of every customer key so
 * whole-store passes (re-assessment after a backfill or a model refit) can stream customers from any store.
 */
export class CustomerRepository {
  private readonly index: DurableLog<string>;

  constructor(private readonly store: StateStore) {
    this.index = new DurableLog<string>(store, LOGS.customerIndex);
  }

  /** Records keys of customers seen for the first time; call before saving them (a replay may add a key twice). */
  indexNew(keys: readonly string[]): Promise<void> {
    return this.index.append(keys);
  }

  /** `indexNew` as an append, for a caller that commits it with the customers themselves (empty keys: no append). */
  indexAppendsFor(keys: readonly string[]): CommitAppend[] {
    return keys.length > 0 ? [this.index.appendsFor(keys)] : [];
  }

  /** The entries saving these customers, for a caller that commits them with other state. */
  entriesFor(customers: readonly CustomerAggregate[]): Array<readonly [string, CustomerAggregate]> {
    return customers.map(customerEntry);
  }

  /** The key of every known customer, `chunk` at a time, in the order they were first seen. */
  async *allKeys(chunk = 500): AsyncGenerator<string[]> {
    await this.index.refresh();
    let next = 0;
    for (;;) {
      const batches = await this.index.peek(chunk, next);
      if (batches.length === 0) return;
      next = batches[batches.length - 1].seq + 1;
      // A replayed page may have indexed a key twice; re-assessing a customer twice is harmless, so no global set.
      yield [...new Set(batches.flatMap((batch) => batch.items))];
    }
  }

  /** Every known customer, `chunk` at a time, in the order they were first seen. */
  async *all(chunk = 500): AsyncGenerator<CustomerAggregate[]> {
    for await (const keys of this.allKeys(chunk)) {
      const found = await this.getMany(keys);
      yield keys.map((key) => found.get(key)).filter((customer): customer is CustomerAggregate => customer !== undefined);
    }
  }

  async getMany(keys: readonly string[]): Promise<Map<string, CustomerAggregate>> {
    const unique = [...new Set(keys)];
    const found = await this.store.getMany<CustomerAggregate>(unique.map(customerKey));
    const byKey = new Map<string, CustomerAggregate>();
    unique.forEach((key, i) => {
      const customer = found[i];
      if (customer) byKey.set(key, customer);
    });
    return byKey;
  }

  async saveMany(customers: readonly CustomerAggregate[]): Promise<void> {
    await this.store.setMany(customers.map(customerEntry));
  }
}
