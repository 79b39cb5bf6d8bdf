import type { CustomerAggregate } from '../model/customer';
import type { StateStore } from './store';

const customerKey = (key: string) => `customer:${key}`;

/** The key-value entry for a customer, for callers that save it together with other state in one write. */
export function customerEntry(customer: CustomerAggregate): readonly [string, CustomerAggregate] {
  return [customerKey(customer.key), customer];
}

/** Customer aggregates, read and written a page at a time. */
export class CustomerRepository {
  constructor(private readonly store: StateStore) {}

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
