import type { KlaviyoSandbox, SandboxEvent, SandboxProfile } from '../../src/sandbox/klaviyo';
import { gid, type OrderRecord } from '../../src/sandbox/shopify/record';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { moneyFromDecimal } from '../../src/model/money';
import { uniqueId } from '../../src/mapping/unique-id';
import { readState, type StateRead } from './child-daemon';

/**
 * What Klaviyo must hold once the daemon has caught up with a store, computed from the store's records alone, and
 * the comparison with what the Klaviyo sandbox actually holds. Shared by the crash, shutdown and outage tests;
 * expects mappings with Placed Order and Ordered Product switched on (see writeMappings).
 */
export const PLACED = 'Placed Order';
export const ORDERED = 'Ordered Product';
const SEGMENT_CHANGED = 'Lifecycle Segment Changed';

interface ExpectedCustomer {
  ordersCount: number;
  totalSpentMinor: number;
  lastOrderAt: string | null;
}

const emailOf = (record: OrderRecord): string => (record.customer?.email ?? record.email ?? '').trim().toLowerCase();

/** The same arithmetic as the e2e test: net of refunds, cancelled orders count zero. */
export function expectedFromStore(store: SandboxStore): { customers: Map<string, ExpectedCustomer>; events: Map<string, Set<string>> } {
  const customers = new Map<string, ExpectedCustomer>();
  const events = new Map<string, Set<string>>([[PLACED, new Set()], [ORDERED, new Set()]]);
  for (let i = 0; i < store.size; i++) {
    const record = store.recordAt(i);
    const email = emailOf(record);
    if (!email) continue;
    const orderId = gid('Order', record.legacyId);
    events.get(PLACED)?.add(orderId);
    for (const item of record.lineItems) events.get(ORDERED)?.add(uniqueId('item', orderId, gid('LineItem', item.legacyId)));
    const cancelled = record.cancelledAt !== null;
    const net = cancelled ? 0 : moneyFromDecimal(record.totalPrice, record.currencyCode).minor - moneyFromDecimal(record.totalRefunded, record.currencyCode).minor;
    const previous = customers.get(email) ?? { ordersCount: 0, totalSpentMinor: 0, lastOrderAt: null };
    const placed = new Date(record.createdAt).toISOString();
    customers.set(email, {
      ordersCount: previous.ordersCount + (cancelled ? 0 : 1),
      totalSpentMinor: previous.totalSpentMinor + Math.max(0, net),
      lastOrderAt: cancelled ? previous.lastOrderAt : [previous.lastOrderAt ?? '', placed].sort().pop() ?? null,
    });
  }
  return { customers, events };
}

/** Each customer's segment-change events must form one unbroken path ending at the profile's segment. */
function brokenSegmentChains(events: readonly SandboxEvent[], profiles: ReadonlyMap<string, SandboxProfile>): string[] {
  const net = new Map<string, Map<string, number>>();
  for (const event of events) {
    const email = event.profile.email ?? '';
    const flows = net.get(email) ?? new Map<string, number>();
    const from = String(event.properties.PreviousSegment);
    const to = String(event.properties.Segment);
    flows.set(from, (flows.get(from) ?? 0) - 1);
    flows.set(to, (flows.get(to) ?? 0) + 1);
    net.set(email, flows);
  }
  const broken: string[] = [];
  for (const [email, flows] of net) {
    const current = String(profiles.get(email)?.properties.ss_segment);
    const unbalanced = [...flows].filter(([, value]) => value !== 0);
    const closedLoop = unbalanced.length === 0;
    const path = unbalanced.length === 2 && flows.get(current) === 1 && unbalanced.some(([, value]) => value === -1);
    if (!closedLoop && !path) broken.push(`${email}: ${JSON.stringify(Object.fromEntries(flows))}, profile segment ${current}`);
  }
  return broken;
}

export interface DeliveryAudit {
  readonly outboxBatches: number;
  readonly eventsChecked: number;
  readonly otherEvents: number;
  readonly profilesChecked: number;
  readonly profilesInKlaviyo: number;
  readonly duplicatesDropped: number;
  /** Up to ten examples each; empty when all is well. */
  readonly lost: readonly string[];
  readonly doubled: readonly string[];
  readonly wrongProfiles: readonly string[];
  readonly brokenChains: readonly string[];
  readonly counts: { readonly lost: number; readonly doubled: number; readonly wrongProfiles: number; readonly brokenChains: number };
}

/**
 * Every expected Placed Order / Ordered Product exactly once; no event of any metric twice for one profile; every
 * customer's profile at the independently computed counts, spend and last order, with the segment the daemon's
 * own state says it announced; segment-change chains unbroken; the outbox in the state file empty.
 */
export async function auditDelivery(store: SandboxStore, klaviyo: KlaviyoSandbox, stateUrl: string, storeId?: string): Promise<DeliveryAudit> {
  const { customers, events: expectedEvents } = expectedFromStore(store);
  const state = await readState(stateUrl, storeId);
  const events = klaviyo.events();
  const lost: string[] = [];
  const doubled: string[] = [];
  let eventsChecked = 0;
  for (const [metric, expected] of expectedEvents) {
    const counts = new Map<string, number>();
    for (const event of events) if (event.metric === metric) counts.set(event.uniqueId ?? '', (counts.get(event.uniqueId ?? '') ?? 0) + 1);
    for (const id of expected) if (!counts.has(id)) lost.push(`${metric} ${id}`);
    for (const [id, count] of counts) if (count > 1 || !expected.has(id)) doubled.push(`${metric} ${id} ×${count}`);
    eventsChecked += expected.size;
  }
  const seen = new Set<string>();
  for (const event of events) {
    const key = `${event.metric}|${event.profileId}|${event.uniqueId}`;
    if (seen.has(key) && !expectedEvents.has(event.metric)) doubled.push(key);
    seen.add(key);
  }
  const profiles = new Map(klaviyo.profiles().map((p) => [p.email ?? '', p]));
  const wrong: string[] = [];
  for (const [email, expected] of customers) {
    const properties = profiles.get(email)?.properties;
    const actual = {
      orders: properties?.ss_orders_count, spent: properties?.ss_total_spent, last: properties?.ss_last_order_at ?? null,
      segment: properties?.ss_segment,
    };
    const wanted = {
      orders: expected.ordersCount, spent: expected.totalSpentMinor / 100, last: expected.lastOrderAt,
      segment: state.customers.get(email)?.segment,
    };
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) wrong.push(`${email}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(wanted)}`);
  }
  const chains = brokenSegmentChains(events.filter((e) => e.metric === SEGMENT_CHANGED), profiles);
  return {
    outboxBatches: state.outboxBatches,
    eventsChecked,
    otherEvents: events.length - eventsChecked,
    profilesChecked: customers.size,
    profilesInKlaviyo: profiles.size,
    duplicatesDropped: klaviyo.stats().duplicatesDropped,
    lost: lost.slice(0, 10),
    doubled: doubled.slice(0, 10),
    wrongProfiles: wrong.slice(0, 10),
    brokenChains: chains.slice(0, 10),
    counts: { lost: lost.length, doubled: doubled.length, wrongProfiles: wrong.length, brokenChains: chains.length },
  };
}

/** The audit's verdict as one value, so a failure shows every problem at once. */
export function problems(audit: DeliveryAudit): Record<string, unknown> {
  return {
    outboxBatches: audit.outboxBatches, lost: audit.lost, doubled: audit.doubled, wrongProfiles: audit.wrongProfiles,
    brokenChains: audit.brokenChains, profilesInKlaviyo: audit.profilesInKlaviyo - audit.profilesChecked,
  };
}

export const NO_PROBLEMS = { outboxBatches: 0, lost: [], doubled: [], wrongProfiles: [], brokenChains: [], profilesInKlaviyo: 0 };

/**
 * The product statistics against the store, however often the daemon was killed: each order is learnt once, so a
 * product's learnt order count is at least the orders its customers still keep it in (a line only ever goes from
 * kept to returned here) and at most the orders that ever held it; and a finished poll leaves the journal folded.
 * A lesson lost with a killed process breaks the first bound, one replayed twice the second.
 */
export function productCountProblems(store: SandboxStore, state: StateRead): string[] {
  const held = new Map<string, number>();
  for (let i = 0; i < store.size; i++) {
    const record = store.recordAt(i);
    if (!emailOf(record)) continue;
    const ids = new Set(record.lineItems.map((line) => (line.productLegacyId !== null ? gid('Product', line.productLegacyId) : line.sku ? `sku:${line.sku}` : null)));
    for (const id of ids) if (id !== null) held.set(id, (held.get(id) ?? 0) + 1);
  }
  const kept = new Map<string, number>();
  for (const customer of state.customers.values()) {
    for (const order of customer.orders) for (const item of order.items ?? []) if (!item.returned) kept.set(item.productId, (kept.get(item.productId) ?? 0) + 1);
  }
  const found: string[] = state.lessonBatches > 0 ? [`${state.lessonBatches} lesson batches left in the journal`] : [];
  for (const [id, learnt] of state.productOrders) {
    const [low, high] = [kept.get(id) ?? 0, held.get(id) ?? 0];
    if (learnt < low || learnt > high) found.push(`${id}: learnt from ${learnt} orders, kept in ${low}, held by ${high}`);
  }
  return found;
}
