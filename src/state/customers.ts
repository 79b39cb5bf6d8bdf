import type { CustomerAggregate } from '../model/customer';
import type { StateStore } from './store';

const customerKey = (key: string) => `customer:${key}`;

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
    await this.store.setMany(customers.map((customer) => [customerKey(customer.key), customer] as const));
  }
}
