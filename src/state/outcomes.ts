import type { CustomerAggregate } from '../model/customer';
import type { HoldCounts } from '../enrichment/delivery/holds';
import { addCounters, dayOf, factsDelta, holdDelta, mergeInto, type Counters, type DayCounters } from '../outcomes/counters';
import { emptyFacts, withCustomer, withParcel, type CustomerFacts } from '../outcomes/facts';
import { HOLD_COUNTS_KEY, OUTCOME_TOTALS_KEY, customerKey, outcomeDayKey, outcomeFactsKey, shipmentKey } from './keys';
import type { StateStore } from './port';
import { isPendingKey, type ShipmentState } from './shipments';

const CUSTOMER_PREFIX = customerKey('');
const SHIPMENT_PREFIX = shipmentKey('');

/**
 * The outcome counters in state: the per-customer facts and the day buckets they sum into. `entriesFor` is called
 * by the durability commit (pipeline/commit.ts) with the entries it is about to write, under the writer lease, and
 * returns the outcome entries to write in the same commit; nothing else writes them. Reads (`days`, `totals`) are
 * what /status and `shipsignal report` use: a bounded number of keys, never a scan of customers.
 */
export class OutcomeStore {
  constructor(private readonly store: StateStore) {}

  async entriesFor(entries: ReadonlyArray<readonly [string, unknown]>, now: Date): Promise<Array<readonly [string, unknown]>> {
    const customers = new Map<string, CustomerAggregate>();
    const parcels: ShipmentState[] = [];
    let holds: HoldCounts | null = null;
    for (const [key, value] of entries) {
      if (key.startsWith(CUSTOMER_PREFIX)) customers.set((value as CustomerAggregate).key, value as CustomerAggregate);
      else if (key.startsWith(SHIPMENT_PREFIX)) parcels.push(value as ShipmentState);
      else if (key === HOLD_COUNTS_KEY) holds = value as HoldCounts;
    }
    const touched = [...new Set([...customers.keys(), ...parcels.map((p) => p.customerEmail).filter((e): e is string => !!e)])];
    if (touched.length === 0 && holds === null) return [];
    const today = dayOf(now);
    const [stored, holdsBefore] = await Promise.all([
      this.store.getMany<CustomerFacts>(touched.map(outcomeFactsKey)),
      holds ? this.store.get<HoldCounts>(HOLD_COUNTS_KEY) : Promise.resolve(undefined),
    ]);
    const working = new Map<string, CustomerFacts>();
    touched.forEach((key, i) => working.set(key, stored[i] ?? emptyFacts()));
    for (const [key, customer] of customers) working.set(key, withCustomer(working.get(key) as CustomerFacts, customer));
    for (const parcel of parcels) {
      const key = parcel.customerEmail;
      if (key) working.set(key, withParcel(working.get(key) as CustomerFacts, parcel, isPendingKey(parcel.key)));
    }

    const delta: DayCounters = holds ? holdDelta(holdsBefore?.byRule ?? {}, holds.byRule, today) : new Map();
    const out: Array<readonly [string, unknown]> = [];
    touched.forEach((key, i) => {
      const after = working.get(key) as CustomerFacts;
      const before = stored[i] ?? null;
      if (before && JSON.stringify(before) === JSON.stringify(after)) return;
      mergeInto(delta, factsDelta(before, after, today));
      out.push([outcomeFactsKey(key), after]);
    });
    const days = [...delta.keys()].filter((day) => (delta.get(day)?.size ?? 0) > 0);
    if (days.length === 0) return out;
    const [totals, ...buckets] = await this.store.getMany<Counters>([OUTCOME_TOTALS_KEY, ...days.map(outcomeDayKey)]);
    const total = { ...(totals ?? {}) };
    days.forEach((day, i) => {
      const change = delta.get(day) as ReadonlyMap<string, number>;
      out.push([outcomeDayKey(day), addCounters({ ...(buckets[i] ?? {}) }, change)]);
      addCounters(total, change);
    });
    out.push([OUTCOME_TOTALS_KEY, total]);
    return out;
  }

  /** The day buckets from `from` to `to` inclusive (`YYYY-MM-DD`), missing days as empty buckets. */
  async days(from: string, to: string): Promise<Map<string, Counters>> {
    const names: string[] = [];
    for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) names.push(dayOf(new Date(t)));
    const found = names.length > 0 ? await this.store.getMany<Counters>(names.map(outcomeDayKey)) : [];
    return new Map(names.map((day, i) => [day, found[i] ?? {}]));
  }

  async totals(): Promise<Counters> {
    return (await this.store.get<Counters>(OUTCOME_TOTALS_KEY)) ?? {};
  }

  async facts(customer: string): Promise<CustomerFacts | null> {
    return (await this.store.get<CustomerFacts>(outcomeFactsKey(customer))) ?? null;
  }
}
